import { Anchor, Badge, Group, Table, Text } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { StatusBadge } from '../common/call-badges';
import { CallControls } from '../call-control/call-controls';
import { formatTime } from '../common/format';
import { VirtualPadding } from '../common/virtual-padding';
import type { LiveCall } from '../realtime/live-state';
import { Elapsed } from './elapsed';

/** The name under the caller's number: the company of an outside caller, else the caller ID name (an outbound call's operator). */
export const callerLabel = (live: LiveCall): string | null => (live.call.direction === 'outbound' ? live.call.callerName : (live.companyName ?? live.call.callerName));

/** The phones ringing: extensions, or the number an outbound call dials (its ringing leg is the trunk's). */
export const ringingOn = (live: LiveCall): string =>
  live.ringing.map((phone) => phone.extension ?? live.call.externalNumber ?? live.call.receiverNumber).join(', ');

const ROW_HEIGHT = 66;
const COLUMNS = 8;

/** `inline`: a button per control (the operator's own calls); `menu`: one menu per row (a wallboard's many). */
export type ControlsLayout = 'inline' | 'menu';

interface LiveCallRowProps {
  live: LiveCall;
  controls: ControlsLayout;
  skewMs: number;
  index: number;
  measure: (element: HTMLTableRowElement | null) => void;
}

const LiveCallRow = memo(function LiveCallRow({ live, controls, skewMs, index, measure }: LiveCallRowProps) {
  const { t, i18n } = useTranslation();
  const { call } = live;
  const ringing = ringingOn(live);
  return (
    <Table.Tr ref={measure} data-index={index} aria-rowindex={index + 2} data-live-call-id={call.id} data-status={call.status}>
      <Table.Td>
        {live.test ? (
          // A TEST_MODE call is not stored: there is no detail to open.
          <Text size="sm">{formatTime(call.startedAt, i18n.language)}</Text>
        ) : (
          <Anchor component={Link} to={`/calls/${call.id}`} size="sm" aria-label={t('live.open', { number: call.callerNumber })}>
            {formatTime(call.startedAt, i18n.language)}
          </Anchor>
        )}
      </Table.Td>
      <Table.Td>
        <Group gap={4}>
          <StatusBadge status={call.status} />
          {live.test && <Badge color="orange" variant="outline">{t('live.testCall')}</Badge>}
        </Group>
        {ringing && (
          <Text size="xs" c="dimmed">
            {t('live.ringingOn', { extensions: ringing })}
          </Text>
        )}
      </Table.Td>
      <Table.Td>{t(`direction.${call.direction}`)}</Table.Td>
      <Table.Td>
        <Text size="sm">{call.callerNumber}</Text>
        <Text size="xs" c="dimmed">
          {callerLabel(live) ?? ''}
        </Text>
      </Table.Td>
      <Table.Td>
        <Text size="sm">{call.receiverNumber}</Text>
        <Text size="xs" c="dimmed">
          {call.direction === 'outbound' ? (live.companyName ?? '') : ''}
        </Text>
      </Table.Td>
      {/* Who has the call now: a transfer's target before the stored assignment follows at the call's end. */}
      <Table.Td>{(live.agentUserId !== undefined && live.agentUserId !== live.call.assignedUserId ? live.agentName : live.assignedUserName) ?? t('common.none')}</Table.Td>
      <Table.Td data-testid="live-duration">
        <Elapsed since={call.answeredAt ?? call.startedAt} skewMs={skewMs} />
      </Table.Td>
      <Table.Td data-testid="live-actions">
        <CallControls live={live} layout={controls} />
      </Table.Td>
    </Table.Tr>
  );
});

/**
 * Calls in progress with their running durations, virtualised: a wallboard with hundreds of
 * calls renders (and ticks) only the rows in view; a row re-renders when its call changes.
 */
export function LiveCallTable({ calls, skewMs, label, testId, controls = 'inline' }: { calls: LiveCall[]; skewMs: number; label: string; testId: string; controls?: ControlsLayout }) {
  const { t } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: calls.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 8 });
  const rows = virtualizer.getVirtualItems();
  const paddingTop = rows[0]?.start ?? 0;
  const paddingBottom = virtualizer.getTotalSize() - (rows.at(-1)?.end ?? 0);
  return (
    <div ref={scroller} style={{ maxHeight: 'max(320px, calc(100vh - 360px))', overflow: 'auto' }}>
      <Table stickyHeader aria-label={label} aria-rowcount={calls.length + 1} data-testid={testId} highlightOnHover style={{ minWidth: controls === 'inline' ? 1060 : 900 }}>
        <Table.Thead>
          <Table.Tr aria-rowindex={1}>
            <Table.Th w={110}>{t('live.colStarted')}</Table.Th>
            <Table.Th w={170}>{t('live.colState')}</Table.Th>
            <Table.Th w={110}>{t('calls.colDirection')}</Table.Th>
            <Table.Th>{t('live.colCaller')}</Table.Th>
            <Table.Th>{t('live.colCalled')}</Table.Th>
            <Table.Th>{t('live.colUser')}</Table.Th>
            <Table.Th w={100}>{t('live.colDuration')}</Table.Th>
            <Table.Th w={controls === 'inline' ? 300 : 140}>{t('control.colActions')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          <VirtualPadding height={paddingTop} columns={COLUMNS} />
          {rows.map((row) => (
            <LiveCallRow key={calls[row.index].call.id} live={calls[row.index]} controls={controls} skewMs={skewMs} index={row.index} measure={virtualizer.measureElement} />
          ))}
          <VirtualPadding height={paddingBottom} columns={COLUMNS} />
        </Table.Tbody>
      </Table>
    </div>
  );
}
