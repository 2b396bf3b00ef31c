import type { FieldProblem } from '../errors/domain-error';

const NUL = '\u0000';
/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Why a string cannot be stored or compared as text, or null when it can. */
export function unsafeTextReason(text: string): string | null {
  if (text.includes(NUL)) return 'must not contain NUL characters';
  // An unpaired UTF-16 surrogate has no UTF-8 form: PostgreSQL and every client would choke on it.
  if (text.search(LONE_SURROGATE) !== -1) return 'must not contain unpaired UTF-16 surrogates';
  return null;
}

/**
 * Every string (and object key) in a request value that is not storable text, with its
 * field path (`phones.0`, `q`). Walks with an explicit stack: the depth of the value was
 * bounded by the body parser, but nothing here relies on it.
 */
export function unsafeTextProblems(value: unknown, root = ''): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const stack: Array<{ value: unknown; path: string }> = [{ value, path: root }];
  while (stack.length > 0) {
    const { value: current, path } = stack.pop()!;
    if (typeof current === 'string') {
      const reason = unsafeTextReason(current);
      if (reason) problems.push({ field: path || 'value', messages: [`${path || 'value'} ${reason}`] });
    } else if (Array.isArray(current)) {
      current.forEach((item, index) => stack.push({ value: item, path: join(path, String(index)) }));
    } else if (isPlainObject(current)) {
      for (const [key, item] of Object.entries(current)) {
        const reason = unsafeTextReason(key);
        if (reason) problems.push({ field: join(path, toStorableText(key)), messages: [`a field name ${reason}`] });
        else stack.push({ value: item, path: join(path, key) });
      }
    }
  }
  return problems.reverse();
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** Parsed JSON and query objects; not Buffers, files or class instances made by the server. */
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** The same value with NUL and unpaired surrogates replaced by U+FFFD, for text the server itself stores (audit details). */
export function toStorableText<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return value.replace(LONE_SURROGATE, '\ufffd').replaceAll(NUL, '\ufffd') as T;
  if (depth > 32 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => toStorableText(item, depth + 1)) as T;
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [toStorableText(key), toStorableText(item, depth + 1)])) as T;
}
