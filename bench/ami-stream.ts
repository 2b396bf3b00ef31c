import { readFileSync } from 'node:fs';
import { amiFixturePath } from '@app/ami/testing';
import { SeededRandom } from '@app/ami';

/**
 * A large AMI event stream shaped like the real captures: the events of the
 * captured call scenarios, with every Uniqueid/Linkedid, channel suffix and
 * bridge id renumbered per call so that no two calls share an identifier, and
 * many calls in progress at once (their messages interleaved, as on a busy PBX).
 */
const TEMPLATES = [
  'internal_answered',
  'inbound_answered',
  'inbound_no_answer',
  'inbound_busy',
  'inbound_abandoned',
  'outbound_answered',
  'blind_transfer_redirect',
  'mixmonitor_ami',
  'originate_click_to_call',
  'hold_redirect_bridge',
];

/** Identifiers that make a call distinct: bridge UUIDs, Uniqueid-like ids, channel name suffixes. */
const TOKEN = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\b\d{10}\.\d+\b|(?<=[A-Za-z0-9]-)[0-9a-f]{8}\b/g;

interface Template {
  name: string;
  /** Per message: literal pieces around token slots (`pieces.length === slots.length + 1`). */
  messages: Array<{ pieces: string[]; slots: number[] }>;
  /** Kind of each distinct token (decides how a fresh value looks). */
  slotKinds: Array<'uuid' | 'uniqueid' | 'suffix'>;
}

function loadTemplate(name: string): Template {
  const text = readFileSync(amiFixturePath(`${name}.ami`), 'latin1');
  const frames = text.slice(text.indexOf('\r\n') + 2).split('\r\n\r\n');
  const slotOf = new Map<string, number>();
  const slotKinds: Template['slotKinds'] = [];
  const messages: Template['messages'] = [];
  for (const frame of frames) {
    // Only events: the lab's login answer, action responses and FullyBooted are not call traffic.
    if (!frame.startsWith('Event: ') || frame.startsWith('Event: FullyBooted')) continue;
    const pieces: string[] = [];
    const slots: number[] = [];
    let last = 0;
    for (const m of frame.matchAll(TOKEN)) {
      let slot = slotOf.get(m[0]);
      if (slot === undefined) {
        slot = slotKinds.length;
        slotOf.set(m[0], slot);
        slotKinds.push(m[0].length === 36 ? 'uuid' : m[0].includes('.') ? 'uniqueid' : 'suffix');
      }
      pieces.push(frame.slice(last, m.index));
      slots.push(slot);
      last = m.index! + m[0].length;
    }
    pieces.push(frame.slice(last) + '\r\n\r\n');
    messages.push({ pieces, slots });
  }
  return { name, messages, slotKinds };
}


export interface AmiStreamOptions {
  /** Calls in progress at once (default 50). */
  concurrentCalls?: number;
  seed?: number;
}

/**
 * Produces the stream in pieces of about `batchEvents` events, so a long run can be
 * served without holding it all in memory. Call numbering continues across batches.
 */
export class AmiStreamGenerator {
  private readonly templates = TEMPLATES.map(loadTemplate);
  private readonly random: () => number;
  private readonly concurrent: number;
  private readonly active: Array<{ template: Template; values: string[]; next: number }> = [];
  private nextId = 1;
  private calls = 0;

  constructor(options: AmiStreamOptions = {}) {
    const rng = new SeededRandom(options.seed ?? 20261126);
    this.random = () => rng.next();
    this.concurrent = options.concurrentCalls ?? 50;
  }

  /** Calls started so far. */
  get callsStarted(): number {
    return this.calls;
  }

  /** The next `events` events (each `Event: ...` message counts one). */
  next(events: number): Buffer {
    const out: string[] = [];
    for (let n = 0; n < events; n++) {
      while (this.active.length < this.concurrent) this.active.push(this.startCall());
      out.push(this.step());
    }
    return Buffer.from(out.join(''), 'latin1');
  }

  /** The rest of every call in progress, starting none: after it the stream has no call left open. */
  finish(): Buffer {
    const out: string[] = [];
    while (this.active.length > 0) out.push(this.step());
    return Buffer.from(out.join(''), 'latin1');
  }

  /** The next message of a call in progress picked at random. */
  private step(): string {
    const i = Math.floor(this.random() * this.active.length);
    const call = this.active[i];
    const { pieces, slots } = call.template.messages[call.next++];
    let text = pieces[0];
    for (let s = 0; s < slots.length; s++) text += call.values[slots[s]] + pieces[s + 1];
    if (call.next === call.template.messages.length) this.active.splice(i, 1);
    return text;
  }

  private startCall() {
    const template = this.templates[this.calls % this.templates.length];
    this.calls += 1;
    const values = template.slotKinds.map((kind) => this.freshValue(kind));
    return { template, values, next: 0 };
  }

  private freshValue(kind: 'uuid' | 'uniqueid' | 'suffix'): string {
    const id = this.nextId++;
    if (kind === 'uniqueid') return `${1800000000 + Math.floor(id / 100000)}.${id}`;
    const hex = id.toString(16).padStart(12, '0');
    return kind === 'suffix' ? hex.slice(-8) : `00000000-0000-4000-8000-${hex}`;
  }
}
