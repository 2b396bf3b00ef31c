import { Anchor, Grid, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useEffect, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { api } from '../api/api';
import { isApiError } from '../api/api-error';
import type { Call } from '../api/types';
import { StatusBadge } from '../common/call-badges';
import { formatDateTime, formatDuration } from '../common/format';
import { EmptyState, ErrorState, LoadingState } from '../common/query-state';
import { useLiveCallVersion } from '../realtime/realtime-context';
import { CallRecordings } from './call-recordings';
import { CallTimeline } from './call-timeline';

const PENDING_RECORDING_POLL_MS = 5_000;

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Text size="sm" fw={500}>
        {children}
      </Text>
    </div>
  );
}

function CallSummary({ call }: { call: Call }) {
  const { t, i18n } = useTranslation();
  const none = t('common.none');
  return (
    <SimpleGrid cols={{ base: 2, md: 3 }} spacing="md" data-testid="call-summary">
      <Field label={t('call.startedAt')}>{formatDateTime(call.startedAt, i18n.language)}</Field>
      <Field label={t('call.answeredAt')}>{formatDateTime(call.answeredAt, i18n.language)}</Field>
      <Field label={t('call.endedAt')}>{formatDateTime(call.endedAt, i18n.language)}</Field>
      <Field label={t('call.ringSeconds')}>{formatDuration(call.ringSeconds)}</Field>
      <Field label={t('call.talkSeconds')}>{formatDuration(call.talkSeconds)}</Field>
      <Field label={t('call.holdSeconds')}>{formatDuration(call.holdSeconds)}</Field>
      <Field label={t('call.callerNumber')}>{call.callerNumber}</Field>
      <Field label={t('call.callerName')}>{call.callerName ?? none}</Field>
      <Field label={t('call.company')}>{call.callerCompanyName ?? none}</Field>
      <Field label={t('call.receiverNumber')}>{call.receiverNumber}</Field>
      <Field label={t('call.did')}>{call.did ?? none}</Field>
      <Field label={t('call.assignedUser')}>{call.assignedUserName ?? none}</Field>
      <Field label={t('call.answeredBy')}>{call.answeredByExtension ?? none}</Field>
      <Field label={t('call.hangupBy')}>{call.hangupBy ? t(`hangupBy.${call.hangupBy}`) : none}</Field>
      <Field label={t('call.hangupCause')}>{call.hangupCause ?? none}</Field>
      <Field label={t('call.pbx')}>{call.pbxId}</Field>
      <Field label={t('call.linkedid')}>{call.linkedid}</Field>
    </SimpleGrid>
  );
}

export function CallDetailPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const query = useQuery({
    queryKey: ['calls', 'detail', id],
    queryFn: () => api.calls.detail(id),
    // A recording becomes ready a little after its call ends (the PBX writes the file then): look again until it settles.
    refetchInterval: (current) => (current.state.data?.recordings.some((recording) => recording.status === 'pending') ? PENDING_RECORDING_POLL_MS : false),
  });
  // A call in progress: every step it takes (answer, hold, transfer, end) shows here as it happens.
  const liveVersion = useLiveCallVersion(id);
  const { refetch } = query;
  useEffect(() => {
    if (liveVersion) void refetch();
  }, [liveVersion, refetch]);
  const back = (
    <Anchor component={Link} to="/calls" size="sm">
      ← {t('call.back')}
    </Anchor>
  );
  if (query.isPending) return <LoadingState />;
  if (query.isError) {
    const notFound = isApiError(query.error) && (query.error.status === 404 || query.error.status === 400);
    return (
      <Stack>
        {back}
        {notFound ? <EmptyState>{t('call.notFound')}</EmptyState> : <ErrorState error={query.error} onRetry={() => void query.refetch()} />}
      </Stack>
    );
  }
  const { call, timeline, recordings } = query.data;
  return (
    <Stack>
      {back}
      <Group gap="sm">
        <Title order={2}>{t('call.title', { id: call.id })}</Title>
        <StatusBadge status={call.status} />
        <Text c="dimmed">
          {t(`direction.${call.direction}`)} · {call.callerNumber} → {call.receiverNumber}
          {call.callerCompanyName ? ` · ${call.callerCompanyName}` : ''}
        </Text>
      </Group>
      <Grid>
        <Grid.Col span={{ base: 12, lg: 7 }}>
          <Paper withBorder p="md" component="section" aria-labelledby="call-summary-title">
            <Title order={3} size="h4" mb="sm" id="call-summary-title">
              {t('call.summary')}
            </Title>
            <CallSummary call={call} />
          </Paper>
          <Paper withBorder p="md" mt="md" component="section" aria-labelledby="call-recordings-title">
            <Title order={3} size="h4" mb="sm" id="call-recordings-title">
              {t('call.recordings')}
            </Title>
            <CallRecordings recordings={recordings} />
          </Paper>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 5 }}>
          <Paper withBorder p="md" component="section" aria-labelledby="call-timeline-title">
            <Title order={3} size="h4" mb="sm" id="call-timeline-title">
              {t('call.timeline')}
            </Title>
            <CallTimeline steps={timeline} startedAt={call.startedAt} />
          </Paper>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}
