import type { ApiErrorBody } from './types';

/** A failed API call: the server's error code and message, or NETWORK when no answer came. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  static fromBody(status: number, body: Partial<ApiErrorBody> | null, fallback: string): ApiError {
    return new ApiError(status, body?.error ?? `HTTP_${status}`, body?.message ?? fallback, body?.details);
  }
}

export const isApiError = (error: unknown): error is ApiError => error instanceof ApiError;
