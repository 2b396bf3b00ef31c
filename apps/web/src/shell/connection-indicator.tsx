import { Badge, Tooltip } from '@mantine/core';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../common/error-message';
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
  return lastError && status !== 'connected' ? <Tooltip label={realtimeReason(t, lastError)}>{badge}</Tooltip> : badge;
}

/** Why the connection is down: a refusal's code in words (UNAVAILABLE…), else socket.io's own reason. */
export function realtimeReason(t: TFunction, lastError: string): string {
  return t('realtime.reason', { reason: errorMessage(t, { code: lastError, message: lastError }) });
}
