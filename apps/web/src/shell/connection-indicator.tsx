import { Badge, Tooltip } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { useLive, useRealtimeState } from '../realtime/realtime-context';
import type { RealtimeStatus } from '../realtime/realtime-client';

const COLORS: Record<RealtimeStatus, string> = { connected: 'green', connecting: 'yellow', reconnecting: 'yellow', unavailable: 'gray' };

/** The state of the live connection, in words; socket.io keeps retrying by itself. */
export function ConnectionIndicator() {
  const { t } = useTranslation();
  const { status, lastError } = useRealtimeState();
  // When the screens were last rebuilt from a snapshot (tests wait for it; people read the badge).
  const { syncedAt } = useLive();
  const badge = (
    <Badge color={COLORS[status]} variant="dot" role="status" aria-live="polite" aria-label={`${t('realtime.label')}: ${t(`realtime.${status}`)}`} data-testid="realtime-status" data-status={status} data-synced={syncedAt ?? undefined}>
      {t(`realtime.${status}`)}
    </Badge>
  );
  return lastError && status !== 'connected' ? <Tooltip label={t('realtime.reason', { reason: lastError })}>{badge}</Tooltip> : badge;
}
