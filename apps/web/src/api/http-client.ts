import { ApiError } from './api-error';
import type { SessionStore } from './session-store';

export type QueryValue = string | number | boolean | readonly (string | number)[] | null | undefined;
export type Query = Record<string, QueryValue>;

/** `?a=1&list=x,y`: empty values are left out; lists are comma-separated, as the API reads them. */
export function queryString(query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') continue;
    if (Array.isArray(value)) {
      if (value.length > 0) params.set(key, value.join(','));
    } else {
      params.set(key, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

interface RequestOptions {
  query?: Query;
  /** JSON-encoded unless it is FormData. */
  body?: unknown;
  /** A 401 here is a wrong password, not an expired session: do not log out. */
  anonymous?: boolean;
}

/**
 * Typed fetch against /api: adds the bearer token, turns every failure into an ApiError with
 * the server's code and message, and ends the session on a 401 (the app then shows the login).
 */
export class HttpClient {
  constructor(
    private readonly session: SessionStore,
    private readonly base = '/api',
  ) {}

  get<T>(path: string, query?: Query): Promise<T> {
    return this.json<T>('GET', path, { query });
  }

  post<T>(path: string, body?: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.json<T>('POST', path, { ...options, body });
  }

  patch<T>(path: string, body: unknown): Promise<T> {
    return this.json<T>('PATCH', path, { body });
  }

  delete(path: string): Promise<void> {
    return this.json<void>('DELETE', path, {});
  }

  /** A file the API streams (CSV export). */
  async blob(path: string, query?: Query): Promise<Blob> {
    return (await this.send('GET', path, { query })).blob();
  }

  private async json<T>(method: string, path: string, options: RequestOptions): Promise<T> {
    const response = await this.send(method, path, options);
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  private async send(method: string, path: string, options: RequestOptions): Promise<Response> {
    const headers: Record<string, string> = { Accept: 'application/json' };
    const token = this.session.current?.accessToken;
    if (token && !options.anonymous) headers.Authorization = `Bearer ${token}`;
    let body: BodyInit | undefined;
    if (options.body instanceof FormData) body = options.body;
    else if (options.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    let response: Response;
    try {
      response = await fetch(`${this.base}${path}${queryString(options.query)}`, { method, headers, body });
    } catch (error) {
      throw new ApiError(0, 'NETWORK', `The server cannot be reached (${(error as Error).message})`);
    }
    if (response.ok) return response;
    const errorBody = await response.json().catch(() => null);
    if (response.status === 401 && !options.anonymous) this.session.clear();
    throw ApiError.fromBody(response.status, errorBody, response.statusText || `HTTP ${response.status}`);
  }
}
