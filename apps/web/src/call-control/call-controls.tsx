import { Badge, Button, Group, Menu } from '@mantine/core';
import { IconChevronDown, IconPhoneOff, IconPlayerPause, IconPlayerPlay, IconPlayerRecord, IconPlayerStop, IconTransfer } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { LiveCall } from '../realtime/live-state';
import type { ControlCommand } from './control-state';
import { noteText } from './control-text';
import { TransferModal } from './transfer-modal';
import { useCallCommand, useControl } from './use-call-control';

interface Action {
  command: ControlCommand;
  label: string;
  run: () => unknown;
  color?: string;
  icon?: ReactNode;
  disabled?: boolean;
}

/**
 * One button opening the controls. The menu itself is built at the first click: a wallboard
 * renders a button per row, not a popover per row, and stays quick to relabel and scroll.
 */
function ControlsMenu({ actions: build, label, text, busy }: { actions: () => Action[]; label: string; text: string; busy: boolean }) {
  const [opened, setOpened] = useState(false);
  const target = (
    <Button size="compact-xs" variant="light" rightSection={<IconChevronDown size={14} aria-hidden />} loading={busy} aria-label={label} aria-haspopup="menu" onClick={() => setOpened(true)}>
      {text}
    </Button>
  );
  if (!opened) return target;
  const actions = build();
  return (
    <Menu opened onChange={setOpened} position="bottom-end" withinPortal returnFocus>
      <Menu.Target>{target}</Menu.Target>
      <Menu.Dropdown>
        {actions.map((action) => (
          <Menu.Item key={action.label} color={action.color} leftSection={action.icon} disabled={action.disabled} onClick={() => void action.run()}>
            {action.label}
          </Menu.Item>
        ))}
      </Menu.Dropdown>
    </Menu>
  );
}

/**
 * The controls on a call in progress, each only where it applies (hold while talking, take off
 * hold while held, transfer and recording once answered, complete/cancel during an attended
 * transfer, hang up or decline always), and the last outcome in words: what the PBX confirmed,
 * or why not. Who may do it is the server's to say (CallAccess): its refusal shows here.
 * `inline`: a button each (the operator's own few calls); `menu`: one button opening them (a
 * wallboard's hundreds of rows stay light to render).
 */
export function CallControls({ live, layout = 'inline' }: { live: LiveCall; layout?: 'inline' | 'menu' }) {
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
  const talking = call.status === 'answered';
  const held = call.status === 'on_hold';

  // Built when shown: a wallboard row's menu builds them only when opened.
  const buildActions = (): Action[] => {
    const actions: Action[] = [];
    if (consultation) {
      actions.push(
        { command: 'complete-transfer', label: t('control.completeTransfer'), run: () => command(id, 'complete-transfer', { callId: id }), color: 'green', disabled: !consultation.answered },
        { command: 'cancel-transfer', label: t('control.cancelTransfer'), run: () => command(id, 'cancel-transfer', { callId: id }) },
      );
    } else {
      if (talking) actions.push({ command: 'hold-call', label: t('control.hold'), run: () => command(id, 'hold-call', { callId: id, isHold: true }), icon: <IconPlayerPause size={14} aria-hidden /> });
      if (held) actions.push({ command: 'hold-call', label: t('control.unhold'), run: () => command(id, 'hold-call', { callId: id, isHold: false }), icon: <IconPlayerPlay size={14} aria-hidden /> });
      if (talking || held) actions.push({ command: 'transfer-call', label: t('control.transfer'), run: () => setTransferring(true), icon: <IconTransfer size={14} aria-hidden /> });
      if (talking) {
        actions.push(
          recording
            ? { command: 'record-call', label: t('control.recordOff'), run: () => command(id, 'record-call', { callId: id, on: false }), icon: <IconPlayerStop size={14} aria-hidden /> }
            : { command: 'record-call', label: t('control.recordOn'), run: () => command(id, 'record-call', { callId: id, on: true }), icon: <IconPlayerRecord size={14} aria-hidden /> },
        );
      }
    }
    actions.push({
      command: 'hangup-call',
      label: call.status === 'ringing' ? t('control.decline') : t('control.hangup'),
      run: () => command(id, 'hangup-call', { callId: id }),
      color: 'red',
      icon: <IconPhoneOff size={14} aria-hidden />,
    });
    return actions;
  };

  const groupLabel = t('control.actions', { number: call.callerNumber });
  const refused = note?.kind === 'refused';
  // Plain elements around the buttons: a wallboard renders this on every row and relabels them all at once.
  return (
    <div data-testid="call-controls" data-call-id={id}>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 4, alignItems: 'center' }}>
        {recording && (
          <Badge color="red" variant="dot" data-testid="recording-on">
            {t('control.recordingNow')}
          </Badge>
        )}
        {consultation && <Badge variant="outline">{t('control.consulting', { to: consultation.to })}</Badge>}
        {layout === 'menu' ? (
          <ControlsMenu actions={buildActions} label={groupLabel} text={t('control.menu')} busy={pending !== undefined} />
        ) : (
          <Group gap={4} role="group" aria-label={groupLabel}>
            {buildActions().map((action) => (
              <Button
                key={action.label}
                size="compact-xs"
                variant="light"
                color={action.color}
                leftSection={action.icon}
                loading={pending === action.command}
                disabled={(pending !== undefined && pending !== action.command) || action.disabled}
                onClick={() => void action.run()}
              >
                {action.label}
              </Button>
            ))}
          </Group>
        )}
      </div>
      <div
        role="status"
        aria-live="polite"
        data-testid="control-note"
        data-note={pending ? 'pending' : (note?.kind ?? 'none')}
        style={{ fontSize: 'var(--mantine-font-size-xs)', marginTop: 4, color: refused ? 'var(--mantine-color-red-text)' : undefined }}
      >
        {pending ? t('control.working') : note ? noteText(t, note) : ''}
      </div>
      {transferring && <TransferModal live={live} opened={transferring} onClose={() => setTransferring(false)} />}
    </div>
  );
}
