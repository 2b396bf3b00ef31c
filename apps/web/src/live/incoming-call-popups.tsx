import { Affix, Button, CloseButton, Group, Paper, Stack, Text, Title, VisuallyHidden } from '@mantine/core';
import { IconPhoneIncoming } from '@tabler/icons-react';
import { useId } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { CallControls } from '../call-control/call-controls';
import type { LiveCall } from '../realtime/live-state';
import { useLive, useRealtime } from '../realtime/realtime-context';
import { Elapsed } from './elapsed';
import { ringingOn } from './live-call-table';
import { PopupCompany } from './popup-company';

function IncomingCallCard({ live, skewMs, onDismiss }: { live: LiveCall; skewMs: number; onDismiss: () => void }) {
  const { t } = useTranslation();
  const titleId = useId();
  const { call } = live;
  const none = t('common.none');
  return (
    <Paper shadow="xl" withBorder p="md" radius="md" role="dialog" aria-labelledby={titleId} data-testid="incoming-call" data-call-id={call.id}>
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap">
            <IconPhoneIncoming size={20} aria-hidden />
            <Title order={2} size="h5" id={titleId}>
              {t('popup.title')} · <Elapsed since={call.startedAt} skewMs={skewMs} />
            </Title>
          </Group>
          <CloseButton aria-label={t('popup.dismiss')} onClick={onDismiss} />
        </Group>
        <div>
          <Text size="xl" fw={700} data-testid="popup-caller">
            {call.callerNumber}
          </Text>
          {call.callerName && <Text size="sm">{call.callerName}</Text>}
        </div>
        {live.company ? (
          <PopupCompany company={live.company} callId={call.id} />
        ) : (
          <Text size="sm" c="dimmed" data-testid="popup-no-company">
            {t('popup.unknownCompany')}
          </Text>
        )}
        <Text size="sm" component="div" data-testid="popup-parties">
          <div>
            {t('popup.assignedUser')}: {live.assignedUserName ?? none}
          </div>
          <div>
            {t('popup.ringingOn')}: {ringingOn(live) || none}
          </div>
          <div>
            {t('popup.did')}: {call.did ?? call.receiverNumber}
          </div>
        </Text>
        <CallControls live={live} />
        {!live.test && (
          <Group justify="flex-end">
            <Button component={Link} to={`/calls/${call.id}`} variant="light" size="xs">
              {t('popup.open')}
            </Button>
          </Group>
        )}
      </Stack>
    </Paper>
  );
}

/**
 * The incoming-call popups: one card per call ringing on this user's phone, at the top right
 * over any screen, without taking the focus from what the operator is typing; a screen reader
 * hears the caller at once. A card closes when the call is answered (here or elsewhere), ends,
 * or is dismissed.
 */
export function IncomingCallPopups() {
  const { t } = useTranslation();
  const { popups, clockSkewMs } = useLive();
  const client = useRealtime();
  const newest = popups.at(-1);
  return (
    <>
      <VisuallyHidden aria-live="assertive" data-testid="popup-announcement">
        {newest ? t('popup.announce', { caller: newest.companyName ?? newest.call.callerName ?? newest.call.callerNumber }) : ''}
      </VisuallyHidden>
      {popups.length > 0 && (
        <Affix position={{ top: 72, right: 16 }} zIndex={300}>
          <Stack w={400} maw="calc(100vw - 32px)" mah="calc(100vh - 90px)" style={{ overflowY: 'auto' }} role="region" aria-label={t('popup.region')}>
            {popups.map((live) => (
              <IncomingCallCard key={live.call.id} live={live} skewMs={clockSkewMs} onDismiss={() => client?.live.dismiss(live.call.id)} />
            ))}
          </Stack>
        </Affix>
      )}
    </>
  );
}
