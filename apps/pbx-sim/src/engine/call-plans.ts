import type { SeededRandom } from '@app/ami';

/** How an endpoint answers a call offered to it. */
export type LegResponse = 'answer' | 'busy' | 'noanswer' | 'congestion';

/**
 * What the phone (or the trunk's far end) behind one dialed leg does: ring for
 * `ringMs`, then answer / reject busy / fail with congestion, or ring until Asterisk
 * gives up. After answering, `hangup` says who ends the conversation after `talkMs`:
 * this endpoint (`self`), the party it talks to (`peer`), or nobody (a CRM action will).
 */
export interface LegPlan {
  response: LegResponse;
  ringMs: number;
  talkMs: number;
  hangup: 'self' | 'peer' | 'none';
}

/** Per call (Linkedid): scripted legs by peer name, used first come first served (the last one again and again). */
export interface CallPlan {
  legs: Map<string, LegPlan[]>;
  /** The caller gives up this long after ringing starts (abandoned call), else null. */
  abandonAfterRingMs: number | null;
}

export interface Range {
  min: number;
  max: number;
}

/** Behaviour of endpoints no script covers: calls the CRM originates or transfers. */
export interface DefaultBehaviour {
  answerProbability: number;
  ringMs: Range;
  /** Log-normal talk time: median and spread, clamped to min/max. */
  talkMs: { median: number; sigma: number; min: number; max: number };
  /** Probability that the answering side hangs up first. */
  calleeHangsUpProbability: number;
}

export const DEFAULT_BEHAVIOUR: DefaultBehaviour = {
  answerProbability: 0.9,
  ringMs: { min: 1000, max: 5000 },
  talkMs: { median: 45000, sigma: 0.7, min: 3000, max: 900000 },
  calleeHangsUpProbability: 0.5,
};

export class CallPlans {
  private readonly plans = new Map<string, CallPlan>();

  constructor(
    private readonly rng: SeededRandom,
    private readonly behaviour: DefaultBehaviour,
  ) {}

  set(linkedid: string, plan: CallPlan): void {
    this.plans.set(linkedid, plan);
  }

  get(linkedid: string): CallPlan | undefined {
    return this.plans.get(linkedid);
  }

  forget(linkedid: string): void {
    this.plans.delete(linkedid);
  }

  /**
   * The scripted plan for the next leg to `peer` in this call (the last one stays: a phone
   * rung again, in a queue's next round or a hunt's later stage, does what it did), else a
   * sampled default.
   */
  legPlan(linkedid: string, peer: string): LegPlan {
    const list = this.plans.get(linkedid)?.legs.get(peer);
    const scripted = list && list.length > 1 ? list.shift() : list?.[0];
    return scripted ?? this.sample();
  }

  sample(): LegPlan {
    const b = this.behaviour;
    const answers = this.rng.next() < b.answerProbability;
    const talk = Math.round(Math.min(b.talkMs.max, Math.max(b.talkMs.min, this.rng.logNormal(b.talkMs.median, b.talkMs.sigma))));
    return {
      response: answers ? 'answer' : 'noanswer',
      ringMs: this.rng.int(b.ringMs.min, b.ringMs.max),
      talkMs: talk,
      hangup: this.rng.next() < b.calleeHangsUpProbability ? 'self' : 'peer',
    };
  }
}
