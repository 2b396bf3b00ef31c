import type { CallCensus, CallPhase, LoadConsumer } from './load-consumer';
import type { SimCallFacts } from './sim-worker';


interface SentEvent {
  linkedid: string;
  phase: CallPhase;
  at: number;
  /** Step during which the simulator sent it (the load it met). */
  step: number;
}

export interface StepDelays {
  /** Sent-to-visible delays in ms, sorted. */
  delays: number[];
  /** Sampled events never seen visible. */
  unseen: number;
}

export interface StepTally {
  placed: number;
  /** In the consumer exactly once, ended once. */
  once: number;
  missing: number;
  duplicated: number;
  notEnded: number;
  /** Held once and ended, but with a final status other than the one the simulator played. */
  wrongStatus: number;
}

/**
 * The simulator's own account of the run (every call it placed, per step) and the
 * sampled events whose visibility the consumer must show: what the consumer holds
 * is checked against this, never against the consumer's own counts.
 *
 * The simulator samples the calls (about `sampleCps` a second); each sampled call yields
 * two events to see: its first write and its end.
 */
export class CallBook {
  /** Linkedid -> the rate step it was placed in and the final status its script must end in. */
  readonly placed = new Map<string, { step: number; status: string }>();
  private readonly sent: SentEvent[] = [];
  private readonly placedInStep: number[];

  constructor(
    rates: readonly number[],
    private readonly consumer: LoadConsumer,
  ) {
    this.placedInStep = rates.map(() => 0);
  }

  /** Epoch 1 is the first rate step; the epoch after the last step is the drain. */
  add(facts: SimCallFacts): void {
    const step = facts.epoch - 1;
    for (const [linkedid, status] of facts.placed) {
      this.placedInStep[step]++;
      this.placed.set(linkedid, { step, status });
    }
    for (const [linkedid, at] of facts.firstWrites) this.sentEvent(linkedid, 'first', at, step);
    for (const [linkedid, at] of facts.ends) this.sentEvent(linkedid, 'end', at, step);
  }

  get total(): number {
    return this.placed.size;
  }

  placedIn(step: number): number {
    return this.placedInStep[step] ?? 0;
  }

  /** Delays of the sampled events sent during `step`, as far as the consumer has shown them. */
  delays(step: number): StepDelays {
    const delays: number[] = [];
    let unseen = 0;
    for (const e of this.sent) {
      if (e.step !== step) continue;
      const seen = this.consumer.observedAt(e.linkedid, e.phase);
      if (seen === undefined) unseen++;
      else delays.push(seen - e.at);
    }
    return { delays: delays.sort((a, b) => a - b), unseen };
  }

  /** Sampled events (of any step) not visible yet. */
  unseen(): number {
    let n = 0;
    for (const e of this.sent) if (this.consumer.observedAt(e.linkedid, e.phase) === undefined) n++;
    return n;
  }

  /** Sampled events of `step` sent more than `ms` ago and still not visible. */
  overdue(step: number, ms: number, now = Date.now()): number {
    let n = 0;
    for (const e of this.sent) if (e.step === step && e.at < now - ms && this.consumer.observedAt(e.linkedid, e.phase) === undefined) n++;
    return n;
  }

  tally(step: number, census: Map<string, CallCensus>): StepTally {
    const t: StepTally = { placed: 0, once: 0, missing: 0, duplicated: 0, notEnded: 0, wrongStatus: 0 };
    for (const [linkedid, call] of this.placed) {
      if (call.step !== step) continue;
      t.placed++;
      const held = census.get(linkedid);
      if (!held) t.missing++;
      else if (held.copies > 1 || held.endSteps > 1) t.duplicated++;
      else if (!held.ended || held.endSteps === 0) t.notEnded++;
      else {
        t.once++;
        if (held.status !== call.status) t.wrongStatus++;
      }
    }
    return t;
  }

  /** Calls the consumer holds that the simulator never placed. */
  unexpected(census: Map<string, CallCensus>): string[] {
    return [...census.keys()].filter((linkedid) => !this.placed.has(linkedid));
  }

  /** Placed calls the consumer does not hold once, ended, with the status played (for the log). */
  faulty(census: Map<string, CallCensus>): string[] {
    const out: string[] = [];
    for (const [linkedid, call] of this.placed) {
      const held = census.get(linkedid);
      if (!held) out.push(`${linkedid} (missing)`);
      else if (held.copies !== 1 || held.endSteps !== 1 || !held.ended) out.push(`${linkedid} (${held.copies} copies, ${held.endSteps} ends)`);
      else if (held.status !== call.status) out.push(`${linkedid} (${held.status}, played ${call.status})`);
    }
    return out;
  }

  private sentEvent(linkedid: string, phase: CallPhase, at: number, step: number): void {
    this.sent.push({ linkedid, phase, at, step });
    this.consumer.expect(linkedid, phase, at);
  }
}
