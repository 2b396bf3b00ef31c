import { Alert, Button, Group, Text, Title } from '@mantine/core';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api } from '../api/api';
import type { CallFilter } from '../api/types';
import { errorMessage } from '../common/error-message';
import { EmptyState, ErrorState, LoadingState } from '../common/query-state';
import { saveFile } from '../common/save-file';
import { filterFromParams, filterToParams } from './call-filter-params';
import { CallFilters } from './call-filters';
import { CallTable } from './call-table';

const PAGE_SIZE = 100;

/** Call history: the API's filters, keyset pages loaded while scrolling, CSV export of every match. */
export function HistoryPage() {
  const { t } = useTranslation();
  const [params, setParams] = useSearchParams();
  const filter = useMemo(() => filterFromParams(params), [params]);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<unknown>(null);

  const query = useInfiniteQuery({
    queryKey: ['calls', 'history', filter],
    queryFn: ({ pageParam }) => api.calls.page(filter, pageParam, PAGE_SIZE),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page) => page.nextCursor ?? undefined,
  });
  const calls = useMemo(() => query.data?.pages.flatMap((page) => page.items) ?? [], [query.data]);
  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const loadMore = useCallback(() => void fetchNextPage(), [fetchNextPage]);

  const applyFilter = (next: CallFilter) => setParams(filterToParams(next));
  const exportCsv = async () => {
    setExporting(true);
    setExportError(null);
    try {
      saveFile(await api.calls.csv(filter), 'calls.csv');
    } catch (error) {
      setExportError(error);
    } finally {
      setExporting(false);
    }
  };

  return (
    <>
      <Group justify="space-between" mb="md">
        <Title order={2}>{t('calls.title')}</Title>
        <Button variant="light" onClick={exportCsv} loading={exporting} loaderProps={{ 'aria-label': t('calls.exporting') }}>
          {t('calls.exportCsv')}
        </Button>
      </Group>
      {exportError !== null && (
        <Alert color="red" role="alert" mb="md" withCloseButton onClose={() => setExportError(null)} closeButtonLabel={t('common.close')}>
          {t('calls.exportFailed', { message: errorMessage(t, exportError) })}
        </Alert>
      )}
      <CallFilters value={filter} onChange={applyFilter} />
      {query.isPending ? (
        <LoadingState />
      ) : query.isError && calls.length === 0 ? (
        <ErrorState error={query.error} onRetry={() => void query.refetch()} />
      ) : calls.length === 0 ? (
        <EmptyState>{t('calls.empty')}</EmptyState>
      ) : (
        <>
          <CallTable calls={calls} hasMore={hasNextPage} loadingMore={isFetchingNextPage} onLoadMore={loadMore} />
          <Group justify="space-between" mt="sm">
            <Text size="sm" c="dimmed" role="status" aria-live="polite" data-testid="calls-shown">
              {t('calls.shown', { count: calls.length })} {hasNextPage ? '' : t('calls.allLoaded')}
            </Text>
            {hasNextPage && (
              <Button variant="default" size="xs" onClick={loadMore} loading={isFetchingNextPage} loaderProps={{ 'aria-label': t('calls.loadingMore') }}>
                {t('calls.loadMore')}
              </Button>
            )}
          </Group>
          {query.isFetchNextPageError && <ErrorState error={query.error} onRetry={loadMore} />}
        </>
      )}
    </>
  );
}
