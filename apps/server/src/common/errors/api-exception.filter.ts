import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { isTransientDbError } from '../../database';
import { NESTING_TOO_DEEP_TYPE } from '../input/json-depth';
import { DomainError } from './domain-error';
import type { ErrorResponseDto } from './error-response.dto';

const CODE_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'NOT_ACCEPTABLE',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  422: 'UNPROCESSABLE_ENTITY',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

/** PostgreSQL errors caused by the request's data, by SQLSTATE; the rest are server faults. */
const PG_CLIENT_ERRORS: Record<string, { status: HttpStatus; code: string; message: string }> = {
  '23505': { status: HttpStatus.CONFLICT, code: 'CONFLICT', message: 'A record with the same unique value already exists' },
  '23503': { status: HttpStatus.CONFLICT, code: 'REFERENCE_CONFLICT', message: 'The record is referenced by or refers to a missing record' },
  '22P02': { status: HttpStatus.BAD_REQUEST, code: 'BAD_REQUEST', message: 'A value has an invalid format' },
  '22003': { status: HttpStatus.BAD_REQUEST, code: 'BAD_REQUEST', message: 'A numeric value is out of range' },
  '22001': { status: HttpStatus.BAD_REQUEST, code: 'BAD_REQUEST', message: 'A value is too long' },
  // A safety net behind the input checks: text PostgreSQL cannot store, dates and zones it cannot read.
  '22021': { status: HttpStatus.BAD_REQUEST, code: 'BAD_REQUEST', message: 'A value contains characters that cannot be stored' },
  '22P05': { status: HttpStatus.BAD_REQUEST, code: 'BAD_REQUEST', message: 'A value contains characters that cannot be stored' },
  '22007': { status: HttpStatus.BAD_REQUEST, code: 'BAD_REQUEST', message: 'A date or time has an invalid format' },
  '22008': { status: HttpStatus.BAD_REQUEST, code: 'BAD_REQUEST', message: 'A date or time is out of range' },
};

const DATABASE_UNAVAILABLE = 'DATABASE_UNAVAILABLE';
/** Seconds a client is asked to wait before retrying while the database is unreachable. */
const DATABASE_RETRY_AFTER_SECONDS = 5;

export interface ErrorBody {
  status: number;
  code: string;
  message: string;
  details?: unknown;
  retryAfterSeconds?: number;
}

/**
 * Every error leaves the API in one shape: { statusCode, error, message, details?, path,
 * timestamp }. Stack traces, SQL and driver messages go to the log, never to the client.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('ApiExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const request = context.getRequest<Request>();
    const response = context.getResponse<Response>();
    const body = describeError(exception);
    if (body.code === DATABASE_UNAVAILABLE) {
      // One line per request while PostgreSQL is away, not a stack trace each.
      this.logger.warn(`${request.method} ${(request.originalUrl ?? request.url).split('?')[0]}: database unreachable (${(exception as Error).message})`);
    } else if (body.status >= 500) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    const payload = errorPayload(body, request.originalUrl ?? request.url);
    if (response.headersSent) return;
    if (body.retryAfterSeconds !== undefined) response.setHeader('Retry-After', String(body.retryAfterSeconds));
    response.status(body.status).json(payload);
  }
}

/** The response body of an error on `url` (its path, without the query). */
export function errorPayload(body: ErrorBody, url: string): ErrorResponseDto {
  return {
    statusCode: body.status,
    error: body.code,
    message: body.message,
    ...(body.details === undefined ? {} : { details: body.details }),
    path: url.split('?')[0],
    timestamp: new Date().toISOString(),
  };
}

/** The status, code and safe message an error is reported with (also where no HTTP response can carry it, as a line of a stream). */
export function describeError(exception: unknown): ErrorBody {
  // body-parser gives every error of a verify hook status 403 (and Nest wraps it in an
  // HttpException); the depth check is a 400.
  const bodyError = exception instanceof HttpException ? exception.cause : exception;
  if ((bodyError as { type?: unknown } | null)?.type === NESTING_TOO_DEEP_TYPE) {
    return { status: HttpStatus.BAD_REQUEST, code: 'NESTING_TOO_DEEP', message: 'The JSON body is nested too deeply' };
  }
  if (exception instanceof DomainError) {
    return { status: exception.status, code: exception.code, message: exception.message, details: exception.details, retryAfterSeconds: exception.retryAfterSeconds };
  }
  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return { status, code: CODE_BY_STATUS[status] ?? (status >= 500 ? 'INTERNAL_ERROR' : 'BAD_REQUEST'), message: httpMessage(exception) };
  }
  if (isTransientDbError(exception)) {
    return {
      status: HttpStatus.SERVICE_UNAVAILABLE,
      code: DATABASE_UNAVAILABLE,
      message: 'The database is unreachable; retry shortly',
      retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS,
    };
  }
  if (exception instanceof QueryFailedError) {
    const known = PG_CLIENT_ERRORS[(exception.driverError as { code?: string })?.code ?? ''];
    if (known) return known;
  }
  const httpError = exception as { status?: unknown; expose?: unknown; type?: unknown };
  // Errors from Express middleware (body-parser) carry a status and say whether it is safe to expose.
  if (typeof httpError?.status === 'number' && httpError.status >= 400 && httpError.status < 500 && httpError.expose === true) {
    const status = httpError.status;
    const message = httpError.type === 'entity.parse.failed' ? 'The request body is not valid JSON' : 'The request body was rejected';
    return { status, code: httpError.type === 'entity.parse.failed' ? 'INVALID_JSON' : (CODE_BY_STATUS[status] ?? 'BAD_REQUEST'), message };
  }
  return { status: HttpStatus.INTERNAL_SERVER_ERROR, code: 'INTERNAL_ERROR', message: 'Internal server error' };
}

function httpMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}
