/**
 * One message the simulator sends, kept as parallel key/value arrays in Asterisk's
 * exact key order (repeated keys allowed, e.g. `Output:`), plus the virtual time it
 * happened at. Events are formatted to wire bytes once and written to every session.
 */
export interface AmiEvent {
  readonly name: string;
  readonly keys: readonly string[];
  readonly values: readonly string[];
  /** ms since epoch (virtual or real clock). */
  readonly at: number;
  /** Manager read classes from `Privilege:` (`call`, `dialplan`, ...), for per-session filtering. */
  readonly classes: readonly string[];
}

/** Builds an ordered key/value list without intermediate objects. */
export class AmiFields {
  readonly keys: string[] = [];
  readonly values: string[] = [];

  add(key: string, value: string | number): this {
    this.keys.push(key);
    this.values.push(String(value));
    return this;
  }

  addAll(keys: readonly string[], values: readonly string[]): this {
    for (let i = 0; i < keys.length; i++) {
      this.keys.push(keys[i]);
      this.values.push(values[i]);
    }
    return this;
  }
}

const LINE_BREAKS = /[\r\n\0]/g;

/**
 * `Key: Value` lines closed by an empty line. A CR, LF or NUL inside a value would
 * let a client-supplied string (a Setvar value, an Originate variable) inject headers
 * or whole messages into every session, so they are replaced by spaces.
 */
export function formatMessage(keys: readonly string[], values: readonly string[]): string {
  let out = '';
  for (let i = 0; i < keys.length; i++) {
    const v = values[i];
    out += keys[i] + ': ' + (LINE_BREAKS.test(v) ? v.replace(LINE_BREAKS, ' ') : v) + '\r\n';
    LINE_BREAKS.lastIndex = 0;
  }
  return out + '\r\n';
}

/** `<epoch seconds>.<microseconds>`, the form of `Timestamp:` and Ping's reply. */
export function formatEpochMicro(ms: number): string {
  const whole = Math.floor(ms);
  const micro = Math.round((ms - whole) * 1000);
  const sec = Math.floor(whole / 1000);
  return `${sec}.${String((whole - sec * 1000) * 1000 + micro).padStart(6, '0')}`;
}

/**
 * Wire form of an event. With `timestampevents = yes` Asterisk puts `Timestamp:` as
 * the third line (after `Privilege:`) of every event except `FullyBooted`.
 */
export function formatEvent(event: AmiEvent, timestamps: boolean): string {
  if (!timestamps || event.name === 'FullyBooted' || event.keys[1] !== 'Privilege') {
    return formatMessage(event.keys, event.values);
  }
  const keys = [event.keys[0], event.keys[1], 'Timestamp', ...event.keys.slice(2)];
  const values = [event.values[0], event.values[1], formatEpochMicro(event.at), ...event.values.slice(2)];
  return formatMessage(keys, values);
}

/** `call,all` -> `['call']`. */
export function privilegeClasses(privilege: string): string[] {
  return privilege.split(',').filter((c) => c !== 'all' && c !== '');
}
