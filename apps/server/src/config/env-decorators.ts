import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsDefined, ValidateIf } from 'class-validator';

const SECRET_KEYS = Symbol('config:secret-keys');

/** Marks a variable whose value must never be printed (validation errors, logs). */
export function Secret(): PropertyDecorator {
  return (target, key) => {
    const keys: Set<string> = Reflect.getOwnMetadata(SECRET_KEYS, target) ?? new Set<string>();
    keys.add(String(key));
    Reflect.defineMetadata(SECRET_KEYS, keys, target);
  };
}

export function isSecretKey(configClass: abstract new () => object, key: string): boolean {
  const keys: Set<string> | undefined = Reflect.getMetadata(SECRET_KEYS, configClass.prototype);
  return keys?.has(key) ?? false;
}

/**
 * Environment values are strings: an integer that does not parse stays a string, so the
 * validator reports "must be an integer" instead of silently accepting NaN.
 */
export function IntEnv(): PropertyDecorator {
  return Transform(({ value }) => (typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value));
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'off']);

/** `true/false`, `1/0`, `yes/no`, `on/off`; anything else is left for IsBoolean to reject. */
export function BoolEnv(): PropertyDecorator {
  return Transform(({ value }) => {
    if (typeof value !== 'string') return value;
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    return value;
  });
}

/**
 * Optional in development and tests (a default or an embedded service applies), required
 * with NODE_ENV=production. Further validators run only when the value is present.
 */
export function OptionalUnlessProduction(): PropertyDecorator {
  return applyDecorators(
    ValidateIf((config: { NODE_ENV?: string }, value: unknown) => value !== undefined || config.NODE_ENV === 'production'),
    IsDefined({ message: 'is required when NODE_ENV=production' }),
  );
}
