import { Group, Paper, SimpleGrid, Stack, Table, Text, Title } from '@mantine/core';
import type { UserPresence } from '@app/contracts';
import { useTranslation } from 'react-i18next';
import { Kpi } from '../common/kpi';
import { EmptyState, LoadingState } from '../common/query-state';
import { Elapsed } from '../live/elapsed';
import { LiveCallTable } from '../live/live-call-table';
import { StaleNotice } from '../live/stale-notice';
import { cardName, currentAgent, type LiveCall, type LiveView } from '../realtime/live-state';
import { useLive } from '../realtime/realtime-context';
import { PhoneBadge, PresenceBadge } from './presence-badges';

/** The call a user is on now: answered or held and assigned to them, or ringing on their phone. */
function currentCall(user: UserPresence, calls: LiveCall[]): LiveCall | undefined {
  return (
    calls.find((live) => currentAgent(live) === user.id && (live.call.status === 'answered' || live.call.status === 'on_hold')) ??
    calls.find((live) => live.ringing.some((phone) => phone.userId === user.id))
  );
}

function OperatorsTable({ view }: { view: LiveView }) {
  const { t } = useTranslation();
  const none = t('common.none');
  return (
    <Table.ScrollContainer minWidth={700}>
      <Table aria-label={t('wallboard.operatorsTable')} data-testid="wallboard-operators">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('wallboard.colName')}</Table.Th>
            <Table.Th>{t('wallboard.colRole')}</Table.Th>
            <Table.Th>{t('wallboard.colPresence')}</Table.Th>
            <Table.Th>{t('wallboard.colPhones')}</Table.Th>
            <Table.Th>{t('wallboard.colCall')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {view.users.map((user) => {
            const phones = view.phones.filter((phone) => phone.userId === user.id);
            const call = currentCall(user, view.calls);
            return (
              <Table.Tr key={user.id} data-username={user.username}>
                <Table.Td>{cardName(user)}</Table.Td>
                <Table.Td>{t(`role.${user.role}`)}</Table.Td>
                <Table.Td>
                  <PresenceBadge status={user.status} />
                </Table.Td>
                <Table.Td>
                  {phones.length > 0 ? (
                    <Group gap={4}>
                      {phones.map((phone) => (
                        <PhoneBadge key={`${phone.pbxId}/${phone.extension}`} phone={phone} />
                      ))}
                    </Group>
                  ) : (
                    <Text size="xs" c="dimmed">
                      {t('wallboard.noPhoneState')}
                    </Text>
                  )}
                </Table.Td>
                <Table.Td>
                  {call ? (
                    <Text size="sm">
                      {call.call.callerNumber} · <Elapsed since={call.call.answeredAt ?? call.call.startedAt} skewMs={view.clockSkewMs} />
                    </Text>
                  ) : (
                    none
                  )}
                </Table.Td>
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** The supervisor's live board: every call in progress, every user with presence and phone state. */
export function WallboardPage() {
  const { t } = useTranslation();
  const view = useLive();
  const count = (status: string) => view.calls.filter((live) => live.call.status === status).length;
  const userIds = new Set(view.users.map((user) => user.id));
  const otherPhones = view.phones.filter((phone) => !phone.userId || !userIds.has(phone.userId));
  if (!view.syncedAt) return <LoadingState />;
  return (
    <Stack>
      <Title order={2}>{t('wallboard.title')}</Title>
      <StaleNotice />
      <SimpleGrid cols={{ base: 2, sm: 5 }}>
        <Kpi label={t('wallboard.inProgress')} value={view.calls.length} testId="kpi-in-progress" />
        <Kpi label={t('wallboard.ringing')} value={count('ringing')} testId="kpi-ringing" />
        <Kpi label={t('wallboard.talking')} value={count('answered')} testId="kpi-talking" />
        <Kpi label={t('wallboard.onHold')} value={count('on_hold')} testId="kpi-on-hold" />
        <Kpi label={t('wallboard.online')} value={view.users.filter((user) => user.role === 'operator' && user.status !== 'offline').length} testId="kpi-online" />
      </SimpleGrid>
      <Paper withBorder p="md" component="section" aria-labelledby="wallboard-calls-title">
        <Title order={3} size="h4" mb="sm" id="wallboard-calls-title">
          {t('wallboard.inProgress')}
        </Title>
        {view.calls.length === 0 ? (
          <EmptyState>{t('wallboard.callsEmpty')}</EmptyState>
        ) : (
          <LiveCallTable calls={view.calls} skewMs={view.clockSkewMs} label={t('wallboard.inProgress')} testId="wallboard-calls" controls="menu" />
        )}
      </Paper>
      <Paper withBorder p="md" component="section" aria-labelledby="wallboard-operators-title">
        <Title order={3} size="h4" mb="sm" id="wallboard-operators-title">
          {t('wallboard.operators')}
        </Title>
        <OperatorsTable view={view} />
        {otherPhones.length > 0 && (
          <Group gap={4} mt="sm" data-testid="wallboard-other-phones">
            <Text size="sm">{t('wallboard.otherPhones')}:</Text>
            {otherPhones.map((phone) => (
              <PhoneBadge key={`${phone.pbxId}/${phone.extension}`} phone={phone} />
            ))}
          </Group>
        )}
      </Paper>
    </Stack>
  );
}
