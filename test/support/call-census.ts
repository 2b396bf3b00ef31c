import { SeededRandom } from '@app/ami';
import { RealClock } from '../../apps/pbx-sim/src/clock/sim-clock';
import { CallPlacer } from '../../apps/pbx-sim/src/engine/call-placer';
import type { SimCall } from '../../apps/pbx-sim/src/engine/pbx-engine';
import type { PbxSim } from '../../apps/pbx-sim/src/pbx-sim';
import { playedStatus } from '../../apps/pbx-sim/src/traffic/played-status';
import { TrafficGenerator } from '../../apps/pbx-sim/src/traffic/traffic-generator';
import { resolveProfile, type TrafficProfile } from '../../apps/pbx-sim/src/traffic/traffic-profile';
import { eventually } from './calls-e2e';
import { query } from './test-database';

/** A PBX's stored call as the fault tests count it against the simulator's own list. */
export interface CensusCall extends Record<string, unknown> {
  linkedid: string;
  status: string;
  direction: string;
  started_at: Date;
  answered_at: Date | null;
  ended_at: Date | null;
  end_source: string | null;
  /** `ended` timeline steps: exactly one per ended call. */
  end_steps: number;
}

export function censusOf(database: string, pbxId: string): Promise<CensusCall[]> {
  return query<CensusCall>(
    database,
    `SELECT c.linkedid, c.status, c.direction, c.started_at, c.answered_at, c.ended_at, c.end_source,
            (SELECT count(*)::int FROM call_events e WHERE e.call_id = c.id AND e.type = 'ended') AS end_steps
     FROM calls c WHERE c.pbx_id = $1`,
    [pbxId],
  );
}

/**
 * The census once `expected` calls are stored and every one has ended with a known end (none
 * left unobserved: the CDR completes those); after `timeoutMs` whatever is stored, for the
 * assertions to say what is missing.
 */
export function settledCensus(database: string, pbxId: string, expected: number, timeoutMs: number): Promise<CensusCall[]> {
  return eventually(
    `the ${expected} calls stored and ended`,
    async () => {
      const rows = await censusOf(database, pbxId);
      return rows.length >= expected && rows.every((r) => r.ended_at !== null && r.end_source !== 'unobserved') ? rows : undefined;
    },
    timeoutMs,
    200,
  ).catch(() => censusOf(database, pbxId));
}

/** The calls whose stored start or end is more than a second from the simulator's. */
export function timesOff(stored: CensusCall[], truth: ReadonlyMap<string, SimCall>): Array<CensusCall & { startOffMs: number; endOffMs: number }> {
  return stored
    .map((r) => ({ ...r, startOffMs: r.started_at.getTime() - truth.get(r.linkedid)!.startedAt, endOffMs: r.ended_at!.getTime() - truth.get(r.linkedid)!.endedAt! }))
    .filter((r) => Math.abs(r.startOffMs) > 1000 || Math.abs(r.endOffMs) > 1000);
}

/** Generated pbx-sim traffic with what the tests count it by: the status each call played and the simulator's own record of it. */
export interface RecordedTraffic {
  traffic: TrafficGenerator;
  played: Map<string, string>;
  /** The direction each call has by its kind (a queue call is inbound). */
  directions: Map<string, string>;
  truth: Map<string, SimCall>;
  /** Resolves once every call placed so far has ended in the simulator. */
  allEnded(): Promise<unknown>;
}

export function recordedTraffic(sim: PbxSim, seed: number, profile: Partial<TrafficProfile>): RecordedTraffic {
  const played = new Map<string, string>();
  const directions = new Map<string, string>();
  const truth = new Map<string, SimCall>();
  const ended: Promise<unknown>[] = [];
  const traffic = new TrafficGenerator(sim.engine, new CallPlacer(sim.engine), resolveProfile({ maxConcurrent: 1_000_000, ...profile }), new SeededRandom(seed), new RealClock(), (call, req) => {
    played.set(call.linkedid, playedStatus(req));
    directions.set(call.linkedid, req.kind === 'queue' ? 'inbound' : req.kind);
    ended.push(call.done.then((c) => truth.set(c.linkedid, c)));
  });
  return { traffic, played, directions, truth, allEnded: () => Promise.all(ended) };
}
