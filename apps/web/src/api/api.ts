import { HttpClient, type Query } from './http-client';
import { SessionStore } from './session-store';
import type {
  Call,
  CallDetail,
  CallFilter,
  CallPage,
  CallStats,
  Company,
  CompanyImportResult,
  CompanyInput,
  DirectoryEntry,
  LoginResponse,
  Meta,
  Page,
  PageQuery,
  SignedRecordingUrls,
  SimulateCallInput,
  SimulatedCall,
  User,
  UserInput,
} from './types';

/** The API's routes as typed functions (one place that knows the URLs). */
export function createApi(http: HttpClient) {
  const filterQuery = (filter: CallFilter): Query => ({ ...filter });
  return {
    meta: () => http.get<Meta>('/meta'),
    auth: {
      login: (username: string, password: string) => http.post<LoginResponse>('/auth/login', { username, password }, { anonymous: true }),
      me: () => http.get<User>('/auth/me'),
      /** Revokes every token of the user on the server (all their sessions). */
      logout: () => http.post<void>('/auth/logout'),
    },
    calls: {
      page: (filter: CallFilter, cursor?: string, limit = 100) => http.get<CallPage>('/calls', { ...filterQuery(filter), cursor, limit }),
      csv: (filter: CallFilter) => http.blob('/calls/export.csv', filterQuery(filter)),
      detail: (id: string) => http.get<CallDetail>(`/calls/${encodeURIComponent(id)}`),
      active: () => http.get<Call[]>('/calls/active'),
    },
    simulator: {
      start: (input: SimulateCallInput) => http.post<SimulatedCall>('/calls/simulate', input),
      answer: (id: string) => http.post<SimulatedCall>(`/calls/simulate/${encodeURIComponent(id)}/answer`),
      hangup: (id: string) => http.post<SimulatedCall>(`/calls/simulate/${encodeURIComponent(id)}/hangup`, { by: 'caller' }),
    },
    recordings: {
      /** Short-lived URLs an <audio> element (which cannot send the bearer token) plays or downloads from. */
      signedUrls: (id: string) => http.get<SignedRecordingUrls>(`/recordings/${encodeURIComponent(id)}/url`),
    },
    stats: (query: { from: string; to: string; tz: string; userId?: number }) => http.get<CallStats>('/stats', query),
    users: {
      list: (query: PageQuery) => http.get<Page<User>>('/users', { ...query }),
      directory: (query: PageQuery) => http.get<Page<DirectoryEntry>>('/users/directory', { ...query }),
      create: (input: UserInput) => http.post<User>('/users', input),
      update: (id: number, input: UserInput) => http.patch<User>(`/users/${id}`, input),
      remove: (id: number) => http.delete(`/users/${id}`),
    },
    companies: {
      list: (query: PageQuery) => http.get<Page<Company>>('/companies', { ...query }),
      create: (input: CompanyInput) => http.post<Company>('/companies', input),
      update: (id: number, input: CompanyInput) => http.patch<Company>(`/companies/${id}`, input),
      one: (id: number | string) => http.get<Company>(`/companies/${encodeURIComponent(id)}`),
      remove: (id: number) => http.delete(`/companies/${id}`),
      importCsv: (file: File) => {
        const form = new FormData();
        form.append('file', file);
        return http.post<CompanyImportResult>('/companies/import', form);
      },
    },
  };
}

export type Api = ReturnType<typeof createApi>;

/** The one session and API client of the page. */
export const sessionStore = new SessionStore();
export const api = createApi(new HttpClient(sessionStore));
