import type { SimClock, SimTimer } from '../clock/sim-clock';
import type { SeededRandom } from '@app/ami';
import { AmiEvent, AmiFields, privilegeClasses } from './ami-event';
import { CallPlans, DEFAULT_BEHAVIOUR, DefaultBehaviour } from './call-plans';
import { CdrBook } from './cdr-book';
import { DeviceStates } from './device-states';
import { Dialplan, strftime } from './dialplan';
import { DialApp } from './dial-app';
import { ChannelControl } from './channel-control';
import { QueueApp } from './queue-app';
import { Originator } from './originator';
import { Parking } from './parking';
import type { PbxConfig } from './pbx-config';
import { RecordingFiles, WrittenRecording } from './recording-files';
import { RtpReports } from './rtp-reports';
import { SimBridge, BridgeKind } from './sim-bridge';
import { ChannelState, SimChannel, SimPeer } from './sim-channel';

export const HANGUP_CAUSE_TEXT: Record<number, string> = {
  0: 'Unknown',
  1: 'Unallocated (unassigned) number',
  16: 'Normal Clearing',
  17: 'User busy',
  18: 'No user responding',
  19: 'User alerting, no answer',
  20: 'Subscriber absent',
  21: 'Call Rejected',
  26: 'Answered elsewhere',
  27: 'Destination out of order',
  34: 'Circuit/channel congestion',
  38: 'Network out of order',
  127: 'Interworking, unspecified',
};

export interface EngineOptions {
  config: PbxConfig;
  clock: SimClock;
  rng: SeededRandom;
  behaviour?: DefaultBehaviour;
  /** Told about failures that must not stop the simulation (a recording that could not be written). */
  onError?: (err: Error) => void;
}

/** One call (channels sharing a Linkedid) as the simulator sees it, for `placeCall` results and stats. */
export interface SimCall {
  linkedid: string;
  startedAt: number;
  endedAt: number | null;
  /** Every channel the call ever had, in creation order. */
  channels: { name: string; uniqueid: string }[];
  recordings: WrittenRecording[];
  live: Set<string>;
  done: Promise<SimCall>;
  resolve: (c: SimCall) => void;
}

export interface EngineStats {
  callsStarted: number;
  callsCompleted: number;
  activeCalls: number;
  activeChannels: number;
  events: number;
}

type AppResult = 'next' | 'wait' | 'gone';

/**
 * The simulated Asterisk core: channels, bridges, the dialplan interpreter and the
 * event stream. Call-flow modules (Dial, Queue, channel control, Originate, parking)
 * drive it through these primitives, which emit events in the order and with the
 * keys the real Asterisk 20 captures show.
 */
export class PbxEngine {
  readonly config: PbxConfig;
  readonly clock: SimClock;
  readonly rng: SeededRandom;
  readonly dialplan: Dialplan;
  readonly peers = new Map<string, SimPeer>();
  readonly startedAt: number;
  readonly devices: DeviceStates;
  readonly cdrs: CdrBook;
  readonly rtp: RtpReports;
  readonly recordings: RecordingFiles;
  readonly plans: CallPlans;
  readonly dial: DialApp;
  readonly control: ChannelControl;
  readonly queues: QueueApp;
  readonly originator: Originator;
  readonly parking: Parking;
  readonly globals: Map<string, string>;
  readonly stats: EngineStats = { callsStarted: 0, callsCompleted: 0, activeCalls: 0, activeChannels: 0, events: 0 };
  /** `core show channels` prints it: calls that ended since start. */
  callsProcessed = 0;

  private readonly byName = new Map<string, SimChannel>();
  private readonly byUniqueid = new Map<string, SimChannel>();
  /** Live channels per peer: device state is recomputed on every channel change. */
  private readonly byPeer = new Map<string, Set<SimChannel>>();
  private readonly listeners = new Set<(e: AmiEvent) => void>();
  private readonly calls = new Map<string, SimCall>();
  private counter: number;
  private localCounter = 0;
  private sipSeq = 0;
  private readonly sipPid: number;
  private readonly onError: (err: Error) => void;

  constructor(options: EngineOptions) {
    this.config = options.config;
    this.clock = options.clock;
    this.rng = options.rng;
    this.onError = options.onError ?? (() => undefined);
    this.startedAt = this.clock.now();
    this.counter = options.config.channelCounterStart;
    this.sipPid = this.rng.int(20000, 32000);
    this.dialplan = new Dialplan(options.config);
    this.globals = this.dialplan.globals;
    for (const ext of options.config.extensions) {
      this.peers.set(ext.number, {
        name: ext.number,
        kind: 'extension',
        callerNum: ext.number,
        callerName: ext.name,
        context: 'from-internal',
        registered: ext.registered !== false,
        port: 5070 + (Number(ext.number.slice(-2)) || 0),
      });
    }
    this.peers.set(options.config.trunk, {
      name: options.config.trunk,
      kind: 'trunk',
      callerNum: '<unknown>',
      callerName: '<unknown>',
      context: 'from-external',
      registered: true,
      port: 5080,
    });
    this.devices = new DeviceStates(this);
    this.cdrs = new CdrBook(this);
    this.rtp = new RtpReports(this);
    this.recordings = new RecordingFiles(options.config.recordingsPath, this.onError);
    this.plans = new CallPlans(this.rng, options.behaviour ?? DEFAULT_BEHAVIOUR);
    this.dial = new DialApp(this);
    this.control = new ChannelControl(this);
    this.queues = new QueueApp(this);
    this.originator = new Originator(this);
    this.parking = new Parking(this);
  }

  // ---- event stream -------------------------------------------------------------------------

  /** Subscribes to every event; returns the unsubscribe function. */
  onEvent(listener: (e: AmiEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(name: string, privilege: string, fields?: AmiFields): void {
    const keys = ['Event', 'Privilege'];
    const values = [name, privilege];
    if (fields) {
      keys.push(...fields.keys);
      values.push(...fields.values);
    }
    this.publish({ name, keys, values, at: this.clock.now(), classes: privilegeClasses(privilege) });
  }

  /** An event about one channel: its 14-line snapshot, then `extra`. */
  channelEvent(name: string, privilege: string, ch: SimChannel, extra?: AmiFields): void {
    const snap = ch.snapshot();
    const f = new AmiFields().addAll(snap.keys, snap.values);
    if (extra) f.addAll(extra.keys, extra.values);
    this.emit(name, privilege, f);
  }

  /** An event about a caller/callee pair (DialBegin/State/End, Agent*): caller snapshot (if any), `Dest` snapshot, extra. */
  pairEvent(name: string, privilege: string, caller: SimChannel | null, dest: SimChannel, extra: AmiFields): void {
    const f = new AmiFields();
    if (caller) {
      const c = caller.snapshot();
      f.addAll(c.keys, c.values);
    }
    const d = dest.snapshot('Dest');
    f.addAll(d.keys, d.values).addAll(extra.keys, extra.values);
    this.emit(name, privilege, f);
  }

  private publish(e: AmiEvent): void {
    this.stats.events++;
    for (const l of this.listeners) {
      try {
        l(e);
      } catch (err) {
        this.onError(err as Error);
      }
    }
  }

  // ---- channels -------------------------------------------------------------------------------

  channel(name: string): SimChannel | undefined {
    return this.byName.get(name);
  }

  channelByUniqueid(uniqueid: string): SimChannel | undefined {
    return this.byUniqueid.get(uniqueid);
  }

  /** Live channels in creation order. */
  liveChannels(): SimChannel[] {
    return [...this.byName.values()];
  }

  channelsOf(peer: string): Iterable<SimChannel> {
    return this.byPeer.get(peer) ?? [];
  }

  call(linkedid: string): SimCall | undefined {
    return this.calls.get(linkedid);
  }

  /** The next `<epoch>.<n>` uniqueid and the hex suffix of the channel name that shares the counter. */
  private nextIds(uniqueid?: string): { uniqueid: string; suffix: string } {
    const n = this.counter++;
    return {
      uniqueid: uniqueid ?? `${Math.floor(this.clock.now() / 1000)}.${n}`,
      suffix: n.toString(16).padStart(8, '0'),
    };
  }

  /** A phone's or the trunk's own SIP Call-ID (sipp style) for calls they start. */
  remoteCallId(): string {
    return `${++this.sipSeq}-${this.sipPid}@127.0.0.1`;
  }

  /** A Call-ID Asterisk generates for a call it places (with `:5060` unless the peer has a fromdomain). */
  localCallId(peer: SimPeer): string {
    return `${this.rng.hex(32)}@127.0.0.1${peer.kind === 'trunk' ? '' : ':5060'}`;
  }

  /**
   * Creates the channel Asterisk makes when it calls a peer (a Dial leg or an Originate):
   * a trunk presents no caller id, the leg starts at `s` of the peer's context and then
   * sets SIPCALLID with an empty extension, as the captures show.
   */
  newOutgoingLeg(peer: SimPeer, opts: { linkedid?: string; uniqueid?: string; dialedBy?: SimChannel; outgoing?: boolean }): SimChannel {
    const trunk = peer.kind === 'trunk';
    const ch = this.newChannel({
      peer,
      callerNum: trunk ? '<unknown>' : peer.callerNum,
      callerName: trunk ? '<unknown>' : peer.callerName,
      context: peer.context,
      exten: 's',
      sipCallId: this.localCallId(peer),
      ...opts,
    });
    this.varSet(ch, 'SIPCALLID', ch.sipCallId);
    ch.exten = '';
    return ch;
  }

  /**
   * Creates a SIP channel and emits `Newchannel`. `deviceFirst` reports the device
   * state change before it, as the captures show for a phone that starts a call.
   */
  newChannel(opts: {
    peer: SimPeer;
    callerNum: string;
    callerName: string;
    context: string;
    exten: string;
    linkedid?: string;
    uniqueid?: string;
    sipCallId: string;
    dialedBy?: SimChannel | null;
    outgoing?: boolean;
    deviceFirst?: boolean;
  }): SimChannel {
    const ids = this.nextIds(opts.uniqueid);
    const ch = new SimChannel(
      `SIP/${opts.peer.name}-${ids.suffix}`,
      ids.uniqueid,
      opts.linkedid ?? ids.uniqueid,
      opts.peer,
      opts.callerNum,
      opts.callerName,
      opts.context,
      opts.exten,
      this.clock.now(),
      opts.sipCallId,
      this.rng.uint32() >>> 1,
    );
    ch.dialedBy = opts.dialedBy ?? null;
    ch.outgoing = opts.outgoing ?? ch.dialedBy !== null;
    this.register(ch);
    if (opts.deviceFirst) this.devices.refresh(ch.peer.name);
    this.channelEvent('Newchannel', 'call,all', ch);
    if (!opts.deviceFirst) this.devices.refresh(ch.peer.name);
    return ch;
  }

  /** A Local channel pair (`Local/<exten>@<context>-<n>;1` and `;2`), as an attended transfer dials. */
  newLocalPair(exten: string, context: string, owner: SimChannel): [SimChannel, SimChannel] {
    const n = (this.localCounter++).toString(16).padStart(8, '0');
    const base = `Local/${exten}@${context}-${n}`;
    const localPeer: SimPeer = { name: `Local/${exten}@${context}`, kind: 'extension', callerNum: owner.callerNum, callerName: owner.callerName, context, registered: true, port: 0 };
    const make = (half: string): SimChannel => {
      const ids = this.nextIds();
      const ch = new SimChannel(`${base};${half}`, ids.uniqueid, owner.linkedid, localPeer, owner.callerNum, owner.callerName, context, exten, this.clock.now(), '', 0);
      this.register(ch);
      this.channelEvent('Newchannel', 'call,all', ch);
      return ch;
    };
    const one = make('1');
    const two = make('2');
    one.localPeer = two;
    two.localPeer = one;
    return [one, two];
  }

  private register(ch: SimChannel): void {
    this.byName.set(ch.name, ch);
    this.byUniqueid.set(ch.uniqueid, ch);
    let peers = this.byPeer.get(ch.peer.name);
    if (!peers) this.byPeer.set(ch.peer.name, (peers = new Set()));
    peers.add(ch);
    this.stats.activeChannels = this.byName.size;
    let call = this.calls.get(ch.linkedid);
    if (!call) {
      let resolve!: (c: SimCall) => void;
      const done = new Promise<SimCall>((r) => (resolve = r));
      call = { linkedid: ch.linkedid, startedAt: this.clock.now(), endedAt: null, channels: [], recordings: [], live: new Set(), done, resolve };
      this.calls.set(ch.linkedid, call);
      this.stats.callsStarted++;
      this.stats.activeCalls++;
    }
    call.channels.push({ name: ch.name, uniqueid: ch.uniqueid });
    call.live.add(ch.name);
  }

  /** Starts a call from a phone or the trunk: the channel rings into the dialplan at `exten`. */
  startIncoming(peer: SimPeer, callerNum: string, callerName: string, exten: string, linkedidHook?: (ch: SimChannel) => void): SimChannel {
    const ch = this.newChannel({
      peer,
      callerNum,
      callerName,
      context: peer.context,
      exten,
      sipCallId: this.remoteCallId(),
      deviceFirst: true,
    });
    ch.dnid = exten;
    linkedidHook?.(ch);
    this.varSet(ch, 'SIPURI', `sip:${callerNum}@127.0.0.1:5100`);
    this.varSet(ch, 'SIPDOMAIN', '127.0.0.1');
    this.varSet(ch, 'SIPCALLID', ch.sipCallId);
    this.setState(ch, 4);
    this.cdrs.open(ch);
    ch.hasPbx = true;
    this.runPbx(ch);
    return ch;
  }

  setState(ch: SimChannel, state: ChannelState): void {
    if (ch.state === state) return;
    ch.state = state;
    if (state === 6 && ch.answeredAt === null) ch.answeredAt = this.clock.now();
    this.channelEvent('Newstate', 'call,all', ch);
    this.devices.refresh(ch.peer.name);
    if (state === 6) {
      this.startMedia(ch);
      if (ch.localPeer && ch.localPeer.state !== 6) this.setState(ch.localPeer, 6);
    }
  }

  /** Media flows from the answer on: RTCP reports start (SIP channels only). */
  startMedia(ch: SimChannel): void {
    if (ch.rtcpStarted || ch.localPeer) return;
    ch.rtcpStarted = true;
    this.rtp.startRtcp(ch);
  }

  varSet(ch: SimChannel, name: string, value: string): void {
    const key = name.replace(/^_+/, '');
    if (value === '') ch.vars.delete(key);
    else ch.vars.set(key, value);
    if (name.startsWith('__') && value !== '') ch.inherit.set(key, name);
    else if (value === '') ch.inherit.delete(key);
    this.channelEvent('VarSet', 'dialplan,all', ch, new AmiFields().add('Variable', name).add('Value', value));
  }

  getVar(ch: SimChannel | null, name: string): string {
    const fn = /^(\w+)\((.*)\)$/.exec(name);
    if (fn && ch) {
      const [, func, arg] = fn;
      if (func === 'CDR' && arg === 'userfield') return ch.userField;
      if (func === 'CALLERID') {
        if (arg === 'num') return ch.callerNum === '<unknown>' ? '' : ch.callerNum;
        if (arg === 'name') return ch.callerName === '<unknown>' ? '' : ch.callerName;
        if (arg === 'all') return ch.callerIdAll;
      }
      if (func === 'CHANNEL') {
        if (arg === 'name') return ch.name;
        if (arg === 'uniqueid') return ch.uniqueid;
        if (arg === 'linkedid') return ch.linkedid;
        if (arg === 'state') return ch.stateDesc;
      }
      return '';
    }
    const key = name.replace(/^_+/, '');
    if (ch) {
      if (key === 'EXTEN') return ch.exten;
      if (key === 'CONTEXT') return ch.context;
      if (key === 'PRIORITY') return String(ch.priority);
      if (key === 'UNIQUEID') return ch.uniqueid;
      if (key === 'CHANNEL') return ch.name;
      const v = ch.vars.get(key);
      if (v !== undefined) return v;
    }
    if (key === 'EPOCH') return String(Math.floor(this.clock.now() / 1000));
    return this.globals.get(key) ?? '';
  }

  /** Expands `${...}` innermost first: variables, `${VAR:offset}`, CALLERID(), CDR(), STRFTIME(). */
  expand(ch: SimChannel, template: string): string {
    let s = template;
    for (let guard = 0; guard < 32; guard++) {
      const m = /\$\{([^${}]*)\}/.exec(s);
      if (!m) break;
      s = s.slice(0, m.index) + this.evaluate(ch, m[1]) + s.slice(m.index + m[0].length);
    }
    return s;
  }

  private evaluate(ch: SimChannel, expr: string): string {
    const strf = /^STRFTIME\(([^,]*),[^,]*,(.*)\)$/.exec(expr);
    if (strf) return strftime(Number(strf[1]) || Math.floor(this.clock.now() / 1000), strf[2]);
    const sub = /^(\w+):(-?\d+)$/.exec(expr);
    if (sub) return this.getVar(ch, sub[1]).slice(Number(sub[2]));
    return this.getVar(ch, expr);
  }

  // ---- dialplan interpreter -----------------------------------------------------------------------

  /** Emits Newexten for the step the channel is at (its snapshot shows the new location and app). */
  newexten(ch: SimChannel, context: string, exten: string, priority: number, app: string, data: string): void {
    ch.context = context;
    ch.exten = exten;
    ch.priority = priority;
    ch.app = app;
    ch.appData = data;
    this.channelEvent('Newexten', 'dialplan,all', ch, new AmiFields().add('Extension', exten).add('Application', app).add('AppData', data));
  }

  /**
   * Async goto (Redirect, BlindTransfer): the channel's location changes at once and a
   * Newexten reports it with the application still running; the step at the new
   * location then runs without a Newexten of its own.
   */
  asyncGoto(ch: SimChannel, context: string, exten: string, priority: number): void {
    this.newexten(ch, context, exten, priority, ch.app, ch.appData);
    ch.suppressNextNewexten = true;
    ch.hasPbx = true;
  }

  /** Runs the dialplan from the channel's location until an application blocks or the channel ends. */
  runPbx(ch: SimChannel): void {
    while (!ch.hungUp) {
      const step = this.dialplan.step(ch.context, ch.exten, ch.priority);
      if (!step) {
        // Falling off the end of an extension hangs the channel up (auto fallthrough).
        this.softHangupRequest(ch);
        this.hangup(ch, ch.hangupCause);
        return;
      }
      const data = this.expand(ch, step.data);
      if (ch.suppressNextNewexten) {
        ch.suppressNextNewexten = false;
        ch.app = step.app;
        ch.appData = data;
      } else {
        this.newexten(ch, ch.context, ch.exten, ch.priority, step.app, data);
      }
      this.cdrs.app(ch, step.app, data);
      const r = this.execApp(ch, step.app, data);
      if (r !== 'next') return;
      ch.priority++;
    }
  }

  /** A blocking application returned: go on at the next priority. */
  continuePbx(ch: SimChannel): void {
    if (ch.hungUp) return;
    ch.activity = { kind: 'none' };
    ch.priority++;
    this.runPbx(ch);
  }

  /** After a `basic` bridge breaks, a member goes on at its "go on" position (set by the Bridge action). */
  resumeAfterBridge(ch: SimChannel): void {
    ch.activity = { kind: 'none' };
    if (ch.goOn) {
      const g = ch.goOn;
      ch.goOn = null;
      ch.context = g.context;
      ch.exten = g.exten;
      ch.priority = g.priority;
      this.runPbx(ch);
      return;
    }
    this.softHangupRequest(ch);
    this.hangup(ch, 16);
  }

  /** Runs one application outside the dialplan (Originate with Application/Data); the channel hangs up after it. */
  runApplication(ch: SimChannel, app: string, data: string): void {
    ch.context = '';
    ch.exten = '';
    ch.priority = 1;
    ch.hasPbx = true;
    this.newexten(ch, '', '', 1, app, data);
    this.cdrs.app(ch, app, data);
    if (this.execApp(ch, app, data) === 'next') {
      this.softHangupRequest(ch);
      this.hangup(ch, 16);
    }
  }

  private execApp(ch: SimChannel, app: string, data: string): AppResult {
    switch (app) {
      case 'NoOp':
        return 'next';
      case 'Macro':
        this.macro(ch, data);
        return ch.hungUp ? 'gone' : 'next';
      case 'Set':
        this.set(ch, data);
        return 'next';
      case 'Monitor': {
        const [, file] = data.split(',');
        this.startMonitor(ch, file || ch.name.replace('/', '-'));
        return 'next';
      }
      case 'MixMonitor':
        this.startMixMonitor(ch, data.split(',')[0]);
        return 'next';
      case 'Answer':
        if (ch.state !== 6) this.setState(ch, 6);
        this.cdrs.answered(ch);
        return 'next';
      case 'Dial':
        return this.dial.exec(ch, data);
      case 'Queue':
        return this.queues.exec(ch, data);
      case 'Park':
        return this.parking.parkFromDialplan(ch);
      case 'MusicOnHold':
        ch.activity = { kind: 'moh' };
        this.mohStart(ch);
        return 'wait';
      case 'Wait': {
        ch.activity = { kind: 'wait' };
        ch.activityTimer = this.timer(ch, (Number(data) || 0) * 1000, () => {
          ch.activityTimer = null;
          this.continuePbx(ch);
        });
        return 'wait';
      }
      case 'Hangup':
      default: {
        const cause = app === 'Hangup' && data !== '' ? Number(data) : ch.hangupCause;
        this.softHangupRequest(ch);
        this.hangup(ch, Number.isFinite(cause) ? cause : 16);
        return 'gone';
      }
    }
  }

  /** app_macro: MACRO_* bookkeeping around the macro's steps, as the captures show it. */
  private macro(ch: SimChannel, data: string): void {
    const [name, ...args] = data.split(',');
    const from = { context: ch.context, exten: ch.exten, priority: ch.priority };
    this.varSet(ch, 'MACRO_EXTEN', from.exten);
    this.varSet(ch, 'MACRO_CONTEXT', from.context);
    this.varSet(ch, 'MACRO_PRIORITY', String(from.priority));
    this.varSet(ch, 'MACRO_DEPTH', '1');
    args.forEach((a, i) => this.varSet(ch, `ARG${i + 1}`, a));
    const context = `macro-${name}`;
    for (let p = 1; ; p++) {
      const step = this.dialplan.step(context, 's', p);
      if (!step || ch.hungUp) break;
      this.varSet(ch, 'MACRO_DEPTH', '1');
      ch.context = context;
      ch.exten = 's';
      ch.priority = p;
      const stepData = this.expand(ch, step.data);
      this.newexten(ch, context, 's', p, step.app, stepData);
      this.execApp(ch, step.app, stepData);
    }
    if (ch.hungUp) return;
    this.varSet(ch, 'MACRO_DEPTH', '0');
    args.forEach((_, i) => this.varSet(ch, `ARG${i + 1}`, ''));
    this.varSet(ch, 'MACRO_EXTEN', '');
    this.varSet(ch, 'MACRO_CONTEXT', '');
    this.varSet(ch, 'MACRO_PRIORITY', '');
    ch.context = from.context;
    ch.exten = from.exten;
    ch.priority = from.priority;
  }

  private set(ch: SimChannel, data: string): void {
    const eq = data.indexOf('=');
    if (eq <= 0) return;
    const name = data.slice(0, eq);
    const value = data.slice(eq + 1);
    if (name === 'CDR(userfield)') ch.userField = value;
    else this.varSet(ch, name, value);
  }

  startMonitor(ch: SimChannel, file: string): void {
    this.varSet(ch, '__MONITORED', 'true');
    this.channelEvent('MonitorStart', 'call,all', ch);
    ch.recordings.push({ source: 'monitor', file, startedAt: this.clock.now(), stoppedAt: null });
  }

  startMixMonitor(ch: SimChannel, file: string): string {
    const path = file.startsWith('/') ? file : `${this.config.monitorSpool}/${file}`;
    this.varSet(ch, 'MIXMONITOR_FILENAME', path);
    this.channelEvent('MixMonitorStart', 'call,all', ch);
    ch.recordings.push({ source: 'mixmonitor', file: path, startedAt: this.clock.now(), stoppedAt: null });
    return path;
  }

  mohStart(ch: SimChannel): void {
    ch.mohPlaying = true;
    this.channelEvent('MusicOnHoldStart', 'call,all', ch, new AmiFields().add('Class', 'default'));
  }

  mohStop(ch: SimChannel): void {
    if (!ch.mohPlaying) return;
    ch.mohPlaying = false;
    this.channelEvent('MusicOnHoldStop', 'call,all', ch);
  }

  /** Stops the channel's Monitor (MonitorStop + MONITORED cleared); false when it has none running. */
  stopMonitor(ch: SimChannel): boolean {
    const rec = ch.recordings.find((r) => r.source === 'monitor' && r.stoppedAt === null);
    if (!rec) return false;
    this.channelEvent('MonitorStop', 'call,all', ch);
    this.varSet(ch, 'MONITORED', '');
    this.noteRecording(ch, this.recordings.stop(ch, rec, this.clock.now()));
    return true;
  }

  /** Stops the most recent MixMonitor; `event` is false at hangup (MixMonitorStop comes only from StopMixMonitor). */
  stopMixMonitor(ch: SimChannel, event: boolean): boolean {
    const rec = [...ch.recordings].reverse().find((r) => r.source === 'mixmonitor' && r.stoppedAt === null);
    if (!rec) return false;
    if (event) this.channelEvent('MixMonitorStop', 'call,all', ch);
    this.noteRecording(ch, this.recordings.stop(ch, rec, this.clock.now()));
    return true;
  }

  private noteRecording(ch: SimChannel, rec: WrittenRecording | null): void {
    if (rec) this.calls.get(ch.linkedid)?.recordings.push(rec);
  }

  // ---- hangup -------------------------------------------------------------------------------------

  hangupRequest(ch: SimChannel, cause: number | null): void {
    this.channelEvent('HangupRequest', 'call,all', ch, cause === null ? undefined : new AmiFields().add('Cause', cause));
  }

  softHangupRequest(ch: SimChannel, cause = 16): void {
    this.channelEvent('SoftHangupRequest', 'call,all', ch, new AmiFields().add('Cause', cause));
  }

  /**
   * The channel goes away: its RTP summary (unless its endpoint already sent BYE),
   * MonitorStop, its CDR lines, `Hangup`. Callers have already taken it out of any
   * bridge and ended what it was doing.
   */
  hangup(ch: SimChannel, cause: number): void {
    if (ch.hungUp) return;
    ch.hungUp = true;
    ch.hangupCause = cause;
    ch.cancelTimers();
    this.dial.release(ch);
    this.mohStop(ch);
    if (ch.bridge) this.detach(ch);
    this.rtp.onHangup(ch);
    this.stopMonitor(ch);
    while (this.stopMixMonitor(ch, false));
    if (ch.cdr || ch.cdrDone.length > 0) this.cdrs.report(ch);
    this.channelEvent('Hangup', 'call,all', ch, new AmiFields().add('Cause', cause).add('Cause-txt', HANGUP_CAUSE_TEXT[cause] ?? 'Unknown'));
    this.byName.delete(ch.name);
    this.byUniqueid.delete(ch.uniqueid);
    this.byPeer.get(ch.peer.name)?.delete(ch);
    this.stats.activeChannels = this.byName.size;
    if (ch.localPeer === null) this.devices.refresh(ch.peer.name);
    // The two halves of a Local channel live and die together.
    const half = ch.localPeer;
    if (half && !half.hungUp) this.timer(null, 0, () => this.control.amiHangup(half, 16));
    this.channelGone(ch);
  }

  private channelGone(ch: SimChannel): void {
    const call = this.calls.get(ch.linkedid);
    if (!call) return;
    call.live.delete(ch.name);
    if (call.live.size > 0) return;
    call.endedAt = this.clock.now();
    this.calls.delete(ch.linkedid);
    this.plans.forget(ch.linkedid);
    this.stats.activeCalls--;
    this.stats.callsCompleted++;
    this.callsProcessed++;
    call.resolve(call);
  }

  // ---- bridges ------------------------------------------------------------------------------------

  createBridge(kind: BridgeKind): SimBridge {
    const b = new SimBridge(this.rng.uuid(), kind);
    const s = b.snapshot();
    this.emit('BridgeCreate', 'call,all', new AmiFields().addAll(s.keys, s.values));
    return b;
  }

  bridgeEnter(ch: SimChannel, b: SimBridge): void {
    b.members.push(ch);
    ch.bridge = b;
    const peer = b.peerOf(ch);
    if (peer) {
      ch.lastPeer = peer.name;
      peer.lastPeer = ch.name;
    }
    this.bridgeEvent('BridgeEnter', b, ch);
  }

  bridgeLeave(ch: SimChannel): void {
    if (ch.bridge) this.bridgeEvent('BridgeLeave', this.detach(ch), ch);
  }

  destroyBridge(b: SimBridge): void {
    if (b.destroyed) return;
    b.destroyed = true;
    const s = b.snapshot();
    this.emit('BridgeDestroy', 'call,all', new AmiFields().addAll(s.keys, s.values));
  }

  /** BRIDGEPEER / BRIDGEPVTCALLID on every member, in the order they entered. */
  setBridgeVars(b: SimBridge): void {
    for (const m of b.members) {
      const peer = b.peerOf(m);
      if (!peer) continue;
      this.varSet(m, 'BRIDGEPEER', peer.name);
      this.varSet(m, 'BRIDGEPVTCALLID', peer.sipCallId);
    }
  }

  clearBridgeVars(ch: SimChannel): void {
    this.varSet(ch, 'BRIDGEPEER', '');
    this.varSet(ch, 'BRIDGEPVTCALLID', '');
  }

  private detach(ch: SimChannel): SimBridge {
    const b = ch.bridge as SimBridge;
    const i = b.members.indexOf(ch);
    if (i >= 0) b.members.splice(i, 1);
    ch.bridge = null;
    return b;
  }

  private bridgeEvent(name: string, b: SimBridge, ch: SimChannel): void {
    const bs = b.snapshot();
    const cs = ch.snapshot();
    this.emit(name, 'call,all', new AmiFields().addAll(bs.keys, bs.values).addAll(cs.keys, cs.values));
  }

  // ---- timers -------------------------------------------------------------------------------------

  /** A timer owned by a channel: cancelled when the channel hangs up. */
  timer(ch: SimChannel | null, ms: number, fn: () => void): SimTimer {
    const t = this.clock.setTimer(ms, () => {
      if (ch) ch.timers.delete(t);
      if (ch && ch.hungUp) return;
      try {
        fn();
      } catch (err) {
        this.onError(err as Error);
      }
    });
    if (ch) ch.addTimer(t);
    return t;
  }

  reportError(err: Error): void {
    this.onError(err);
  }
}
