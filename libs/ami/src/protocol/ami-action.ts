import { AmiActionValidationError } from './ami-errors';

export type AmiActionValue = string | number | boolean;

/** An action to send, before it gets its ActionID. Field order is kept; a key may repeat (`Variable`). */
export interface AmiAction {
  readonly action: string;
  readonly fields: ReadonlyArray<readonly [key: string, value: AmiActionValue]>;
  /** Answers with a list (`EventList: start` ... `...Complete` events), collected before the action resolves. */
  readonly list?: boolean;
}

/**
 * Asterisk reads a manager line into a 1025-byte buffer and drops a longer line
 * ("Dumping long line"), which would silently lose a header: a line, CRLF included,
 * must fit in 1024 bytes.
 */
export const AMI_MAX_LINE_BYTES = 1024;

const NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
const FORBIDDEN = /[\r\n\0]/;
/** Set by the sender; a caller-supplied one would break response correlation. */
const RESERVED_KEYS = new Set(['action', 'actionid']);

/**
 * Encodes an action as AMI bytes. Everything is checked before anything is
 * returned, so a refused action never reaches the socket: CR or LF in a value
 * would end the header and let the rest inject headers or a whole new action
 * (`Action: Originate` ... `Application: System`), NUL truncates in C.
 * The error names the field and the reason, never the value (it may be a secret).
 */
export function encodeAction(action: AmiAction, actionId: string): Buffer {
  const lines: string[] = [];
  const add = (key: string, value: AmiActionValue) => {
    const text = valueText(action.action, key, value);
    const line = `${key}: ${text}\r\n`;
    const bytes = Buffer.byteLength(line, 'utf8');
    if (bytes > AMI_MAX_LINE_BYTES) {
      throw new AmiActionValidationError(action.action, key, `makes a ${bytes}-byte line; AMI lines stay within ${AMI_MAX_LINE_BYTES} bytes`);
    }
    lines.push(line);
  };
  if (typeof action.action !== 'string' || !NAME.test(action.action)) {
    throw new AmiActionValidationError(String(action.action ?? ''), 'Action', 'must be a name of letters, digits, _ or -');
  }
  add('Action', action.action);
  add('ActionID', actionId);
  for (const [key, value] of action.fields) {
    if (typeof key !== 'string' || !NAME.test(key)) {
      throw new AmiActionValidationError(action.action, 'a key', 'must be letters, digits, _ or - (no colon, space, CR, LF or NUL)');
    }
    if (RESERVED_KEYS.has(key.toLowerCase())) throw new AmiActionValidationError(action.action, key, 'is set by the gateway');
    add(key, value);
  }
  lines.push('\r\n');
  return Buffer.from(lines.join(''), 'utf8');
}

function valueText(action: string, key: string, value: AmiActionValue): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'boolean') text = value ? 'true' : 'false';
  else if (typeof value === 'number' && Number.isFinite(value)) text = String(value);
  else throw new AmiActionValidationError(action, key, 'must be a string, a finite number or a boolean');
  if (FORBIDDEN.test(text)) throw new AmiActionValidationError(action, key, 'contains CR, LF or NUL');
  return text;
}
