import type { PbxEngine } from './pbx-engine';
import type { LegPlan } from './call-plans';
import type { SimChannel, SimPeer } from './sim-channel';
import type { SimBridge } from './sim-bridge';
import type { SimTimer } from '../clock/sim-clock';
import { AmiFields } from './ami-event';
import { LocalTarget, parseLocalTarget } from './local-channels';

/** One target of a Dial (or an Originate's channel), resolved to a peer of this PBX or a Local channel. */
export interface DialTarget {
  /** `Local/<exten>@<context>[/n]`: a Local channel pair instead of a peer. */
  local: LocalTarget | null;
  peerName: string;
  /** Undefined when no such peer exists (or the technology is not this PBX's): the leg is unavailable. */
  peer: SimPeer | undefined;
  /** What Asterisk prints as DialString / DIALEDPEERNUMBER: `1001`, `provider/84951112233`, `84951112233@provider`. */
  dialString: string;
  /** The number asked of a trunk, else null. */
  number: string | null;
}

/**
 * `SIP/1001` and `PJSIP/1001` -> phone 1001; the trunk as chan_sip writes it
 * (`SIP/provider/8495...`) or PJSIP does (`PJSIP/8495...@provider`).
 */
export function parseDialTarget(target: string, tech: string, peers: ReadonlyMap<string, SimPeer>): DialTarget {
  const local = parseLocalTarget(target);
  if (local) return { local, peerName: '', peer: undefined, dialString: local.dialString, number: null };
  const slash = target.indexOf('/');
  const dialString = slash < 0 ? '' : target.slice(slash + 1);
  const sameTech = slash > 0 && target.slice(0, slash) === tech;
  let peerName = dialString;
  let number: string | null = null;
  if (tech === 'PJSIP') {
    const at = dialString.lastIndexOf('@');
    if (at >= 0) {
      number = dialString.slice(0, at);
      peerName = dialString.slice(at + 1);
    }
  } else {
    const sep = dialString.indexOf('/');
    if (sep >= 0) {
      number = dialString.slice(sep + 1);
      peerName = dialString.slice(0, sep);
    }
  }
  return { local: null, peerName, peer: sameTech ? peers.get(peerName) : undefined, dialString, number };
}

export interface DialLeg {
  ch: SimChannel;
  target: DialTarget;
  /** What the endpoint does; null for a Local leg, which rings and answers when its `;2` half's call does. */
  plan: LegPlan | null;
  state: 'offered' | 'ringing' | 'done';
}

export interface DialRun {
  id: number;
  caller: SimChannel;
  targets: DialTarget[];
  legs: DialLeg[];
  timeoutMs: number | null;
  startedAt: number;
  firstRingAt: number | null;
  answeredAt: number | null;
  finished: boolean;
  timeout: SimTimer | null;
}

export type DialStatus = 'ANSWER' | 'BUSY' | 'NOANSWER' | 'CANCEL' | 'CONGESTION' | 'CHANUNAVAIL';

const STATUS_CAUSE: Record<Exclude<DialStatus, 'ANSWER'>, number> = {
  BUSY: 17,
  NOANSWER: 16,
  CANCEL: 16,
  CONGESTION: 34,
  CHANUNAVAIL: 20,
};

const STATUS_DISPOSITION = {
  BUSY: 'BUSY',
  NOANSWER: 'NO ANSWER',
  CANCEL: 'NO ANSWER',
  CONGESTION: 'CONGESTION',
  CHANUNAVAIL: 'FAILED',
} as const;

/** Delay between offering a call to a phone and its 180 Ringing. */
const RING_INDICATION_MS = 3;

/**
 * app_dial: offers the call to each target, reports DialBegin/DialState/DialEnd,
 * bridges the caller with the leg that answers, and sets the DIAL* variables the
 * way Asterisk 20 does. What each endpoint does (ring, answer, reject) comes from
 * the call's plan.
 */
export class DialApp {
  private readonly runs = new Map<number, DialRun>();
  private nextId = 1;

  constructor(private readonly engine: PbxEngine) {}

  exec(caller: SimChannel, data: string): 'wait' | 'next' {
    const e = this.engine;
    const [targets, timeout] = data.split(',');
    for (const v of ['DIALSTATUS', 'DIALEDPEERNUMBER', 'DIALEDPEERNAME', 'ANSWEREDTIME', 'ANSWEREDTIME_MS', 'DIALEDTIME', 'DIALEDTIME_MS', 'RINGTIME', 'RINGTIME_MS', 'PROGRESSTIME', 'PROGRESSTIME_MS']) {
      e.varSet(caller, v, '');
    }
    const run: DialRun = {
      id: this.nextId++,
      caller,
      targets: targets.split('&').map((t) => this.parseTarget(t)),
      legs: [],
      timeoutMs: timeout ? Number(timeout) * 1000 : null,
      startedAt: e.clock.now(),
      firstRingAt: null,
      answeredAt: null,
      finished: false,
      timeout: null,
    };
    this.runs.set(run.id, run);
    caller.activity = { kind: 'dialing', dialId: run.id };
    // The callee channels come a moment later, after whatever else this instant emits.
    e.timer(caller, 0, () => this.offerAll(run));
    return 'wait';
  }

  runOf(ch: SimChannel): DialRun | undefined {
    return ch.activity.kind === 'dialing' || ch.activity.kind === 'dial-bridged' ? this.runs.get(ch.activity.dialId) : undefined;
  }

  /** The leg `ch` is in some Dial, while it is still being offered. */
  legOf(ch: SimChannel): { run: DialRun; leg: DialLeg } | undefined {
    const caller = ch.dialedBy;
    const run = caller ? this.runOf(caller) : undefined;
    const leg = run?.legs.find((l) => l.ch === ch && l.state !== 'done');
    return run && leg ? { run, leg } : undefined;
  }

  /**
   * The caller's side went away while the call was ringing: its endpoint's CANCEL (an
   * abandoned call), or for a Local `;2` half its `;1` half ending with `cause` (the
   * HangupRequest already reported). The legs are cancelled with the caller's cause.
   */
  cancelByCaller(caller: SimChannel, cause: number | null = null): void {
    const run = this.runOf(caller);
    const e = this.engine;
    const hangupCause = cause ?? e.callerCancels(caller);
    if (run) this.endLegs(run, 'CANCEL', hangupCause);
    e.varSet(caller, 'DIALSTATUS', 'CANCEL');
    e.softHangupRequest(caller);
    caller.byeSent = cause === null;
    e.hangup(caller, hangupCause);
  }

  /** The Dial that rings only `one` (a Local `;1` leg): its caller hears who `one` reaches. */
  soleDialerOf(one: SimChannel): SimChannel | null {
    const found = this.legOf(one);
    return found && found.run.targets.length === 1 ? found.run.caller : null;
  }

  /** A Local leg rings (its `;2` half's call does). */
  legRinging(one: SimChannel): void {
    const found = this.legOf(one);
    if (found) this.ringing(found.run, found.leg);
  }

  /** A Local leg was answered (its `;2` half's call was). */
  legAnswered(one: SimChannel): void {
    const found = this.legOf(one);
    if (found) this.answer(found.run, found.leg);
  }

  /** The caller stops dialing for another reason (Redirect, AMI Hangup): legs cancelled, no dialplan continuation. */
  abort(caller: SimChannel): void {
    const run = this.runOf(caller);
    if (!run || run.finished) return;
    this.endLegs(run, 'CANCEL', 0);
    this.engine.varSet(caller, 'DIALSTATUS', 'CANCEL');
    caller.activity = { kind: 'none' };
  }

  /** A ringing leg was hung up from outside (AMI Hangup of the callee). */
  legHungUp(ch: SimChannel, cause: number): void {
    const found = this.legOf(ch);
    if (!found) return;
    const status: DialStatus = cause === 17 ? 'BUSY' : cause === 34 ? 'CONGESTION' : 'NOANSWER';
    this.legEnds(found.run, found.leg, status, cause);
  }

  /** The four ANSWEREDTIME/DIALEDTIME variables Dial sets when its bridge ends. */
  setTalkTimes(caller: SimChannel): void {
    const run = this.runOf(caller);
    if (!run || run.answeredAt === null) return;
    const now = this.engine.clock.now();
    const e = this.engine;
    e.varSet(caller, 'ANSWEREDTIME', String(Math.floor((now - run.answeredAt) / 1000)));
    e.varSet(caller, 'ANSWEREDTIME_MS', String(now - run.answeredAt));
    e.varSet(caller, 'DIALEDTIME', String(Math.floor((now - run.startedAt) / 1000)));
    e.varSet(caller, 'DIALEDTIME_MS', String(now - run.startedAt));
  }

  /** The bridge is over for the caller: forget the run. */
  release(caller: SimChannel): void {
    const run = this.runOf(caller);
    if (run) {
      run.finished = true;
      run.timeout?.cancel();
      this.runs.delete(run.id);
    }
    caller.activity = { kind: 'none' };
  }

  private parseTarget(target: string): DialTarget {
    return parseDialTarget(target, this.engine.dialect.tech, this.engine.peers);
  }

  private offerAll(run: DialRun): void {
    const e = this.engine;
    const { caller } = run;
    if (run.finished || caller.hungUp) return;
    for (const target of run.targets) {
      if (target.local) {
        run.legs.push(this.offerLocal(run, target, target.local));
        continue;
      }
      const peer = target.peer;
      if (!peer || !peer.registered || (peer.kind === 'trunk' && !target.number)) continue;
      run.legs.push(this.offer(run, target, peer));
    }
    if (run.legs.length === 0) {
      this.finish(run, 'CHANUNAVAIL');
      return;
    }
    if (run.timeoutMs !== null) run.timeout = e.timer(caller, run.timeoutMs, () => this.timeoutAll(run));
  }

  private offer(run: DialRun, target: DialTarget, peer: SimPeer): DialLeg {
    const e = this.engine;
    const { caller } = run;
    const trunk = peer.kind === 'trunk';
    const ch = e.newOutgoingLeg(peer, { linkedid: caller.linkedid, dialedBy: caller });
    e.varSet(ch, 'DIALEDPEERNUMBER', target.dialString);
    e.inheritVariables(caller, ch);
    ch.connectedNum = caller.callerNum;
    ch.connectedName = caller.callerName;
    if (trunk) ch.callerNum = target.number ?? '<unknown>';
    e.newexten(ch, ch.context, caller.exten, 1, 'AppDial', '(Outgoing Line)');
    if (trunk) {
      e.newCallerid(ch);
    }
    e.channelEvent('NewConnectedLine', 'call,all', ch);
    e.pairEvent('DialBegin', 'call,all', caller, ch, new AmiFields().add('DialString', target.dialString));
    // With one destination the caller hears at once whom it calls (a Local `;2` passes that on to its `;1`'s side).
    if (!trunk && run.targets.length === 1) {
      caller.connectedNum = peer.callerNum;
      caller.connectedName = peer.callerName;
      e.channelEvent('NewConnectedLine', 'call,all', caller);
      if (caller.localPeer) e.local.reaches(caller, { num: peer.callerNum, name: peer.callerName });
    }
    e.cdrs.dialed(caller, ch.name);
    const leg: DialLeg = { ch, target, plan: e.plans.legPlan(caller.linkedid, peer.name), state: 'offered' };
    this.script(run, leg);
    return leg;
  }

  /**
   * A `Local/<exten>@<context>` target: the pair (see LocalChannels), `;1` announced as
   * app_dial does an outgoing leg, whose caller id is the caller's extension with the name
   * the caller is connected to. It rings and answers when `;2`'s own call does.
   */
  private offerLocal(run: DialRun, target: DialTarget, local: LocalTarget): DialLeg {
    const e = this.engine;
    const { caller } = run;
    const one = e.local.dial(caller, local, target.dialString, (ch) => {
      ch.dialedBy = caller;
      e.varSet(ch, 'DIALEDPEERNUMBER', target.dialString);
      e.inheritVariables(caller, ch);
      ch.callerNum = caller.exten;
      ch.callerName = caller.connectedName;
      ch.connectedNum = caller.callerNum;
      ch.connectedName = caller.callerName;
      e.newexten(ch, ch.context, caller.exten, 1, 'AppDial', '(Outgoing Line)');
      e.newCallerid(ch);
      e.channelEvent('NewConnectedLine', 'call,all', ch);
    });
    e.pairEvent('DialBegin', 'call,all', caller, one, new AmiFields().add('DialString', target.dialString));
    e.cdrs.dialed(caller, one.name);
    return { ch: one, target, plan: null, state: 'offered' };
  }

  private script(run: DialRun, leg: DialLeg): void {
    const e = this.engine;
    const plan = leg.plan as LegPlan;
    if (plan.response === 'busy' || plan.response === 'congestion') {
      const [status, cause] = plan.response === 'busy' ? (['BUSY', 17] as const) : (['CONGESTION', 34] as const);
      e.timer(leg.ch, plan.ringMs, () => {
        if (run.finished || leg.state === 'done') return;
        e.endpointRejects(leg.ch, cause);
        this.legEnds(run, leg, status, cause);
      });
      return;
    }
    e.timer(leg.ch, RING_INDICATION_MS, () => {
      this.ringing(run, leg);
      if (plan.response === 'answer') e.timer(leg.ch, Math.max(0, plan.ringMs - RING_INDICATION_MS), () => this.answer(run, leg));
    });
  }

  private ringing(run: DialRun, leg: DialLeg): void {
    const e = this.engine;
    if (run.finished || leg.state !== 'offered') return;
    leg.state = 'ringing';
    e.setState(leg.ch, 5);
    // The phone a Local `;2` half dials rings: so does the `;1` half whoever dialled it sees.
    if (run.caller.localPeer) e.local.ringing(run.caller);
    const now = e.clock.now();
    if (run.firstRingAt === null) {
      run.firstRingAt = now;
      e.varSet(run.caller, 'RINGTIME', String(Math.floor((now - run.startedAt) / 1000)));
      e.varSet(run.caller, 'RINGTIME_MS', String(now - run.startedAt));
      const abandonAfter = e.plans.get(run.caller.linkedid)?.abandonAfterRingMs;
      if (abandonAfter != null) e.timer(run.caller, abandonAfter, () => e.control.phoneBye(run.caller));
    }
    e.pairEvent('DialState', 'call,all', run.caller, leg.ch, new AmiFields().add('DialStatus', 'RINGING'));
  }

  private answer(run: DialRun, leg: DialLeg): void {
    const e = this.engine;
    const { caller } = run;
    if (run.finished || leg.state === 'done' || caller.hungUp) return;
    // With several destinations (or a Local one) the caller learns whom it reached only now.
    if ((run.targets.length > 1 || leg.target.local) && (caller.connectedNum !== leg.ch.callerNum || caller.connectedName !== leg.ch.callerName)) {
      caller.connectedNum = leg.ch.callerNum;
      caller.connectedName = leg.ch.callerName;
      e.channelEvent('NewConnectedLine', 'call,all', caller);
    }
    for (const other of run.legs) if (other !== leg && other.state !== 'done') this.cancelLeg(run, other, 26);
    leg.state = 'done';
    e.setState(leg.ch, 6);
    e.varSet(caller, 'DIALSTATUS', 'ANSWER');
    e.varSet(caller, 'DIALEDPEERNAME', leg.ch.name);
    e.varSet(caller, 'DIALEDPEERNUMBER', leg.target.dialString);
    e.pairEvent('DialEnd', 'call,all', caller, leg.ch, new AmiFields().add('DialStatus', 'ANSWER'));
    if (caller.state !== 6) e.setState(caller, 6);
    e.cdrs.answered(caller);
    e.cdrs.dialed(caller, leg.ch.name);
    run.answeredAt = e.clock.now();
    run.timeout?.cancel();
    caller.activity = { kind: 'dial-bridged', dialId: run.id };
    const bridge = e.createBridge('dial');
    bridge.dialer = caller;
    bridge.dialee = leg.ch;
    leg.ch.exten = '';
    e.newexten(leg.ch, leg.ch.context, '', 1, 'AppDial', '(Outgoing Line)');
    e.bridgeEnter(leg.ch, bridge);
    e.bridgeEnter(caller, bridge);
    e.setBridgeVars(bridge);
    leg.ch.activity = { kind: 'bridged' };
    if (leg.plan) this.scheduleTalk(leg.ch, caller, leg.plan);
  }

  /**
   * Who ends the conversation, and when, per the answering endpoint's plan; the party it
   * talks to is the real one at the far end of any Local chain, not a Local half.
   */
  scheduleTalk(answerer: SimChannel, other: SimChannel, plan: LegPlan): void {
    const e = this.engine;
    if (plan.hangup === 'self') e.timer(answerer, plan.talkMs, () => e.control.phoneBye(answerer));
    else if (plan.hangup === 'peer') e.timer(null, plan.talkMs, () => {
      const party = e.local.farEnd(other);
      if (party && !answerer.hungUp) e.control.phoneBye(party);
    });
  }

  private legEnds(run: DialRun, leg: DialLeg, status: Exclude<DialStatus, 'ANSWER' | 'CANCEL'>, cause: number): void {
    const e = this.engine;
    if (run.finished || leg.state === 'done') return;
    leg.state = 'done';
    e.pairEvent('DialEnd', 'call,all', run.caller, leg.ch, new AmiFields().add('DialStatus', status));
    e.hangupLeg(leg.ch, legCause(leg, cause), run.caller);
    if (run.legs.every((l) => l.state === 'done')) this.finish(run, status);
    else e.cdrs.forkLeg(run.caller, leg.ch.name, STATUS_DISPOSITION[status]);
  }

  private timeoutAll(run: DialRun): void {
    if (run.finished || run.answeredAt !== null) return;
    this.endLegs(run, 'NOANSWER', 0);
    this.finish(run, 'NOANSWER');
  }

  /** Every leg still offered ends with `status`, hung up with the cause app_dial passes (0 on a timeout). */
  private endLegs(run: DialRun, status: 'NOANSWER' | 'CANCEL', cause: number): void {
    const e = this.engine;
    const open = run.legs.filter((l) => l.state !== 'done');
    for (const leg of open) {
      leg.state = 'done';
      e.pairEvent('DialEnd', 'call,all', run.caller, leg.ch, new AmiFields().add('DialStatus', status));
      e.hangupLeg(leg.ch, legCause(leg, cause), run.caller);
      // The caller's record follows the last leg; the others get records of their own.
      if (leg !== open[open.length - 1]) e.cdrs.forkLeg(run.caller, leg.ch.name, 'NO ANSWER');
    }
    run.finished = true;
    run.timeout?.cancel();
    this.runs.delete(run.id);
  }

  private cancelLeg(run: DialRun, leg: DialLeg, cause: number): void {
    const e = this.engine;
    leg.state = 'done';
    e.pairEvent('DialEnd', 'call,all', run.caller, leg.ch, new AmiFields().add('DialStatus', 'CANCEL'));
    e.hangupLeg(leg.ch, legCause(leg, cause), run.caller);
    e.cdrs.forkLeg(run.caller, leg.ch.name, 'NO ANSWER');
  }

  /** Dial returns without an answer: DIALSTATUS, the CDR record closes, the dialplan goes on. */
  private finish(run: DialRun, status: Exclude<DialStatus, 'ANSWER'>): void {
    const e = this.engine;
    const { caller } = run;
    run.finished = true;
    run.timeout?.cancel();
    this.runs.delete(run.id);
    if (caller.hungUp) return;
    caller.hangupCause = STATUS_CAUSE[status];
    e.varSet(caller, 'DIALSTATUS', status);
    e.cdrs.split(caller, STATUS_DISPOSITION[status]);
    e.continuePbx(caller);
  }
}


/** A SIP leg hung up without a cause reports 16 (Normal Clearing); a Local half keeps the cause it was given. */
function legCause(leg: DialLeg, cause: number): number {
  return leg.target.local || cause !== 0 ? cause : 16;
}
