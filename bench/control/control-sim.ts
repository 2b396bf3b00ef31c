/**
 * The control bench's handle on pbx-sim in a child process (control-sim-main.ts): the realtime
 * bench's office with background traffic on request, plus calls of the bench's own, placed one
 * by one, that talk until the CRM ends them and whose transfer target answers.
 */
import { resolve } from 'node:path';
import type { SimOffice } from '../realtime/realtime-sim';
import { SimChild } from '../sim-child';

export type ToControlSim =
  | { type: 'traffic'; cps: number }
  | { type: 'place'; id: number; agent: string; target: string }
  | { type: 'stop' }
  | { type: 'exit' };

export type FromControlSim =
  | { type: 'ready'; port: number }
  | { type: 'placed'; id: number; linkedid: string }
  | { type: 'stopped'; placed: number; cpuMs: number }
  | { type: 'failed'; message: string };

export class ControlSim {
  private nextId = 0;
  private readonly waiting = new Map<number, (linkedid: string) => void>();

  private constructor(private readonly child: SimChild<ToControlSim, FromControlSim>) {
    child.child.on('message', (m: FromControlSim) => {
      if (m.type !== 'placed') return;
      this.waiting.get(m.id)?.(m.linkedid);
      this.waiting.delete(m.id);
    });
  }

  static async start(office: SimOffice): Promise<{ sim: ControlSim; port: number }> {
    const { child, ready } = await SimChild.start<ToControlSim, FromControlSim>(resolve(__dirname, 'control-sim-main.ts'), office);
    return { sim: new ControlSim(child), port: ready.port };
  }

  get pid(): number {
    return this.child.pid;
  }

  /** Starts the background traffic (Poisson arrivals at `cps`). */
  traffic(cps: number): void {
    this.child.send({ type: 'traffic', cps });
  }

  /** An inbound call to `agent`'s DID, answered at once; `target` answers when the call is transferred to it. Resolves with its Linkedid. */
  place(agent: string, target: string): Promise<string> {
    const id = ++this.nextId;
    return new Promise((done) => {
      this.waiting.set(id, done);
      this.child.send({ type: 'place', id, agent, target });
    });
  }

  /** Stops the traffic; resolves with the calls it placed and the simulator's CPU time. */
  async stop(): Promise<{ placed: number; cpuMs: number }> {
    this.child.send({ type: 'stop' });
    const { placed, cpuMs } = await this.child.answer('stopped', 30_000);
    return { placed, cpuMs };
  }

  exit(): Promise<void> {
    return this.child.exit({ type: 'exit' });
  }
}
