import { Alert, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { formatTime } from '../common/format';
import { useLive, useRealtimeState } from '../realtime/realtime-context';
import { realtimeReason } from '../shell/connection-indicator';

/** On the live screens: while the socket is down, what they show may be out of date; it is rebuilt on reconnect. */
export function StaleNotice() {
  const { t, i18n } = useTranslation();
  const { status, lastError } = useRealtimeState();
  const { syncedAt } = useLive();
  if (status === 'connected' || status === 'connecting') return null;
  return (
    <Alert color="yellow" role="status" data-testid="live-stale">
      {syncedAt ? t('realtime.staleSince', { time: formatTime(syncedAt, i18n.language) }) : t('realtime.stale')}
      {lastError && (
        <Text size="xs" mt={4}>
          {realtimeReason(t, lastError)}
        </Text>
      )}
    </Alert>
  );
}
