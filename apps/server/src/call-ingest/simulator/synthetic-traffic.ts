import { type AmiMessage, SeededRandom } from '@app/ami';
import { SyntheticInboundCall } from './synthetic-inbound-call';

export interface SyntheticTrafficOptions {
  pbxId: string;
  calls: number;
  /** New calls per second of PBX time. */
  callsPerSecond: number;
  /** PBX time of the first call (ms since epoch). */
  startAt: number;
  extensions: string[];
  callers: string[];
  /** `VarSet` events per call phase: with 18 a call is about 50 AMI events, like the captures' mix. */
  varSetsPerPhase?: number;
  seed?: number;
}

export interface SyntheticTraffic {
  /** Every message, in PBX time order (interleaved across calls). */
  messages: AmiMessage[];
  /** How each call ends, by Linkedid. */
  outcomes: Map<string, 'answered' | 'missed' | 'abandoned'>;
}


/**
 * Many overlapping inbound calls in PBX time order: 70% answered and hung up, 20% missed
 * at the Dial timeout, 10% abandoned while ringing. For benchmarks and load tests.
 */
export function syntheticTraffic(options: SyntheticTrafficOptions): SyntheticTraffic {
  const rng = new SeededRandom(options.seed ?? 1);
  const rnd = () => rng.next();
  const steps: Array<{ at: number; order: number; messages: AmiMessage[] }> = [];
  const outcomes = new Map<string, 'answered' | 'missed' | 'abandoned'>();
  let order = 0;
  for (let i = 0; i < options.calls; i++) {
    const start = options.startAt + Math.floor((i * 1000) / options.callsPerSecond);
    const call = new SyntheticInboundCall({
      pbxId: options.pbxId,
      sequence: i,
      epochSeconds: Math.floor(options.startAt / 1000),
      caller: options.callers[Math.floor(rnd() * options.callers.length)],
      did: '74959876543',
      extension: options.extensions[Math.floor(rnd() * options.extensions.length)],
      varSetsPerPhase: options.varSetsPerPhase,
    });
    const ring = 1000 + Math.floor(rnd() * 5000);
    const roll = rnd();
    steps.push({ at: start, order: order++, messages: call.ring(start) });
    if (roll < 0.7) {
      const answered = start + ring;
      const ended = answered + 5000 + Math.floor(rnd() * 55000);
      steps.push({ at: answered, order: order++, messages: call.answer(answered) });
      steps.push({ at: ended, order: order++, messages: call.hangup(ended, rnd() < 0.5 ? 'caller' : 'agent') });
      outcomes.set(call.linkedid, 'answered');
    } else if (roll < 0.9) {
      steps.push({ at: start + 6000, order: order++, messages: call.noAnswer(start + 6000) });
      outcomes.set(call.linkedid, 'missed');
    } else {
      steps.push({ at: start + ring, order: order++, messages: call.cancel(start + ring) });
      outcomes.set(call.linkedid, 'abandoned');
    }
  }
  steps.sort((a, b) => a.at - b.at || a.order - b.order);
  return { messages: steps.flatMap((s) => s.messages), outcomes };
}
