import { Badge, Button, Group, Modal, Stack, Table, Title } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/api';
import type { User } from '../api/types';
import { userDisplayName } from '../common/format';
import { ConfirmDeleteModal } from './confirm-delete-modal';
import { DirectoryTable, RowActions } from './directory-parts';
import { UserForm } from './user-form';
import { usePagedSearch } from './use-paged-search';

/** Users with their phones (admin): search, create, edit, delete. */
export function UsersPage() {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const list = usePagedSearch('users', api.users.list);
  const [editing, setEditing] = useState<User | 'new' | null>(null);
  const [deleting, setDeleting] = useState<User | null>(null);

  return (
    <Stack>
      <Group justify="space-between">
        <Title order={2}>{t('users.title')}</Title>
        <Button onClick={() => setEditing('new')}>{t('users.create')}</Button>
      </Group>
      <DirectoryTable
        list={list}
        title={t('users.title')}
        search={t('users.search')}
        searchHint={t('users.searchHint')}
        empty={t('users.empty')}
        columns={[t('users.username'), t('users.name'), t('users.email'), t('users.role'), t('users.status'), t('users.phones')]}
        testId="users-table"
      >
        {(users) =>
          users.map((user) => (
            <Table.Tr key={user.id} data-username={user.username}>
              <Table.Td fw={500}>{user.username}</Table.Td>
              <Table.Td>{user.firstName || user.lastName ? userDisplayName(user) : t('common.none')}</Table.Td>
              <Table.Td>{user.email}</Table.Td>
              <Table.Td>{t(`role.${user.role}`)}</Table.Td>
              <Table.Td>{t(`userStatus.${user.status}`)}</Table.Td>
              <Table.Td>
                <Group gap={4}>
                  {user.phones.map((phone) => (
                    <Badge key={phone.id} variant="light" color={phone.phoneType === 'extension' ? 'blue' : 'gray'} tt="none">
                      {phone.phoneNumber} · {t(`phoneType.${phone.phoneType}`)}
                    </Badge>
                  ))}
                </Group>
              </Table.Td>
              <Table.Td>
                <RowActions name={user.username} onEdit={() => setEditing(user)} onDelete={() => setDeleting(user)} />
              </Table.Td>
            </Table.Tr>
          ))
        }
      </DirectoryTable>
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing && editing !== 'new' ? t('users.editTitle', { username: editing.username }) : t('users.createTitle')} size="lg">
        {editing !== null && <UserForm user={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />}
      </Modal>
      <ConfirmDeleteModal
        question={deleting ? t('users.deleteConfirm', { username: deleting.username }) : null}
        onClose={() => setDeleting(null)}
        onConfirm={async () => {
          await api.users.remove(deleting!.id);
          await queryClient.invalidateQueries({ queryKey: ['users'] });
        }}
      />
    </Stack>
  );
}
