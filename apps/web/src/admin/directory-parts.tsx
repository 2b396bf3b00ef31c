import { Alert, Button, Group, Pagination, Table, Text, TextInput } from '@mantine/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../common/error-message';
import { EmptyState, ErrorState, LoadingState } from '../common/query-state';
import type { PagedSearch } from './use-paged-search';

interface DirectoryTableProps<T> {
  list: PagedSearch<T>;
  /** Texts: the table's name, the search field's label and hint, the "nothing found" line. */
  title: string;
  search: string;
  searchHint: string;
  empty: string;
  columns: string[];
  testId: string;
  /** The table rows of one page. */
  children: (items: T[]) => ReactNode;
}

/** A directory (users, companies): search field, the page's table with its loading, error and empty states, the pager. */
export function DirectoryTable<T>({ list, title, search, searchHint, empty, columns, testId, children }: DirectoryTableProps<T>) {
  const { t } = useTranslation();
  const { query } = list;
  const body = query.isPending ? (
    <LoadingState />
  ) : query.isError ? (
    <ErrorState error={query.error} onRetry={() => void query.refetch()} />
  ) : query.data.items.length === 0 ? (
    <EmptyState>{empty}</EmptyState>
  ) : (
    <>
      <Table.ScrollContainer minWidth={800}>
        <Table striped highlightOnHover aria-label={title} data-testid={testId}>
          <Table.Thead>
            <Table.Tr>
              {[...columns, t('common.actions')].map((column) => (
                <Table.Th key={column}>{column}</Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>{children(query.data.items)}</Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Group justify="space-between">
        <Text size="sm" c="dimmed">
          {t('common.total', { count: query.data.total })}
        </Text>
        {list.pages > 1 && <Pagination total={list.pages} value={list.page} onChange={list.setPage} size="sm" />}
      </Group>
    </>
  );
  return (
    <>
      <TextInput label={search} description={searchHint} value={list.search} onChange={(e) => list.setSearch(e.currentTarget.value)} type="search" maw={420} />
      {body}
    </>
  );
}

/** Edit and delete buttons of a row, named after the record for screen readers. */
export function RowActions({ name, onEdit, onDelete }: { name: string; onEdit: () => void; onDelete: () => void }) {
  const { t } = useTranslation();
  return (
    <Group gap={4} wrap="nowrap">
      <Button size="xs" variant="light" onClick={onEdit} aria-label={`${t('common.edit')} ${name}`}>
        {t('common.edit')}
      </Button>
      <Button size="xs" variant="subtle" color="red" onClick={onDelete} aria-label={`${t('common.delete')} ${name}`}>
        {t('common.delete')}
      </Button>
    </Group>
  );
}

/** The refusal of a save, in words. */
export function FormError({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <Alert color="red" role="alert">
      {errorMessage(t, error)}
    </Alert>
  );
}

/** A form's Cancel and Save. */
export function FormButtons({ saving, onCancel }: { saving: boolean; onCancel: () => void }) {
  const { t } = useTranslation();
  return (
    <Group>
      <Button variant="default" onClick={onCancel}>
        {t('common.cancel')}
      </Button>
      <Button type="submit" loading={saving}>
        {t('common.save')}
      </Button>
    </Group>
  );
}
