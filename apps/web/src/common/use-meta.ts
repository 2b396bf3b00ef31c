import { useQuery } from '@tanstack/react-query';
import { api } from '../api/api';

/** Server facts the UI shows before and after login (TEST_MODE, demo mode and its logins); fetched once. */
export function useMeta() {
  return useQuery({ queryKey: ['meta'], queryFn: api.meta, staleTime: Infinity });
}
