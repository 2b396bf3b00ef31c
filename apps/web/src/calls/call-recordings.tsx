import { Badge, Group, Paper, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { CallRecordingEntry, RecordingStatus } from '../api/types';
import { formatBytes, formatDateTime, formatDuration } from '../common/format';
import { EmptyState } from '../common/query-state';
import { RecordingPlayer } from './recording-player';

const STATUS_COLORS: Record<RecordingStatus, string> = { pending: 'yellow', ready: 'green', empty: 'gray', missing: 'red', rejected: 'red', deleted: 'gray' };

/** The call's recordings: a player for each one that is ready, the state in words for the others. */
export function CallRecordings({ recordings }: { recordings: CallRecordingEntry[] }) {
  const { t, i18n } = useTranslation();
  if (recordings.length === 0) return <EmptyState>{t('call.recordingsEmpty')}</EmptyState>;
  return (
    <Stack data-testid="call-recordings">
      {recordings.map((recording) => {
        const facts = [
          recording.source,
          formatDateTime(recording.startedAt, i18n.language),
          formatDuration(recording.durationSeconds),
          formatBytes(recording.sizeBytes, i18n.language),
          recording.format,
          recording.keep ? t('recording.kept') : null,
        ].filter(Boolean);
        return (
          <Paper key={recording.id} withBorder p="sm" component="article" aria-label={t('recording.player', { file: recording.fileName })} data-recording-status={recording.status}>
            <Group justify="space-between" wrap="nowrap" mb={4}>
              <Text size="sm" fw={500} style={{ wordBreak: 'break-all' }}>
                {recording.fileName}
              </Text>
              <Badge color={STATUS_COLORS[recording.status]} variant="light" tt="none" style={{ flexShrink: 0 }}>
                {t(`recordingStatus.${recording.status}`)}
              </Badge>
            </Group>
            <Text size="xs" c="dimmed" mb="xs">
              {facts.join(' · ')}
            </Text>
            {recording.status === 'ready' && <RecordingPlayer recording={recording} />}
            {recording.statusReason && (
              <Text size="xs" c="dimmed">
                {t('recording.reason', { reason: recording.statusReason })}
              </Text>
            )}
          </Paper>
        );
      })}
    </Stack>
  );
}
