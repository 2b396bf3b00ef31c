/**
 * One AMI message exactly as Asterisk sent it: every `Key: Value` line in order,
 * repeated keys kept (the `Output:` lines of `Command`, several `ChanVariable:`).
 *
 * Keys and values live in two parallel arrays rather than a plain object: AMI
 * messages have 15-40 keys, and an object grown key by key past ~17 properties
 * drops into V8 dictionary mode; arrays also make `__proto__` an ordinary key.
 *
 * A message from the parser starts as its raw text and is split into lines only
 * when something needs them: most events on a busy PBX (`VarSet`, `Newexten`,
 * device and queue state) are looked at for one or two keys and dropped, and a
 * direct search of the text for those keys costs far less than splitting all
 * 15-40 lines. After a few lookups, or on any whole-message access (`keys`,
 * `values`, `getAll`, `toJSON`), the text is split once and kept split.
 */
/** `action` is what a client sends (read by the PBX simulator); the CRM only receives the others. */
export type AmiMessageKind = 'event' | 'response' | 'action' | 'greeting' | 'unknown';

const NO_STRINGS: readonly string[] = Object.freeze([]);
/** Lookups answered from the raw text before the message is split into lines. */
const TEXT_LOOKUPS = 3;
const CR = 13;
const LF = 10;
const COLON = 58;
const SPACE = 32;
const EVENT_PREFIX = 'Event:';

export class AmiMessage {
  /** `Event:` value for events, `Response:` for responses, `Action:` for actions, the banner for the greeting. */
  readonly name: string;
  readonly kind: AmiMessageKind;
  private parsedKeys: readonly string[];
  private parsedValues: readonly string[];
  /** The unsplit message (lines joined by CRLF, no final blank line) until it is split. */
  private text: string | undefined;
  private textLookups = 0;

  constructor(
    keys: readonly string[],
    values: readonly string[],
    /** Arrival time (ms since epoch) of the read that completed this message. */
    readonly receivedAt: number,
    /** Which PBX sent it; set by the connection, '' when parsed standalone. */
    readonly pbxId: string = '',
    kind?: AmiMessageKind,
    /** The raw message text (the parser's path): when given, `keys`/`values` are ignored and read from it on demand. */
    text?: string,
  ) {
    this.parsedKeys = keys;
    this.parsedValues = values;
    this.text = undefined;
    if (kind === 'greeting') {
      this.kind = 'greeting';
      this.name = values[0] ?? '';
      return;
    }
    if (text !== undefined) {
      // Nearly every message is an event whose first line is `Event:`: classify it without splitting.
      const name = text.startsWith(EVENT_PREFIX) ? firstLineValue(text) : undefined;
      if (name !== undefined) {
        this.text = text;
        this.kind = 'event';
        this.name = name;
        return;
      }
      this.split(text);
    }
    // `OriginateResponse` is an event that also carries `Response:`: Event wins.
    const event = this.get('Event');
    if (event !== undefined) {
      this.kind = 'event';
      this.name = event;
      return;
    }
    const response = this.get('Response');
    if (response !== undefined) {
      this.kind = 'response';
      this.name = response;
      return;
    }
    const action = this.get('Action');
    if (action !== undefined) {
      this.kind = 'action';
      this.name = action;
      return;
    }
    this.kind = 'unknown';
    this.name = '';
  }

  /** Every key in order; a line without a colon has the key '' and the whole line as value. */
  get keys(): readonly string[] {
    if (this.text !== undefined) this.split(this.text);
    return this.parsedKeys;
  }

  /** The values, parallel to `keys`. */
  get values(): readonly string[] {
    if (this.text !== undefined) this.split(this.text);
    return this.parsedValues;
  }

  /** First value of a key (exact, case-sensitive as Asterisk sends it). */
  get(key: string): string | undefined {
    const text = this.text;
    if (text !== undefined) {
      if (++this.textLookups <= TEXT_LOOKUPS && key !== '') return findInText(text, key);
      this.split(text);
    }
    const keys = this.parsedKeys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) return this.parsedValues[i];
    return undefined;
  }

  /** First value of the first key present, for keys Asterisk spells two ways (`BridgeId`/`BridgeID`). */
  getAny(...keys: string[]): string | undefined {
    for (const key of keys) {
      const v = this.get(key);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  /** Every value of a repeated key, in order. */
  getAll(key: string): string[] {
    const out: string[] = [];
    const keys = this.keys;
    const values = this.parsedValues;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) out.push(values[i]);
    return out;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  get actionId(): string | undefined {
    return this.get('ActionID');
  }

  /** Same message tagged with another PBX id. */
  withPbx(pbxId: string): AmiMessage {
    if (this.text !== undefined) return new AmiMessage(NO_STRINGS, NO_STRINGS, this.receivedAt, pbxId, undefined, this.text);
    return new AmiMessage(this.parsedKeys, this.parsedValues, this.receivedAt, pbxId, this.kind === 'greeting' ? 'greeting' : undefined);
  }

  /** A plain object for logs and JSON: repeated keys become arrays. Never feed it back as input. */
  toJSON(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = Object.create(null);
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      const prev = out[k];
      if (prev === undefined) out[k] = this.parsedValues[i];
      else if (Array.isArray(prev)) prev.push(this.parsedValues[i]);
      else out[k] = [prev, this.parsedValues[i]];
    }
    return out;
  }

  private split(text: string): void {
    const keys: string[] = [];
    const values: string[] = [];
    splitLines(text, keys, values);
    this.parsedKeys = keys;
    this.parsedValues = values;
    this.text = undefined;
  }
}

/**
 * Splits a message into `Key: Value` lines. Lines end with CRLF only (a bare LF
 * stays in its value); the key ends at the first colon, so values keep any `: `;
 * one space after the colon is dropped.
 */
function splitLines(text: string, keys: string[], values: string[]): void {
  const textEnd = text.length;
  let lineStart = 0;
  while (lineStart < textEnd) {
    let lineEnd = text.indexOf('\r\n', lineStart);
    if (lineEnd < 0) lineEnd = textEnd;
    const colon = text.indexOf(':', lineStart);
    if (colon < 0 || colon > lineEnd) {
      keys.push('');
      values.push(text.slice(lineStart, lineEnd));
    } else {
      keys.push(text.slice(lineStart, colon));
      values.push(valueOf(text, colon, lineEnd));
      if (keys.length === 1 && keys[0] === 'Response' && values[0] === 'Follows') {
        readFollowsBody(text, lineEnd + 2, keys, values);
        return;
      }
    }
    lineStart = lineEnd + 2;
  }
}

/** The value of the first line with this key, exactly as `splitLines` would read it. */
function findInText(text: string, key: string): string | undefined {
  // splitLines never makes a key holding a colon or a line end.
  if (key.includes(':') || key.includes('\n')) return undefined;
  let at = -1;
  if (text.startsWith(key) && text.charCodeAt(key.length) === COLON) {
    at = 0;
  } else {
    for (let i = text.indexOf(key, 1); i >= 0; i = text.indexOf(key, i + 1)) {
      if (text.charCodeAt(i + key.length) === COLON && text.charCodeAt(i - 1) === LF && text.charCodeAt(i - 2) === CR) {
        at = i;
        break;
      }
    }
    if (at < 0) return undefined;
  }
  const colon = at + key.length;
  let lineEnd = text.indexOf('\r\n', colon);
  if (lineEnd < 0) lineEnd = text.length;
  return valueOf(text, colon, lineEnd);
}

function firstLineValue(text: string): string {
  let lineEnd = text.indexOf('\r\n');
  if (lineEnd < 0) lineEnd = text.length;
  return valueOf(text, EVENT_PREFIX.length - 1, lineEnd);
}

function valueOf(text: string, colon: number, lineEnd: number): string {
  const valueStart = text.charCodeAt(colon + 1) === SPACE ? colon + 2 : colon + 1;
  return valueStart >= lineEnd ? '' : text.slice(valueStart, lineEnd);
}

/**
 * Asterisk before 14 answers `Command` with `Response: Follows`, its `Privilege` and
 * `ActionID` headers, then raw LF-separated output closed by `--END COMMAND--`.
 * The raw lines may hold colons, so they become `Output` values, the shape newer
 * Asterisk sends.
 */
function readFollowsBody(text: string, from: number, keys: string[], values: string[]): void {
  let pos = from;
  for (;;) {
    const header = /(Privilege|ActionID): ?([^\r\n]*)\r\n/y;
    header.lastIndex = pos;
    const m = header.exec(text);
    if (!m) break;
    keys.push(m[1]);
    values.push(m[2]);
    pos = header.lastIndex;
  }
  const lines = text.slice(pos).split(/\r?\n/);
  const endMarker = lines.lastIndexOf('--END COMMAND--');
  if (endMarker >= 0) lines.length = endMarker;
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.length--;
  for (const line of lines) {
    keys.push('Output');
    values.push(line);
  }
}
