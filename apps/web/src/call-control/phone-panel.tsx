import { ActionIcon, Alert, Button, Group, Paper, Text, TextInput, Title, Tooltip } from '@mantine/core';
import { IconPhoneOutgoing } from '@tabler/icons-react';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useRealtime } from '../realtime/realtime-context';
import { noteText } from './control-text';
import { useControl, useOwnCommand } from './use-call-control';

/** Click-to-call one number: the user's phone rings first (the outcome shows in the shell's notice). */
export function ClickToCallButton({ number }: { number: string }) {
  const { t } = useTranslation();
  const { own } = useControl();
  const originate = useOwnCommand();
  const label = t('control.callFrom', { number });
  return (
    <Tooltip label={label}>
      <ActionIcon variant="subtle" size="sm" aria-label={label} loading={own.pending === 'originate-call'} onClick={() => void originate('originate-call', { number }, number)}>
        <IconPhoneOutgoing size={14} aria-hidden />
      </ActionIcon>
    </Tooltip>
  );
}

/** The operator's phone: call a typed number (click-to-call), pause or resume in the queues (QueuePause). */
export function PhonePanel() {
  const { t } = useTranslation();
  const { own, paused } = useControl();
  const command = useOwnCommand();
  const [number, setNumber] = useState('');
  const call = (event: FormEvent) => {
    event.preventDefault();
    const dialled = number.trim();
    if (dialled) void command('originate-call', { number: dialled }, dialled);
  };
  return (
    <Paper withBorder p="md" component="section" aria-labelledby="phone-panel-title" data-testid="phone-panel">
      <Title order={3} size="h4" mb="sm" id="phone-panel-title">
        {t('control.phone')}
      </Title>
      <Group align="flex-end" gap="xl">
        <form onSubmit={call}>
          <Group align="flex-end" gap="xs">
            <TextInput label={t('control.callNumber')} value={number} onChange={(event) => setNumber(event.currentTarget.value)} inputMode="tel" required />
            <Button type="submit" leftSection={<IconPhoneOutgoing size={16} aria-hidden />} loading={own.pending === 'originate-call'}>
              {t('control.call')}
            </Button>
          </Group>
        </form>
        {/* Two buttons, not a switch: the PBX's pause state is not pushed, so the page cannot show it truthfully before a command. */}
        <div>
          <Group gap="xs">
            <Button variant="light" onClick={() => void command('agent-pause', { paused: true })} loading={own.pending === 'agent-pause'} disabled={paused === true}>
              {t('control.pauseOn')}
            </Button>
            <Button variant="light" onClick={() => void command('agent-pause', { paused: false })} disabled={own.pending === 'agent-pause' || paused === false}>
              {t('control.pauseOff')}
            </Button>
          </Group>
          <Text size="xs" c="dimmed" mt={4}>
            {t('control.pauseHelp')}
          </Text>
        </div>
      </Group>
    </Paper>
  );
}

/** The outcome of the user's own last command (click-to-call, pause) over every screen, until closed. */
export function OwnCommandNotice() {
  const { t } = useTranslation();
  const { own } = useControl();
  const client = useRealtime();
  if (!own.note && !own.pending) return null;
  const refused = own.note?.kind === 'refused' || (own.note?.kind === 'originated' && own.note.outcome === 'failed');
  return (
    <Alert
      mb="md"
      color={refused ? 'red' : 'blue'}
      role="status"
      data-testid="own-command-note"
      data-note={own.note?.kind ?? 'pending'}
      withCloseButton={own.note !== null}
      closeButtonLabel={t('control.dismiss')}
      onClose={() => client?.control.clearOwn()}
    >
      <Text size="sm">{own.note ? noteText(t, own.note) : t('control.working')}</Text>
    </Alert>
  );
}
