import type { TFunction } from 'i18next';
import { isApiError } from '../api/api-error';
import { en, type Messages } from '../i18n/en';

type KnownCode = keyof Messages['errors'];
const isKnown = (code: string): code is KnownCode => Object.hasOwn(en.errors, code);

/** A failure as the server (REST or a socket command's ack) states it. */
export interface CodedError {
  code: string;
  message: string;
}

/**
 * An error in words for the user: a translated text for every code the UI knows (wrong
 * password, no connection, the refusals of call control), otherwise the server's own message,
 * with every field of a validation error.
 */
export function errorMessage(t: TFunction, error: unknown): string {
  if (isApiError(error) && error.code === 'VALIDATION_FAILED' && Array.isArray(error.details)) {
    const fields = (error.details as { messages?: unknown }[]).flatMap((detail) => (Array.isArray(detail.messages) ? detail.messages : []));
    if (fields.length > 0) return fields.join('; ');
  }
  if (isCoded(error)) return isKnown(error.code) ? t(`errors.${error.code}`) : error.message;
  return error instanceof Error ? error.message : String(error);
}

function isCoded(error: unknown): error is CodedError {
  return typeof error === 'object' && error !== null && typeof (error as CodedError).code === 'string' && typeof (error as CodedError).message === 'string';
}
