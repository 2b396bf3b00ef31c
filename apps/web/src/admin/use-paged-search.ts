import { useDebouncedValue } from '@mantine/hooks';
import { keepPreviousData, useQuery, type UseQueryResult } from '@tanstack/react-query';
import { useState } from 'react';
import type { Page, PageQuery } from '../api/types';

const PAGE_SIZE = 20;

export interface PagedSearch<T> {
  query: UseQueryResult<Page<T>>;
  search: string;
  setSearch(text: string): void;
  page: number;
  setPage(page: number): void;
  pages: number;
}

/** A searchable, paged list of an admin directory (users, companies): search text debounced, page reset on a new search. */
export function usePagedSearch<T>(kind: 'users' | 'companies', load: (query: PageQuery) => Promise<Page<T>>): PagedSearch<T> {
  const [search, setSearch] = useState('');
  const [page, setPage] = useState(1);
  const [q] = useDebouncedValue(search.trim(), 300);
  const query = useQuery({ queryKey: [kind, 'page', q, page], queryFn: () => load({ q: q || undefined, page, limit: PAGE_SIZE }), placeholderData: keepPreviousData });
  return {
    query,
    search,
    setSearch: (text) => {
      setSearch(text);
      setPage(1);
    },
    page,
    setPage,
    pages: query.data ? Math.max(1, Math.ceil(query.data.total / PAGE_SIZE)) : 1,
  };
}
