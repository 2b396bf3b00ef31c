import { Badge, Button, Group, Stack, Text } from '@mantine/core';
import { IconPhoneOff, IconPlayerPause, IconPlayerPlay, IconPlayerRecord, IconPlayerStop, IconTransfer } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { LiveCall } from '../realtime/live-state';
import type { ControlCommand } from './control-state';
import { noteText } from './control-text';
import { TransferModal } from './transfer-modal';
import { useCallCommand, useControl } from './use-call-control';

/**
 * The buttons on a call in progress, each only where it applies (hold while talking, take off
 * hold while held, transfer and recording once answered, complete/cancel during an attended
 * transfer, hang up or decline always), and the last outcome in words: what the PBX confirmed,
 * or why not. Who may do it is the server's to say (CallAccess): its refusal shows here.
 */
export function CallControls({ live }: { live: LiveCall }) {
  const { t } = useTranslation();
  const control = useControl();
  const command = useCallCommand();
  const [transferring, setTransferring] = useState(false);
  const { call } = live;
  // A TEST_MODE call is not stored: every command would find no call.
  if (live.test) return null;
  const id = call.id;
  const pending = control.pending.get(id);
  const note = control.notes.get(id);
  const consultation = control.consultations.get(id);
  const recording = control.recording.has(id);
  const busy = pending !== undefined;
  const talking = call.status === 'answered';
  const held = call.status === 'on_hold';
  const button = (name: ControlCommand, label: string, run: () => unknown, props: { color?: string; icon?: ReactNode; disabled?: boolean } = {}) => (
    <Button
      size="compact-xs"
      variant="light"
      color={props.color}
      leftSection={props.icon}
      loading={pending === name}
      disabled={(busy && pending !== name) || props.disabled}
      onClick={() => void run()}
    >
      {label}
    </Button>
  );
  return (
    <Stack gap={4} data-testid="call-controls" data-call-id={id}>
      <Group gap={4} role="group" aria-label={t('control.actions', { number: call.callerNumber })}>
        {recording && (
          <Badge color="red" variant="dot" data-testid="recording-on">
            {t('control.recordingNow')}
          </Badge>
        )}
        {consultation ? (
          <>
            <Badge variant="outline">{t('control.consulting', { to: consultation.to })}</Badge>
            {button('complete-transfer', t('control.completeTransfer'), () => command(id, 'complete-transfer', { callId: id }), { color: 'green', disabled: !consultation.answered })}
            {button('cancel-transfer', t('control.cancelTransfer'), () => command(id, 'cancel-transfer', { callId: id }))}
          </>
        ) : (
          <>
            {talking && button('hold-call', t('control.hold'), () => command(id, 'hold-call', { callId: id, isHold: true }), { icon: <IconPlayerPause size={14} aria-hidden /> })}
            {held && button('hold-call', t('control.unhold'), () => command(id, 'hold-call', { callId: id, isHold: false }), { icon: <IconPlayerPlay size={14} aria-hidden /> })}
            {(talking || held) && button('transfer-call', t('control.transfer'), () => setTransferring(true), { icon: <IconTransfer size={14} aria-hidden /> })}
            {talking &&
              (recording
                ? button('record-call', t('control.recordOff'), () => command(id, 'record-call', { callId: id, on: false }), { icon: <IconPlayerStop size={14} aria-hidden /> })
                : button('record-call', t('control.recordOn'), () => command(id, 'record-call', { callId: id, on: true }), { icon: <IconPlayerRecord size={14} aria-hidden /> }))}
          </>
        )}
        {button('hangup-call', call.status === 'ringing' ? t('control.decline') : t('control.hangup'), () => command(id, 'hangup-call', { callId: id }), {
          color: 'red',
          icon: <IconPhoneOff size={14} aria-hidden />,
        })}
      </Group>
      <Text size="xs" role="status" aria-live="polite" data-testid="control-note" data-note={note?.kind ?? (busy ? 'pending' : 'none')} c={note?.kind === 'refused' ? 'red' : undefined}>
        {busy ? t('control.working') : note ? noteText(t, note) : ''}
      </Text>
      {transferring && <TransferModal live={live} opened={transferring} onClose={() => setTransferring(false)} />}
    </Stack>
  );
}
