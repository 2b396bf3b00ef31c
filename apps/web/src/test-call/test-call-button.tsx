import { Alert, Anchor, Autocomplete, Button, Group, Modal, NumberInput, Stack, Text, TextInput } from '@mantine/core';
import { IconPhoneCall } from '@tabler/icons-react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { api } from '../api/api';
import type { SimulatedCall } from '../api/types';
import { StatusBadge } from '../common/call-badges';
import { errorMessage } from '../common/error-message';
import { useMeta } from '../common/use-meta';
import { useUserDirectory } from '../common/use-directory';

const DEFAULT_CALLER = '+7 495 123-45-67';

/** The specification's "Test call": a synthetic incoming call to an extension, which can then be answered or hung up. */
function TestCallForm({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const { data: meta } = useMeta();
  const users = useUserDirectory();
  const extensions = [...new Set((users.data?.items ?? []).flatMap((user) => user.extensions))].sort();
  const [callerNumber, setCallerNumber] = useState(DEFAULT_CALLER);
  const [extension, setExtension] = useState('');
  const [ringTimeout, setRingTimeout] = useState<number | string>(30);
  const [call, setCall] = useState<SimulatedCall | null>(null);

  const action = useMutation({
    mutationFn: (run: () => Promise<SimulatedCall>) => run(),
    onSuccess: (result) => {
      setCall(result);
      void queryClient.invalidateQueries({ queryKey: ['calls'] });
    },
  });
  const start = (event: FormEvent) => {
    event.preventDefault();
    action.mutate(() => api.simulator.start({ callerNumber: callerNumber.trim(), extension: extension.trim(), ringTimeoutSeconds: Number(ringTimeout) || 30 }));
  };

  const state = call?.state;
  return (
    <form onSubmit={start}>
      <Stack>
        <Text size="sm">{t('testCall.help')}</Text>
        <TextInput label={t('testCall.callerNumber')} value={callerNumber} onChange={(e) => setCallerNumber(e.currentTarget.value)} required inputMode="tel" />
        <Autocomplete label={t('testCall.extension')} data={extensions} value={extension} onChange={setExtension} required inputMode="numeric" />
        <NumberInput label={t('testCall.ringTimeout')} min={1} max={600} value={ringTimeout} onChange={setRingTimeout} />
        {action.isError && (
          <Alert color="red" role="alert">
            {errorMessage(t, action.error)}
          </Alert>
        )}
        {call && (
          <Alert color={state === 'ended' ? 'gray' : 'blue'} role="status" data-testid="test-call-state" data-state={state}>
            <Group gap="sm">
              <Text fw={500}>
                {state === 'ringing' ? t('testCall.ringing', { extension }) : state === 'answered' ? t('testCall.answeredState', { extension }) : t('testCall.endedState')}
              </Text>
              {call.call && <StatusBadge status={call.call.status} />}
              {call.call?.callerCompanyName && <Text>{call.call.callerCompanyName}</Text>}
            </Group>
            {call.call ? (
              <Anchor component={Link} to={`/calls/${call.call.id}`} onClick={onClose} size="sm">
                {t('testCall.open')}
              </Anchor>
            ) : (
              meta?.testMode && <Text size="sm">{t('testCall.testModeNote')}</Text>
            )}
          </Alert>
        )}
        <Group justify="flex-end">
          {state === 'ringing' && (
            <Button color="green" variant="light" onClick={() => action.mutate(() => api.simulator.answer(call!.id))} loading={action.isPending}>
              {t('testCall.answer')}
            </Button>
          )}
          {(state === 'ringing' || state === 'answered') && (
            <Button color="red" variant="light" onClick={() => action.mutate(() => api.simulator.hangup(call!.id))} loading={action.isPending}>
              {t('testCall.hangup')}
            </Button>
          )}
          <Button type="submit" loading={action.isPending && !call} loaderProps={{ 'aria-label': t('testCall.starting') }}>
            {t('testCall.start')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

export function TestCallButton() {
  const { t } = useTranslation();
  const [opened, setOpened] = useState(false);
  return (
    <>
      <Button size="xs" leftSection={<IconPhoneCall size={16} aria-hidden />} onClick={() => setOpened(true)}>
        {t('testCall.button')}
      </Button>
      <Modal opened={opened} onClose={() => setOpened(false)} title={t('testCall.title')}>
        {opened && <TestCallForm onClose={() => setOpened(false)} />}
      </Modal>
    </>
  );
}
