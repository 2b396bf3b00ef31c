/**
 * The realtime bench's handle on pbx-sim in a child process (realtime-sim-main.ts): its own
 * event loop and CPU account. The child plays an office of `operators` phones; `run` places
 * generated calls for a while, waits until every call has hung up and answers with when each
 * phone started ringing (the AMI event the popup follows from) and which calls were placed.
 */
import { resolve } from 'node:path';
import type { DidTarget, PbxConfig } from '../../apps/pbx-sim/src/engine/pbx-config';
import type { TrafficProfile } from '../../apps/pbx-sim/src/traffic/traffic-profile';
import { SimChild } from '../sim-child';

export const SIM_USER = { username: 'bench', secret: 'bench-secret' };

/** Extensions 2001, 2002, ...; operator i owns extension FIRST_EXTENSION + i and DID didOf(i). */
export const FIRST_EXTENSION = 2001;
export const QUEUE_DID = '74950000000';
export const didOf = (index: number): string => `7495100${String(index).padStart(4, '0')}`;

/** Short calls, as in bench:load: at 100 calls/s a few hundred are up at once. Holds last 3-20 s: left out. */
export const OFFICE_TRAFFIC: Partial<TrafficProfile> = {
  maxConcurrent: 1_000_000,
  kinds: { inbound: 7, outbound: 0, internal: 1, queue: 2 },
  ringMs: { min: 300, max: 1500 },
  talkMs: { median: 2000, sigma: 0.5, min: 500, max: 8000 },
  operations: { blindTransfer: 0.03, attendedTransfer: 0.02, hold: 0, record: 0.05 },
};

/** The office's PBX: the operators' phones, a DID each, the `support` queue of the first ones. */
export function officeConfig(office: SimOffice): Partial<PbxConfig> {
  const extensions = Array.from({ length: office.operators }, (_, i) => ({ number: String(FIRST_EXTENSION + i), name: `Operator ${i + 1}` }));
  const dids: Record<string, DidTarget> = Object.fromEntries(extensions.map((e, i) => [didOf(i), { extension: e.number }]));
  dids[QUEUE_DID] = { queue: 'support' };
  return {
    extensions,
    dids,
    queues: [{ name: 'support', members: extensions.slice(0, office.queueMembers).map((e) => e.number), memberTimeoutMs: 15_000, retryMs: 2_000 }],
    recordingsPath: null,
    inboundDialTimeoutSec: 5,
    internalDialTimeoutSec: 5,
  };
}

export interface SimOffice {
  operators: number;
  /** Members of the ring-all `support` queue: the first operators. */
  queueMembers: number;
  seed: number;
}

/** `[linkedid, channel, extension, ms since epoch]`: the first event saying the phone rings, when the simulator sent it. */
export type Ring = [linkedid: string, channel: string, extension: string, at: number];

export interface SimRunResult {
  rings: Ring[];
  /** Linkedids of the calls placed, with the time the traffic placed them. */
  placed: Array<[linkedid: string, at: number]>;
  events: number;
  cpuMs: number;
}

export type ToRealtimeSim = { type: 'run'; cps: number; seconds: number } | { type: 'exit' };
export type FromRealtimeSim = { type: 'ready'; port: number } | ({ type: 'done' } & SimRunResult) | { type: 'failed'; message: string };

export class RealtimeSim {
  private constructor(private readonly child: SimChild<ToRealtimeSim, FromRealtimeSim>) {}

  static async start(office: SimOffice): Promise<{ sim: RealtimeSim; port: number }> {
    const { child, ready } = await SimChild.start<ToRealtimeSim, FromRealtimeSim>(resolve(__dirname, 'realtime-sim-main.ts'), office);
    return { sim: new RealtimeSim(child), port: ready.port };
  }

  get pid(): number {
    return this.child.pid;
  }

  /** Places calls at `cps` for `seconds`, then resolves once every call has hung up. */
  async run(cps: number, seconds: number): Promise<SimRunResult> {
    this.child.send({ type: 'run', cps, seconds });
    const { type: _type, ...result } = await this.child.answer('done', (seconds + 120) * 1000);
    return result;
  }

  exit(): Promise<void> {
    return this.child.exit({ type: 'exit' });
  }
}
