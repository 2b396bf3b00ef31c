import type { PbxEngine, SimCall } from './pbx-engine';
import type { CallPlan, LegPlan } from './call-plans';
import type { SimChannel, SimPeer } from './sim-channel';
import { destinationMembers, type FreePbxRoute } from './freepbx-dialplan';

export type CallKind = 'inbound' | 'outbound' | 'internal' | 'queue';
export type CallOutcome = 'answered' | 'missed' | 'busy' | 'abandoned' | 'failed';

export interface PlaceCallRequest {
  kind: CallKind;
  /** External number (inbound/queue) or extension (outbound/internal). */
  from?: string;
  /** DID or extension (inbound), queue DID or name (queue), number (outbound), extension (internal). */
  to?: string;
  outcome?: CallOutcome;
  /** How long the callee rings before answering/rejecting, or before the caller gives up. */
  ringMs?: number;
  /** Conversation length after the answer. */
  talkMs?: number;
  hangupBy?: 'caller' | 'callee';
  /** Queue calls: the member that answers (default: the first available). */
  answeredBy?: string;
  /** A CRM operation the simulator performs on the answered call, as the CRM would over AMI. */
  transfer?: { kind: 'blind' | 'attended'; to: string; afterMs: number; ringMs?: number; talkMs?: number };
  hold?: { afterMs: number; durationMs: number };
  /** The agent's phone puts the call on hold itself (Hold / Unhold, music to the other party). */
  phoneHold?: { afterMs: number; durationMs: number };
  record?: { afterMs: number; durationMs: number };
}

export interface PlacedCall {
  linkedid: string;
  /** The first channel of the call (the caller's). */
  channel: string;
  uniqueid: string;
  /** Resolves when every channel of the call has hung up. */
  done: Promise<SimCall>;
}

/** A request the simulator cannot place, with a code the HTTP/AMI front ends map to a clear error. */
export class PlaceCallError extends Error {
  constructor(
    readonly code: 'invalid-kind' | 'invalid-number' | 'unknown-extension' | 'unknown-did' | 'invalid-option',
    message: string,
  ) {
    super(message);
  }
}

const NUMBER = /^\+?[0-9]{1,32}$/;
const DEFAULT_RING_MS = 3000;
const DEFAULT_TALK_MS = 20000;
const BUSY_REPLY_MS = 300;

/**
 * Places one scripted call: starts the caller's channel (a phone or the trunk) and
 * tells each endpoint what to do, so the resulting events are exactly those of the
 * requested outcome. Used by tests, the HTTP control endpoint, `SimPlaceCall` and
 * the traffic generator.
 */
export class CallPlacer {
  constructor(private readonly engine: PbxEngine) {}

  place(req: PlaceCallRequest): PlacedCall {
    validate(req);
    const e = this.engine;
    const outcome = req.outcome ?? 'answered';
    const ringMs = checkMs(req.ringMs, 'ringMs') ?? (outcome === 'busy' ? BUSY_REPLY_MS : DEFAULT_RING_MS);
    const talkMs = checkMs(req.talkMs, 'talkMs') ?? DEFAULT_TALK_MS;
    const hangupBy = req.hangupBy ?? 'callee';
    const { caller, exten, targets } = this.route(req);
    const plan: CallPlan = { legs: new Map(), abandonAfterRingMs: null };
    const answerer = targets.length > 1 ? (req.answeredBy ?? targets[0]) : targets[0];
    for (const target of targets) {
      const leg = legFor(outcome, target === answerer, ringMs, talkMs, hangupBy);
      plan.legs.set(target, [leg]);
    }
    if (outcome === 'abandoned' || (req.kind === 'queue' && outcome !== 'answered')) plan.abandonAfterRingMs = ringMs;
    if (req.transfer) {
      checkMs(req.transfer.afterMs, 'transfer.afterMs');
      const to = this.extension(req.transfer.to).name;
      const list = plan.legs.get(to) ?? [];
      list.push({ response: 'answer', ringMs: req.transfer.ringMs ?? 1000, talkMs: req.transfer.talkMs ?? talkMs, hangup: 'self' });
      plan.legs.set(to, list);
    }
    const ch = e.startIncoming(caller.peer, caller.num, caller.name, exten, (first) => e.plans.set(first.linkedid, plan));
    const call = e.call(ch.linkedid);
    if (!call) throw new Error(`call ${ch.linkedid} vanished`);
    if (outcome === 'answered') this.followUps(req, ch, ringMs);
    return { linkedid: ch.linkedid, channel: ch.name, uniqueid: ch.uniqueid, done: call.done };
  }

  private route(req: PlaceCallRequest): { caller: { peer: SimPeer; num: string; name: string }; exten: string; targets: string[] } {
    const e = this.engine;
    const trunk = e.peers.get(e.config.trunk) as SimPeer;
    switch (req.kind) {
      case 'inbound': {
        const from = this.number(req.from ?? '+74951234567', 'from');
        const route = this.freepbxRoute(req.to, false);
        if (route) return { caller: { peer: trunk, num: from, name: '<unknown>' }, exten: route.did, targets: route.members };
        const [did, target] = this.did(req.to ?? Object.keys(e.config.dids)[0], 'extension');
        return { caller: { peer: trunk, num: from, name: '<unknown>' }, exten: did, targets: [target] };
      }
      case 'queue': {
        const from = this.number(req.from ?? '+74951234567', 'from');
        const route = this.freepbxRoute(req.to, true);
        if (route) return { caller: { peer: trunk, num: from, name: '<unknown>' }, exten: route.did, targets: route.members };
        const [did, queue] = this.did(req.to ?? '', 'queue');
        const members = e.queueConfigs.find((q) => q.name === queue)?.members ?? [];
        return { caller: { peer: trunk, num: from, name: '<unknown>' }, exten: did, targets: members };
      }
      case 'outbound': {
        const peer = this.extension(req.from ?? e.config.extensions[0].number);
        const to = this.number(req.to ?? '84951112233', 'to');
        if (!/^(8|\+)/.test(to)) throw new PlaceCallError('invalid-number', `outbound numbers start with 8 or +, got ${to}`);
        return { caller: { peer, num: peer.callerNum, name: peer.callerName }, exten: to, targets: [e.config.trunk] };
      }
      case 'internal': {
        const peer = this.extension(req.from ?? e.config.extensions[0].number);
        const to = this.extension(req.to ?? e.config.extensions[1]?.number ?? '');
        return { caller: { peer, num: peer.callerNum, name: peer.callerName }, exten: to.name, targets: [to.name] };
      }
      default:
        throw new PlaceCallError('invalid-kind', `kind must be inbound, outbound, internal or queue`);
    }
  }

  /**
   * A FreePBX inbound route by DID (a queue call: to a queue, also by queue number): it rings
   * a ring group, a follow-me or a queue through Local channels. Undefined without such a route.
   */
  private freepbxRoute(to: string | undefined, queue: boolean): { did: string; members: string[] } | undefined {
    const profile = this.engine.config.freepbx;
    const isQueue = (r: FreePbxRoute): boolean => 'queue' in r.destination;
    const route = profile?.routes.find((r) => (r.did === to && (!queue || isQueue(r))) || (queue && 'queue' in r.destination && r.destination.queue === to));
    return profile && route ? { did: route.did, members: destinationMembers(profile, route.destination) } : undefined;
  }

  /** A DID by number, a DID routed to an extension, or a queue's DID by queue name. */
  private did(to: string, want: 'extension' | 'queue'): [string, string] {
    const dids = this.engine.config.dids;
    const direct = dids[to];
    if (direct) {
      if (want === 'extension' && 'extension' in direct) return [to, direct.extension];
      if (want === 'queue' && 'queue' in direct) return [to, direct.queue];
    }
    for (const [did, target] of Object.entries(dids)) {
      if (want === 'extension' && 'extension' in target && target.extension === to) return [did, to];
      if (want === 'queue' && 'queue' in target && target.queue === to) return [did, to];
    }
    if (want === 'queue') {
      const any = Object.entries(dids).find(([, t]) => 'queue' in t);
      if (!to && any && 'queue' in any[1]) return [any[0], any[1].queue];
    }
    throw new PlaceCallError('unknown-did', `no DID routes to ${want} ${JSON.stringify(to)}`);
  }

  private extension(value: string): SimPeer {
    const peer = this.engine.peers.get(String(value));
    if (!peer || peer.kind !== 'extension') throw new PlaceCallError('unknown-extension', `unknown extension ${JSON.stringify(value)}`);
    return peer;
  }

  private number(value: string, field: string): string {
    if (typeof value !== 'string' || !NUMBER.test(value)) throw new PlaceCallError('invalid-number', `${field} must be a phone number (digits, optional leading +)`);
    return value;
  }

  /** Transfer, hold and recording happen as the CRM would do them over AMI, once the call is answered. */
  private followUps(req: PlaceCallRequest, caller: SimChannel, ringMs: number): void {
    const e = this.engine;
    const at = (afterMs: number, fn: (remote: SimChannel, agent: SimChannel) => void): void => {
      e.timer(caller, ringMs + afterMs, () => {
        const pair = this.parties(req.kind, caller);
        if (pair) fn(pair.remote, pair.agent);
      });
    };
    if (req.transfer) {
      const t = req.transfer;
      at(t.afterMs, (remote, agent) => {
        if (t.kind === 'blind') e.control.redirect(remote, { context: 'transfer-context', exten: t.to, priority: 1 });
        else e.control.atxfer(agent, t.to, 'from-internal');
      });
    }
    if (req.hold) {
      const h = req.hold;
      checkMs(h.afterMs, 'hold.afterMs');
      checkMs(h.durationMs, 'hold.durationMs');
      at(h.afterMs, (remote, agent) => {
        e.control.dualRedirect(remote, { context: 'crm-hold', exten: 's', priority: 1 }, agent, { context: 'crm-hold-wait', exten: 's', priority: 1 });
        // Timer on the agent: if the held party hangs up, the agent still waits in crm-hold-wait and,
        // like the CRM (DESIGN.md section 5), the simulator hangs that leg up.
        e.timer(agent, h.durationMs, () => {
          if (remote.hungUp) e.control.amiHangup(agent, 16);
          else e.control.bridgeChannels(remote, agent);
        });
      });
    }
    if (req.phoneHold) {
      const h = req.phoneHold;
      checkMs(h.afterMs, 'phoneHold.afterMs');
      checkMs(h.durationMs, 'phoneHold.durationMs');
      at(h.afterMs, (_remote, agent) => {
        if (e.control.phoneHold(agent)) e.timer(agent, h.durationMs, () => e.control.phoneUnhold(agent));
      });
    }
    if (req.record) {
      const r = req.record;
      checkMs(r.afterMs, 'record.afterMs');
      checkMs(r.durationMs, 'record.durationMs');
      at(r.afterMs, (_remote, agent) => {
        e.startMixMonitor(agent, `crm-ami-${agent.uniqueid}.wav`);
        if (agent.bridge) e.setBridgeVars(agent.bridge);
        e.timer(agent, r.durationMs, () => {
          if (e.stopMixMonitor(agent, true) && agent.bridge) e.setBridgeVars(agent.bridge);
        });
      });
    }
  }

  /** The external (or calling) party and the agent's channel (the phone, past any Local pairs) of an answered call. */
  private parties(kind: CallKind, caller: SimChannel): { remote: SimChannel; agent: SimChannel } | null {
    const peer = this.engine.local.partyOf(caller);
    if (!peer) return null;
    return kind === 'inbound' || kind === 'queue' ? { remote: caller, agent: peer } : { remote: peer, agent: caller };
  }
}

const KINDS = new Set(['inbound', 'outbound', 'internal', 'queue']);
const OUTCOMES = new Set(['answered', 'missed', 'busy', 'abandoned', 'failed']);

/** Shape checks for requests that come from JSON or AMI headers. */
function validate(req: PlaceCallRequest): void {
  if (typeof req !== 'object' || req === null) throw new PlaceCallError('invalid-option', 'a call request is an object');
  if (!KINDS.has(req.kind)) throw new PlaceCallError('invalid-kind', 'kind must be inbound, outbound, internal or queue');
  if (req.outcome !== undefined && !OUTCOMES.has(req.outcome)) throw new PlaceCallError('invalid-option', 'outcome must be answered, missed, busy, abandoned or failed');
  if (req.hangupBy !== undefined && req.hangupBy !== 'caller' && req.hangupBy !== 'callee') throw new PlaceCallError('invalid-option', 'hangupBy must be caller or callee');
  for (const key of ['from', 'to', 'answeredBy'] as const) {
    const v = req[key];
    if (v !== undefined && (typeof v !== 'string' || v.length > 64)) throw new PlaceCallError('invalid-option', `${key} must be a short string`);
  }
  if (req.transfer !== undefined) {
    const t = req.transfer;
    if (typeof t !== 'object' || t === null || (t.kind !== 'blind' && t.kind !== 'attended') || typeof t.to !== 'string') {
      throw new PlaceCallError('invalid-option', 'transfer must be { kind: blind|attended, to: extension, afterMs }');
    }
  }
  for (const key of ['hold', 'phoneHold', 'record'] as const) {
    const v = req[key];
    if (v !== undefined && (typeof v !== 'object' || v === null)) throw new PlaceCallError('invalid-option', `${key} must be { afterMs, durationMs }`);
  }
}

function legFor(outcome: CallOutcome, answerer: boolean, ringMs: number, talkMs: number, hangupBy: 'caller' | 'callee'): LegPlan {
  switch (outcome) {
    case 'answered':
      return answerer
        ? { response: 'answer', ringMs, talkMs, hangup: hangupBy === 'callee' ? 'self' : 'peer' }
        : { response: 'noanswer', ringMs, talkMs, hangup: 'none' };
    case 'busy':
      return { response: 'busy', ringMs, talkMs, hangup: 'none' };
    case 'failed':
      return { response: 'congestion', ringMs: Math.min(ringMs, 500), talkMs, hangup: 'none' };
    default:
      return { response: 'noanswer', ringMs, talkMs, hangup: 'none' };
  }
}

function checkMs(value: number | undefined, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 24 * 3600_000) {
    throw new PlaceCallError('invalid-option', `${field} must be a number of milliseconds between 0 and 86400000`);
  }
  return value;
}
