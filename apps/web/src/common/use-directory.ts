import { useQuery } from '@tanstack/react-query';
import { api } from '../api/api';

/** The API's largest page: the filters' pick lists offer the first 100 users and companies. */
const PICK_LIST_SIZE = 100;

/** Colleagues' names and extensions (the directory every role may read, not the admin's user list). */
export function useUserDirectory(enabled = true) {
  return useQuery({ queryKey: ['users', 'pick-list'], queryFn: () => api.users.directory({ limit: PICK_LIST_SIZE }), enabled, staleTime: 60_000 });
}

export function useCompanyDirectory(enabled = true) {
  return useQuery({ queryKey: ['companies', 'pick-list'], queryFn: () => api.companies.list({ limit: PICK_LIST_SIZE }), enabled, staleTime: 60_000 });
}
