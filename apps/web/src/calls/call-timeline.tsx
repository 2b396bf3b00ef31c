import { Code, Text, Timeline } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { CallTimelineEntry } from '../api/types';
import { formatDuration, formatTime, userDisplayName } from '../common/format';
import { EmptyState } from '../common/query-state';
import { useUserDirectory } from '../common/use-directory';

const USER_KEYS = new Set(['userId', 'fromUserId', 'toUserId']);

/** The step's details as "key: value" pairs (extension, user, who held, transfer target, file…), user ids as names. */
function details(data: object, userNames: Map<string, string>): string {
  return Object.entries(data)
    .filter(([, value]) => value !== null && value !== undefined && value !== '')
    .map(([key, value]) => {
      const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
      return `${key}: ${USER_KEYS.has(key) ? (userNames.get(text) ?? text) : text}`;
    })
    .join(' · ');
}

/** Every step of the call in order, with its time and its offset from the start. */
export function CallTimeline({ steps, startedAt }: { steps: CallTimelineEntry[]; startedAt: string }) {
  const { t, i18n } = useTranslation();
  const users = useUserDirectory();
  const userNames = new Map((users.data?.items ?? []).map((user) => [String(user.id), userDisplayName(user)]));
  if (steps.length === 0) return <EmptyState>{t('call.timelineEmpty')}</EmptyState>;
  const start = new Date(startedAt).getTime();
  return (
    <Timeline active={steps.length - 1} bulletSize={14} lineWidth={2} data-testid="call-timeline">
      {steps.map((step) => {
        const offset = Math.max(0, (new Date(step.occurredAt).getTime() - start) / 1000);
        const text = details(step.data, userNames);
        return (
          <Timeline.Item key={step.id} title={t(`step.${step.type}`)} data-step={step.type}>
            <Text size="xs" c="dimmed">
              {formatTime(step.occurredAt, i18n.language)} · {t('call.afterStart', { duration: formatDuration(offset) })}
            </Text>
            {text && (
              <Code block mt={4} fz="xs" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
                {text}
              </Code>
            )}
          </Timeline.Item>
        );
      })}
    </Timeline>
  );
}
