/**
 * One AMI message exactly as Asterisk sent it: every `Key: Value` line in order,
 * repeated keys kept (the `Output:` lines of `Command`, several `ChanVariable:`).
 *
 * Keys and values live in two parallel arrays rather than a plain object: AMI
 * messages have 15-40 keys, and an object grown key by key past ~17 properties
 * drops into V8 dictionary mode; arrays also make `__proto__` an ordinary key.
 */
/** `action` is what a client sends (read by the PBX simulator); the CRM only receives the others. */
export type AmiMessageKind = 'event' | 'response' | 'action' | 'greeting' | 'unknown';

export class AmiMessage {
  /** `Event:` value for events, `Response:` for responses, `Action:` for actions, the banner for the greeting. */
  readonly name: string;
  readonly kind: AmiMessageKind;

  constructor(
    readonly keys: readonly string[],
    readonly values: readonly string[],
    /** Arrival time (ms since epoch) of the read that completed this message. */
    readonly receivedAt: number,
    /** Which PBX sent it; set by the connection, '' when parsed standalone. */
    readonly pbxId: string = '',
    kind?: AmiMessageKind,
  ) {
    if (kind === 'greeting') {
      this.kind = 'greeting';
      this.name = values[0] ?? '';
      return;
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

  /** First value of a key (exact, case-sensitive as Asterisk sends it). */
  get(key: string): string | undefined {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) return this.values[i];
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
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) out.push(this.values[i]);
    return out;
  }

  has(key: string): boolean {
    return this.keys.includes(key);
  }

  get actionId(): string | undefined {
    return this.get('ActionID');
  }

  /** Same message tagged with another PBX id (keeps the parsed arrays). */
  withPbx(pbxId: string): AmiMessage {
    return new AmiMessage(this.keys, this.values, this.receivedAt, pbxId, this.kind === 'greeting' ? 'greeting' : undefined);
  }

  /** A plain object for logs and JSON: repeated keys become arrays. Never feed it back as input. */
  toJSON(): Record<string, string | string[]> {
    const out: Record<string, string | string[]> = Object.create(null);
    for (let i = 0; i < this.keys.length; i++) {
      const k = this.keys[i];
      const prev = out[k];
      if (prev === undefined) out[k] = this.values[i];
      else if (Array.isArray(prev)) prev.push(this.values[i]);
      else out[k] = [prev, this.values[i]];
    }
    return out;
  }
}
