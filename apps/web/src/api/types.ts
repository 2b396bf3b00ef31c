/**
 * The REST API's shapes as the browser sees them (JSON: ids of calls are strings, dates ISO
 * strings). Calls, their values, timeline and statistics come from `@app/contracts`, shared with
 * the server; the rest mirrors the server's DTOs (users, companies), which that library does not
 * hold yet.
 */
import type { CallDirection, CallListItem, CallStatus, PhoneType, UserRole, UserStatus } from '@app/contracts';

export { CALL_DIRECTIONS, CALL_STATUSES, CALL_TIMELINE_TYPES, PHONE_TYPES, TERMINAL_CALL_STATUSES, USER_ROLES } from '@app/contracts';
export type {
  CallDetail,
  CallDirection,
  CallRecordingEntry,
  CallStats,
  CallStatus,
  CallTimelineEntry,
  PhoneType,
  RecordingStatus,
  SecondsSummary,
  TerminalCallStatus,
  UserCallStats,
  UserRole,
  UserStatus,
} from '@app/contracts';

/** A call in a list or a detail: the stored call with the user's and the company's names. */
export type Call = CallListItem;

export const CALL_SORTS = ['-startedAt', 'startedAt', '-duration', 'duration'] as const;
export type CallSort = (typeof CALL_SORTS)[number];

export interface CallPage {
  items: Call[];
  nextCursor: string | null;
}

/** Query of GET /api/calls (and of its CSV export). */
export interface CallFilter {
  from?: string;
  to?: string;
  status?: CallStatus[];
  direction?: CallDirection[];
  number?: string;
  userId?: number;
  companyId?: number;
  sort?: CallSort;
}

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  limit: number;
}

export interface PageQuery {
  page?: number;
  limit?: number;
  q?: string;
}

export interface UserPhone {
  id: number;
  phoneNumber: string;
  phoneType: PhoneType;
  normalizedNumber: string;
}

export interface User {
  id: number;
  username: string;
  email: string;
  firstName: string | null;
  lastName: string | null;
  role: UserRole;
  status: UserStatus;
  phones: UserPhone[];
  createdAt: string;
  updatedAt: string;
}

/** What every role sees of a colleague (GET /api/users/directory). */
export interface DirectoryEntry {
  id: number;
  username: string;
  firstName: string | null;
  lastName: string | null;
  extensions: string[];
  status: UserStatus;
}

export interface UserInput {
  username?: string;
  email?: string;
  password?: string;
  firstName?: string | null;
  lastName?: string | null;
  role?: UserRole;
  phones?: { phoneNumber: string; phoneType: PhoneType }[];
}

export interface Company {
  id: number;
  name: string;
  inn: string | null;
  email: string | null;
  notes: string | null;
  phones: { id: number; phoneNumber: string; normalizedNumber: string }[];
  createdAt: string;
  updatedAt: string;
}

export interface CompanyInput {
  name?: string;
  inn?: string | null;
  email?: string | null;
  notes?: string | null;
  phones?: string[];
}

export interface ImportRowProblem {
  row: number;
  reason: string;
}

export interface CompanyImportResult {
  created: number;
  createdIds: number[];
  duplicates: ImportRowProblem[];
  errors: ImportRowProblem[];
  ignoredColumns: string[];
}

export interface LoginResponse {
  accessToken: string;
  expiresIn: number;
  user: User;
}

export interface Meta {
  version: string;
  role: 'all' | 'server' | 'asterisk';
  testMode: boolean;
  demo: { password: string; users: { username: string; role: UserRole; extension: string; name: string }[] } | null;
}

export interface SimulateCallInput {
  callerNumber: string;
  extension: string;
  did?: string;
  callerName?: string;
  ringTimeoutSeconds?: number;
  talkTimeoutSeconds?: number;
}

export interface SimulatedCall {
  id: string;
  pbxId: string;
  linkedid: string;
  state: 'ringing' | 'answered' | 'ended';
  call: Call | null;
}

/** GET /api/recordings/{id}/url: playable and downloadable without a header, bound to the recording and the user. */
export interface SignedRecordingUrls {
  url: string;
  downloadUrl: string;
  expiresAt: string;
}

/** The uniform error body of every API error. */
export interface ApiErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
}
