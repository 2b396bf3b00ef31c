import { Anchor, Table, Text } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import type { Call } from '../api/types';
import { StatusBadge } from '../common/call-badges';
import { formatDateTime, formatDuration } from '../common/format';
import { VirtualPadding } from '../common/virtual-padding';

const ROW_HEIGHT = 53;

/** The company belongs to the outside party: under the caller for inbound calls, under the called number for outbound ones. */
function callerLabel(call: Call, unknown: string): string | null {
  if (call.direction === 'outbound') return call.callerName;
  return call.callerCompanyName ?? call.callerName ?? (call.direction === 'inbound' ? unknown : null);
}

function NumberWithName({ number, name }: { number: string; name: string | null }) {
  return (
    <>
      <Text size="sm" truncate>
        {number}
      </Text>
      <Text size="xs" c="dimmed" truncate>
        {name ?? ''}
      </Text>
    </>
  );
}
/** Start loading the next page this many rows before the end of what is loaded. */
const PREFETCH_ROWS = 20;

interface CallTableProps {
  calls: Call[];
  hasMore: boolean;
  loadingMore: boolean;
  onLoadMore: () => void;
}

/**
 * The call list, virtualised: only the rows in view (plus a few) are in the page, so thousands
 * of loaded calls scroll as smoothly as fifty. Scrolling near the end loads the next keyset page.
 */
export function CallTable({ calls, hasMore, loadingMore, onLoadMore }: CallTableProps) {
  const { t, i18n } = useTranslation();
  const navigate = useNavigate();
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: calls.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 10 });
  const rows = virtualizer.getVirtualItems();
  const lastIndex = rows.at(-1)?.index ?? -1;

  useEffect(() => {
    if (hasMore && !loadingMore && lastIndex >= calls.length - PREFETCH_ROWS) onLoadMore();
  }, [lastIndex, calls.length, hasMore, loadingMore, onLoadMore]);

  const paddingTop = rows[0]?.start ?? 0;
  const paddingBottom = virtualizer.getTotalSize() - (rows.at(-1)?.end ?? 0);

  return (
    <div ref={scroller} style={{ height: 'max(320px, calc(100vh - 420px))', overflow: 'auto' }} data-testid="call-table-scroller">
      <Table stickyHeader highlightOnHover aria-label={t('calls.table')} aria-rowcount={calls.length + 1} data-testid="call-table" style={{ tableLayout: 'fixed' }}>
        <Table.Thead>
          <Table.Tr aria-rowindex={1}>
            <Table.Th w={180}>{t('calls.colStarted')}</Table.Th>
            <Table.Th w={130}>{t('calls.colDirection')}</Table.Th>
            <Table.Th w={140}>{t('calls.colStatus')}</Table.Th>
            <Table.Th>{t('calls.colCaller')}</Table.Th>
            <Table.Th>{t('calls.colReceiver')}</Table.Th>
            <Table.Th>{t('calls.colUser')}</Table.Th>
            <Table.Th w={90}>{t('calls.colRing')}</Table.Th>
            <Table.Th w={100}>{t('calls.colTalk')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          <VirtualPadding height={paddingTop} columns={8} />
          {rows.map((row) => {
            const call = calls[row.index];
            const started = formatDateTime(call.startedAt, i18n.language);
            return (
              <Table.Tr
                key={call.id}
                data-index={row.index}
                ref={virtualizer.measureElement}
                aria-rowindex={row.index + 2}
                data-call-id={call.id}
                style={{ cursor: 'pointer', height: ROW_HEIGHT }}
                onClick={(event) => {
                  if (!(event.target as HTMLElement).closest('a')) void navigate(`/calls/${call.id}`);
                }}
              >
                <Table.Td>
                  <Anchor component={Link} to={`/calls/${call.id}`} aria-label={t('calls.open', { time: started })} size="sm">
                    {started}
                  </Anchor>
                </Table.Td>
                <Table.Td>{t(`direction.${call.direction}`)}</Table.Td>
                <Table.Td>
                  <StatusBadge status={call.status} />
                </Table.Td>
                <Table.Td>
                  <NumberWithName number={call.callerNumber} name={callerLabel(call, t('calls.unknownCaller'))} />
                </Table.Td>
                <Table.Td>
                  <NumberWithName number={call.receiverNumber} name={call.direction === 'outbound' ? call.callerCompanyName : null} />
                </Table.Td>
                <Table.Td>
                  <Text size="sm" truncate>
                    {call.assignedUserName ?? t('common.none')}
                  </Text>
                </Table.Td>
                <Table.Td>{formatDuration(call.ringSeconds)}</Table.Td>
                <Table.Td>{formatDuration(call.talkSeconds)}</Table.Td>
              </Table.Tr>
            );
          })}
          <VirtualPadding height={paddingBottom} columns={8} />
        </Table.Tbody>
      </Table>
    </div>
  );
}
