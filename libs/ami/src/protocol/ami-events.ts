import type { AmiMessage } from './ami-message';

/**
 * Typed AMI events (Asterisk 12+ model), field names exactly as Asterisk 20 sends them in
 * the captures under `test/fixtures/ami`. Values stay raw strings: `''` and `<unknown>`
 * occur (see {@link amiValue}).
 *
 * Two ways in, both cheap:
 * - {@link isAmiEvent}: narrows an {@link AmiMessage} to {@link AmiEventMessage} so `get()`
 *   only accepts that event's keys. No allocation: the tracker uses this on the hot path.
 * - {@link toAmiEvent}: a plain object for the events listed here (`undefined` for any
 *   other message, which callers pass on untouched). For consumers that want objects.
 */

/** The channel snapshot Asterisk appends to every channel event. */
export interface AmiChannelSnapshot {
  Channel: string;
  ChannelState: string;
  ChannelStateDesc: string;
  CallerIDNum: string;
  CallerIDName: string;
  ConnectedLineNum: string;
  ConnectedLineName: string;
  Language: string;
  AccountCode: string;
  Context: string;
  Exten: string;
  Priority: string;
  Uniqueid: string;
  Linkedid: string;
}

export interface AmiBridgeSnapshot {
  BridgeUniqueid: string;
  BridgeType: string;
  BridgeTechnology: string;
  BridgeCreator: string;
  BridgeName: string;
  BridgeNumChannels: string;
  BridgeVideoSourceMode: string;
  BridgeVideoSource?: string;
}

/** A snapshot under a prefix, as in `DestChannel`, `TransfererUniqueid`, `LocalOneChannel`. */
export type Prefixed<P extends string, T> = { [K in keyof T & string as `${P}${K}`]: T[K] };

interface AmiEventBase<N extends string> {
  Event: N;
  Privilege?: string;
  /** `<epoch>.<microseconds>`, only with `timestampevents = yes` (never on FullyBooted). */
  Timestamp?: string;
}

type ChannelEvent<N extends string> = AmiEventBase<N> & AmiChannelSnapshot;

export type NewchannelEvent = ChannelEvent<'Newchannel'>;
export type NewstateEvent = ChannelEvent<'Newstate'>;
export type NewCalleridEvent = ChannelEvent<'NewCallerid'> & { 'CID-CallingPres'?: string };
export type NewConnectedLineEvent = ChannelEvent<'NewConnectedLine'>;
export type NewextenEvent = ChannelEvent<'Newexten'> & { Extension: string; Application: string; AppData: string };
export type VarSetEvent = ChannelEvent<'VarSet'> & { Variable: string; Value: string };

/**
 * The originated leg of an `Originate` has no calling channel: its DialBegin/DialState/
 * DialEnd carry only the `Dest*` keys (originate_click_to_call), so the caller side is partial.
 */
type DialEvent<N extends string> = AmiEventBase<N> & Partial<AmiChannelSnapshot> & Prefixed<'Dest', AmiChannelSnapshot>;
export type DialBeginEvent = DialEvent<'DialBegin'> & { DialString: string };
export type DialStateEvent = DialEvent<'DialState'> & { DialStatus: string };
/** `DialStatus`: ANSWER, BUSY, NOANSWER, CANCEL, CONGESTION, CHANUNAVAIL, DONTCALL, TORTURE, INVALIDARGS. */
export type DialEndEvent = DialEvent<'DialEnd'> & { DialStatus: string; Forward?: string };

export type BridgeCreateEvent = AmiEventBase<'BridgeCreate'> & AmiBridgeSnapshot;
export type BridgeDestroyEvent = AmiEventBase<'BridgeDestroy'> & AmiBridgeSnapshot;
export type BridgeEnterEvent = AmiEventBase<'BridgeEnter'> & AmiBridgeSnapshot & AmiChannelSnapshot & { SwapUniqueid?: string };
export type BridgeLeaveEvent = AmiEventBase<'BridgeLeave'> & AmiBridgeSnapshot & AmiChannelSnapshot;

/** `Cause` is missing on some requests (the caller's CANCEL in inbound_abandoned). */
export type HangupRequestEvent = ChannelEvent<'HangupRequest'> & { Cause?: string };
export type SoftHangupRequestEvent = ChannelEvent<'SoftHangupRequest'> & { Cause?: string };
export type HangupEvent = ChannelEvent<'Hangup'> & { Cause: string; 'Cause-txt': string };

export type HoldEvent = ChannelEvent<'Hold'> & { MusicClass?: string };
export type UnholdEvent = ChannelEvent<'Unhold'>;
export type MusicOnHoldStartEvent = ChannelEvent<'MusicOnHoldStart'> & { Class: string };
export type MusicOnHoldStopEvent = ChannelEvent<'MusicOnHoldStop'>;

/** Neither Monitor event names the file: see VarSet CALLFILENAME / Newexten Monitor / Cdr UserField. */
export type MonitorStartEvent = ChannelEvent<'MonitorStart'>;
export type MonitorStopEvent = ChannelEvent<'MonitorStop'>;
/** The file is in the preceding `VarSet MIXMONITOR_FILENAME` (absolute path). */
export type MixMonitorStartEvent = ChannelEvent<'MixMonitorStart'>;
export type MixMonitorStopEvent = ChannelEvent<'MixMonitorStop'>;

export type BlindTransferEvent = AmiEventBase<'BlindTransfer'> &
  Prefixed<'Transferer', AmiChannelSnapshot> &
  Prefixed<'Transferee', Partial<AmiChannelSnapshot>> &
  Partial<AmiBridgeSnapshot> & {
    /** Success, Fail, Invalid, Not Permitted. */
    Result: string;
    IsExternal: string;
    Context: string;
    Extension: string;
  };

export type AttendedTransferEvent = AmiEventBase<'AttendedTransfer'> &
  Prefixed<'OrigTransferer', AmiChannelSnapshot> &
  Prefixed<'SecondTransferer', AmiChannelSnapshot> &
  Partial<Prefixed<'OrigBridge', Omit<AmiBridgeSnapshot, 'BridgeUniqueid'> & { Uniqueid: string }>> &
  Partial<Prefixed<'SecondBridge', Omit<AmiBridgeSnapshot, 'BridgeUniqueid'> & { Uniqueid: string }>> &
  Partial<Prefixed<'Transferee', AmiChannelSnapshot>> &
  Partial<Prefixed<'TransferTarget', AmiChannelSnapshot>> &
  Partial<Prefixed<'LocalOne', AmiChannelSnapshot>> &
  Partial<Prefixed<'LocalTwo', AmiChannelSnapshot>> & {
    Result: string;
    /** Bridge, App, Link, Threeway, Fail. */
    DestType: string;
    DestBridgeUniqueid?: string;
    DestApp?: string;
    DestTransfererChannel?: string;
    IsExternal?: string;
  };

export type LocalBridgeEvent = AmiEventBase<'LocalBridge'> &
  Prefixed<'LocalOne', AmiChannelSnapshot> &
  Prefixed<'LocalTwo', AmiChannelSnapshot> & { Context: string; Exten: string; LocalOptimization: string };

export type RenameEvent = ChannelEvent<'Rename'> & { Newname: string };

export type QueueCallerAbandonEvent = ChannelEvent<'QueueCallerAbandon'> & {
  Queue: string;
  Position: string;
  OriginalPosition: string;
  HoldTime: string;
};

/** cdr_manager: one per CDR line. `UniqueID` (capital ID) is the CDR's channel; there is no Linkedid. */
export interface CdrEvent extends AmiEventBase<'Cdr'> {
  AccountCode: string;
  Source: string;
  Destination: string;
  DestinationContext: string;
  CallerID: string;
  Channel: string;
  DestinationChannel: string;
  LastApplication: string;
  LastData: string;
  /** Server local time `YYYY-MM-DD HH:MM:SS`, no zone. */
  StartTime: string;
  AnswerTime: string;
  EndTime: string;
  Duration: string;
  BillableSeconds: string;
  Disposition: string;
  AMAFlags: string;
  UniqueID: string;
  UserField: string;
}

/** A `CoreShowChannels` row: no Privilege, `ActionID` second, `BridgeId` (not `BridgeUniqueid`). */
export type CoreShowChannelEvent = AmiEventBase<'CoreShowChannel'> &
  AmiChannelSnapshot & {
    ActionID: string;
    Application: string;
    ApplicationData: string;
    /** `HH:MM:SS` since the channel was created. */
    Duration: string;
    BridgeId: string;
  };

export interface CoreShowChannelsCompleteEvent extends AmiEventBase<'CoreShowChannelsComplete'> {
  ActionID: string;
  EventList: string;
  ListItems: string;
}

/** The `Status` action's row spells it `BridgeID`. */
export type StatusEvent = ChannelEvent<'Status'> & {
  ActionID?: string;
  Type: string;
  DNID: string;
  BridgeID: string;
  Application: string;
  Data: string;
  Seconds: string;
};

/** An event that also carries `Response:` (Success/Failure); `Uniqueid: <unknown>` when no channel was made. */
export interface OriginateResponseEvent extends AmiEventBase<'OriginateResponse'> {
  ActionID?: string;
  Response: string;
  Channel: string;
  Context: string;
  Exten: string;
  Reason: string;
  Uniqueid: string;
  CallerIDNum: string;
  CallerIDName: string;
}

export interface FullyBootedEvent extends AmiEventBase<'FullyBooted'> {
  Uptime?: string;
  LastReload?: string;
  Status: string;
}

export interface ShutdownEvent extends AmiEventBase<'Shutdown'> {
  Shutdown: string;
  Restart: string;
}

export interface AmiEventMap {
  Newchannel: NewchannelEvent;
  Newstate: NewstateEvent;
  NewCallerid: NewCalleridEvent;
  NewConnectedLine: NewConnectedLineEvent;
  Newexten: NewextenEvent;
  VarSet: VarSetEvent;
  DialBegin: DialBeginEvent;
  DialState: DialStateEvent;
  DialEnd: DialEndEvent;
  BridgeCreate: BridgeCreateEvent;
  BridgeEnter: BridgeEnterEvent;
  BridgeLeave: BridgeLeaveEvent;
  BridgeDestroy: BridgeDestroyEvent;
  HangupRequest: HangupRequestEvent;
  SoftHangupRequest: SoftHangupRequestEvent;
  Hangup: HangupEvent;
  Hold: HoldEvent;
  Unhold: UnholdEvent;
  MusicOnHoldStart: MusicOnHoldStartEvent;
  MusicOnHoldStop: MusicOnHoldStopEvent;
  MonitorStart: MonitorStartEvent;
  MonitorStop: MonitorStopEvent;
  MixMonitorStart: MixMonitorStartEvent;
  MixMonitorStop: MixMonitorStopEvent;
  BlindTransfer: BlindTransferEvent;
  AttendedTransfer: AttendedTransferEvent;
  LocalBridge: LocalBridgeEvent;
  Rename: RenameEvent;
  QueueCallerAbandon: QueueCallerAbandonEvent;
  Cdr: CdrEvent;
  CoreShowChannel: CoreShowChannelEvent;
  CoreShowChannelsComplete: CoreShowChannelsCompleteEvent;
  Status: StatusEvent;
  OriginateResponse: OriginateResponseEvent;
  FullyBooted: FullyBootedEvent;
  Shutdown: ShutdownEvent;
}

export type AmiEventName = keyof AmiEventMap;
export type AmiEvent = AmiEventMap[AmiEventName];

/** An {@link AmiMessage} known to be event `N`: `get()` accepts only that event's keys. */
export interface AmiEventMessage<N extends AmiEventName> extends AmiMessage {
  readonly kind: 'event';
  readonly name: N;
  get(key: keyof AmiEventMap[N] & string): string | undefined;
}

const EVENT_NAMES: ReadonlySet<string> = new Set<AmiEventName>([
  'Newchannel', 'Newstate', 'NewCallerid', 'NewConnectedLine', 'Newexten', 'VarSet', 'DialBegin', 'DialState',
  'DialEnd', 'BridgeCreate', 'BridgeEnter', 'BridgeLeave', 'BridgeDestroy', 'HangupRequest', 'SoftHangupRequest',
  'Hangup', 'Hold', 'Unhold', 'MusicOnHoldStart', 'MusicOnHoldStop', 'MonitorStart', 'MonitorStop',
  'MixMonitorStart', 'MixMonitorStop', 'BlindTransfer', 'AttendedTransfer', 'LocalBridge', 'Rename',
  'QueueCallerAbandon', 'Cdr', 'CoreShowChannel', 'CoreShowChannelsComplete', 'Status', 'OriginateResponse',
  'FullyBooted', 'Shutdown',
]);

export function isKnownAmiEventName(name: string): name is AmiEventName {
  return EVENT_NAMES.has(name);
}

export function isAmiEvent<N extends AmiEventName>(msg: AmiMessage, name: N): msg is AmiEventMessage<N> {
  return msg.kind === 'event' && msg.name === name;
}

/**
 * A plain object for one of the events above (first value of a repeated key wins), or
 * `undefined` for anything else: unknown events are not this module's business.
 */
export function toAmiEvent(msg: AmiMessage): AmiEvent | undefined {
  if (msg.kind !== 'event' || !EVENT_NAMES.has(msg.name)) return undefined;
  const out: Record<string, string> = Object.create(null);
  const { keys, values } = msg;
  for (let i = 0; i < keys.length; i++) if (!(keys[i] in out)) out[keys[i]] = values[i];
  return out as unknown as AmiEvent;
}

/** A value that means something: `undefined` for absent, empty and `<unknown>`. */
export function amiValue(value: string | undefined): string | undefined {
  return value === undefined || value === '' || value === '<unknown>' ? undefined : value;
}

/**
 * When the event happened, ms since epoch: its `Timestamp:` header when the PBX sends one
 * (`timestampevents = yes`; Asterisk puts it right after `Privilege:`), else the arrival time.
 */
export function amiEventTime(msg: AmiMessage): number {
  // Asterisk puts `Timestamp:` third (after Privilege); a text lookup avoids splitting the whole message.
  const stamp = msg.get('Timestamp');
  if (stamp === undefined) return msg.receivedAt;
  const seconds = Number(stamp);
  // Floor, like the capture's millisecond `at`: a second boundary never moves forward.
  return Number.isFinite(seconds) && seconds > 0 ? Math.floor(seconds * 1000) : msg.receivedAt;
}
