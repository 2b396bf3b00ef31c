import { Anchor, Paper, Stack, Table, Title } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { PhonePanel } from '../call-control/phone-panel';
import { StatusBadge } from '../common/call-badges';
import { formatDuration, formatTime } from '../common/format';
import { EmptyState, LoadingState } from '../common/query-state';
import { currentAgent, type LiveCall } from '../realtime/live-state';
import { useLive } from '../realtime/realtime-context';
import { LiveCallTable } from './live-call-table';
import { StaleNotice } from './stale-notice';

/**
 * The user's own call in progress: ringing on their phone (or assigned to them while it rings),
 * or answered and theirs (they answered it or it was transferred to them). A queue call that
 * rang them and went to a colleague is not, nor one they transferred away.
 */
export function isMine(live: LiveCall, me: string | undefined): boolean {
  if (!me) return false;
  if (live.call.status === 'ringing') return live.call.assignedUserId === me || live.ringing.some((phone) => phone.userId === me);
  return currentAgent(live) === me;
}

/** An ended call concerns the user when it was theirs or their phone took part (a missed ring included). */
const tookPart = (live: LiveCall, me: string | undefined) => me !== undefined && (live.call.assignedUserId === me || live.call.participantUserIds.includes(me));

function RecentlyEnded({ calls }: { calls: LiveCall[] }) {
  const { t, i18n } = useTranslation();
  if (calls.length === 0) return <EmptyState>{t('live.recentEmpty')}</EmptyState>;
  return (
    <Table aria-label={t('live.recent')} data-testid="live-recent">
      <Table.Thead>
        <Table.Tr>
          <Table.Th>{t('live.colStarted')}</Table.Th>
          <Table.Th>{t('live.colState')}</Table.Th>
          <Table.Th>{t('live.colParty')}</Table.Th>
          <Table.Th>{t('call.talkSeconds')}</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {calls.map((live) => (
          <Table.Tr key={live.call.id} data-call-id={live.call.id}>
            <Table.Td>
              {live.test ? (
                formatTime(live.call.startedAt, i18n.language)
              ) : (
                <Anchor component={Link} to={`/calls/${live.call.id}`} size="sm" aria-label={t('live.open', { number: live.call.callerNumber })}>
                  {formatTime(live.call.startedAt, i18n.language)}
                </Anchor>
              )}
            </Table.Td>
            <Table.Td>
              <StatusBadge status={live.call.status} />
            </Table.Td>
            <Table.Td>
              {live.call.direction === 'outbound' ? live.call.receiverNumber : live.call.callerNumber}
              {live.companyName ? ` · ${live.companyName}` : ''}
            </Table.Td>
            <Table.Td>{formatDuration(live.call.talkSeconds)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

/** The operator's screen: their calls in progress (the popups are the shell's), and the ones that just ended. */
export function LivePage() {
  const { t } = useTranslation();
  const view = useLive();
  const mine = view.calls.filter((live) => isMine(live, view.me?.id));
  return (
    <Stack>
      <Title order={2}>{t('live.title')}</Title>
      <StaleNotice />
      <PhonePanel />
      <Paper withBorder p="md" component="section" aria-labelledby="live-mine-title">
        <Title order={3} size="h4" mb="sm" id="live-mine-title">
          {t('live.mine')}
        </Title>
        {!view.syncedAt ? (
          <LoadingState />
        ) : mine.length === 0 ? (
          <EmptyState>{t('live.mineEmpty')}</EmptyState>
        ) : (
          <LiveCallTable calls={mine} skewMs={view.clockSkewMs} label={t('live.mine')} testId="live-calls" />
        )}
      </Paper>
      <Paper withBorder p="md" component="section" aria-labelledby="live-recent-title">
        <Title order={3} size="h4" mb="sm" id="live-recent-title">
          {t('live.recent')}
        </Title>
        <RecentlyEnded calls={view.recentlyEnded.filter((live) => tookPart(live, view.me?.id))} />
      </Paper>
    </Stack>
  );
}
