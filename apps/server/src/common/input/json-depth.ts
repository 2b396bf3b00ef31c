const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/**
 * Whether JSON text nests arrays and objects deeper than `maxDepth`, read byte by byte
 * without parsing (brackets inside strings do not count). Run on the raw body before
 * JSON.parse, so a hostile `[[[[…` never reaches code that walks the value recursively.
 */
export function jsonNestsDeeperThan(body: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_BRACKET || byte === OPEN_BRACE) {
      if (++depth > maxDepth) return true;
    } else if (byte === CLOSE_BRACKET || byte === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}

/** The body-parser error type the error filter reports as 400 NESTING_TOO_DEEP. */
export const NESTING_TOO_DEEP_TYPE = 'entity.nesting.too.deep';

/** A `verify` hook for express.json refusing bodies nested deeper than `maxDepth`. */
export function refuseDeepJson(maxDepth: number): (req: unknown, res: unknown, body: Buffer) => void {
  return (_req, _res, body) => {
    if (jsonNestsDeeperThan(body, maxDepth)) {
      throw Object.assign(new Error(`JSON nested deeper than ${maxDepth} levels`), { type: NESTING_TOO_DEEP_TYPE });
    }
  };
}
