import { Group, Select, Text } from '@mantine/core';
import { SELECTABLE_USER_STATUSES, type SelectableUserStatus } from '@app/contracts';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../common/error-message';
import { useLive, useRealtime } from '../realtime/realtime-context';

const isSelectable = (status: string): status is SelectableUserStatus => (SELECTABLE_USER_STATUSES as readonly string[]).includes(status);

/** The user's own presence (online, away, busy), as the server confirmed it; a refusal is said in words. */
export function StatusSelect() {
  const { t } = useTranslation();
  const client = useRealtime();
  const { me } = useLive();
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const choose = async (status: string | null) => {
    if (!client || !status || !isSelectable(status)) return;
    setPending(true);
    setError(null);
    const ack = await client.command('set-status', { status });
    setPending(false);
    if (!ack.ok) setError(t('presence.failed', { message: errorMessage(t, ack.error) }));
  };
  return (
    <Group gap={4} wrap="nowrap">
      <Select
        size="xs"
        w={110}
        aria-label={t('presence.label')}
        data-testid="status-select"
        data={SELECTABLE_USER_STATUSES.map((status) => ({ value: status, label: t(`userStatus.${status}`) }))}
        value={me && isSelectable(me.status) ? me.status : null}
        placeholder={t('userStatus.offline')}
        disabled={!me || pending}
        allowDeselect={false}
        onChange={(status) => void choose(status)}
      />
      {error && (
        <Text size="xs" c="red" role="alert" maw={220} lineClamp={2}>
          {error}
        </Text>
      )}
    </Group>
  );
}
