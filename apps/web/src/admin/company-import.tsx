import { Alert, Badge, Button, FileInput, Group, ScrollArea, Stack, Table, Text } from '@mantine/core';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../api/api';
import type { CompanyImportResult } from '../api/types';
import { errorMessage } from '../common/error-message';

/** Every skipped row with its line number and reason, errors and duplicates together in file order. */
function ImportProblems({ result }: { result: CompanyImportResult }) {
  const { t } = useTranslation();
  const problems = [
    ...result.errors.map((problem) => ({ ...problem, kind: 'error' as const })),
    ...result.duplicates.map((problem) => ({ ...problem, kind: 'duplicate' as const })),
  ].sort((a, b) => a.row - b.row);
  if (problems.length === 0) return <Text c="green">{t('import.noProblems')}</Text>;
  return (
    <ScrollArea.Autosize mah={300} type="auto">
      <Table striped fz="sm" aria-label={t('import.title')} data-testid="import-problems">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>{t('import.row')}</Table.Th>
            <Table.Th>{t('import.kind')}</Table.Th>
            <Table.Th>{t('import.reason')}</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {problems.map((problem) => (
            <Table.Tr key={`${problem.kind}-${problem.row}`} data-row={problem.row} data-kind={problem.kind}>
              <Table.Td>{problem.row}</Table.Td>
              <Table.Td>
                <Badge color={problem.kind === 'error' ? 'red' : 'yellow'} variant="light">
                  {problem.kind === 'error' ? t('import.kindError') : t('import.kindDuplicate')}
                </Badge>
              </Table.Td>
              <Table.Td>{problem.reason}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </ScrollArea.Autosize>
  );
}

/** Upload a CSV of companies; the valid rows are created, the others listed with what was wrong. */
export function CompanyImport({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const mutation = useMutation({
    mutationFn: (csv: File) => api.companies.importCsv(csv),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['companies'] }),
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (file) mutation.mutate(file);
  };
  const result = mutation.data;

  return (
    <form onSubmit={submit}>
      <Stack>
        <Text size="sm">{t('import.help')}</Text>
        <FileInput label={t('import.file')} placeholder={t('import.filePlaceholder')} accept=".csv,text/csv" value={file} onChange={setFile} required clearable name="file" />
        {mutation.isError && (
          <Alert color="red" role="alert">
            {errorMessage(t, mutation.error)}
          </Alert>
        )}
        {result && (
          <Stack gap="xs" role="status" data-testid="import-result">
            <Group gap="md">
              <Text fw={500} c="green" data-testid="import-created">
                {t('import.created', { count: result.created })}
              </Text>
              <Text fw={500} c={result.errors.length > 0 ? 'red' : undefined} data-testid="import-errors">
                {t('import.errors', { count: result.errors.length })}
              </Text>
              <Text fw={500} c={result.duplicates.length > 0 ? 'yellow.8' : undefined}>
                {t('import.duplicates', { count: result.duplicates.length })}
              </Text>
            </Group>
            {result.ignoredColumns.length > 0 && <Text size="sm">{t('import.ignoredColumns', { columns: result.ignoredColumns.join(', ') })}</Text>}
            <ImportProblems result={result} />
          </Stack>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onClose}>
            {t('common.close')}
          </Button>
          <Button type="submit" loading={mutation.isPending} disabled={!file} loaderProps={{ 'aria-label': t('import.submitting') }}>
            {t('import.submit')}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
