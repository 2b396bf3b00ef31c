import { HttpStatus } from '@nestjs/common';

/**
 * An error the API reports on purpose: a stable machine-readable `code`, the HTTP status it
 * maps to, a message safe to show, and optional structured details. Everything else that
 * escapes a handler is reported as INTERNAL_ERROR without internals.
 */
export class DomainError extends Error {
  /** Sent as Retry-After when set (429, 503). */
  retryAfterSeconds?: number;

  constructor(
    readonly code: string,
    readonly status: HttpStatus,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends DomainError {
  constructor(entity: string, id: number | string) {
    super(`${entity.toUpperCase()}_NOT_FOUND`, HttpStatus.NOT_FOUND, `${entity} ${id} not found`);
  }
}

/** A `from`/`to` pair that is not a period (from at or after to). */
export class InvalidPeriodError extends DomainError {
  constructor(message: string) {
    super('INVALID_PERIOD', HttpStatus.BAD_REQUEST, message);
  }
}

export interface FieldProblem {
  field: string;
  messages: string[];
}

export class ValidationFailedError extends DomainError {
  constructor(details: FieldProblem[]) {
    super('VALIDATION_FAILED', HttpStatus.BAD_REQUEST, 'Request validation failed', details);
  }
}
