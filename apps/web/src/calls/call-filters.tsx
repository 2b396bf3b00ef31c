import { Button, Group, MultiSelect, Paper, Select, SimpleGrid, TextInput } from '@mantine/core';
import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { CALL_DIRECTIONS, CALL_STATUSES, type CallFilter, type CallSort } from '../api/types';
import { hasRole, useSession } from '../auth/session-context';
import { fromLocalInput, toLocalInput, userDisplayName } from '../common/format';
import { useCompanyDirectory, useUserDirectory } from '../common/use-directory';

const SORT_LABELS = { '-startedAt': 'calls.sortNewest', startedAt: 'calls.sortOldest', '-duration': 'calls.sortLongest', duration: 'calls.sortShortest' } as const;

/** The API's filters as a form; applied together (one request), reset to none. */
export function CallFilters({ value, onChange }: { value: CallFilter; onChange: (filter: CallFilter) => void }) {
  const { t } = useTranslation();
  const { user } = useSession();
  const seesEveryone = hasRole(user, ['admin', 'supervisor']);
  const users = useUserDirectory(seesEveryone);
  const companies = useCompanyDirectory();
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);

  const set = (patch: Partial<CallFilter>) => setDraft((current) => ({ ...current, ...patch }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    onChange({ ...draft, number: draft.number?.trim() || undefined });
  };

  return (
    <Paper withBorder p="md" mb="md" component="form" onSubmit={submit} aria-label={t('calls.filters')}>
      <SimpleGrid cols={{ base: 1, sm: 2, lg: 4 }}>
        <TextInput type="datetime-local" label={t('calls.from')} value={toLocalInput(draft.from)} onChange={(e) => set({ from: fromLocalInput(e.currentTarget.value) })} />
        <TextInput type="datetime-local" label={t('calls.to')} value={toLocalInput(draft.to)} onChange={(e) => set({ to: fromLocalInput(e.currentTarget.value) })} />
        <MultiSelect
          label={t('calls.status')}
          data={CALL_STATUSES.map((status) => ({ value: status, label: t(`status.${status}`) }))}
          value={draft.status ?? []}
          onChange={(status) => set({ status: status as CallFilter['status'] })}
          clearable
        />
        <MultiSelect
          label={t('calls.direction')}
          data={CALL_DIRECTIONS.map((direction) => ({ value: direction, label: t(`direction.${direction}`) }))}
          value={draft.direction ?? []}
          onChange={(direction) => set({ direction: direction as CallFilter['direction'] })}
          clearable
        />
        <TextInput label={t('calls.number')} description={t('calls.numberHint')} value={draft.number ?? ''} onChange={(e) => set({ number: e.currentTarget.value })} inputMode="tel" />
        {seesEveryone && (
          <Select
            label={t('calls.user')}
            placeholder={t('calls.anyUser')}
            data={(users.data?.items ?? []).map((u) => ({ value: String(u.id), label: userDisplayName(u) }))}
            value={draft.userId ? String(draft.userId) : null}
            onChange={(id) => set({ userId: id ? Number(id) : undefined })}
            searchable
            clearable
          />
        )}
        <Select
          label={t('calls.company')}
          placeholder={t('calls.anyCompany')}
          data={(companies.data?.items ?? []).map((c) => ({ value: String(c.id), label: c.name }))}
          value={draft.companyId ? String(draft.companyId) : null}
          onChange={(id) => set({ companyId: id ? Number(id) : undefined })}
          searchable
          clearable
        />
        <Select
          label={t('calls.sort')}
          data={(Object.keys(SORT_LABELS) as CallSort[]).map((sort) => ({ value: sort, label: t(SORT_LABELS[sort]) }))}
          value={draft.sort ?? '-startedAt'}
          onChange={(sort) => set({ sort: (sort ?? undefined) as CallSort | undefined })}
          allowDeselect={false}
        />
      </SimpleGrid>
      <Group mt="md" gap="sm">
        <Button type="submit">{t('common.apply')}</Button>
        <Button variant="default" onClick={() => onChange({})}>
          {t('common.reset')}
        </Button>
      </Group>
    </Paper>
  );
}
