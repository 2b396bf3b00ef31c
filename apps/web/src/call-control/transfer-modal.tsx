import { Alert, Button, Group, Modal, Radio, ScrollArea, SegmentedControl, Stack, Text, TextInput } from '@mantine/core';
import type { TransferCallRequest, TransferMode } from '@app/contracts';
import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/api';
import type { DirectoryEntry } from '../api/types';
import { ErrorState, LoadingState } from '../common/query-state';
import type { LiveCall } from '../realtime/live-state';
import { useLive } from '../realtime/realtime-context';
import { noteText } from './control-text';
import { useCallCommand, useControl } from './use-call-control';

type TargetKind = 'colleague' | 'number';

const entryName = (entry: DirectoryEntry) => [entry.firstName, entry.lastName].filter(Boolean).join(' ') || entry.username;
/** Digits only and short: an internal extension; anything else is a number the PBX dials out. */
const isExtension = (value: string) => /^\d{2,6}$/.test(value);

/**
 * Picks where the call goes: a colleague (the directory, each with their presence: the live
 * state's where this user sees it, else the directory's) or a typed number; blind or attended.
 * The request goes as it is: the server refuses an unknown or self target in words.
 */
function TransferForm({ live, onDone }: { live: LiveCall; onDone: () => void }) {
  const { t } = useTranslation();
  const view = useLive();
  const control = useControl();
  const command = useCallCommand();
  const [mode, setMode] = useState<TransferMode>('blind');
  const [kind, setKind] = useState<TargetKind>('colleague');
  const [userId, setUserId] = useState<string | null>(null);
  const [number, setNumber] = useState('');
  const [reason, setReason] = useState('');
  const [missing, setMissing] = useState(false);
  // Presence changes all day: read again each time the form opens.
  const directory = useQuery({ queryKey: ['users', 'transfer-targets'], queryFn: () => api.users.directory({ limit: 100 }), staleTime: 0 });
  const colleagues = (directory.data?.items ?? []).filter((entry) => String(entry.id) !== view.me?.id);
  const presence = (entry: DirectoryEntry) => view.users.find((user) => user.id === String(entry.id))?.status ?? entry.status;
  const pending = control.pending.get(live.call.id) === 'transfer-call';
  const note = control.notes.get(live.call.id);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const target = number.trim();
    const request: TransferCallRequest = { callId: live.call.id, mode, ...(reason.trim() && { transferReason: reason.trim() }) };
    if (kind === 'colleague' && userId) request.targetUserId = userId;
    else if (kind === 'number' && target) Object.assign(request, isExtension(target) ? { extension: target } : { number: target });
    else return setMissing(true);
    setMissing(false);
    const ack = await command(live.call.id, 'transfer-call', request);
    if (ack?.ok) onDone();
  };

  return (
    <form onSubmit={(event) => void submit(event)}>
      <Stack>
        <Radio.Group label={t('control.mode')} value={mode} onChange={(value) => setMode(value as TransferMode)}>
          <Group mt={4}>
            <Radio value="blind" label={t('control.modeBlind')} />
            <Radio value="attended" label={t('control.modeAttended')} />
          </Group>
        </Radio.Group>
        <div>
          <Text size="sm" fw={500} id="transfer-target-label">
            {t('control.target')}
          </Text>
          <SegmentedControl
            aria-labelledby="transfer-target-label"
            value={kind}
            onChange={(value) => setKind(value as TargetKind)}
            data={[
              { value: 'colleague', label: t('control.targetColleague') },
              { value: 'number', label: t('control.targetNumber') },
            ]}
          />
        </div>
        {kind === 'colleague' ? (
          directory.isError ? (
            <ErrorState error={directory.error} onRetry={() => void directory.refetch()} />
          ) : directory.isPending ? (
            <LoadingState />
          ) : colleagues.length === 0 ? (
                <Text size="sm" c="dimmed">
                  {t('control.colleaguesEmpty')}
                </Text>
              ) : (
                <Radio.Group label={t('control.colleagues')} value={userId} onChange={setUserId} data-testid="transfer-colleagues">
                  <ScrollArea.Autosize mah={260} mt={4}>
                    <Stack gap={6}>
                      {colleagues.map((entry) => (
                        <Radio
                          key={entry.id}
                          value={String(entry.id)}
                          disabled={entry.extensions.length === 0}
                          data-presence={presence(entry)}
                          label={t('control.colleagueLabel', {
                            name: entryName(entry),
                            extension: entry.extensions.join(', ') || t('control.noPhone'),
                            presence: t(`userStatus.${presence(entry)}`),
                          })}
                        />
                      ))}
                    </Stack>
                  </ScrollArea.Autosize>
                </Radio.Group>
              )
        ) : (
          <TextInput label={t('control.number')} value={number} onChange={(event) => setNumber(event.currentTarget.value)} inputMode="tel" data-autofocus />
        )}
        <TextInput label={t('control.reason')} value={reason} onChange={(event) => setReason(event.currentTarget.value)} maxLength={200} />
        {missing && (
          <Alert color="yellow" role="alert">
            {t('control.pickTarget')}
          </Alert>
        )}
        {note?.kind === 'refused' && note.command === 'transfer-call' && (
          <Alert color="red" role="alert" data-testid="transfer-error">
            {noteText(t, note)}
          </Alert>
        )}
        <Group justify="flex-end">
          <Button type="submit" loading={pending}>
            {t('control.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function TransferModal({ live, opened, onClose }: { live: LiveCall; opened: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  return (
    <Modal opened={opened} onClose={onClose} title={t('control.transferTitle', { number: live.call.callerNumber })}>
      {opened && <TransferForm live={live} onDone={onClose} />}
    </Modal>
  );
}
