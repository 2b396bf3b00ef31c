import type { SimBridge } from './sim-bridge';
import type { SimTimer } from '../clock/sim-clock';
import type { GosubFrame } from './dialplan-apps';

/** Asterisk channel states the simulated SIP channels go through. */
export type ChannelState = 0 | 4 | 5 | 6;

const STATE_DESC: Record<ChannelState, string> = { 0: 'Down', 4: 'Ring', 5: 'Ringing', 6: 'Up' };

/** Where a channel is in the dialplan. */
export interface DialplanLocation {
  context: string;
  exten: string;
  priority: number;
}

/** A SIP peer: an extension (phone) or the trunk. */
export interface SimPeer {
  readonly name: string;
  readonly kind: 'extension' | 'trunk';
  /** The peer's own caller id (`callerid=` in sip.conf); the trunk has none. */
  readonly callerNum: string;
  readonly callerName: string;
  /** Dialplan context its calls start in. */
  readonly context: string;
  readonly registered: boolean;
  readonly port: number;
}

/** What a channel is doing in the dialplan right now (drives Redirect, Hangup, CoreShowChannels). */
export type ChannelActivity =
  | { kind: 'none' }
  | { kind: 'dialing'; dialId: number }
  | { kind: 'dial-bridged'; dialId: number }
  | { kind: 'moh' }
  | { kind: 'wait' }
  | { kind: 'queue'; queue: string }
  | { kind: 'bridged' }
  | { kind: 'parked' };

export interface CdrRecordDraft {
  start: number;
  answer: number | null;
  end: number | null;
  lastApp: string;
  lastData: string;
  dstChannel: string;
  disposition: 'ANSWERED' | 'NO ANSWER' | 'BUSY' | 'FAILED' | 'CONGESTION' | null;
  /** Records of a redirected-then-bridged dialed leg carry no userfield. */
  withUserField: boolean;
}

export interface ChannelRecording {
  source: 'monitor' | 'mixmonitor';
  /** Base name without extension for Monitor, absolute file name for MixMonitor. */
  file: string;
  /** MixMonitorID (reported only with the `i()` option), else ''. */
  id?: string;
  startedAt: number;
  stoppedAt: number | null;
}

export class SimChannel {
  state: ChannelState = 0;
  connectedNum = '<unknown>';
  connectedName = '<unknown>';
  readonly language = 'en';
  readonly accountCode = '';
  context: string;
  exten: string;
  priority = 1;
  app = '';
  appData = '';
  dnid = '';
  readonly vars = new Map<string, string>();
  /** CDR fields set by `Set(CDR(name)=...)` other than userfield (e.g. FreePBX's recordingfile). */
  readonly cdrVars = new Map<string, string>();
  /** Gosub return addresses, innermost last. */
  readonly gosubStack: GosubFrame[] = [];
  /** Dialed legs that ended but whose Hangup the dialect reports later (see Dialect.deferredLegHangup). */
  readonly pendingLegHangups: { ch: SimChannel; cause: number }[] = [];
  /** The SIP status behind this channel's end (TechCause on PJSIP), 0 while none. */
  techCause = 0;
  /** Variables set as `__NAME` (inherited by every channel this one dials), by name without underscores. */
  readonly inherit = new Map<string, string>();
  bridge: SimBridge | null = null;
  answeredAt: number | null = null;
  hungUp = false;
  hangupCause = 16;
  activity: ChannelActivity = { kind: 'none' };
  /** Channel whose Dial created this one (an `AppDial` leg), else null. */
  dialedBy: SimChannel | null = null;
  /** Asterisk placed this call to the endpoint (a dialed leg or an originated channel): it rings until answered. */
  outgoing = false;
  /** This channel runs dialplan (an incoming call, an originated leg after answer, a redirected leg). */
  hasPbx = false;
  /** The phone/trunk behind this channel sent BYE: its RTP summary is already out. */
  byeSent = false;
  rtpStatsDone = false;
  /** Where a member of a `basic` bridge continues when the bridge breaks. */
  goOn: DialplanLocation | null = null;
  /** First Newexten after an async goto (Redirect) carries the old application. */
  suppressNextNewexten = false;
  readonly recordings: ChannelRecording[] = [];
  readonly cdrDone: CdrRecordDraft[] = [];
  cdr: CdrRecordDraft | null = null;
  /**
   * Its record closed when it left a bridge for the dialplan: the next application other than
   * `Hangup()` opens the next one, keeping the party it talked to (see CdrBook.leftBridge).
   */
  cdrAfterBridge: { dstChannel: string } | null = null;
  userField = '';
  /** Last channel this one was bridged with, for the CDR `DestinationChannel`. */
  lastPeer = '';
  readonly timers = new Set<SimTimer>();
  /** The timer of a blocking application (Wait): cancelled when the channel is taken out of it. */
  activityTimer: SimTimer | null = null;
  rtcpReports = 0;
  rtcpStarted = false;
  /** Music on hold is playing to this channel (MusicOnHoldStart sent, no Stop yet). */
  mohPlaying = false;
  /** Its phone put the call on hold (a `Hold` without its `Unhold` yet). */
  phoneHeld = false;
  /** The other half of a Local channel pair (`;1` <-> `;2`). */
  localPeer: SimChannel | null = null;
  /** A Local half Asterisk optimised out of the call: it ends without a HangupRequest to its other half. */
  optimizedAway = false;
  /** A `;1` half: the party its `;2` reached, presented as this half's caller id when it rings or answers. */
  pendingCallerId: { num: string; name: string } | null = null;
  readonly ssrc: number;

  constructor(
    readonly name: string,
    readonly uniqueid: string,
    public linkedid: string,
    readonly peer: SimPeer,
    public callerNum: string,
    public callerName: string,
    context: string,
    exten: string,
    readonly createdAt: number,
    readonly sipCallId: string,
    ssrc: number,
  ) {
    this.context = context;
    this.exten = exten;
    this.ssrc = ssrc;
  }

  get stateDesc(): string {
    return STATE_DESC[this.state];
  }

  /** The fourteen `Channel` ... `Linkedid` lines every channel event starts with. */
  snapshot(prefix = ''): { keys: string[]; values: string[] } {
    return {
      keys: [
        `${prefix}Channel`,
        `${prefix}ChannelState`,
        `${prefix}ChannelStateDesc`,
        `${prefix}CallerIDNum`,
        `${prefix}CallerIDName`,
        `${prefix}ConnectedLineNum`,
        `${prefix}ConnectedLineName`,
        `${prefix}Language`,
        `${prefix}AccountCode`,
        `${prefix}Context`,
        `${prefix}Exten`,
        `${prefix}Priority`,
        `${prefix}Uniqueid`,
        `${prefix}Linkedid`,
      ],
      values: [
        this.name,
        String(this.state),
        this.stateDesc,
        this.callerNum,
        this.callerName,
        this.connectedNum,
        this.connectedName,
        this.language,
        this.accountCode,
        this.context,
        this.exten,
        String(this.priority),
        this.uniqueid,
        this.linkedid,
      ],
    };
  }

  /** `"Name" <num>` as CDRs and `CALLERID(all)` print it (empty name when unknown). */
  get callerIdAll(): string {
    const name = this.callerName === '<unknown>' ? '' : this.callerName;
    return `"${name}" <${this.callerNum === '<unknown>' ? '' : this.callerNum}>`;
  }

  /** Moves the channel's dialplan location (no event: the next Newexten reports it). */
  moveTo(loc: DialplanLocation): void {
    this.context = loc.context;
    this.exten = loc.exten;
    this.priority = loc.priority;
  }

  addTimer(t: SimTimer): void {
    this.timers.add(t);
  }

  cancelTimers(): void {
    for (const t of this.timers) t.cancel();
    this.timers.clear();
  }
}
