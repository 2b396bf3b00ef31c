import type { SimClock, SimTimer } from '../clock/sim-clock';
import type { SeededRandom } from '@app/ami';
import { AmiEvent, AmiFields, privilegeClasses } from './ami-event';
import { CallPlans, DEFAULT_BEHAVIOUR, DefaultBehaviour } from './call-plans';
import { CdrBook } from './cdr-book';
import { DeviceStates } from './device-states';
import { Dialplan } from './dialplan';
import { causeToSipStatus, Dialect, DIALECTS } from './dialect';
import { substitute } from './dialplan-expression';
import { DialplanApps } from './dialplan-apps';
import { LocalChannels } from './local-channels';
import { channelScope, ScopeContext } from './channel-scope';
import { labDialplanConf } from './lab-dialplan';
import { DialApp } from './dial-app';
import { ChannelControl } from './channel-control';
import { QueueApp } from './queue-app';
import { Originator } from './originator';
import { Parking } from './parking';
import type { PbxConfig, QueueConfig } from './pbx-config';
import { freepbxDialplanConf, freepbxQueueConfig } from './freepbx-dialplan';
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
  /** Told each CDR record as Asterisk's CDR backends (cdr_csv, cdr_pgsql) would store it. */
  onCdr?: (record: SimCdrRecord) => void;
}

/** One CDR record: the `Event: Cdr` fields, with times as ms since epoch and the channel's Linkedid. */
export interface SimCdrRecord {
  accountcode: string;
  src: string;
  dst: string;
  dcontext: string;
  clid: string;
  channel: string;
  dstchannel: string;
  lastapp: string;
  lastdata: string;
  start: number;
  answer: number | null;
  end: number;
  duration: number;
  billsec: number;
  disposition: string;
  amaflags: string;
  uniqueid: string;
  linkedid: string;
  userfield: string;
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


/**
 * The simulated Asterisk core: channels, bridges, the dialplan interpreter and the
 * event stream. Call-flow modules (Dial, Queue, channel control, Originate, parking)
 * drive it through these primitives, which emit events in the order and with the
 * keys the real Asterisk 20 captures show.
 */
export class PbxEngine {
  readonly config: PbxConfig;
  readonly dialect: Dialect;
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
  readonly apps: DialplanApps;
  readonly local: LocalChannels;
  readonly globals: Map<string, string>;
  /** The lab's queues and the FreePBX profile's. */
  readonly queueConfigs: QueueConfig[];
  readonly stats: EngineStats = { callsStarted: 0, callsCompleted: 0, activeCalls: 0, activeChannels: 0, events: 0 };
  /** `core show channels` prints it: calls that ended since start. */
  callsProcessed = 0;

  private readonly byName = new Map<string, SimChannel>();
  private readonly byUniqueid = new Map<string, SimChannel>();
  /** Live channels per peer: device state is recomputed on every channel change. */
  private readonly byPeer = new Map<string, Set<SimChannel>>();
  private readonly listeners = new Set<(e: AmiEvent) => void>();
  private readonly calls = new Map<string, SimCall>();
  /** Set by {@link halt}: no timer of the dead process fires any more. */
  private halted = false;
  private counter: number;
  private localCounter = 0;
  private sipSeq = 0;
  private readonly sipPid: number;
  private readonly onError: (err: Error) => void;
  readonly onCdr: ((record: SimCdrRecord) => void) | null;
  private readonly scopeContext: ScopeContext;

  constructor(options: EngineOptions) {
    this.config = options.config;
    this.dialect = DIALECTS[options.config.dialect];
    this.clock = options.clock;
    this.rng = options.rng;
    this.onError = options.onError ?? (() => undefined);
    this.onCdr = options.onCdr ?? null;
    this.startedAt = this.clock.now();
    this.counter = options.config.channelCounterStart;
    this.localCounter = options.config.localCounterStart ?? 0;
    this.sipPid = this.rng.int(20000, 32000);
    const freepbx = options.config.freepbx ?? null;
    this.dialplan = new Dialplan(options.config.dialplanConf ?? labDialplanConf(options.config, this.dialect) + (freepbx ? `\n${freepbxDialplanConf(freepbx, this.dialect.tech)}` : ''));
    this.queueConfigs = [...options.config.queues, ...(freepbx?.queues ?? []).map(freepbxQueueConfig)];
    this.globals = this.dialplan.globals;
    this.scopeContext = { dialplan: this.dialplan, globals: this.globals, now: () => this.clock.now() };
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
    this.recordings = new RecordingFiles(options.config.recordingsPath, options.config.monitorSpool, this.onError);
    this.plans = new CallPlans(this.rng, options.behaviour ?? DEFAULT_BEHAVIOUR);
    this.dial = new DialApp(this);
    this.control = new ChannelControl(this);
    this.queues = new QueueApp(this);
    this.originator = new Originator(this);
    this.parking = new Parking(this);
    this.apps = new DialplanApps(this);
    this.local = new LocalChannels(this);
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
  /**
   * The process goes away (a restart, a crash): every channel dies where it is and nothing the
   * dialplan would have done next happens. The CDR engine finalises the records of the calls in
   * progress as Asterisk does at shutdown (their end is now); the AMI server has stopped
   * listening first, so no Hangup reaches anyone. An engine halted stays halted: a restarted
   * PBX is a new engine.
   */
  halt(): void {
    this.halted = true;
    for (const ch of this.liveChannels()) this.hangup(ch, 0);
  }

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

  /**
   * A Call-ID Asterisk generates for a call it places: chan_sip's hex (with `:5060`
   * unless the peer has a fromdomain), PJSIP's UUID.
   */
  localCallId(peer: SimPeer): string {
    if (this.dialect.localCallId === 'uuid') return this.rng.uuid();
    return `${this.rng.hex(32)}@127.0.0.1${peer.kind === 'trunk' ? '' : ':5060'}`;
  }

  /**
   * Creates the channel Asterisk makes when it calls a peer (a Dial leg or an Originate):
   * a trunk presents no caller id, the leg starts at `s` of the peer's context; chan_sip
   * then sets SIPCALLID and empties the extension, as the captures show.
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
    if (this.dialect.sipChannelVariables) {
      this.varSet(ch, 'SIPCALLID', ch.sipCallId);
      ch.exten = '';
    }
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
    /** chan_pjsip creates a channel it receives already in state 4 (Ring). */
    state?: ChannelState;
  }): SimChannel {
    const ids = this.nextIds(opts.uniqueid);
    const ch = new SimChannel(
      `${this.dialect.tech}/${opts.peer.name}-${ids.suffix}`,
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
    ch.state = opts.state ?? 0;
    this.register(ch);
    if (opts.deviceFirst) this.devices.refresh(ch.peer.name);
    this.channelEvent('Newchannel', 'call,all', ch);
    if (!opts.deviceFirst) this.devices.refresh(ch.peer.name);
    return ch;
  }

  /**
   * A Local channel pair (`Local/<exten>@<context>-<n>;1` and `;2`) at `exten@context`
   * with no caller id yet: `;1` Down, `;2` (which will run the dialplan) Ring.
   */
  newLocalPair(exten: string, context: string, linkedid: string): [SimChannel, SimChannel] {
    const n = (this.localCounter++).toString(16).padStart(8, '0');
    const base = `Local/${exten}@${context}-${n}`;
    const peer = LocalChannels.peer(exten, context);
    const make = (half: string, state: ChannelState): SimChannel => {
      const ids = this.nextIds();
      const ch = new SimChannel(`${base};${half}`, ids.uniqueid, linkedid, peer, '<unknown>', '<unknown>', context, exten, this.clock.now(), '', 0);
      ch.state = state;
      this.register(ch);
      this.channelEvent('Newchannel', 'call,all', ch);
      return ch;
    };
    const one = make('1', 0);
    const two = make('2', 4);
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
    const sip = this.dialect.sipChannelVariables;
    const ch = this.newChannel({
      peer,
      callerNum,
      callerName,
      context: peer.context,
      exten,
      sipCallId: this.remoteCallId(),
      deviceFirst: true,
      state: this.dialect.incomingBornRinging ? 4 : 0,
    });
    ch.dnid = exten;
    linkedidHook?.(ch);
    if (sip) this.varSet(ch, 'SIPURI', `sip:${callerNum}@127.0.0.1:5100`);
    this.varSet(ch, 'SIPDOMAIN', '127.0.0.1');
    if (sip) this.varSet(ch, 'SIPCALLID', ch.sipCallId);
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
      if (ch.localPeer && ch.name.endsWith(';2')) this.local.answered(ch);
    }
  }

  /** Media flows from the answer on: RTCP reports start (SIP channels only). */
  startMedia(ch: SimChannel): void {
    if (ch.rtcpStarted || ch.localPeer) return;
    ch.rtcpStarted = true;
    this.rtp.startRtcp(ch);
  }

  /**
   * Set(): the variable keeps its value even when empty; `__NAME` makes it inherited by
   * the channels this one dials (most recently set first, as Asterisk's variable list
   * is ordered), a plain NAME takes that away.
   */
  varSet(ch: SimChannel, name: string, value: string): void {
    const key = name.replace(/^_+/, '');
    ch.vars.set(key, value);
    ch.inherit.delete(key);
    if (name.startsWith('__')) ch.inherit.set(key, name);
    this.varSetEvent(ch, name, value);
  }

  /** A dialled channel takes the caller's `__` variables (VarSet each, newest first; the order kept). */
  inheritVariables(from: SimChannel, to: SimChannel): void {
    const inherited = [...from.inherit];
    for (const [key, raw] of [...inherited].reverse()) {
      to.vars.set(key, from.vars.get(key) ?? '');
      this.varSetEvent(to, raw, from.vars.get(key) ?? '');
    }
    for (const [key, raw] of inherited) {
      to.inherit.delete(key);
      to.inherit.set(key, raw);
    }
  }

  /** The channel's caller id changed (a trunk leg's number, Set(CALLERID(name)), an Originate's CallerID). */
  newCallerid(ch: SimChannel): void {
    this.channelEvent('NewCallerid', 'call,all', ch, new AmiFields().add('CID-CallingPres', '0 (Presentation Allowed, Not Screened)'));
  }

  /** Only the VarSet event (app_stack's LOCAL() and unset variables, whose bookkeeping is its own). */
  varSetEvent(ch: SimChannel, name: string, value: string): void {
    this.channelEvent('VarSet', 'dialplan,all', ch, new AmiFields().add('Variable', name).add('Value', value));
  }

  /** A variable or dialplan function (`CDR(userfield)`) as Getvar and the dialplan read it. */
  getVar(ch: SimChannel | null, name: string): string {
    return substitute(`\${${name}}`, channelScope(this.scopeContext, ch));
  }

  /** Expands `${...}` and `$[...]` in an application's arguments on this channel. */
  expand(ch: SimChannel, template: string): string {
    return substitute(template, channelScope(this.scopeContext, ch));
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
      const r = this.apps.exec(ch, step.app, data);
      if (r === 'jump') continue;
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
      this.cdrs.leftBridge(ch);
      ch.moveTo(g);
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
    if (this.apps.exec(ch, app, data) === 'next') {
      this.softHangupRequest(ch);
      this.hangup(ch, 16);
    }
  }

  startMonitor(ch: SimChannel, file: string): void {
    this.varSet(ch, '__MONITORED', 'true');
    this.channelEvent('MonitorStart', 'call,all', ch);
    ch.recordings.push({ source: 'monitor', file, startedAt: this.clock.now(), stoppedAt: null });
  }

  /**
   * app_mixmonitor: MIXMONITOR_FILENAME (absolute, in the monitor spool unless given
   * absolute), the `i(<var>)` option's MixMonitorID in `<var>`, then MixMonitorStart.
   */
  startMixMonitor(ch: SimChannel, file: string, idVariable: string | null = null, id = idVariable ? this.newMixMonitorId() : ''): { path: string; id: string } {
    const path = file.startsWith('/') ? file : `${this.config.monitorSpool}/${file}`;
    this.varSet(ch, 'MIXMONITOR_FILENAME', path);
    if (idVariable) this.varSet(ch, idVariable, id);
    this.channelEvent('MixMonitorStart', 'call,all', ch);
    ch.recordings.push({ source: 'mixmonitor', file: path, id, startedAt: this.clock.now(), stoppedAt: null });
    return { path, id };
  }

  /** A MixMonitorID as app_mixmonitor prints it (the audiohook's address). */
  newMixMonitorId(): string {
    return `0x7f${this.rng.hex(10)}`;
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

  /**
   * Stops the MixMonitor with this MixMonitorID, else the most recent one; `event` is
   * false at hangup (MixMonitorStop comes only from StopMixMonitor).
   */
  stopMixMonitor(ch: SimChannel, event: boolean, id?: string): boolean {
    const rec = [...ch.recordings].reverse().find((r) => r.source === 'mixmonitor' && r.stoppedAt === null && (id === undefined || r.id === id));
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
    this.channelEvent('HangupRequest', 'call,all', ch, cause === null ? undefined : this.withTechCause(ch, new AmiFields().add('Cause', cause)));
  }

  /** The endpoint sent BYE: HangupRequest with Cause 16, which chan_sip leaves out outside a Dial's bridge. */
  byeRequest(ch: SimChannel, inDialBridge: boolean): void {
    this.hangupRequest(ch, inDialBridge || this.dialect.byeAlwaysHasCause ? 16 : null);
  }

  softHangupRequest(ch: SimChannel, cause = 16): void {
    this.channelEvent('SoftHangupRequest', 'call,all', ch, this.withTechCause(ch, new AmiFields().add('Cause', cause)));
  }

  /**
   * The endpoint behind a ringing leg refuses the call with the SIP status for `cause`
   * (486 busy, 503 congestion); chan_pjsip reports that as the leg's HangupRequest.
   */
  endpointRejects(ch: SimChannel, cause: number): void {
    ch.techCause = causeToSipStatus(cause);
    if (this.dialect.rejectHangupRequest) this.hangupRequest(ch, cause);
  }

  /** The caller's endpoint sends CANCEL while its call rings: HangupRequest as the dialect reports it; returns the hangup cause. */
  callerCancels(ch: SimChannel): number {
    const c = this.dialect.cancel;
    ch.techCause = c.techCause;
    this.hangupRequest(ch, c.requestCause);
    return c.callerCause;
  }

  /**
   * Hangs up a dialed leg that failed or was cancelled, now or (Asterisk 22) just before
   * its caller's own end or once the caller's dialplan has moved on.
   */
  hangupLeg(leg: SimChannel, cause: number, caller: SimChannel): void {
    if (!this.dialect.deferredLegHangup || caller.hungUp) {
      this.hangup(leg, cause);
      return;
    }
    caller.pendingLegHangups.push({ ch: leg, cause });
    if (caller.pendingLegHangups.length === 1) this.timer(null, 0, () => this.flushLegHangups(caller));
  }

  private flushLegHangups(caller: SimChannel): void {
    for (const { ch, cause } of caller.pendingLegHangups.splice(0)) this.hangup(ch, cause);
  }

  /** PJSIP's `TechCause`: the SIP status involved in the channel's end, when there is one. */
  private withTechCause(ch: SimChannel, f: AmiFields): AmiFields {
    if (this.dialect.techCause && ch.techCause !== 0) f.add('TechCause', ch.techCause);
    return f;
  }

  /**
   * The channel goes away: its RTP summary (unless its endpoint already sent BYE),
   * MonitorStop, its CDR lines, `Hangup`. Callers have already taken it out of any
   * bridge and ended what it was doing.
   */
  hangup(ch: SimChannel, cause: number): void {
    if (ch.hungUp) return;
    this.flushLegHangups(ch);
    ch.hungUp = true;
    ch.hangupCause = cause;
    // The two halves of a Local channel live and die together.
    this.local.halfGone(ch, cause);
    ch.cancelTimers();
    this.dial.release(ch);
    this.mohStop(ch);
    if (ch.bridge) this.detach(ch);
    this.rtp.onHangup(ch);
    this.stopMonitor(ch);
    while (this.stopMixMonitor(ch, false));
    if (ch.cdr || ch.cdrDone.length > 0) this.cdrs.report(ch);
    // chan_pjsip ends the SIP dialog with the status its hangup cause maps to (none for a plain BYE).
    if (ch.techCause === 0) ch.techCause = causeToSipStatus(cause);
    this.channelEvent('Hangup', 'call,all', ch, this.withTechCause(ch, new AmiFields().add('Cause', cause).add('Cause-txt', HANGUP_CAUSE_TEXT[cause] ?? 'Unknown')));
    this.byName.delete(ch.name);
    this.byUniqueid.delete(ch.uniqueid);
    this.byPeer.get(ch.peer.name)?.delete(ch);
    this.stats.activeChannels = this.byName.size;
    if (ch.localPeer === null) this.devices.refresh(ch.peer.name);
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

  /**
   * BRIDGEPEER / BRIDGEPVTCALLID on every member, in the order they entered; a member
   * that came here by a blind transfer first loses its BLINDTRANSFER.
   */
  setBridgeVars(b: SimBridge): void {
    for (const m of b.members) if (m.vars.get('BLINDTRANSFER')) this.varSet(m, 'BLINDTRANSFER', '');
    for (const m of b.members) {
      const peer = b.peerOf(m);
      if (!peer) continue;
      this.varSet(m, 'BRIDGEPEER', peer.name);
      // Only a SIP peer has a private call id to show (a Local half has none).
      if (peer.sipCallId) this.varSet(m, 'BRIDGEPVTCALLID', peer.sipCallId);
    }
  }

  clearBridgeVars(ch: SimChannel): void {
    this.varSet(ch, 'BRIDGEPEER', '');
    if (ch.vars.get('BRIDGEPVTCALLID')) this.varSet(ch, 'BRIDGEPVTCALLID', '');
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
      if ((ch && ch.hungUp) || this.halted) return;
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
