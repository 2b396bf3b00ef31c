import { QueryFailedError } from 'typeorm';
import { DomainError } from './domain-error';

const UNIQUE_VIOLATION = '23505';

interface PgDriverError {
  code?: string;
  constraint?: string;
  detail?: string;
}

/** The constraint a unique violation hit, or null for any other error. */
export function uniqueViolationConstraint(error: unknown): string | null {
  if (!(error instanceof QueryFailedError)) return null;
  const driverError = error.driverError as PgDriverError;
  return driverError?.code === UNIQUE_VIOLATION ? (driverError.constraint ?? null) : null;
}

/** The duplicated value PostgreSQL names in "Key (column)=(value) already exists." */
export function uniqueViolationValue(error: unknown): string | null {
  const detail = error instanceof QueryFailedError ? (error.driverError as PgDriverError)?.detail : undefined;
  const match = detail ? /\)=\((.*)\) already exists/.exec(detail) : null;
  return match ? match[1] : null;
}

/**
 * Translates a unique violation on a known constraint into the module's domain error;
 * rethrows anything else untouched. Use around writes: the database is the arbiter of
 * uniqueness, so concurrent requests cannot both win a pre-check.
 */
export function rethrowUniqueViolation(error: unknown, byConstraint: Record<string, (value: string | null) => DomainError>): never {
  const constraint = uniqueViolationConstraint(error);
  const toDomainError = constraint ? byConstraint[constraint] : undefined;
  if (toDomainError) throw toDomainError(uniqueViolationValue(error));
  throw error;
}
