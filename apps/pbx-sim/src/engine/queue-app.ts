import type { PbxEngine } from './pbx-engine';
import type { LegPlan } from './call-plans';
import type { QueueConfig } from './pbx-config';
import type { SimChannel } from './sim-channel';
import type { SimBridge } from './sim-bridge';
import { AmiFields } from './ami-event';

interface QueueLeg {
  member: string;
  ch: SimChannel;
  plan: LegPlan;
  ringingSince: number;
  done: boolean;
}

interface QueueEntry {
  caller: SimChannel;
  queue: QueueConfig;
  joinedAt: number;
  originalPosition: number;
  legs: QueueLeg[];
  attempt: number;
}

const RING_INDICATION_MS = 3;

/**
 * app_queue with `strategy = ringall`: every available member rings at once
 * (AgentCalled + DialBegin each); the first to answer gets the caller (AgentConnect),
 * the others are cancelled; unanswered rounds end in AgentRingNoAnswer and retry.
 * No capture covers queues: the event keys follow Asterisk 20's documentation and
 * the key order seen from live systems.
 */
export class QueueApp {
  private readonly entries = new Map<SimChannel, QueueEntry>();
  private readonly waiting = new Map<string, SimChannel[]>();

  constructor(private readonly engine: PbxEngine) {}

  exec(caller: SimChannel, data: string): 'wait' | 'next' {
    const e = this.engine;
    const name = data.split(',')[0];
    const queue = e.config.queues.find((q) => q.name === name);
    if (!queue) return 'next';
    const list = this.waiting.get(name) ?? [];
    list.push(caller);
    this.waiting.set(name, list);
    const entry: QueueEntry = { caller, queue, joinedAt: e.clock.now(), originalPosition: list.length, legs: [], attempt: 0 };
    this.entries.set(caller, entry);
    caller.activity = { kind: 'queue', queue: name };
    e.channelEvent('QueueCallerJoin', 'agent,all', caller, new AmiFields().add('Queue', name).add('Position', list.length).add('Count', list.length));
    const abandonAfter = e.plans.get(caller.linkedid)?.abandonAfterRingMs;
    if (abandonAfter != null) e.timer(caller, abandonAfter, () => e.control.phoneBye(caller));
    e.timer(caller, 0, () => this.ringRound(entry));
    return 'wait';
  }

  legOf(ch: SimChannel): QueueLeg | undefined {
    for (const entry of this.entries.values()) {
      const leg = entry.legs.find((l) => l.ch === ch && !l.done);
      if (leg) return leg;
    }
    return undefined;
  }

  /** A ringing member's channel ended from outside: it no longer rings. */
  legHungUp(ch: SimChannel): void {
    for (const entry of this.entries.values()) {
      const leg = entry.legs.find((l) => l.ch === ch && !l.done);
      if (!leg) continue;
      leg.done = true;
      this.engine.pairEvent('DialEnd', 'call,all', entry.caller, ch, new AmiFields().add('DialStatus', 'BUSY'));
      if (!ch.hungUp) this.engine.hangup(ch, 17);
    }
  }

  /** The caller hung up while waiting: QueueCallerAbandon, members cancelled, caller gone. */
  abandon(caller: SimChannel): void {
    const e = this.engine;
    const cause = e.callerCancels(caller);
    this.leave(caller, 'abandon');
    e.softHangupRequest(caller);
    caller.byeSent = true;
    e.hangup(caller, cause);
  }

  /** The caller leaves the queue unanswered (abandon, redirect, AMI hangup). */
  leave(caller: SimChannel, why: 'abandon' | 'leave'): void {
    const e = this.engine;
    const entry = this.entries.get(caller);
    if (!entry) return;
    this.cancelLegs(entry, null);
    const position = this.position(entry);
    if (why === 'abandon') {
      e.channelEvent(
        'QueueCallerAbandon',
        'agent,all',
        caller,
        new AmiFields()
          .add('Queue', entry.queue.name)
          .add('Position', position)
          .add('OriginalPosition', entry.originalPosition)
          .add('HoldTime', Math.floor((e.clock.now() - entry.joinedAt) / 1000)),
      );
    }
    this.dequeue(entry);
    e.channelEvent('QueueCallerLeave', 'agent,all', caller, new AmiFields().add('Queue', entry.queue.name).add('Count', this.count(entry.queue.name)).add('Position', position));
    caller.activity = { kind: 'none' };
  }

  /** The bridged queue call ended: AgentComplete, as app_queue reports it. */
  complete(caller: SimChannel, bridge: SimBridge, reason: 'caller' | 'agent' | 'transfer'): void {
    const e = this.engine;
    const q = bridge.queue;
    const agent = bridge.dialee;
    if (!q || !agent) return;
    e.pairEvent(
      'AgentComplete',
      'agent,all',
      caller,
      agent,
      new AmiFields()
        .add('Queue', q.name)
        .add('Interface', `${e.dialect.tech}/${q.member}`)
        .add('MemberName', e.peers.get(q.member)?.callerName ?? q.member)
        .add('HoldTime', Math.floor((q.connectedAt - q.joinedAt) / 1000))
        .add('TalkTime', Math.floor((e.clock.now() - q.connectedAt) / 1000))
        .add('Reason', reason),
    );
    e.devices.setInCall(q.name, q.member, false);
    bridge.queue = null;
  }

  private ringRound(entry: QueueEntry): void {
    const e = this.engine;
    const { caller, queue } = entry;
    if (caller.hungUp || !this.entries.has(caller)) return;
    entry.attempt++;
    entry.legs = [];
    for (const member of queue.members) {
      if (!e.devices.memberAvailable(queue.name, member)) continue;
      const peer = e.peers.get(member);
      if (!peer) continue;
      const ch = e.newOutgoingLeg(peer, { linkedid: caller.linkedid, dialedBy: caller });
      for (const [key, raw] of caller.inherit) e.varSet(ch, raw, caller.vars.get(key) ?? '');
      e.newexten(ch, ch.context, caller.exten, 1, 'AppQueue', '(Outgoing Line)');
      ch.connectedNum = caller.callerNum;
      ch.connectedName = caller.callerName;
      e.channelEvent('NewConnectedLine', 'call,all', ch);
      e.pairEvent('AgentCalled', 'agent,all', caller, ch, new AmiFields().add('Queue', queue.name).add('Interface', `${e.dialect.tech}/${member}`).add('MemberName', peer.callerName));
      e.pairEvent('DialBegin', 'call,all', caller, ch, new AmiFields().add('DialString', member));
      const leg: QueueLeg = { member, ch, plan: e.plans.legPlan(caller.linkedid, member), ringingSince: e.clock.now(), done: false };
      entry.legs.push(leg);
      this.script(entry, leg);
    }
    e.timer(caller, queue.memberTimeoutMs, () => this.roundTimeout(entry));
  }

  private script(entry: QueueEntry, leg: QueueLeg): void {
    const e = this.engine;
    const { plan } = leg;
    if (plan.response === 'busy' || plan.response === 'congestion') {
      e.timer(leg.ch, plan.ringMs, () => {
        if (leg.done) return;
        leg.done = true;
        const cause = plan.response === 'busy' ? 17 : 34;
        e.endpointRejects(leg.ch, cause);
        e.pairEvent('DialEnd', 'call,all', entry.caller, leg.ch, new AmiFields().add('DialStatus', plan.response === 'busy' ? 'BUSY' : 'CONGESTION'));
        e.hangupLeg(leg.ch, cause, entry.caller);
      });
      return;
    }
    e.timer(leg.ch, RING_INDICATION_MS, () => {
      if (leg.done) return;
      e.setState(leg.ch, 5);
      e.pairEvent('DialState', 'call,all', entry.caller, leg.ch, new AmiFields().add('DialStatus', 'RINGING'));
      if (plan.response === 'answer' && plan.ringMs < entry.queue.memberTimeoutMs) {
        e.timer(leg.ch, Math.max(0, plan.ringMs - RING_INDICATION_MS), () => this.answer(entry, leg));
      }
    });
  }

  private roundTimeout(entry: QueueEntry): void {
    const e = this.engine;
    if (!this.entries.has(entry.caller)) return;
    for (const leg of entry.legs) {
      if (leg.done) continue;
      leg.done = true;
      e.pairEvent(
        'AgentRingNoAnswer',
        'agent,all',
        entry.caller,
        leg.ch,
        new AmiFields()
          .add('Queue', entry.queue.name)
          .add('Interface', `${e.dialect.tech}/${leg.member}`)
          .add('MemberName', e.peers.get(leg.member)?.callerName ?? leg.member)
          .add('RingTime', e.clock.now() - leg.ringingSince),
      );
      e.pairEvent('DialEnd', 'call,all', entry.caller, leg.ch, new AmiFields().add('DialStatus', 'NOANSWER'));
      e.hangupLeg(leg.ch, 16, entry.caller);
    }
    e.timer(entry.caller, entry.queue.retryMs, () => this.ringRound(entry));
  }

  private answer(entry: QueueEntry, leg: QueueLeg): void {
    const e = this.engine;
    const { caller, queue } = entry;
    if (leg.done || caller.hungUp || !this.entries.has(caller)) return;
    leg.done = true;
    this.cancelLegs(entry, leg);
    e.setState(leg.ch, 6);
    e.pairEvent('DialEnd', 'call,all', caller, leg.ch, new AmiFields().add('DialStatus', 'ANSWER'));
    if (caller.state !== 6) e.setState(caller, 6);
    e.cdrs.answered(caller);
    e.cdrs.dialed(caller, leg.ch.name);
    const position = this.position(entry);
    this.dequeue(entry);
    e.channelEvent('QueueCallerLeave', 'agent,all', caller, new AmiFields().add('Queue', queue.name).add('Count', this.count(queue.name)).add('Position', position));
    const now = e.clock.now();
    const bridge = e.createBridge('dial');
    bridge.dialer = caller;
    bridge.dialee = leg.ch;
    bridge.queue = { name: queue.name, member: leg.member, joinedAt: entry.joinedAt, connectedAt: now };
    e.bridgeEnter(leg.ch, bridge);
    e.bridgeEnter(caller, bridge);
    e.setBridgeVars(bridge);
    caller.activity = { kind: 'bridged' };
    leg.ch.activity = { kind: 'bridged' };
    e.pairEvent(
      'AgentConnect',
      'agent,all',
      caller,
      leg.ch,
      new AmiFields()
        .add('Queue', queue.name)
        .add('Interface', `${e.dialect.tech}/${leg.member}`)
        .add('MemberName', e.peers.get(leg.member)?.callerName ?? leg.member)
        .add('HoldTime', Math.floor((now - entry.joinedAt) / 1000))
        .add('RingTime', Math.floor((now - leg.ringingSince) / 1000)),
    );
    e.devices.setInCall(queue.name, leg.member, true);
    e.dial.scheduleTalk(leg.ch, caller, leg.plan);
  }

  /** Losing members: app_queue reports DialEnd CANCEL twice for each before hanging it up. */
  private cancelLegs(entry: QueueEntry, winner: QueueLeg | null): void {
    const e = this.engine;
    for (const leg of entry.legs) {
      if (leg === winner || leg.done) continue;
      leg.done = true;
      for (let i = 0; i < 2; i++) e.pairEvent('DialEnd', 'call,all', entry.caller, leg.ch, new AmiFields().add('DialStatus', 'CANCEL'));
      e.hangupLeg(leg.ch, winner ? 26 : 16, entry.caller);
    }
  }

  private position(entry: QueueEntry): number {
    return (this.waiting.get(entry.queue.name) ?? []).indexOf(entry.caller) + 1;
  }

  private count(queue: string): number {
    return this.waiting.get(queue)?.length ?? 0;
  }

  private dequeue(entry: QueueEntry): void {
    this.entries.delete(entry.caller);
    const list = this.waiting.get(entry.queue.name);
    if (!list) return;
    const i = list.indexOf(entry.caller);
    if (i >= 0) list.splice(i, 1);
  }
}
