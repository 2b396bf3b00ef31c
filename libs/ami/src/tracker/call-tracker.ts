import { type AmiEventMessage, amiEventTime, amiValue } from '../protocol/ami-events';
import type { AmiMessage } from '../protocol/ami-message';
import { parseAmiDuration, parseCdrTime } from './ami-time';
import type { CallRecord, CallTrackerEvent, StoredRecording } from './call-record';
import { ChannelClassifier, type ChannelClassifierOptions, MAX_LOCAL_DEPTH } from './channel-name';
import { PbxState } from './pbx-state';
import { TrackedCall, type TrackedChannel } from './tracked-call';

export interface CallTrackerOptions extends ChannelClassifierOptions {
  /** Offset of the PBX clock from UTC in minutes, to read CDR times (`Cdr` events). Default 0. */
  cdrUtcOffsetMinutes?: number;
  /** How many hung-up Uniqueids (and ended Linkedids) per PBX are remembered to drop late events. Default 10000. */
  recentChannelsLimit?: number;
  /** Monitor's file format when the dialplan does not say (`<CALLFILENAME>.wav`). Default `wav`. */
  monitorFormat?: string;
  /**
   * Asterisk's monitor directory (`astspooldir/monitor`): recordings are named by their path
   * under it (`2026/12/05/<name>.wav` for FreePBX's dated folders). Default `/var/spool/asterisk/monitor`.
   */
  monitorDir?: string;
}

export type CallTrackerListener = (event: CallTrackerEvent) => void;

export interface CallTrackerStats {
  pbxs: number;
  calls: number;
  channels: number;
  bridges: number;
  localChannels: number;
  /** Remembered hung-up Uniqueids (bounded by `recentChannelsLimit` per PBX). */
  recentChannels: number;
  /** Remembered ended Linkedids (same bound). */
  recentCalls: number;
}

const NO_EVENTS: readonly CallTrackerEvent[] = Object.freeze([]);

/** Where a channel's fields live in an event: plain, or under the `Dest` prefix of Dial events. */
interface ChannelKeys {
  uniqueid: string;
  channel: string;
  linkedid: string;
  callerNum: string;
  callerName: string;
  exten: string;
  state: string;
}
const PLAIN: ChannelKeys = {
  uniqueid: 'Uniqueid',
  channel: 'Channel',
  linkedid: 'Linkedid',
  callerNum: 'CallerIDNum',
  callerName: 'CallerIDName',
  exten: 'Exten',
  state: 'ChannelState',
};
const DEST: ChannelKeys = {
  uniqueid: 'DestUniqueid',
  channel: 'DestChannel',
  linkedid: 'DestLinkedid',
  callerNum: 'DestCallerIDNum',
  callerName: 'DestCallerIDName',
  exten: 'DestExten',
  state: 'DestChannelState',
};

/** `find`: known channels only; `create`: make unknown ones; `recover`: make them from a snapshot row. */
type Lookup = 'find' | 'create' | 'recover';

const FILE_NAME = /^[\w.+@=-]+$/;
/** `ChannelState` 5: a phone ringing. */
const RINGING_STATE = '5';
/** A relative path of plain file names: no `..`, no empty or hidden segment. */
const RELATIVE_FILE = /^(?:[\w+@=-][\w.+@=-]*\/)*[\w+@=-][\w.+@=-]*$/;

/**
 * Turns the AMI event stream of one or many PBXs into call events (DESIGN.md section 3).
 *
 * A pure state machine: no I/O, no timers, no clock. Time comes from each message
 * (`Timestamp:` header, else arrival time). State is keyed by `msg.pbxId`. Events come back
 * from {@link handle} and go to every {@link onEvent} listener, each with a snapshot record.
 *
 * Reconnects: call {@link connectionLost} when the AMI connection drops (a new greeting on a
 * PBX with open calls counts as one), then feed the `CoreShowChannels` listing (its response,
 * rows and `CoreShowChannelsComplete` through {@link handle}, or bracket the rows with
 * {@link beginSnapshot}/{@link endSnapshot}). Calls still listed go on; calls not listed end.
 */
export class CallTracker {
  private readonly pbxs = new Map<string, PbxState>();
  private readonly listeners = new Set<CallTrackerListener>();
  private readonly classifier: ChannelClassifier;
  private readonly cdrOffset: number;
  private readonly recentLimit: number;
  private readonly monitorFormat: string;
  private readonly monitorDir: string;
  private pending: CallTrackerEvent[] | null = null;
  private readonly sink = (event: CallTrackerEvent): void => {
    (this.pending ??= []).push(event);
  };

  constructor(options: CallTrackerOptions = {}) {
    this.classifier = new ChannelClassifier(options);
    this.cdrOffset = options.cdrUtcOffsetMinutes ?? 0;
    this.recentLimit = options.recentChannelsLimit ?? 10_000;
    this.monitorFormat = options.monitorFormat ?? 'wav';
    this.monitorDir = `${(options.monitorDir ?? '/var/spool/asterisk/monitor').replace(/\/+$/, '')}/`;
  }

  /** Subscribes to every event; returns the unsubscribe function. */
  onEvent(listener: CallTrackerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Feeds one message (any kind); returns the call events it caused, oldest first. */
  handle(msg: AmiMessage): readonly CallTrackerEvent[] {
    if (msg.kind === 'event') {
      if (!this.dispatch(msg)) return NO_EVENTS;
    } else if (msg.kind === 'greeting') {
      this.onGreeting(msg);
    } else if (msg.kind === 'response') {
      this.onResponse(msg);
    }
    return this.flush();
  }

  /**
   * A CoreShowChannels listing starts now (call it when sending the action): channels last
   * heard of before this point and not listed by {@link endSnapshot} are gone.
   */
  beginSnapshot(pbxId: string, actionId?: string): void {
    const pbx = this.pbx(pbxId);
    pbx.snapshot = { beginSeq: ++pbx.seq, actionId, seen: new Set() };
  }

  /** The listing is complete: ends what it did not list, announces what it recovered. */
  endSnapshot(pbxId: string, at: number): readonly CallTrackerEvent[] {
    const pbx = this.pbxs.get(pbxId);
    if (pbx !== undefined) this.completeSnapshot(pbx, at);
    return this.flush();
  }

  /**
   * The AMI connection to this PBX is gone: calls stay open (Asterisk keeps them up) until
   * the snapshot after the reconnect says which still exist; those that do not end at `at`.
   */
  connectionLost(pbxId: string, at: number): readonly CallTrackerEvent[] {
    const pbx = this.pbx(pbxId);
    pbx.lostAt ??= at;
    pbx.snapshot = null;
    return NO_EVENTS;
  }

  /**
   * The recordings stored for this PBX's open calls (by whichever ingest wrote them), told before
   * a listing. A call rebuilt from the listing learns its files again only from the CDR's
   * userfield, which does not say what recorded them nor where: a file named here is stated
   * with its stored source and path. Each call replaces the previous list.
   */
  storedRecordings(pbxId: string, recordings: readonly StoredRecording[]): void {
    const pbx = this.pbx(pbxId);
    pbx.storedRecordings.clear();
    for (const r of recordings) pbx.storedRecordings.set(r.file, r);
  }

  /** Records of the calls in progress (all PBXs, or one), as of `at` (default: the PBX's last message). */
  openCalls(pbxId?: string, at?: number): CallRecord[] {
    const out: CallRecord[] = [];
    for (const pbx of this.pbxs.values()) {
      if (pbxId !== undefined && pbx.pbxId !== pbxId) continue;
      for (const call of pbx.liveCalls()) out.push(call.toRecord(Math.max(at ?? pbx.lastAt, call.startedAt)));
    }
    return out;
  }

  /**
   * The record of one call in progress, with its live legs: what call control reads right
   * before it addresses a channel. `callId` is the tracker's (`<pbx>:<first Linkedid>`); null
   * when the call is not live (ended, unknown, or joined into another call).
   */
  liveCall(pbxId: string, callId: string): CallRecord | null {
    const pbx = this.pbxs.get(pbxId);
    const prefix = `${pbxId}:`;
    if (pbx === undefined || !callId.startsWith(prefix)) return null;
    const call = pbx.calls.get(callId.slice(prefix.length));
    if (call === undefined || call.callId !== callId || call.channels.size === 0) return null;
    return call.toRecord(Math.max(pbx.lastAt, call.startedAt));
  }

  /**
   * Names the recording an AMI `Monitor` action is about to start on a channel: res_monitor's
   * `MonitorStart` names no file, and unlike the `Monitor()` application the action shows no
   * arguments in a `Newexten`. `file` is `<base>.<format>` under the monitor directory. False
   * when the channel is not live.
   */
  expectMonitorFile(pbxId: string, uniqueid: string, file: string): boolean {
    const ch = this.pbxs.get(pbxId)?.channels.get(uniqueid);
    if (ch === undefined) return false;
    ch.monitorFile = file;
    return true;
  }

  stats(): CallTrackerStats {
    const s: CallTrackerStats = { pbxs: this.pbxs.size, calls: 0, channels: 0, bridges: 0, localChannels: 0, recentChannels: 0, recentCalls: 0 };
    for (const pbx of this.pbxs.values()) {
      s.calls += pbx.liveCalls().length;
      s.channels += pbx.channels.size;
      s.bridges += pbx.bridges.size;
      s.localChannels += pbx.locals.size;
      s.recentChannels += pbx.gone.size;
      s.recentCalls += pbx.endedCalls.size;
    }
    return s;
  }

  // ---- dispatch -----------------------------------------------------------------------

  /** Returns false for events the tracker ignores, before touching any state. */
  private dispatch(msg: AmiMessage): boolean {
    switch (msg.name) {
      case 'VarSet':
        this.onVarSet(msg as AmiEventMessage<'VarSet'>);
        return true;
      case 'Newexten':
        this.onNewexten(msg as AmiEventMessage<'Newexten'>);
        return true;
      case 'Newchannel':
      case 'Newstate':
      case 'NewCallerid':
        this.onChannelInfo(msg as AmiEventMessage<'Newchannel'>);
        return true;
      case 'DialBegin':
        this.onDialBegin(msg as AmiEventMessage<'DialBegin'>);
        return true;
      case 'DialState':
        this.onDialState(msg as AmiEventMessage<'DialState'>);
        return true;
      case 'DialEnd':
        this.onDialEnd(msg as AmiEventMessage<'DialEnd'>);
        return true;
      case 'BridgeEnter':
        this.onBridgeEnter(msg as AmiEventMessage<'BridgeEnter'>);
        return true;
      case 'BridgeLeave':
        this.onBridgeLeave(msg as AmiEventMessage<'BridgeLeave'>);
        return true;
      case 'BridgeDestroy':
        this.onBridgeDestroy(msg as AmiEventMessage<'BridgeDestroy'>);
        return true;
      case 'HangupRequest':
      case 'SoftHangupRequest':
        this.onHangupRequest(msg as AmiEventMessage<'HangupRequest' | 'SoftHangupRequest'>);
        return true;
      case 'Hangup':
        this.onHangup(msg as AmiEventMessage<'Hangup'>);
        return true;
      case 'Hold':
      case 'Unhold':
      case 'MusicOnHoldStart':
      case 'MusicOnHoldStop':
        this.onHold(msg as AmiEventMessage<'Hold'>);
        return true;
      case 'MonitorStart':
      case 'MixMonitorStart':
        this.onRecordingStart(msg as AmiEventMessage<'MonitorStart'>);
        return true;
      case 'MonitorStop':
      case 'MixMonitorStop':
        this.onRecordingStop(msg as AmiEventMessage<'MonitorStop'>);
        return true;
      case 'BlindTransfer':
        this.onBlindTransfer(msg as AmiEventMessage<'BlindTransfer'>);
        return true;
      case 'AttendedTransfer':
        this.onAttendedTransfer(msg as AmiEventMessage<'AttendedTransfer'>);
        return true;
      case 'Rename':
        this.onRename(msg as AmiEventMessage<'Rename'>);
        return true;
      case 'QueueCallerAbandon':
        this.onQueueCallerAbandon(msg as AmiEventMessage<'QueueCallerAbandon'>);
        return true;
      case 'Cdr':
        this.onCdr(msg as AmiEventMessage<'Cdr'>);
        return true;
      case 'CoreShowChannel':
        this.onSnapshotRow(msg as AmiEventMessage<'CoreShowChannel'>);
        return true;
      case 'CoreShowChannelsComplete':
        this.onSnapshotComplete(msg as AmiEventMessage<'CoreShowChannelsComplete'>);
        return true;
      case 'OriginateResponse':
        this.onOriginateResponse(msg as AmiEventMessage<'OriginateResponse'>);
        return true;
      case 'Shutdown':
        this.connectionLost(msg.pbxId, amiEventTime(msg));
        return true;
      default:
        return false;
    }
  }

  private flush(): readonly CallTrackerEvent[] {
    const out = this.pending;
    if (out === null) return NO_EVENTS;
    this.pending = null;
    for (const listener of this.listeners) for (const event of out) listener(event);
    return out;
  }

  private pbx(pbxId: string): PbxState {
    let pbx = this.pbxs.get(pbxId);
    if (pbx === undefined) {
      pbx = new PbxState(pbxId, this.recentLimit);
      this.pbxs.set(pbxId, pbx);
    }
    return pbx;
  }

  /** The PBX of an event, with its sequence advanced: every handled event is "heard" after the previous one. */
  private heard(msg: AmiMessage): PbxState {
    const pbx = this.pbx(msg.pbxId);
    pbx.seq++;
    pbx.lastAt = msg.receivedAt;
    return pbx;
  }

  // ---- channels -----------------------------------------------------------------------

  private channel(pbx: PbxState, msg: AmiMessage, keys: ChannelKeys, at: number, lookup: Lookup): TrackedChannel | undefined {
    const uniqueid = msg.get(keys.uniqueid);
    if (uniqueid === undefined || uniqueid === '') return undefined;
    const known = pbx.channels.get(uniqueid);
    if (known !== undefined) {
      known.lastSeq = pbx.seq;
      const linkedid = msg.get(keys.linkedid);
      if (linkedid !== undefined && linkedid !== '' && linkedid !== known.call.linkedid) this.followLinkedid(pbx, known, linkedid, at);
      return known;
    }
    if (lookup === 'find' || pbx.gone.has(uniqueid)) return undefined;
    const name = msg.get(keys.channel);
    if (name === undefined || name === '') return undefined;
    const linkedid = amiValue(msg.get(keys.linkedid)) ?? uniqueid;
    let call = pbx.calls.get(linkedid);
    if (call === undefined && pbx.endedCalls.has(linkedid)) {
      pbx.gone.add(uniqueid);
      return undefined;
    }
    const party = this.classifier.classify(name);
    if (call === undefined) {
      // Out of sight (the link was lost, the listing not complete yet), a call first heard of by
      // anything but the Newchannel of the channel that starts it (Uniqueid = Linkedid) was already
      // going on: it is rebuilt like the listing's calls.
      const recovered = lookup === 'recover' || (pbx.lostAt !== null && (msg.name !== 'Newchannel' || linkedid !== uniqueid));
      call = new TrackedCall(pbx, this.sink, linkedid, at, recovered);
      pbx.calls.set(linkedid, call);
    }
    const ch: TrackedChannel = {
      uniqueid,
      name,
      kind: party.kind,
      peer: party.peer,
      call,
      callerNum: msg.get(keys.callerNum),
      callerName: msg.get(keys.callerName),
      exten: msg.get(keys.exten),
      bridge: null,
      state: channelState(msg.get(keys.state)),
      dialing: 0,
      dialer: null,
      dialedByCaller: false,
      lastSeq: pbx.seq,
      monitorFile: null,
      callFileName: null,
      mixMonitorFile: null,
      mixMonitorArg: null,
      listedApp: null,
    };
    pbx.channels.set(uniqueid, ch);
    if (ch.kind === 'local') pbx.locals.set(name, ch);
    call.attach(ch);
    return ch;
  }

  /**
   * Asterisk re-links channels when it joins calls (transfers, parked-call pickups): a known
   * channel reporting another Linkedid moves to that call, or renames its call when the id is
   * new. A call left empty by the move is merged into the one it joined.
   */
  private followLinkedid(pbx: PbxState, ch: TrackedChannel, linkedid: string, at: number): void {
    const from = ch.call;
    const to = pbx.calls.get(linkedid);
    if (to === from) return;
    if (to === undefined) {
      from.rekey(linkedid);
      pbx.calls.set(linkedid, from);
      return;
    }
    from.detach(ch);
    to.attach(ch);
    if (from.channels.size === 0) this.merge(pbx, from, to, at);
    else from.evaluate(at);
    to.evaluate(at);
  }

  private merge(pbx: PbxState, from: TrackedCall, into: TrackedCall, at: number): void {
    if (from === into) return;
    for (const ch of [...from.channels]) {
      from.detach(ch);
      into.attach(ch);
    }
    for (const id of from.linkedids) {
      if (!into.linkedids.includes(id)) into.linkedids.push(id);
      pbx.calls.set(id, into);
    }
    if (from.announced) from.finish(at, 'merged', into.callId);
    else into.absorb(from, at);
    into.evaluate(at);
  }

  private removeChannel(pbx: PbxState, ch: TrackedChannel, at: number, cause: number | null): void {
    const call = ch.call;
    this.leaveBridge(pbx, ch, at);
    pbx.channels.delete(ch.uniqueid);
    pbx.gone.add(ch.uniqueid);
    if (ch.kind === 'local' && pbx.locals.get(ch.name) === ch) pbx.locals.delete(ch.name);
    call.channelGone(ch, at, cause);
    if (call.channels.size === 0) this.endCall(pbx, call, at, 'hangup');
  }

  private endCall(pbx: PbxState, call: TrackedCall, at: number, reason: 'hangup' | 'lost'): void {
    for (const ch of [...call.channels]) {
      this.leaveBridge(pbx, ch, at);
      pbx.channels.delete(ch.uniqueid);
      pbx.gone.add(ch.uniqueid);
      if (ch.kind === 'local' && pbx.locals.get(ch.name) === ch) pbx.locals.delete(ch.name);
      call.channelGone(ch, at, null);
    }
    call.finish(at, reason);
    for (const id of call.linkedids) {
      if (pbx.calls.get(id) === call) pbx.calls.delete(id);
      pbx.endedCalls.add(id);
    }
  }

  // ---- bridges ------------------------------------------------------------------------

  private enterBridge(pbx: PbxState, ch: TrackedChannel, bridgeId: string, at: number): void {
    if (ch.bridge === bridgeId) return;
    if (ch.bridge !== null) this.leaveBridge(pbx, ch, at);
    let members = pbx.bridges.get(bridgeId);
    if (members === undefined) {
      members = new Set();
      pbx.bridges.set(bridgeId, members);
    }
    members.add(ch);
    ch.bridge = bridgeId;
    this.evaluateAround(pbx, members, ch, at);
  }

  private leaveBridge(pbx: PbxState, ch: TrackedChannel, at: number): void {
    const bridgeId = ch.bridge;
    if (bridgeId === null) return;
    ch.bridge = null;
    const members = pbx.bridges.get(bridgeId);
    if (members === undefined) return;
    members.delete(ch);
    if (members.size === 0) pbx.bridges.delete(bridgeId);
    this.evaluateAround(pbx, members, ch, at);
  }

  /**
   * A bridge change can start or stop talk for every call with a member there, or at the
   * other end of a chain of Local pairs reaching it.
   */
  private evaluateAround(pbx: PbxState, members: ReadonlySet<TrackedChannel>, changed: TrackedChannel, at: number): void {
    const calls = new Set<TrackedCall>([changed.call]);
    collectCallsAlongLocals(pbx, changed, calls, 0);
    for (const m of members) {
      calls.add(m.call);
      collectCallsAlongLocals(pbx, m, calls, 0);
    }
    for (const call of calls) if (call.channels.size > 0) call.evaluate(at);
  }

  // ---- handlers -----------------------------------------------------------------------

  private onChannelInfo(msg: AmiEventMessage<'Newchannel'>): void {
    const pbx = this.heard(msg);
    const at = amiEventTime(msg);
    // A message is split into lines after a few look-ups: a channel just made was created now.
    const before = pbx.channels.size;
    const ch = this.channel(pbx, msg, PLAIN, at, 'create');
    if (ch === undefined || pbx.channels.size !== before) return;
    // A repeated Newchannel or a NewCallerid (Originate's CallerID) updates who the channel is.
    const name: string = msg.name;
    if (name === 'Newstate') {
      const state = msg.get('ChannelState');
      ch.state = channelState(state);
      if (state === RINGING_STATE) ch.call.ringing(ch, at);
    } else {
      ch.callerNum = msg.get('CallerIDNum') ?? ch.callerNum;
      ch.callerName = msg.get('CallerIDName') ?? ch.callerName;
    }
  }

  private onVarSet(msg: AmiEventMessage<'VarSet'>): void {
    const variable = msg.get('Variable');
    if (variable === undefined) return;
    let name = variable;
    // Inherited variables are reported with their `_`/`__` prefix.
    if (name.charCodeAt(0) === 95) name = name.replace(/^_+/, '');
    if (name !== 'CALLFILENAME' && name !== 'MIXMONITOR_FILENAME' && name !== 'CRM_CALL_ID') return;
    const pbx = this.heard(msg);
    const ch = this.channel(pbx, msg, PLAIN, amiEventTime(msg), 'find');
    if (ch === undefined) return;
    const value = amiValue(msg.get('Value')) ?? null;
    if (name === 'CALLFILENAME') ch.callFileName = value;
    else if (name === 'MIXMONITOR_FILENAME') ch.mixMonitorFile = value;
    else if (value !== null) ch.call.crmCallId = value;
  }

  private onNewexten(msg: AmiEventMessage<'Newexten'>): void {
    const app = msg.get('Application');
    if (app !== 'Monitor' && app !== 'MixMonitor') return;
    const pbx = this.heard(msg);
    const ch = this.channel(pbx, msg, PLAIN, amiEventTime(msg), 'find');
    if (ch === undefined) return;
    const args = (msg.get('AppData') ?? '').split(',');
    if (app === 'Monitor') {
      // Monitor(format,fname_base,options): the mixed file is <fname_base>.<format>.
      const base = args[1]?.trim();
      ch.monitorFile = base ? `${base}.${args[0]?.trim() || this.monitorFormat}` : null;
    } else if (args[0]?.trim()) {
      ch.mixMonitorArg = args[0].trim();
    }
  }

  private onDialBegin(msg: AmiEventMessage<'DialBegin'>): void {
    const pbx = this.heard(msg);
    const at = amiEventTime(msg);
    // The originated leg of an Originate has no calling channel, only Dest* keys.
    const caller = this.channel(pbx, msg, PLAIN, at, 'create') ?? null;
    const dest = this.channel(pbx, msg, DEST, at, 'create');
    if (dest === undefined) return;
    dest.call.dialBegin(caller, dest, msg.get('Exten'), msg.get('DialString') ?? '', msg.get('DestChannelState') === RINGING_STATE, at);
  }

  /** `DialState RINGING` (or `PROGRESS`: early media, a trunk's 183) is when a dialled phone rings. */
  private onDialState(msg: AmiEventMessage<'DialState'>): void {
    const status = msg.get('DialStatus');
    if (status !== 'RINGING' && status !== 'PROGRESS') return;
    const pbx = this.heard(msg);
    // Three look-ups, so the message is never split; its Linkedid waits for the next event.
    const dest = pbx.channels.get(msg.get('DestUniqueid') ?? '');
    if (dest === undefined) return;
    dest.lastSeq = pbx.seq;
    dest.call.ringing(dest, amiEventTime(msg));
  }

  private onDialEnd(msg: AmiEventMessage<'DialEnd'>): void {
    const pbx = this.heard(msg);
    const at = amiEventTime(msg);
    this.channel(pbx, msg, PLAIN, at, 'find');
    const dest = this.channel(pbx, msg, DEST, at, 'find');
    if (dest === undefined) return;
    dest.call.dialEnd(dest, msg.get('DialStatus') ?? '', at);
  }

  private onBridgeEnter(msg: AmiEventMessage<'BridgeEnter'>): void {
    const pbx = this.heard(msg);
    const at = amiEventTime(msg);
    const bridgeId = msg.get('BridgeUniqueid');
    const ch = this.channel(pbx, msg, PLAIN, at, 'create');
    if (ch === undefined || !bridgeId) return;
    this.joinCallsOfBridge(pbx, msg, ch, bridgeId, at);
    this.enterBridge(pbx, ch, bridgeId, at);
  }

  /**
   * A channel joining a basic bridge gives every member the oldest Linkedid there (Asterisk's
   * bridge_basic push): a picked-up parked call, a directed pickup, an AMI Bridge of two calls
   * become one call. The events say so only from then on, and the first member's BridgeEnter
   * still showed its old one, so the calls are joined here, into the oldest.
   */
  private joinCallsOfBridge(pbx: PbxState, msg: AmiMessage, ch: TrackedChannel, bridgeId: string, at: number): void {
    const members = pbx.bridges.get(bridgeId);
    if (members === undefined) return;
    let joins: boolean | undefined;
    for (const m of [...members]) {
      if (m.call === ch.call) continue;
      // Read only when two calls meet: the bridge type costs a look-up every BridgeEnter would pay.
      if ((joins ??= joinsLinkedids(msg)) === false) return;
      const [older, younger] = olderCallFirst(ch.call, m.call);
      if (older.channels.size > 0 && younger.channels.size > 0) this.merge(pbx, younger, older, at);
    }
  }

  private onBridgeLeave(msg: AmiEventMessage<'BridgeLeave'>): void {
    const pbx = this.heard(msg);
    const at = amiEventTime(msg);
    const ch = this.channel(pbx, msg, PLAIN, at, 'find');
    if (ch === undefined || ch.bridge !== msg.get('BridgeUniqueid')) return;
    this.leaveBridge(pbx, ch, at);
  }

  private onBridgeDestroy(msg: AmiEventMessage<'BridgeDestroy'>): void {
    const pbx = this.heard(msg);
    const bridgeId = msg.get('BridgeUniqueid');
    const members = bridgeId === undefined ? undefined : pbx.bridges.get(bridgeId);
    if (members === undefined) return;
    const at = amiEventTime(msg);
    for (const ch of [...members]) this.leaveBridge(pbx, ch, at);
  }

  private onHangupRequest(msg: AmiEventMessage<'HangupRequest' | 'SoftHangupRequest'>): void {
    const pbx = this.heard(msg);
    const ch = this.channel(pbx, msg, PLAIN, amiEventTime(msg), 'find');
    if (ch !== undefined) ch.call.hangupRequested(ch, msg.name === 'SoftHangupRequest');
  }

  private onHangup(msg: AmiEventMessage<'Hangup'>): void {
    const pbx = this.heard(msg);
    const at = amiEventTime(msg);
    const ch = this.channel(pbx, msg, PLAIN, at, 'find');
    if (ch === undefined) return;
    const cause = Number.parseInt(msg.get('Cause') ?? '', 10);
    this.removeChannel(pbx, ch, at, Number.isNaN(cause) ? null : cause);
  }

  private onHold(msg: AmiEventMessage<'Hold'>): void {
    const pbx = this.heard(msg);
    const at = amiEventTime(msg);
    const ch = this.channel(pbx, msg, PLAIN, at, 'find');
    if (ch === undefined) return;
    const name: string = msg.name;
    const kind = name === 'Hold' || name === 'Unhold' ? 'h' : 'm';
    if (name === 'Hold' || name === 'MusicOnHoldStart') ch.call.setHoldMarker(kind, ch, at);
    else ch.call.clearHoldMarker(kind, ch, at);
  }

  private onRecordingStart(msg: AmiEventMessage<'MonitorStart'>): void {
    const pbx = this.heard(msg);
    const at = amiEventTime(msg);
    const ch = this.channel(pbx, msg, PLAIN, at, 'find');
    if (ch === undefined) return;
    const monitor = msg.name === 'MonitorStart';
    const file = monitor ? (ch.monitorFile ?? (ch.callFileName !== null ? `${ch.callFileName}.${this.monitorFormat}` : null)) : (ch.mixMonitorFile ?? ch.mixMonitorArg);
    // A Monitor started without a known name is named later by the CDR userfield.
    if (file === null) return;
    const absolute = file.startsWith('/');
    ch.call.startRecording(ch, this.recordingName(file, monitor ? null : ch.mixMonitorArg), absolute ? file : null, monitor ? 'monitor' : 'mixmonitor', at);
  }

  /**
   * A recording's name is its path under the monitor directory: what the dialplan passed to
   * MixMonitor when that was relative (FreePBX: `YYYY/MM/DD/<CALLFILENAME>.wav`), else the part
   * of the absolute path under `monitorDir`, else the base name. Never `..` or an empty segment.
   */
  private recordingName(file: string, requested: string | null): string {
    let name = file;
    if (file.startsWith('/')) {
      if (requested !== null && !requested.startsWith('/') && file.endsWith(`/${requested}`)) name = requested;
      else if (file.startsWith(this.monitorDir)) name = file.slice(this.monitorDir.length);
    }
    return RELATIVE_FILE.test(name) ? name : file.slice(file.lastIndexOf('/') + 1);
  }

  private onRecordingStop(msg: AmiEventMessage<'MonitorStop'>): void {
    const pbx = this.heard(msg);
    const at = amiEventTime(msg);
    const ch = this.channel(pbx, msg, PLAIN, at, 'find');
    if (ch !== undefined) ch.call.stopChannelRecording(ch, msg.name === 'MonitorStop' ? 'monitor' : 'mixmonitor', at);
  }

  private onBlindTransfer(msg: AmiEventMessage<'BlindTransfer'>): void {
    if (msg.get('Result') !== 'Success') return;
    const pbx = this.heard(msg);
    const at = amiEventTime(msg);
    const transferer = pbx.channels.get(msg.get('TransfererUniqueid') ?? '');
    const transferee = pbx.channels.get(msg.get('TransfereeUniqueid') ?? '');
    const call = transferee?.call ?? transferer?.call;
    const to = amiValue(msg.get('Extension'));
    if (call === undefined || to === undefined) return;
    call.addTransfer('blind', transferer?.kind === 'extension' ? transferer.peer : null, to, at);
    call.transferCompleted([transferer], at);
  }

  private onAttendedTransfer(msg: AmiEventMessage<'AttendedTransfer'>): void {
    if (msg.get('Result') !== 'Success') return;
    const pbx = this.heard(msg);
    const at = amiEventTime(msg);
    const first = pbx.channels.get(msg.get('OrigTransfererUniqueid') ?? '');
    const second = pbx.channels.get(msg.get('SecondTransfererUniqueid') ?? '');
    const transferee = pbx.channels.get(msg.get('TransfereeUniqueid') ?? '');
    const target = pbx.channels.get(msg.get('TransferTargetUniqueid') ?? '');
    const call = transferee?.call ?? first?.call ?? second?.call;
    if (call === undefined) return;
    const transferer = first ?? second;
    const to =
      (target?.kind === 'extension' ? target.peer : null) ??
      amiValue(msg.get('TransferTargetCallerIDNum')) ??
      amiValue(msg.get('SecondTransfererConnectedLineNum')) ??
      '';
    call.addTransfer('attended', transferer?.kind === 'extension' ? transferer.peer : null, to, at);
    call.transferCompleted([first, second], at);
    // The consultation was its own call (phone-side transfer): it joins this one.
    if (target !== undefined && target.call !== call) this.merge(pbx, target.call, call, at);
  }

  private onRename(msg: AmiEventMessage<'Rename'>): void {
    const pbx = this.heard(msg);
    const ch = this.channel(pbx, msg, PLAIN, amiEventTime(msg), 'find');
    const name = msg.get('Newname');
    if (ch === undefined || !name) return;
    if (ch.kind === 'local' && pbx.locals.get(ch.name) === ch) {
      pbx.locals.delete(ch.name);
      pbx.locals.set(name, ch);
    }
    ch.name = name;
  }

  private onQueueCallerAbandon(msg: AmiEventMessage<'QueueCallerAbandon'>): void {
    const pbx = this.heard(msg);
    const ch = this.channel(pbx, msg, PLAIN, amiEventTime(msg), 'find');
    if (ch !== undefined) ch.call.queueAbandoned = true;
  }

  /** `Cdr` names the Monitor file (userfield) and completes a call recovered from a snapshot. */
  private onCdr(msg: AmiEventMessage<'Cdr'>): void {
    const pbx = this.heard(msg);
    // Keyed by the CDR channel's Uniqueid; one that already hung up is a late Cdr: dropped.
    const ch = pbx.channels.get(msg.get('UniqueID') ?? '');
    if (ch === undefined) return;
    const call = ch.call;
    const userField = amiValue(msg.get('UserField'));
    if (userField !== undefined && FILE_NAME.test(userField) && !call.hasRecording(userField)) {
      const file = `${userField}.${this.monitorFormat}`;
      // A Monitor started without a name, unless a call rebuilt after a restart had it stored (a MixMonitor, perhaps).
      const stored = call.recovered ? pbx.storedRecordings.get(file) : undefined;
      call.startRecording(ch, file, stored?.path ?? null, stored?.source ?? 'monitor', call.answeredAt ?? call.startedAt);
    }
    call.refineFromCdr(parseCdrTime(msg.get('StartTime'), this.cdrOffset), parseCdrTime(msg.get('AnswerTime'), this.cdrOffset));
    ch.lastSeq = pbx.seq;
  }

  private onOriginateResponse(msg: AmiEventMessage<'OriginateResponse'>): void {
    const pbx = this.heard(msg);
    const actionId = msg.get('ActionID') ?? null;
    const uniqueid = amiValue(msg.get('Uniqueid'));
    if (uniqueid !== undefined) {
      const ch = pbx.channels.get(uniqueid);
      if (ch !== undefined && actionId !== null) ch.call.originateActionId = actionId;
      return;
    }
    // No channel was ever made (unregistered peer): the attempt itself is the call record.
    if (msg.get('Response') === 'Failure') this.sink({ type: 'ended', at: amiEventTime(msg), call: this.failedOriginate(pbx, msg, actionId) });
  }

  private failedOriginate(pbx: PbxState, msg: AmiEventMessage<'OriginateResponse'>, actionId: string | null): CallRecord {
    const at = amiEventTime(msg);
    const party = this.classifier.classify(msg.get('Channel') ?? '');
    const callee = amiValue(msg.get('Exten')) ?? '';
    const linkedid = `originate-failed:${actionId ?? at}`;
    return {
      pbx: pbx.pbxId,
      callId: `${pbx.pbxId}:${linkedid}`,
      linkedid,
      linkedids: [linkedid],
      direction: party.kind === 'trunk' || callee.length >= 7 ? 'outbound' : 'internal',
      caller: (party.kind === 'extension' ? party.peer : null) ?? amiValue(msg.get('CallerIDNum')) ?? '',
      callerName: amiValue(msg.get('CallerIDName')) ?? null,
      callee,
      trunk: party.kind === 'trunk' ? party.peer : null,
      ringingExtensions: [],
      answeredBy: null,
      agents: [],
      status: 'failed',
      ended: true,
      startedAt: at,
      answeredAt: null,
      endedAt: at,
      ringSeconds: 0,
      talkSeconds: 0,
      holdSeconds: 0,
      hangupBy: 'system',
      hangupCause: null,
      recordings: [],
      transfers: [],
      holds: [],
      crmCallId: null,
      endReason: 'originate_failed',
      mergedInto: null,
      originateActionId: actionId,
      legs: [],
    };
  }

  // ---- reconnects and snapshots -------------------------------------------------------

  /** A greeting on a PBX that has calls means the connection was re-established. */
  private onGreeting(msg: AmiMessage): void {
    const pbx = this.pbxs.get(msg.pbxId);
    if (pbx === undefined || pbx.calls.size === 0) return;
    pbx.lostAt ??= msg.receivedAt;
    pbx.snapshot = null;
  }

  /** `Response: Success / EventList: start / Message: Channels will follow` opens the listing. */
  private onResponse(msg: AmiMessage): void {
    if (msg.get('EventList') !== 'start' || msg.get('Message') !== 'Channels will follow') return;
    const pbx = this.pbx(msg.pbxId);
    if (pbx.snapshot === null) this.beginSnapshot(msg.pbxId, msg.get('ActionID'));
  }

  private onSnapshotRow(msg: AmiEventMessage<'CoreShowChannel'>): void {
    const pbx = this.heard(msg);
    if (pbx.snapshot === null) this.beginSnapshot(msg.pbxId, msg.get('ActionID'));
    const snapshot = pbx.snapshot!;
    const at = msg.receivedAt;
    const uniqueid = msg.get('Uniqueid') ?? '';
    const known = pbx.channels.has(uniqueid);
    const ch = this.channel(pbx, msg, PLAIN, at, 'recover');
    if (ch === undefined) return;
    snapshot.seen.add(ch);
    ch.state = channelState(msg.get('ChannelState'));
    ch.listedApp = amiValue(msg.get('Application')) ?? null;
    const call = ch.call;
    if (!known && call.recovered) {
      const since = at - parseAmiDuration(msg.get('Duration'));
      if (since < call.startedAt) call.startedAt = since;
      // 5 = Ringing: a callee's phone still ringing when the listing was made.
      if (msg.get('ChannelState') === '5') call.markRinging(ch, since);
    }
    const bridgeId = amiValue(msg.get('BridgeId'));
    if (bridgeId !== undefined) this.enterBridge(pbx, ch, bridgeId, at);
    else if (ch.bridge !== null) this.leaveBridge(pbx, ch, at);
  }

  private onSnapshotComplete(msg: AmiEventMessage<'CoreShowChannelsComplete'>): void {
    const pbx = this.heard(msg);
    // A listing with no rows and no response seen: an empty PBX.
    if (pbx.snapshot === null) this.beginSnapshot(msg.pbxId, msg.get('ActionID'));
    this.completeSnapshot(pbx, msg.receivedAt);
  }

  private completeSnapshot(pbx: PbxState, at: number): void {
    const snapshot = pbx.snapshot;
    if (snapshot === null) return;
    pbx.snapshot = null;
    // Whatever vanished while we were away ended then, as far as we can tell.
    const endedAt = pbx.lostAt ?? at;
    pbx.lostAt = null;
    for (const call of pbx.liveCalls()) {
      const vanished = [...call.channels].filter((ch) => !snapshot.seen.has(ch) && ch.lastSeq < snapshot.beginSeq);
      if (vanished.length === call.channels.size) {
        this.endCall(pbx, call, Math.max(endedAt, call.startedAt), 'lost');
        continue;
      }
      for (const ch of vanished) this.removeChannel(pbx, ch, Math.max(endedAt, call.startedAt), null);
      if (call.recovered) call.announceRecovered(at);
    }
  }
}

/** Adds the calls of everything reachable from Local half `ch` through its other half and that half's bridge. */
function collectCallsAlongLocals(pbx: PbxState, ch: TrackedChannel, calls: Set<TrackedCall>, depth: number): void {
  if (depth >= MAX_LOCAL_DEPTH) return;
  const partner = pbx.localPartner(ch);
  if (partner === undefined) return;
  calls.add(partner.call);
  if (partner.bridge === null) return;
  for (const m of pbx.bridges.get(partner.bridge) ?? []) {
    if (m === partner) continue;
    calls.add(m.call);
    collectCallsAlongLocals(pbx, m, calls, depth + 1);
  }
}

function channelState(value: string | undefined): number {
  const state = value === undefined ? Number.NaN : Number.parseInt(value, 10);
  return Number.isNaN(state) ? -1 : state;
}

/** Bridges that give their members one Linkedid: basic ones and mixing ARI ones, not parking lots, holding or conference bridges. */
function joinsLinkedids(msg: AmiMessage): boolean {
  const type = msg.get('BridgeType');
  return type === 'basic' || (type === 'stasis' && msg.get('BridgeTechnology') !== 'holding_bridge');
}

/** Asterisk keeps the oldest Linkedid: `<epoch>.<sequence>` compared as numbers, else the call seen first. */
function olderCallFirst(a: TrackedCall, b: TrackedCall): [TrackedCall, TrackedCall] {
  const x = linkedidAge(a.linkedid);
  const y = linkedidAge(b.linkedid);
  if (x !== null && y !== null) return x[0] < y[0] || (x[0] === y[0] && x[1] <= y[1]) ? [a, b] : [b, a];
  return a.startedAt <= b.startedAt ? [a, b] : [b, a];
}

function linkedidAge(linkedid: string): [number, number] | null {
  const dot = linkedid.indexOf('.');
  if (dot <= 0) return null;
  const seconds = Number(linkedid.slice(0, dot));
  const sequence = Number(linkedid.slice(dot + 1));
  return Number.isInteger(seconds) && Number.isInteger(sequence) ? [seconds, sequence] : null;
}
