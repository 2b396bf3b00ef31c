import type { PbxEngine } from './pbx-engine';
import { AmiFields } from './ami-event';

/** Asterisk device states (ast_device_state) as QueueMemberStatus numbers them. */
const enum DeviceState {
  NotInUse = 1,
  InUse = 2,
  Unavailable = 5,
  Ringing = 6,
  RingInUse = 7,
}

/** Extension (hint) states as ExtensionStatus numbers them. */
const EXTENSION_STATUS: Record<DeviceState, [number, string]> = {
  [DeviceState.NotInUse]: [0, 'Idle'],
  [DeviceState.InUse]: [1, 'InUse'],
  [DeviceState.Unavailable]: [4, 'Unavailable'],
  [DeviceState.Ringing]: [8, 'Ringing'],
  [DeviceState.RingInUse]: [9, 'InUse&Ringing'],
};

interface MemberStats {
  callsTaken: number;
  lastCall: number;
  paused: boolean;
  pausedReason: string;
  lastPause: number;
  inCall: boolean;
}

/**
 * Device state of every extension, derived from its live channels, reported as
 * `ExtensionStatus` (hint) and `QueueMemberStatus` (each queue it is a member of)
 * whenever it changes, as Asterisk's device state engine does.
 */
export class DeviceStates {
  private readonly states = new Map<string, DeviceState>();
  private readonly members = new Map<string, MemberStats>();
  private readonly loginTime: number;

  constructor(private readonly engine: PbxEngine) {
    this.loginTime = Math.floor(engine.startedAt / 1000);
  }

  refresh(peerName: string): void {
    const peer = this.engine.peers.get(peerName);
    if (!peer || peer.kind !== 'extension') return;
    const next = this.compute(peerName);
    const prev = this.states.get(peerName) ?? (peer.registered ? DeviceState.NotInUse : DeviceState.Unavailable);
    this.states.set(peerName, next);
    if (next === prev) return;
    const hint = this.engine.dialplan.hints.get(peerName);
    if (hint) {
      const [status, text] = EXTENSION_STATUS[next];
      this.engine.emit(
        'ExtensionStatus',
        'call,all',
        new AmiFields().add('Exten', peerName).add('Context', hint.context).add('Hint', hint.device).add('Status', status).add('StatusText', text),
      );
    }
    for (const queue of this.engine.queueConfigs) {
      if (queue.members.includes(peerName)) this.emitMember('QueueMemberStatus', queue.name, peerName, next);
    }
  }

  /** Is the member free to be rung by a queue (registered, not paused)? */
  memberAvailable(queue: string, member: string): boolean {
    const peer = this.engine.peers.get(member);
    return !!peer && peer.registered && !this.member(queue, member).paused;
  }

  setPaused(queue: string, member: string, paused: boolean, reason: string): void {
    const m = this.member(queue, member);
    m.paused = paused;
    m.pausedReason = paused ? reason : '';
    if (paused) m.lastPause = Math.floor(this.engine.clock.now() / 1000);
    this.emitMember('QueueMemberPause', queue, member, this.current(member));
  }

  setInCall(queue: string, member: string, inCall: boolean): void {
    const m = this.member(queue, member);
    m.inCall = inCall;
    if (!inCall) {
      m.callsTaken++;
      m.lastCall = Math.floor(this.engine.clock.now() / 1000);
    }
  }

  private current(peerName: string): DeviceState {
    return this.states.get(peerName) ?? this.compute(peerName);
  }

  private compute(peerName: string): DeviceState {
    const peer = this.engine.peers.get(peerName);
    if (peer && !peer.registered) return DeviceState.Unavailable;
    let ringing = false;
    let inUse = false;
    for (const ch of this.engine.channelsOf(peerName)) {
      if (ch.state === 5 || (ch.state === 0 && ch.outgoing)) ringing = true;
      else inUse = true;
    }
    if (ringing && inUse) return DeviceState.RingInUse;
    if (ringing) return DeviceState.Ringing;
    return inUse ? DeviceState.InUse : DeviceState.NotInUse;
  }

  private member(queue: string, member: string): MemberStats {
    const key = `${queue}/${member}`;
    let m = this.members.get(key);
    if (!m) this.members.set(key, (m = { callsTaken: 0, lastCall: 0, paused: false, pausedReason: '', lastPause: 0, inCall: false }));
    return m;
  }

  private emitMember(event: string, queue: string, member: string, state: DeviceState): void {
    const peer = this.engine.peers.get(member);
    const m = this.member(queue, member);
    this.engine.emit(
      event,
      'agent,all',
      new AmiFields()
        .add('Queue', queue)
        .add('MemberName', peer?.callerName ?? member)
        .add('Interface', `${this.engine.dialect.tech}/${member}`)
        .add('StateInterface', `${this.engine.dialect.tech}/${member}`)
        .add('Membership', 'static')
        .add('Penalty', 0)
        .add('CallsTaken', m.callsTaken)
        .add('LastCall', m.lastCall)
        .add('LastPause', m.lastPause)
        .add('LoginTime', this.loginTime)
        .add('InCall', m.inCall ? 1 : 0)
        .add('Status', state)
        .add('Paused', m.paused ? 1 : 0)
        .add('PausedReason', m.pausedReason)
        .add('Ringinuse', 1)
        .add('Wrapuptime', 0),
    );
  }
}
