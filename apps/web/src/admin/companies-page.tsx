import { Badge, Button, Group, Modal, Stack, Table, Text, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/api';
import type { Company } from '../api/types';
import { ClickToCallButton } from '../call-control/phone-panel';
import { CompanyForm } from './company-form';
import { CompanyImport } from './company-import';
import { ConfirmDeleteModal } from './confirm-delete-modal';
import { DirectoryTable, RowActions } from './directory-parts';
import { usePagedSearch } from './use-paged-search';

/** Companies with their phones (admin, supervisor): search, create, edit, delete, CSV import. */
export function CompaniesPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const list = usePagedSearch('companies', api.companies.list);
  const [editing, setEditing] = useState<Company | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Company | null>(null);
  const [importing, setImporting] = useState(false);

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('companies.title')}</Title>
        <Group>
          <Button variant="light" onClick={() => setImporting(true)}>
            {t('companies.import')}
          </Button>
          <Button onClick={() => setEditing('new')}>{t('companies.create')}</Button>
        </Group>
      </Group>
      <DirectoryTable
        list={list}
        title={t('companies.title')}
        search={t('companies.search')}
        searchHint={t('companies.searchHint')}
        empty={t('companies.empty')}
        columns={[t('companies.name'), t('companies.inn'), t('companies.email'), t('companies.phones'), t('companies.notes')]}
        testId="companies-table"
      >
        {(companies) =>
          companies.map((company) => (
            <Table.Tr key={company.id}>
              <Table.Td fw={500}>{company.name}</Table.Td>
              <Table.Td>{company.inn ?? t('common.none')}</Table.Td>
              <Table.Td>{company.email ?? t('common.none')}</Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {company.phones.map((phone) => (
                    <Group key={phone.id} gap={0} wrap="nowrap">
                      <Badge variant="light" color="gray" tt="none">
                        {phone.phoneNumber}
                      </Badge>
                      <ClickToCallButton number={phone.phoneNumber} />
                    </Group>
                  ))}
                </Group>
              </Table.Td>
              <Table.Td>
                <Text size="sm" lineClamp={2}>
                  {company.notes ?? ''}
                </Text>
              </Table.Td>
              <Table.Td>
                <RowActions name={company.name} onEdit={() => setEditing(company)} onDelete={() => setDeleting(company)} />
              </Table.Td>
            </Table.Tr>
          ))
        }
      </DirectoryTable>
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing && editing !== 'new' ? t('companies.editTitle', { name: editing.name }) : t('companies.createTitle')} size="lg">
        {editing !== null && <CompanyForm company={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />}
      </Modal>
      <Modal opened={importing} onClose={() => setImporting(false)} title={t('import.title')} size="xl">
        {importing && <CompanyImport onClose={() => setImporting(false)} />}
      </Modal>
      <ConfirmDeleteModal
        question={deleting ? t('companies.deleteConfirm', { name: deleting.name }) : null}
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          await api.companies.remove(deleting!.id);
          await queryClient.invalidateQueries({ queryKey: ['companies'] });
        }}
      />
    </Stack>
  );
}
