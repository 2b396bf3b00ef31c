import { Injectable } from '@nestjs/common';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { AppConfig } from '../../config/app-config';

/** Internal extensions and service codes: up to 6 digits (plus `*` and `#`), kept as typed. */
const SHORT_NUMBER = /^[0-9*#]{1,6}$/;
const SEPARATORS = /[\s().\-\u00a0]/g;

/**
 * One place that decides what "the same phone number" means, for company lookup, user
 * phones and call records. External numbers become E.164 (`+74951234567`) using the
 * configured default region, so `+7 (495) 123-45-67`, `8 495 123-45-67`, `74951234567` and
 * `495 123 45 67` are one number; short internal extensions (`1001`) stay as they are.
 */
export function normalizePhoneNumber(input: string, region: CountryCode): string | null {
  const compact = input.trim().replace(SEPARATORS, '');
  if (compact === '') return null;
  if (SHORT_NUMBER.test(compact)) return compact;
  // `00` is the international prefix in most of the world but not in libphonenumber's RU metadata (810).
  const text = compact.startsWith('00') ? `+${compact.slice(2)}` : input.trim();
  const parsed = parsePhoneNumberFromString(text, region);
  if (!parsed || !parsed.isPossible()) return null;
  return parsed.number;
}

/** One number written twice (in any formats) for one owner is one phone: the first spelling wins. */
export function uniqueByNormalizedNumber<T extends { normalizedNumber: string }>(phones: T[]): T[] {
  const seen = new Set<string>();
  return phones.filter((phone) => !seen.has(phone.normalizedNumber) && seen.add(phone.normalizedNumber));
}

@Injectable()
export class PhoneNormalizer {
  constructor(private readonly config: AppConfig) {}

  /** E.164 for external numbers, the digits for short extensions, null when it is not a phone number. */
  normalize(input: string): string | null {
    return normalizePhoneNumber(input, this.config.phoneRegion);
  }
}
