import { Group, SimpleGrid, Stack, TextInput, Textarea } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/api';
import type { Company, CompanyInput } from '../api/types';
import { FormButtons, FormError } from './directory-parts';
import { useSave } from './use-save';

/** Create or edit a company; its phones are typed one per line, in any formatting. */
export function CompanyForm({ company, onDone }: { company: Company | null; onDone: () => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(company?.name ?? '');
  const [inn, setInn] = useState(company?.inn ?? '');
  const [email, setEmail] = useState(company?.email ?? '');
  const [notes, setNotes] = useState(company?.notes ?? '');
  const [phones, setPhones] = useState(company?.phones.map((phone) => phone.phoneNumber).join('\n') ?? '');

  const mutation = useSave('companies', (input: CompanyInput) => (company ? api.companies.update(company.id, input) : api.companies.create(input)), onDone);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    mutation.mutate({
      name,
      inn: inn.trim() || null,
      email: email.trim() || null,
      notes: notes.trim() || null,
      phones: phones
        .split('\n')
        .map((line) => line.trim())
        .filter(Boolean),
    });
  };

  return (
    <form onSubmit={submit}>
      <Stack>
        <FormError error={mutation.error} />
        <TextInput label={t('companies.name')} required value={name} onChange={(e) => setName(e.currentTarget.value)} />
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput label={t('companies.inn')} value={inn} onChange={(e) => setInn(e.currentTarget.value)} inputMode="numeric" />
          <TextInput label={t('companies.email')} type="email" value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
        </SimpleGrid>
        <Textarea label={t('companies.phones')} description={t('companies.phonesHint')} autosize minRows={2} value={phones} onChange={(e) => setPhones(e.currentTarget.value)} />
        <Textarea label={t('companies.notes')} autosize minRows={2} value={notes} onChange={(e) => setNotes(e.currentTarget.value)} />
        <Group justify="flex-end">
          <FormButtons saving={mutation.isPending} onCancel={onDone} />
        </Group>
      </Stack>
    </form>
  );
}
