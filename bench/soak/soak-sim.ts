/**
 * The soak's handle on pbx-sim in a child process (soak-sim-main.ts): traffic started once and
 * left running, counters on request, and at the end the simulator's own list of the calls placed.
 */
import { resolve } from 'node:path';
import type { SimOffice } from '../realtime/realtime-sim';
import { SimChild } from '../sim-child';

/** `[linkedid, started at, ended at, kind]` (ms since epoch) as the simulator recorded the call, and the kind of call placed. */
export type SimTruth = [linkedid: string, startedAt: number, endedAt: number, kind: string];

export interface SimStats {
  /** Calls placed so far (ended + open). */
  placed: number;
  open: number;
  /** AMI events the engine made. */
  events: number;
  cpuMs: number;
}

export type ToSoakSim = { type: 'start'; cps: number } | { type: 'stats' } | { type: 'stop' } | { type: 'exit' };
/** The office, and the database (on the server DB_HOST names) where the simulator writes its CDR as cdr_pgsql would. */
export type SoakOffice = SimOffice & { cdrDatabase: string };

export type FromSoakSim = { type: 'ready'; port: number; cdrUrl: string } | ({ type: 'stats' } & SimStats) | { type: 'done'; truth: SimTruth[] } | { type: 'failed'; message: string };

export class SoakSim {
  private constructor(private readonly child: SimChild<ToSoakSim, FromSoakSim>) {}

  static async start(office: SoakOffice): Promise<{ sim: SoakSim; port: number; cdrUrl: string }> {
    const { child, ready } = await SimChild.start<ToSoakSim, FromSoakSim>(resolve(__dirname, 'soak-sim-main.ts'), office);
    return { sim: new SoakSim(child), port: ready.port, cdrUrl: ready.cdrUrl };
  }

  get pid(): number {
    return this.child.pid;
  }

  start(cps: number): void {
    this.child.send({ type: 'start', cps });
  }

  async stats(): Promise<SimStats> {
    this.child.send({ type: 'stats' });
    const { type: _type, ...stats } = await this.child.answer('stats', 30_000);
    return stats;
  }

  /** Stops placing calls; resolves once every call has hung up, with the simulator's list. */
  async stop(): Promise<SimTruth[]> {
    this.child.send({ type: 'stop' });
    return (await this.child.answer('done', 300_000)).truth;
  }

  exit(): Promise<void> {
    return this.child.exit({ type: 'exit' });
  }
}
