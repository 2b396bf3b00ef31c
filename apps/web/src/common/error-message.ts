import type { TFunction } from 'i18next';
import { isApiError } from '../api/api-error';
import type { Messages } from '../i18n/en';

type KnownCode = keyof Messages['errors'];
const KNOWN_CODES = ['NETWORK', 'INVALID_CREDENTIALS', 'TOO_MANY_REQUESTS', 'FORBIDDEN', 'TOKEN_EXPIRED'] as const satisfies readonly KnownCode[];
const isKnown = (code: string): code is KnownCode => (KNOWN_CODES as readonly string[]).includes(code);

/**
 * An error in words for the user: a translated text for the codes people meet (wrong password,
 * no connection), otherwise the server's own message, with every field of a validation error.
 */
export function errorMessage(t: TFunction, error: unknown): string {
  if (!isApiError(error)) return error instanceof Error ? error.message : String(error);
  if (isKnown(error.code)) return t(`errors.${error.code}`);
  if (error.code === 'VALIDATION_FAILED' && Array.isArray(error.details)) {
    const fields = (error.details as { messages?: unknown }[]).flatMap((detail) => (Array.isArray(detail.messages) ? detail.messages : []));
    if (fields.length > 0) return fields.join('; ');
  }
  return error.message;
}
