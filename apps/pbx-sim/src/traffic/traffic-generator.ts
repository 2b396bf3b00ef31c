import type { SimClock, SimTimer } from '../clock/sim-clock';
import type { SeededRandom } from '@app/ami';
import type { PbxEngine } from '../engine/pbx-engine';
import type { CallKind, CallOutcome, CallPlacer, PlaceCallRequest, PlacedCall } from '../engine/call-placer';
import type { TrafficProfile } from './traffic-profile';
import { destinationMembers, shortestRingSec } from '../engine/freepbx-dialplan';

const MAX_BURST = 16;

export interface TrafficStats {
  placed: number;
  skipped: number;
  failedToPlace: number;
  byKind: Record<string, number>;
  byOutcome: Record<string, number>;
}

/**
 * Places calls from a traffic profile on the simulator's clock: exponential gaps
 * between arrivals, each call's kind, outcome and timings drawn from the seeded PRNG.
 */
export class TrafficGenerator {
  readonly stats: TrafficStats = { placed: 0, skipped: 0, failedToPlace: 0, byKind: {}, byOutcome: {} };
  private timer: SimTimer | null = null;
  private running = false;
  /** When the next call is due; arrivals follow this timeline so late timers do not lower the rate. */
  private nextAt = 0;

  constructor(
    private readonly engine: PbxEngine,
    private readonly placer: CallPlacer,
    private profile: TrafficProfile,
    private readonly rng: SeededRandom,
    private readonly clock: SimClock,
    private readonly onCall: (call: PlacedCall, req: PlaceCallRequest) => void = () => undefined,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.nextAt = this.clock.now();
    this.scheduleNext();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = null;
  }

  /** Changes the profile (e.g. a rising call rate in a load test); the next gap uses it. */
  setProfile(profile: TrafficProfile): void {
    this.profile = profile;
    if (this.running) {
      this.timer?.cancel();
      this.nextAt = this.clock.now();
      this.scheduleNext();
    }
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Draws one call from the profile (also used to place a single random call). */
  nextRequest(): PlaceCallRequest {
    const p = this.profile;
    const r = this.rng;
    const kind = r.weighted(p.kinds) as CallKind;
    let outcome = r.weighted(p.outcomes) as CallOutcome;
    const exts = this.engine.config.extensions.filter((e) => e.registered !== false).map((e) => e.number);
    const ringMs = r.int(p.ringMs.min, p.ringMs.max);
    const talkMs = Math.round(Math.min(p.talkMs.max, Math.max(p.talkMs.min, r.logNormal(p.talkMs.median, p.talkMs.sigma))));
    const hangupBy = r.next() < p.callerHangsUp ? 'caller' : 'callee';
    const external = r.pick(p.externalNumbers);
    const req: PlaceCallRequest = { kind, outcome, ringMs, talkMs, hangupBy };
    switch (kind) {
      case 'inbound': {
        // An extension's DID, or (with a FreePBX profile) a ring group's or a follow-me's, answered by one of its phones.
        const routes = this.freepbxRoutes(false);
        const dids = [...Object.entries(this.engine.config.dids).filter(([, t]) => 'extension' in t).map(([d]) => d), ...routes.map((x) => x.did)];
        req.from = external;
        req.to = r.pick(dids);
        const route = routes.find((x) => x.did === req.to);
        if (route) {
          req.answeredBy = r.pick(route.members);
          // Each phone answers (or refuses) within its stage, so the call plays the outcome drawn.
          req.ringMs = Math.min(ringMs, route.ringLimitMs);
        }
        break;
      }
      case 'queue': {
        // The lab's queue, or (with a FreePBX profile) a queue whose members are Local channels.
        const queues = [{ did: '', members: this.engine.config.queues[0]?.members ?? exts, ringLimitMs: Infinity }, ...this.freepbxRoutes(true)];
        const queue = queues.length > 1 ? r.pick(queues) : queues[0];
        req.from = external;
        if (queue.did) {
          req.to = queue.did;
          req.ringMs = Math.min(ringMs, queue.ringLimitMs);
        }
        req.answeredBy = r.pick(queue.members);
        if (outcome === 'busy' || outcome === 'failed') outcome = req.outcome = 'abandoned';
        break;
      }
      case 'outbound':
        req.from = r.pick(exts);
        req.to = external.startsWith('+') ? external : `+${external}`;
        break;
      case 'internal': {
        req.from = r.pick(exts);
        const others = exts.filter((e) => e !== req.from);
        req.to = others.length > 0 ? r.pick(others) : req.from;
        break;
      }
    }
    // A CRM's Redirect-based hold or transfer would tear a Local chain down: FreePBX calls only get recorded.
    if (outcome === 'answered') this.addOperations(req, exts, talkMs, this.freepbxRoutes(req.kind === 'queue').some((x) => x.did === req.to));
    return req;
  }

  /** The FreePBX profile's inbound routes to queues (or to everything else): the phones each rings, and within how long they must react. */
  private freepbxRoutes(queues: boolean): { did: string; members: string[]; ringLimitMs: number }[] {
    const profile = this.engine.config.freepbx;
    if (!profile) return [];
    return profile.routes
      .filter((x) => ('queue' in x.destination) === queues)
      .map((x) => ({ did: x.did, members: destinationMembers(profile, x.destination), ringLimitMs: shortestRingSec(profile, x.destination) * 1000 - 1000 }));
  }

  private addOperations(req: PlaceCallRequest, exts: string[], talkMs: number, recordOnly: boolean): void {
    const ops = recordOnly ? { ...this.profile.operations, blindTransfer: 0, attendedTransfer: 0, hold: 0 } : this.profile.operations;
    const r = this.rng;
    const agent = req.kind === 'inbound' ? undefined : req.from;
    const targets = exts.filter((e) => e !== agent && e !== req.to && e !== req.answeredBy);
    const roll = r.next();
    if (targets.length > 0 && roll < ops.blindTransfer) {
      req.transfer = { kind: 'blind', to: r.pick(targets), afterMs: Math.round(talkMs / 2), ringMs: r.int(1000, 4000), talkMs };
    } else if (targets.length > 0 && roll < ops.blindTransfer + ops.attendedTransfer) {
      req.transfer = { kind: 'attended', to: r.pick(targets), afterMs: Math.round(talkMs / 2), ringMs: r.int(1000, 4000), talkMs };
    }
    if (!req.transfer && r.next() < ops.hold) req.hold = { afterMs: Math.round(talkMs / 3), durationMs: r.int(3000, 20000) };
    if (r.next() < ops.record) req.record = { afterMs: Math.round(talkMs / 4), durationMs: Math.round(talkMs / 2) };
    // A held call ends after the hold; the endpoint's talk timer runs from the answer.
    if (req.hold) req.talkMs = talkMs + req.hold.durationMs;
  }

  private scheduleNext(): void {
    if (!this.running || this.profile.cps <= 0) return;
    this.nextAt += this.rng.exponential(1000 / this.profile.cps);
    this.timer = this.clock.setTimer(Math.max(0, this.nextAt - this.clock.now()), () => this.due());
  }

  /**
   * Places the call that is due and a few that fell due while the timer was late, then
   * waits for the next; a small cap keeps a late timer from turning into a long burst
   * that blocks the event loop (an overloaded simulator falls behind instead of stalling).
   */
  private due(): void {
    const now = this.clock.now();
    for (let burst = 0; this.running && burst < MAX_BURST; burst++) {
      this.arrive();
      const next = this.nextAt + this.rng.exponential(1000 / this.profile.cps);
      if (next > now) {
        this.timer = this.clock.setTimer(next - now, () => this.due());
        this.nextAt = next;
        return;
      }
      this.nextAt = next;
    }
    if (this.running) this.scheduleNext();
  }

  private arrive(): void {
    if (this.engine.stats.activeCalls >= this.profile.maxConcurrent) {
      this.stats.skipped++;
      return;
    }
    const req = this.nextRequest();
    try {
      const call = this.placer.place(req);
      this.stats.placed++;
      this.stats.byKind[req.kind] = (this.stats.byKind[req.kind] ?? 0) + 1;
      this.stats.byOutcome[req.outcome ?? 'answered'] = (this.stats.byOutcome[req.outcome ?? 'answered'] ?? 0) + 1;
      this.onCall(call, req);
    } catch (err) {
      this.stats.failedToPlace++;
      this.engine.reportError(err as Error);
    }
  }
}
