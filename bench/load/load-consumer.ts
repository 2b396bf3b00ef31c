import type { SimWorker } from './sim-worker';

/** `first`: the call is visible at all (its first write); `end`: it is visible as ended. */
export type CallPhase = 'first' | 'end';

/** What a consumer holds for one Linkedid once everything settled. */
export interface CallCensus {
  /** Copies of the call (rows in `calls`; for the tracker, 1 once it saw the call). */
  copies: number;
  ended: boolean;
  /** How often its end was recorded (`ended` timeline steps; tracker `ended` events). */
  endSteps: number;
  /** Final status (`answered`, `missed`, ...), null while not ended. */
  status: string | null;
}

/** Resources used since the previous take. */
export interface ConsumerUsage {
  cpuMs: number | null;
  peakRssBytes: number;
  /** CPU of the PostgreSQL backends serving it, when PostgreSQL runs on this machine. */
  postgresCpuMs: number | null;
  /** CPU the measurement itself took outside the consumer (the bench process and its poll backend); null when the bench is the consumer. */
  observerCpuMs: number | null;
}

/** What the load bench drives with the simulator's traffic and then checks against it. */
export interface LoadConsumer {
  readonly name: 'tracker' | 'server';
  /** One sentence for the report: what runs where. */
  readonly description: string;
  /** Resolves once it is logged in to the simulator's AMI with events on. */
  start(port: number, sim: SimWorker): Promise<void>;
  /** The simulator sent the event after which `phase` of this (sampled) call must become visible. */
  expect(linkedid: string, phase: CallPhase, sentAt: number): void;
  /** When `phase` of the call was first seen visible (ms since epoch), if it was. */
  observedAt(linkedid: string, phase: CallPhase): number | undefined;
  /** Calls seen ended so far (the drain waits for this to reach the calls placed). */
  endedCount(): Promise<number>;
  census(): Promise<Map<string, CallCensus>>;
  takeUsage(): Promise<ConsumerUsage>;
  /** What went wrong so far (a lost AMI connection, warnings and errors the server logged). */
  problems(): string[];
  /** A reason the run cannot go on (the server exited), or null. */
  fatal(): string | null;
  /** `hurry`: the run was interrupted, nothing it still holds matters. */
  stop(hurry: boolean): Promise<void>;
}
