import type { PbxEngine } from './pbx-engine';
import type { LegPlan } from './call-plans';
import type { QueueConfig } from './pbx-config';
import type { SimChannel } from './sim-channel';
import type { SimBridge } from './sim-bridge';
import { AmiFields } from './ami-event';

interface QueueLeg {
  member: string;
  ch: SimChannel;
  /** What the phone does; null for a Local member, which rings and answers when its `;2` half's call does. */
  plan: LegPlan | null;
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

/** What app_queue's setqueuevar reports (QUEUECALLS, QUEUECOMPLETED, ...). */
interface QueueStats {
  completed: number;
  abandoned: number;
  holdSeconds: number;
  talkSeconds: number;
}

const RING_INDICATION_MS = 3;

/**
 * app_queue with `strategy = ringall` and the labs' queues.conf (setinterfacevar,
 * setqueueentryvar, setqueuevar = yes), in the order fpbx_queue_local_members shows:
 * music while waiting, every available member rung at once (AgentCalled + DialBegin
 * each, in reverse of the member list, as app_queue prepends its call attempts), the
 * first to answer gets the caller (MEMBER*, QE*, QUEUE* variables, QueueCallerLeave,
 * AgentConnect), the others are cancelled; unanswered rounds end in AgentRingNoAnswer
 * and retry. Members are the phones, or (FreePBX) `Local/<ext>@from-queue/n` channels.
 */
export class QueueApp {
  private readonly entries = new Map<SimChannel, QueueEntry>();
  private readonly waiting = new Map<string, SimChannel[]>();
  private readonly stats = new Map<string, QueueStats>();

  constructor(private readonly engine: PbxEngine) {}

  exec(caller: SimChannel, data: string): 'wait' | 'next' {
    const e = this.engine;
    const args = data.split(',');
    const name = args[0];
    // Queue(name,options,URL,announceoverride,timeout): after `timeout` s the caller leaves unanswered.
    const timeoutSec = Number(args[4]);
    const queue = e.queueConfigs.find((q) => q.name === name);
    if (!queue) return 'next';
    for (const v of ['ANSWEREDTIME', 'ANSWEREDTIME_MS', 'DIALEDTIME', 'DIALEDTIME_MS', 'QUEUEWAIT', 'QUEUEWAIT_MS']) e.varSet(caller, v, '');
    const list = this.waiting.get(name) ?? [];
    list.push(caller);
    this.waiting.set(name, list);
    const entry: QueueEntry = { caller, queue, joinedAt: e.clock.now(), originalPosition: list.length, legs: [], attempt: 0 };
    this.entries.set(caller, entry);
    caller.activity = { kind: 'queue', queue: name };
    e.channelEvent('QueueCallerJoin', 'agent,all', caller, new AmiFields().add('Queue', name).add('Position', list.length).add('Count', list.length));
    e.mohStart(caller);
    const abandonAfter = e.plans.get(caller.linkedid)?.abandonAfterRingMs;
    if (abandonAfter != null) e.timer(caller, abandonAfter, () => e.control.phoneBye(caller));
    e.timer(caller, 0, () => this.ringRound(entry));
    if (timeoutSec > 0) e.timer(caller, timeoutSec * 1000, () => this.timeOut(entry));
    return 'wait';
  }

  /** The Queue's own timeout: the caller leaves unanswered (QUEUESTATUS=TIMEOUT) and its dialplan goes on. */
  private timeOut(entry: QueueEntry): void {
    const e = this.engine;
    if (!this.entries.has(entry.caller)) return;
    this.leave(entry.caller, 'leave');
    e.varSet(entry.caller, 'QUEUESTATUS', 'TIMEOUT');
    e.continuePbx(entry.caller);
  }

  legOf(ch: SimChannel): QueueLeg | undefined {
    return this.find(ch)?.leg;
  }

  /**
   * A ringing member's channel ended: a phone that gives up answers busy (DialEnd BUSY);
   * a Local member just disappears, which app_queue reports as NOANSWER with
   * AgentRingNoAnswer (whatever made its `;2` half hang up, a busy phone included).
   */
  legHungUp(ch: SimChannel): void {
    const found = this.find(ch);
    if (!found) return;
    const { entry, leg } = found;
    leg.done = true;
    if (leg.plan) {
      this.engine.pairEvent('DialEnd', 'call,all', entry.caller, ch, new AmiFields().add('DialStatus', 'BUSY'));
      if (!ch.hungUp) this.engine.hangup(ch, 17);
      return;
    }
    this.ringNoAnswer(entry, leg, true);
  }

  /**
   * A Local member's phone rings: its `;1` half, now at the caller's extension and
   * connected to the caller, goes Ringing and reports AppQueue, its new caller id and
   * connected line, then the caller's DialState follows. False when `one` is no member leg.
   */
  localLegRings(one: SimChannel): boolean {
    const e = this.engine;
    const found = this.find(one);
    if (!found) return false;
    const { caller } = found.entry;
    one.exten = caller.exten;
    one.connectedNum = caller.callerNum;
    one.connectedName = caller.callerName;
    e.setState(one, 5);
    e.newexten(one, one.context, caller.exten, 1, 'AppQueue', '(Outgoing Line)');
    e.newCallerid(one);
    e.channelEvent('NewConnectedLine', 'call,all', one);
    e.timer(one, 0, () => {
      if (!found.leg.done) e.pairEvent('DialState', 'call,all', caller, one, new AmiFields().add('DialStatus', 'RINGING'));
    });
    return true;
  }

  /** A Local member leg was answered (its `;2` half's call was). */
  legAnswered(one: SimChannel): void {
    const found = this.find(one);
    if (found) this.answer(found.entry, found.leg);
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
    e.mohStop(caller);
    const position = this.position(entry);
    if (why === 'abandon') {
      this.statsOf(entry.queue.name).abandoned++;
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
    e.channelEvent('QueueCallerLeave', 'agent,all', caller, new AmiFields().add('Queue', entry.queue.name).add('Position', position).add('Count', this.count(entry.queue.name)));
    caller.activity = { kind: 'none' };
  }

  /** The bridged queue call is ending: AgentComplete, as app_queue reports it first. */
  complete(caller: SimChannel, bridge: SimBridge, reason: 'caller' | 'agent' | 'transfer'): void {
    const e = this.engine;
    const q = bridge.queue;
    const agent = bridge.dialee;
    if (!q || !agent || q.completed) return;
    q.completed = true;
    const talk = Math.floor((e.clock.now() - q.connectedAt) / 1000);
    const stats = this.statsOf(q.name);
    stats.completed++;
    stats.talkSeconds += talk;
    e.pairEvent(
      'AgentComplete',
      'agent,all',
      caller,
      agent,
      new AmiFields()
        .add('Queue', q.name)
        .add('Interface', q.interface)
        .add('MemberName', q.memberName)
        .add('HoldTime', Math.floor((q.connectedAt - q.joinedAt) / 1000))
        .add('TalkTime', talk)
        .add('Reason', reason),
    );
    e.devices.setInCall(q.name, q.member, false);
  }

  /** The caller left the queue's bridge: QUEUE* again, the talk times, then (after the member is gone) QUEUE* once more. */
  callEnded(caller: SimChannel, bridge: SimBridge, reason: 'caller' | 'agent'): void {
    const e = this.engine;
    const q = bridge.queue;
    if (!q) return;
    this.complete(caller, bridge, reason);
    this.queueVars(q.name, [caller]);
    const now = e.clock.now();
    e.varSet(caller, 'ANSWEREDTIME', String(Math.floor((now - q.connectedAt) / 1000)));
    e.varSet(caller, 'ANSWEREDTIME_MS', String(now - q.connectedAt));
    e.varSet(caller, 'DIALEDTIME', String(Math.floor((now - q.joinedAt) / 1000)));
    e.varSet(caller, 'DIALEDTIME_MS', String(now - q.joinedAt));
  }

  /** The last QUEUE* report of a queue call, once its member is gone. */
  afterMemberGone(caller: SimChannel, queue: string): void {
    this.queueVars(queue, [caller]);
  }

  private ringRound(entry: QueueEntry): void {
    const e = this.engine;
    const { caller, queue } = entry;
    if (caller.hungUp || !this.entries.has(caller)) return;
    entry.attempt++;
    entry.legs = [];
    for (const member of [...queue.members].reverse()) {
      if (!e.devices.memberAvailable(queue.name, member)) continue;
      const leg = queue.localMembers ? this.offerLocal(entry, member) : this.offer(entry, member);
      if (leg) entry.legs.push(leg);
    }
    e.timer(caller, queue.memberTimeoutMs, () => this.roundTimeout(entry));
  }

  private offer(entry: QueueEntry, member: string): QueueLeg | null {
    const e = this.engine;
    const { caller, queue } = entry;
    const peer = e.peers.get(member);
    if (!peer) return null;
    const ch = e.newOutgoingLeg(peer, { linkedid: caller.linkedid, dialedBy: caller });
    e.inheritVariables(caller, ch);
    e.newexten(ch, ch.context, caller.exten, 1, 'AppQueue', '(Outgoing Line)');
    ch.connectedNum = caller.callerNum;
    ch.connectedName = caller.callerName;
    e.channelEvent('NewConnectedLine', 'call,all', ch);
    e.pairEvent('AgentCalled', 'agent,all', caller, ch, new AmiFields().add('Queue', queue.name).add('Interface', this.interfaceOf(queue, member)).add('MemberName', peer.callerName));
    e.pairEvent('DialBegin', 'call,all', caller, ch, new AmiFields().add('DialString', member));
    e.cdrs.dialed(caller, ch.name);
    const leg: QueueLeg = { member, ch, plan: e.plans.legPlan(caller.linkedid, member), ringingSince: e.clock.now(), done: false };
    this.script(entry, leg);
    return leg;
  }

  /** A FreePBX member `Local/<ext>@from-queue/n`: `;1` takes the caller's dialled number as caller id, then the pair's setup. */
  private offerLocal(entry: QueueEntry, member: string): QueueLeg {
    const e = this.engine;
    const { caller, queue } = entry;
    const iface = this.interfaceOf(queue, member);
    const target = { exten: member, context: 'from-queue', optimize: false, dialString: iface.slice('Local/'.length) };
    const one = e.local.dial(caller, target, target.dialString, (ch) => {
      ch.dialedBy = caller;
      ch.callerNum = caller.dnid || caller.exten;
      ch.callerName = caller.connectedName;
      e.newexten(ch, ch.context, ch.exten, 1, 'AppQueue', '(Outgoing Line)');
      e.newCallerid(ch);
      e.inheritVariables(caller, ch);
      e.varSet(ch, 'DIALEDPEERNUMBER', target.dialString);
    });
    e.pairEvent('AgentCalled', 'agent,all', caller, one, new AmiFields().add('Queue', queue.name).add('Interface', iface).add('MemberName', this.memberName(member)));
    e.pairEvent('DialBegin', 'call,all', caller, one, new AmiFields().add('DialString', iface));
    e.cdrs.dialed(caller, one.name);
    return { member, ch: one, plan: null, ringingSince: e.clock.now(), done: false };
  }

  private script(entry: QueueEntry, leg: QueueLeg): void {
    const e = this.engine;
    const plan = leg.plan as LegPlan;
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
      this.ringNoAnswer(entry, leg, false);
      e.hangupLeg(leg.ch, leg.plan ? 16 : 0, entry.caller);
    }
    e.timer(entry.caller, entry.queue.retryMs, () => this.ringRound(entry));
  }

  /**
   * app_queue's rna() for a member that did not answer, with its DialEnd NOANSWER: before
   * it when the member's channel went away, after it when the ring time ran out.
   */
  private ringNoAnswer(entry: QueueEntry, leg: QueueLeg, hungUp: boolean): void {
    const e = this.engine;
    const dialEnd = (): void => e.pairEvent('DialEnd', 'call,all', entry.caller, leg.ch, new AmiFields().add('DialStatus', 'NOANSWER'));
    if (hungUp) dialEnd();
    e.pairEvent(
      'AgentRingNoAnswer',
      'agent,all',
      entry.caller,
      leg.ch,
      new AmiFields()
        .add('Queue', entry.queue.name)
        .add('Interface', this.interfaceOf(entry.queue, leg.member))
        .add('MemberName', this.memberName(leg.member))
        .add('RingTime', e.clock.now() - leg.ringingSince),
    );
    if (!hungUp) dialEnd();
  }

  private answer(entry: QueueEntry, leg: QueueLeg): void {
    const e = this.engine;
    const { caller, queue } = entry;
    if (leg.done || caller.hungUp || !this.entries.has(caller)) return;
    leg.done = true;
    e.setState(leg.ch, 6);
    e.pairEvent('DialEnd', 'call,all', caller, leg.ch, new AmiFields().add('DialStatus', 'ANSWER'));
    this.cancelLegs(entry, leg);
    e.mohStop(caller);
    const now = e.clock.now();
    const hold = Math.floor((now - entry.joinedAt) / 1000);
    const stats = this.statsOf(queue.name);
    stats.holdSeconds += hold;
    // setinterfacevar, setqueueentryvar, setqueuevar: on the caller, then on the member's channel.
    const iface = this.interfaceOf(queue, leg.member);
    const memberVars: [string, string][] = [
      ['MEMBERINTERFACE', iface],
      ['MEMBERNAME', this.memberName(leg.member)],
      ['MEMBERCALLS', '0'],
      ['MEMBERLASTCALL', '0'],
      ['MEMBERPENALTY', '0'],
      ['MEMBERDYNAMIC', '0'],
      ['MEMBERREALTIME', '0'],
    ];
    for (const ch of [caller, leg.ch]) for (const [k, v] of memberVars) e.varSet(ch, k, v);
    for (const ch of [caller, leg.ch]) {
      e.varSet(ch, 'QEHOLDTIME', String(hold));
      e.varSet(ch, 'QEORIGINALPOS', String(entry.originalPosition));
    }
    this.queueVars(queue.name, [caller, leg.ch]);
    const position = this.position(entry);
    this.dequeue(entry);
    e.channelEvent('QueueCallerLeave', 'agent,all', caller, new AmiFields().add('Queue', queue.name).add('Position', position).add('Count', this.count(queue.name)));
    e.varSet(caller, 'QUEUEPOSITION', String(position));
    e.varSet(caller, 'QUEUEWAIT', String(hold));
    e.varSet(caller, 'QUEUEWAIT_MS', String(now - entry.joinedAt));
    e.pairEvent(
      'AgentConnect',
      'agent,all',
      caller,
      leg.ch,
      new AmiFields()
        .add('Queue', queue.name)
        .add('Interface', iface)
        .add('MemberName', this.memberName(leg.member))
        .add('HoldTime', hold)
        .add('RingTime', Math.floor((now - leg.ringingSince) / 1000)),
    );
    if (caller.state !== 6) e.setState(caller, 6);
    e.cdrs.answered(caller);
    e.cdrs.dialed(caller, leg.ch.name);
    const bridge = e.createBridge('dial');
    bridge.dialer = caller;
    bridge.dialee = leg.ch;
    bridge.queue = { name: queue.name, member: leg.member, interface: iface, memberName: this.memberName(leg.member), joinedAt: entry.joinedAt, connectedAt: now, completed: false };
    e.bridgeEnter(leg.ch, bridge);
    e.bridgeEnter(caller, bridge);
    e.setBridgeVars(bridge);
    caller.activity = { kind: 'bridged' };
    leg.ch.activity = { kind: 'bridged' };
    e.devices.setInCall(queue.name, leg.member, true);
    if (leg.plan) e.dial.scheduleTalk(leg.ch, caller, leg.plan);
  }

  /** Losing members: app_queue reports DialEnd CANCEL twice for each (the caller learns the winner in between) before hanging it up. */
  private cancelLegs(entry: QueueEntry, winner: QueueLeg | null): void {
    const e = this.engine;
    const { caller } = entry;
    for (const leg of entry.legs) {
      if (leg === winner || leg.done) continue;
      leg.done = true;
      e.pairEvent('DialEnd', 'call,all', caller, leg.ch, new AmiFields().add('DialStatus', 'CANCEL'));
      if (winner && (caller.connectedNum !== winner.ch.callerNum || caller.connectedName !== winner.ch.callerName)) {
        caller.connectedNum = winner.ch.callerNum;
        caller.connectedName = winner.ch.callerName;
        e.channelEvent('NewConnectedLine', 'call,all', caller);
      }
      e.pairEvent('DialEnd', 'call,all', caller, leg.ch, new AmiFields().add('DialStatus', 'CANCEL'));
      e.hangupLeg(leg.ch, winner ? 26 : leg.plan ? 16 : 0, caller);
      e.cdrs.forkLeg(caller, leg.ch.name, 'NO ANSWER');
    }
  }

  /** setqueuevar: the queue's figures on each of `channels`. */
  private queueVars(queue: string, channels: SimChannel[]): void {
    const e = this.engine;
    const q = e.queueConfigs.find((x) => x.name === queue);
    const s = this.statsOf(queue);
    const answered = Math.max(1, s.completed);
    const vars: [string, string][] = [
      ['QUEUENAME', queue],
      ['QUEUEMAX', '0'],
      ['QUEUESTRATEGY', q?.strategy ?? 'ringall'],
      ['QUEUECALLS', String(this.count(queue))],
      ['QUEUEHOLDTIME', String(Math.round(s.holdSeconds / answered))],
      ['QUEUETALKTIME', String(Math.round(s.talkSeconds / answered))],
      ['QUEUECOMPLETED', String(s.completed)],
      ['QUEUEABANDONED', String(s.abandoned)],
      ['QUEUESRVLEVEL', '0'],
      ['QUEUESRVLEVELPERF', '0.0'],
    ];
    for (const ch of channels) for (const [k, v] of vars) e.varSet(ch, k, v);
  }

  private interfaceOf(queue: QueueConfig, member: string): string {
    return queue.localMembers ? `Local/${member}@from-queue/n` : `${this.engine.dialect.tech}/${member}`;
  }

  private memberName(member: string): string {
    return this.engine.peers.get(member)?.callerName ?? member;
  }

  private find(ch: SimChannel): { entry: QueueEntry; leg: QueueLeg } | undefined {
    for (const entry of this.entries.values()) {
      const leg = entry.legs.find((l) => l.ch === ch && !l.done);
      if (leg) return { entry, leg };
    }
    return undefined;
  }

  private statsOf(queue: string): QueueStats {
    let s = this.stats.get(queue);
    if (!s) this.stats.set(queue, (s = { completed: 0, abandoned: 0, holdSeconds: 0, talkSeconds: 0 }));
    return s;
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
