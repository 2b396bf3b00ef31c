import { amiValue } from '../protocol/ami-events';
import type {
  CallDirection,
  CallEndReason,
  CallHold,
  CallLeg,
  CallLegRole,
  CallRecord,
  CallRecording,
  CallTrackerEvent,
  CallTransfer,
  HangupBy,
  TerminalCallStatus,
} from './call-record';
import { ChannelClassifier, type ChannelKind, MAX_LOCAL_DEPTH } from './channel-name';

/** One live channel of a call. Mutable: the tracker updates it as events arrive. */
export interface TrackedChannel {
  readonly uniqueid: string;
  name: string;
  readonly kind: ChannelKind;
  /** Extension number or trunk name; null for Local and other channels. */
  readonly peer: string | null;
  call: TrackedCall;
  callerNum: string | undefined;
  callerName: string | undefined;
  /** Dialplan extension the channel was created for (`s` and '' mean none). */
  exten: string | undefined;
  bridge: string | null;
  /** AMI `ChannelState` (6 = Up), -1 until an event says. */
  state: number;
  /** Outgoing dials of this channel still ringing. */
  dialing: number;
  /** The channel whose Dial created this one (null for the originated leg or unknown). */
  dialer: TrackedChannel | null;
  /** Dialled by the caller, or by a Local half standing for it: its DialEnd says how the caller's wait ended. */
  dialedByCaller: boolean;
  /** Tracker sequence number of the last event about this channel (snapshot sweeps). */
  lastSeq: number;
  /** Monitor file announced by `Newexten Monitor(format,base,...)`. */
  monitorFile: string | null;
  /** `CALLFILENAME` (the lab's and the seed's recording base name). */
  callFileName: string | null;
  /** `MIXMONITOR_FILENAME` (the absolute path MixMonitor writes). */
  mixMonitorFile: string | null;
  /** The `MixMonitor(file,...)` argument as the dialplan wrote it (relative to the monitor directory unless absolute). */
  mixMonitorArg: string | null;
  /** The application a channel listing showed it running (`Dial`, `AppDial`, `Queue`...), else null. */
  listedApp: string | null;
}

/** What a call needs from the PBX it lives on: bridge membership and Local pairs. */
export interface CallSurroundings {
  readonly pbxId: string;
  readonly bridges: ReadonlyMap<string, ReadonlySet<TrackedChannel>>;
  /** The other half of a Local half (`...;1` <-> `...;2`), if it is live. */
  localPartner(ch: TrackedChannel): TrackedChannel | undefined;
}

export type CallEventSink = (event: CallTrackerEvent) => void;

type HoldMarker = 'phone' | 'server';

/** Unanswered outcomes, weakest first: the strongest DialEnd of any leg decides. */
const DIAL_OUTCOME: Readonly<Record<string, number>> = {
  CONGESTION: 1,
  CHANUNAVAIL: 1,
  DONTCALL: 1,
  TORTURE: 1,
  INVALIDARGS: 1,
  BUSY: 2,
  NOANSWER: 3,
  CANCEL: 4,
};
const OUTCOME_STATUS: readonly TerminalCallStatus[] = ['failed', 'failed', 'busy', 'missed', 'abandoned'];

/** A dialled number this long or longer is taken for an external one until a Dial says otherwise. */
const EXTERNAL_NUMBER_LENGTH = 7;

/** `ChannelState` 6: answered. */
const UP_STATE = 6;
const LEG_ROLE: Readonly<Record<ChannelKind, CallLegRole>> = { extension: 'agent', trunk: 'callee', local: 'local-half', other: 'other' };

/**
 * The state of one call (the channels sharing a Linkedid, DESIGN.md section 3) and the
 * rules that turn it into a {@link CallRecord}: direction, outcome, who answered, who hung
 * up, talk/ring/hold time, recordings, transfers. Pure: time is whatever the caller passes.
 */
export class TrackedCall {
  readonly callId: string;
  linkedid: string;
  readonly linkedids: string[];
  readonly channels = new Set<TrackedChannel>();
  origin: TrackedChannel | null = null;
  startedAt: number;
  /** Some event about this call was emitted (so its end must be reported too). */
  announced = false;
  /** Picked up from a CoreShowChannels snapshot rather than from its first events. */
  recovered: boolean;
  /** The channel that started it (its Uniqueid is the first Linkedid) was seen: always, unless recovered after it had gone. */
  private callerSeen: boolean;
  /**
   * Known to be a call of its own: it dialled or was dialled, talked, came from a trunk, or
   * ended. Until then its events are held back, since an extension's channel that only ran
   * an application (ParkedCall, Pickup) may be a leg about to join another call.
   */
  private surfaced: boolean;
  private held: CallTrackerEvent[] | null = null;

  callee: string | null = null;
  private firstDestKind: 'extension' | 'trunk' | null = null;
  /** A rebuilt call's listing is complete (its dials from then on may decide its direction). */
  private listed = false;
  private destTrunk: string | null = null;
  private readonly ringingExtensions: string[] = [];
  readonly ringingLegs = new Set<TrackedChannel>();
  /** Phones dialled that have not started ringing yet: their `ringing` event waits for the ring. */
  private readonly awaitingRing = new Set<TrackedChannel>();
  private firstRingAt: number | null = null;
  private ringEndedAt: number | null = null;

  answeredAt: number | null = null;
  private answeredBy: string | null = null;
  private readonly answeredUids = new Set<string>();
  /**
   * Phones that answered a Dial made by a Local half (a ring-group, follow-me or queue member):
   * they count as answering the call only once the chain connects them to the caller, so a
   * member that answers a moment after another one won the race is not an answer.
   */
  private readonly answeredInside = new Set<TrackedChannel>();
  private readonly agents: string[] = [];
  private inConversation = false;
  private talkSince: number | null = null;
  private talkMs = 0;
  private lastPartnerExt: string | null = null;
  /** The caller has talked to someone: a later Dial from it is a transfer (Redirect). */
  private originConnected = false;
  private blindTransferPending = false;

  private readonly holdMarkers = new Map<string, HoldMarker>();
  private openHold: CallHold | null = null;
  private readonly holds: CallHold[] = [];
  private holdMs = 0;

  private readonly recordings: CallRecording[] = [];
  private running: { recording: CallRecording; channel: TrackedChannel }[] = [];
  private readonly transfers: CallTransfer[] = [];

  /** Strongest DialEnd of the caller's own legs (the outcome), and of any other leg (fallback). */
  private callerDialOutcome = 0;
  private dialOutcome = 0;
  queueAbandoned = false;
  private hangupRequest: { channel: TrackedChannel; soft: boolean } | null = null;
  private originCause: number | null = null;
  private lastCause: number | null = null;
  crmCallId: string | null = null;
  originateActionId: string | null = null;

  private ended = false;
  private endedAt: number | null = null;
  private endReason: CallEndReason | null = null;
  private mergedInto: string | null = null;
  private finalStatus: TerminalCallStatus | null = null;
  private hangupBy: HangupBy | null = null;

  constructor(
    private readonly around: CallSurroundings,
    private readonly sink: CallEventSink,
    linkedid: string,
    startedAt: number,
    recovered: boolean,
  ) {
    this.callId = `${around.pbxId}:${linkedid}`;
    this.linkedid = linkedid;
    this.linkedids = [linkedid];
    this.startedAt = startedAt;
    this.recovered = recovered;
    this.surfaced = recovered;
    this.callerSeen = !recovered;
  }

  // ---- membership -------------------------------------------------------------------

  /**
   * The caller is the channel whose Uniqueid is the call's first Linkedid (Asterisk names a
   * Linkedid after the channel that started it); failing that, the first phone-like channel
   * seen. Local channels are never the caller.
   */
  attach(ch: TrackedChannel): void {
    ch.call = this;
    this.channels.add(ch);
    const real = ch.uniqueid === this.linkedids[0];
    if (real) this.callerSeen = true;
    if (ch.kind !== 'extension' && ch.kind !== 'trunk') return;
    if (this.origin === null || (real && this.origin.uniqueid !== this.linkedids[0])) {
      // The number the caller dialled is its exten; one taken from a channel wrongly thought the caller goes with it.
      const replaced = this.origin !== null && this.callee === meaningfulExten(this.origin.exten);
      this.origin = ch;
      const exten = meaningfulExten(ch.exten);
      if ((this.callee === null || replaced) && exten !== undefined) this.callee = exten;
    }
  }

  detach(ch: TrackedChannel): void {
    this.channels.delete(ch);
    this.ringingLegs.delete(ch);
    this.awaitingRing.delete(ch);
    this.answeredInside.delete(ch);
  }

  rekey(linkedid: string): void {
    this.linkedid = linkedid;
    if (!this.linkedids.includes(linkedid)) this.linkedids.push(linkedid);
  }

  /**
   * Takes over a call that never surfaced (the retriever of a parked call, a pickup): its held
   * events are dropped, its recordings become this call's.
   */
  absorb(other: TrackedCall, at: number): void {
    for (const id of other.linkedids) if (!this.linkedids.includes(id)) this.linkedids.push(id);
    this.crmCallId ??= other.crmCallId;
    this.originateActionId ??= other.originateActionId;
    for (const running of other.running) if (!this.hasRecording(running.recording.file)) this.running.push(running);
    for (const r of other.recordings) {
      if (this.hasRecording(r.file)) continue;
      this.recordings.push(r);
      this.emit({ type: 'recording_started', at, call: this.toRecord(at), recording: { ...r } });
    }
  }

  /** A channel hung up (or vanished from a snapshot): drop it from every piece of state. */
  channelGone(ch: TrackedChannel, at: number, cause: number | null): void {
    this.endLeg(ch, at);
    if (cause !== null) {
      if (ch === this.origin) this.originCause = cause;
      this.lastCause = cause;
    }
    this.stopRecordings(at, (r) => r.channel === ch);
    this.channels.delete(ch);
    this.awaitingRing.delete(ch);
    this.answeredInside.delete(ch);
    const phoneHold = this.holdMarkers.delete(`h${ch.uniqueid}`);
    const music = this.holdMarkers.delete(`m${ch.uniqueid}`);
    if (phoneHold || music) this.updateHold(at);
    else this.evaluate(at);
  }

  // ---- dialling -----------------------------------------------------------------------

  /** A Dial starts; `ringingNow` when the phone already rings (its state says Ringing). */
  dialBegin(caller: TrackedChannel | null, dest: TrackedChannel, callerExten: string | undefined, dialString: string, ringingNow: boolean, at: number): void {
    dest.dialer = caller;
    const phone = dest.kind === 'extension' || dest.kind === 'trunk';
    if (!phone && dest.kind !== 'local') return;
    this.surface();
    if (dest !== this.origin) {
      // Ring groups, hunt and follow-me stages and queues dial Local halves; the caller's
      // wait and its outcome are the caller's own legs, whatever rings behind them.
      const byCaller = caller !== null && this.standsForCaller(caller);
      dest.dialedByCaller = byCaller;
      if (byCaller) {
        if (this.callee === null) this.callee = meaningfulExten(callerExten) ?? (ChannelClassifier.numberOfDialString(dialString) || null);
        // A Redirect shows no transfer event: only the caller dialling again after it talked.
        if (this.originConnected && !this.inConversation) {
          if (this.blindTransferPending) this.blindTransferPending = false;
          else this.addTransfer('blind', this.lastPartnerExt, transferTarget(dest, callerExten, dialString), at);
        }
      }
      // A call rebuilt from a listing dialled before it was seen: the listing says where (announceRecovered).
      if (phone && this.firstDestKind === null && (!this.recovered || this.listed)) {
        this.firstDestKind = dest.kind;
        if (dest.kind === 'trunk') this.destTrunk = dest.peer;
      }
      if (dest.kind === 'extension' && !this.ringingExtensions.includes(dest.peer!)) this.ringingExtensions.push(dest.peer!);
      if (!this.ringingLegs.has(dest)) {
        this.ringingLegs.add(dest);
        if (caller !== null) caller.dialing++;
      }
      if (phone || byCaller) this.firstRingAt ??= at;
      if (this.answeredAt === null) this.ringEndedAt = null;
    }
    if (!phone) return;
    this.awaitingRing.add(dest);
    if (ringingNow) this.ringing(dest, at);
  }

  /**
   * The phone of a dialled leg rings (`DialState RINGING`/`PROGRESS`, or its state turns
   * Ringing): the `ringing` event, once per leg. A leg that is busy or fails at once never rings.
   */
  ringing(dest: TrackedChannel, at: number): void {
    if (!this.awaitingRing.delete(dest)) return;
    this.emit({ type: 'ringing', at, call: this.toRecord(at), extension: dest.kind === 'extension' ? dest.peer : null, channel: dest.name });
  }

  /** Returns whether the leg was still ringing (a losing queue member's second CANCEL is not). */
  dialEnd(dest: TrackedChannel, status: string, at: number): boolean {
    const wasRinging = this.endLeg(dest, at);
    this.awaitingRing.delete(dest);
    if (status === 'ANSWER') {
      if (dest === this.origin || (dest.kind !== 'extension' && dest.kind !== 'trunk')) return wasRinging;
      if (dest.dialer?.kind === 'local') this.answeredInside.add(dest);
      else this.answer(dest, at);
    } else if (status !== '') {
      const rank = DIAL_OUTCOME[status] === DIAL_OUTCOME.CANCEL && dest.dialedByCaller && !this.callerHungUp() ? DIAL_OUTCOME.NOANSWER : (DIAL_OUTCOME[status] ?? 1);
      if (dest.dialedByCaller) this.callerDialOutcome = Math.max(this.callerDialOutcome, rank);
      else this.dialOutcome = Math.max(this.dialOutcome, rank);
    }
    return wasRinging;
  }

  /** The caller itself, or a Local half whose other half is bridged with the caller (through any chain). */
  private standsForCaller(ch: TrackedChannel): boolean {
    const origin = this.origin;
    if (ch === origin) return true;
    return origin !== null && ch.kind === 'local' && this.personsBehind(ch).includes(origin);
  }

  private endLeg(dest: TrackedChannel, at: number): boolean {
    if (!this.ringingLegs.delete(dest)) return false;
    if (dest.dialer !== null && dest.dialer.dialing > 0) dest.dialer.dialing--;
    if (this.ringingLegs.size === 0 && this.answeredAt === null) this.ringEndedAt = at;
    return true;
  }

  /** A person answered: the first one is `answeredBy`; each later one (a transfer target) is reported too. */
  answer(dest: TrackedChannel | null, at: number): void {
    if (dest !== null) {
      if (this.answeredUids.has(dest.uniqueid)) return;
      this.answeredUids.add(dest.uniqueid);
    }
    const extension = dest?.kind === 'extension' ? dest.peer : null;
    if (this.answeredAt === null) {
      this.answeredAt = at;
      this.answeredBy = extension;
    }
    if (extension !== null && !this.ringingExtensions.includes(extension)) this.ringingExtensions.push(extension);
    this.emit({ type: 'answered', at, call: this.toRecord(at), extension, channel: dest?.name ?? '' });
  }

  // ---- conversation and talk time -----------------------------------------------------

  /**
   * Re-derives "who talks to whom" after any bridge, hold or hangup change. Talk time runs
   * while the caller shares a bridge with at least one other person (or, once the caller is
   * gone, while any bridge of the call holds two people) and the call is not on hold.
   */
  evaluate(at: number): void {
    const members = this.conversation();
    if (members !== null && !this.inConversation) {
      this.inConversation = true;
      this.conversationStarted(members, at);
    } else if (members === null && this.inConversation) {
      this.inConversation = false;
    }
    const talking = members !== null && this.openHold === null;
    if (talking && this.talkSince === null) this.talkSince = at;
    else if (!talking && this.talkSince !== null) {
      this.talkMs += Math.max(0, at - this.talkSince);
      this.talkSince = null;
    }
  }

  private conversation(): ReadonlySet<TrackedChannel> | null {
    const origin = this.origin;
    if (origin !== null && this.channels.has(origin)) return origin.bridge === null ? null : this.talkingBridge(origin.bridge);
    for (const ch of this.channels) {
      if (ch.bridge === null) continue;
      const members = this.talkingBridge(ch.bridge);
      if (members !== null) return members;
    }
    return null;
  }

  private talkingBridge(bridgeId: string): ReadonlySet<TrackedChannel> | null {
    const members = this.around.bridges.get(bridgeId);
    if (members === undefined || members.size < 2) return null;
    let persons = 0;
    for (const m of members) if (this.isPerson(m) && ++persons >= 2) return members;
    return null;
  }

  /** A phone or trunk; a Local half counts when a chain of Local pairs leads from it to one. */
  private isPerson(ch: TrackedChannel): boolean {
    if (ch.kind === 'extension' || ch.kind === 'trunk') return true;
    return ch.kind === 'local' && this.personsBehind(ch).length > 0;
  }

  /**
   * The phones and trunks a channel stands for: itself, or for a Local half whatever its
   * other half is bridged with, followed through nested pairs (follow-me: Local -> Local -> phone).
   */
  private personsBehind(ch: TrackedChannel): TrackedChannel[] {
    if (ch.kind === 'extension' || ch.kind === 'trunk') return [ch];
    const out: TrackedChannel[] = [];
    if (ch.kind === 'local') collectPersons(this.around, ch, out, 0);
    return out;
  }

  private conversationStarted(members: ReadonlySet<TrackedChannel>, at: number): void {
    this.surface();
    // "Who hung up" looks at the first hangup request after the last bridge formed.
    this.hangupRequest = null;
    this.blindTransferPending = false;
    const origin = this.origin;
    const withOrigin = origin !== null && members.has(origin);
    if (withOrigin) {
      this.originConnected = true;
      if (origin.kind === 'extension') this.addAgent(origin.peer!);
    }
    let partner: TrackedChannel | null = null;
    for (const m of members) {
      for (const p of this.personsBehind(m)) {
        if (p === origin) continue;
        partner ??= p;
        if (p.kind === 'extension') this.addAgent(p.peer!);
        if (this.answeredInside.delete(p)) this.answer(p, at);
      }
    }
    if (partner !== null) this.lastPartnerExt = partner.kind === 'extension' ? partner.peer : null;
    // A bridge of two people is an answer even without a DialEnd (Bridge action, pickup, snapshot).
    if (this.answeredAt === null) this.answer(partner, at);
  }

  private addAgent(extension: string): void {
    if (!this.agents.includes(extension)) this.agents.push(extension);
  }

  /**
   * The caller asked to hang up (its own `HangupRequest`, which Asterisk sends before the
   * `DialEnd CANCEL` it causes). A caller's leg cancelled without it was cancelled for the caller
   * — a queue or ring group timing out, an AMI Hangup — so the call was missed, not abandoned.
   */
  private callerHungUp(): boolean {
    const request = this.hangupRequest;
    return request !== null && !request.soft && request.channel === this.origin;
  }

  /** The hangup that ended the conversation: a party's `HangupRequest`, or `SoftHangupRequest` (AMI/dialplan: system). */
  hangupRequested(ch: TrackedChannel, soft: boolean): void {
    if (ch.kind !== 'extension' && ch.kind !== 'trunk') return;
    this.hangupRequest ??= { channel: ch, soft };
  }

  // ---- hold ---------------------------------------------------------------------------

  /** `Hold` from a phone (`h`) or music on hold on a party of an answered call (`m`). */
  setHoldMarker(kind: 'h' | 'm', ch: TrackedChannel, at: number): void {
    if (this.answeredAt === null) return;
    // Music while the caller waits for a Dial (Dial option m, a queue) is not a hold.
    if (kind === 'm' && ch.dialing > 0) return;
    this.holdMarkers.set(`${kind}${ch.uniqueid}`, kind === 'h' ? 'phone' : 'server');
    this.updateHold(at);
  }

  /** An `Unhold` with no `Hold` (BlindTransfer emits one) changes nothing. */
  clearHoldMarker(kind: 'h' | 'm', ch: TrackedChannel, at: number): void {
    if (this.holdMarkers.delete(`${kind}${ch.uniqueid}`)) this.updateHold(at);
  }

  private updateHold(at: number): void {
    const hold = this.openHold;
    if (this.holdMarkers.size > 0) {
      const phone = [...this.holdMarkers.values()].includes('phone');
      if (hold === null) {
        const opened: CallHold = { by: phone ? 'phone' : 'server', startedAt: at, endedAt: null, seconds: 0 };
        this.openHold = opened;
        this.holds.push(opened);
        this.evaluate(at);
        this.emit({ type: 'held', at, call: this.toRecord(at), by: opened.by });
      } else if (phone) {
        hold.by = 'phone';
      }
    } else if (hold !== null) {
      this.closeHold(hold, at);
      this.evaluate(at);
      this.emit({ type: 'unheld', at, call: this.toRecord(at), by: hold.by, seconds: hold.seconds });
    } else {
      this.evaluate(at);
    }
  }

  private closeHold(hold: CallHold, at: number): void {
    const ms = Math.max(0, at - hold.startedAt);
    hold.endedAt = at;
    hold.seconds = Math.round(ms / 1000);
    this.holdMs += ms;
    this.openHold = null;
  }

  // ---- transfers ----------------------------------------------------------------------

  addTransfer(kind: CallTransfer['kind'], from: string | null, to: string, at: number): void {
    const transfer: CallTransfer = { kind, from, to, at };
    this.transfers.push(transfer);
    if (kind === 'blind') this.blindTransferPending = true;
    this.emit({ type: 'transferred', at, call: this.toRecord(at), transfer: { ...transfer } });
  }

  /** A completed transfer releases its transferer's hold: Atxfer never sends the `Unhold`. */
  transferCompleted(transferers: (TrackedChannel | undefined)[], at: number): void {
    let changed = false;
    for (const ch of transferers) if (ch !== undefined && this.holdMarkers.delete(`h${ch.uniqueid}`)) changed = true;
    if (changed) this.updateHold(at);
  }

  // ---- recordings ---------------------------------------------------------------------

  hasRecording(file: string): boolean {
    return this.recordings.some((r) => r.file === file || stripExtension(r.file) === file);
  }

  startRecording(ch: TrackedChannel, file: string, path: string | null, source: CallRecording['source'], at: number): void {
    if (this.hasRecording(file)) return;
    const recording: CallRecording = { file, path, source, startedAt: at, stoppedAt: null };
    this.recordings.push(recording);
    this.running.push({ recording, channel: ch });
    this.emit({ type: 'recording_started', at, call: this.toRecord(at), recording: { ...recording } });
  }

  /** MonitorStop stops that channel's Monitor; MixMonitorStop its latest MixMonitor. */
  stopChannelRecording(ch: TrackedChannel, source: CallRecording['source'], at: number): void {
    for (let i = this.running.length - 1; i >= 0; i--) {
      const r = this.running[i];
      if (r.channel !== ch || r.recording.source !== source) continue;
      this.stopRecordings(at, (x) => x === r);
      if (source === 'mixmonitor') return;
    }
  }

  private stopRecordings(at: number, which: (r: { recording: CallRecording; channel: TrackedChannel }) => boolean): void {
    if (this.running.length === 0) return;
    const stopped = this.running.filter(which);
    if (stopped.length === 0) return;
    this.running = this.running.filter((r) => !stopped.includes(r));
    for (const { recording } of stopped) {
      recording.stoppedAt = at;
      this.emit({ type: 'recording_stopped', at, call: this.toRecord(at), recording: { ...recording } });
    }
  }

  /**
   * Corrects a call picked up from a snapshot with its CDR: the CDR knows when it started and
   * was answered; the talk before the snapshot is taken as uninterrupted.
   */
  refineFromCdr(start: number | null, answer: number | null): void {
    if (!this.recovered) return;
    if (start !== null && start < this.startedAt) this.startedAt = start;
    if (answer !== null && this.answeredAt !== null && answer < this.answeredAt) {
      if (this.talkSince !== null || this.talkMs > 0) this.talkMs += this.answeredAt - answer;
      this.answeredAt = answer;
    }
  }

  /** A call rebuilt from a snapshot is announced (unless it said something already) once the snapshot is complete. */
  announceRecovered(at: number): void {
    const origin = this.origin;
    const dialled = [...this.channels].filter((ch) => ch !== origin && (ch.kind === 'trunk' || ch.kind === 'extension'));
    // Where it went is decided by what it dialled before the listing, not by a later Dial (a transfer's
    // consultation): a trunk listed, else the number the caller dialled (its exten), else a phone listed.
    if (this.firstDestKind === null && dialled.length > 0) {
      const trunk = dialled.find((ch) => ch.kind === 'trunk');
      this.firstDestKind = trunk !== undefined || (this.callee?.length ?? 0) >= EXTERNAL_NUMBER_LENGTH ? 'trunk' : 'extension';
      this.destTrunk = trunk?.peer ?? null;
    }
    this.listed = true;
    // Answered already: a dialled phone or trunk is up (bridged with the caller or not: on hold, in a
    // consultation), or the phone that called is up in its Dial (Asterisk answers it when the callee does).
    if (this.answeredAt === null) {
      const up = dialled.find((ch) => ch.state === UP_STATE);
      const callerInDial = origin?.kind === 'extension' && origin.state === UP_STATE && origin.listedApp === 'Dial';
      if (up !== undefined || callerInDial) this.answer(up ?? null, at);
    }
    if (this.announced) return;
    let ringing: TrackedChannel | undefined;
    for (const leg of this.ringingLegs) if (leg.kind === 'extension' || leg.kind === 'trunk') ringing ??= leg;
    this.emit({
      type: 'ringing',
      at,
      call: this.toRecord(at),
      extension: ringing?.kind === 'extension' ? ringing.peer : null,
      channel: ringing?.name ?? this.origin?.name ?? '',
    });
  }

  markRinging(dest: TrackedChannel, since: number): void {
    if (dest === this.origin || (dest.kind !== 'extension' && dest.kind !== 'trunk')) return;
    this.ringingLegs.add(dest);
    if (dest.kind === 'extension' && !this.ringingExtensions.includes(dest.peer!)) this.ringingExtensions.push(dest.peer!);
    if (this.firstRingAt === null || since < this.firstRingAt) this.firstRingAt = since;
  }

  // ---- the end ------------------------------------------------------------------------

  finish(at: number, reason: CallEndReason, mergedInto: string | null = null): void {
    if (this.ended) return;
    // A call that ends on its own was one, even if it never dialled (voicemail, an IVR).
    if (reason !== 'merged') this.surface();
    const endedAt = Math.max(at, this.startedAt);
    if (this.openHold !== null) this.closeHold(this.openHold, endedAt);
    if (this.talkSince !== null) {
      this.talkMs += Math.max(0, endedAt - this.talkSince);
      this.talkSince = null;
    }
    this.stopRecordings(endedAt, () => true);
    this.ended = true;
    this.endedAt = endedAt;
    this.endReason = reason;
    this.mergedInto = mergedInto;
    this.finalStatus = this.outcome();
    const request = this.hangupRequest;
    this.hangupBy = request === null || request.soft ? 'system' : request.channel === this.origin ? 'caller' : 'callee';
    this.emit({ type: 'ended', at: endedAt, call: this.toRecord(endedAt) });
  }

  private outcome(): TerminalCallStatus {
    if (this.answeredAt !== null) return 'answered';
    if (this.queueAbandoned) return 'abandoned';
    // Inner legs say CANCEL when their Local half is hung up, also when the caller's Dial timed out.
    if (this.callerDialOutcome > 0) return OUTCOME_STATUS[this.callerDialOutcome];
    if (this.dialOutcome > 0) return OUTCOME_STATUS[this.dialOutcome];
    const request = this.hangupRequest;
    const callerGaveUp = request !== null && !request.soft && request.channel === this.origin;
    if (callerGaveUp) return 'abandoned';
    return this.firstRingAt !== null ? 'missed' : 'failed';
  }

  // ---- the record ---------------------------------------------------------------------

  private emit(event: CallTrackerEvent): void {
    if (!this.surfaced) {
      // An inbound call from a trunk is never a leg joining another call.
      if (this.origin?.kind !== 'trunk') {
        (this.held ??= []).push(event);
        return;
      }
      this.surface();
    }
    this.announced = true;
    this.sink(event);
  }

  /** The call is one of its own: what was held back goes out, in order. */
  private surface(): void {
    if (this.surfaced) return;
    this.surfaced = true;
    const held = this.held;
    this.held = null;
    if (held !== null) for (const event of held) this.emit(event);
  }

  toRecord(at: number): CallRecord {
    const origin = this.origin;
    const now = this.endedAt ?? at;
    return {
      pbx: this.around.pbxId,
      callId: this.callId,
      linkedid: this.linkedid,
      linkedids: [...this.linkedids],
      direction: this.direction(),
      caller: amiValue(origin?.callerNum) ?? '',
      callerName: amiValue(origin?.callerName) ?? null,
      callee: this.callee ?? '',
      trunk: origin?.kind === 'trunk' ? origin.peer : this.destTrunk,
      ringingExtensions: [...this.ringingExtensions],
      answeredBy: this.answeredBy,
      agents: [...this.agents],
      status: this.finalStatus ?? (this.openHold !== null ? 'on_hold' : this.answeredAt !== null ? 'answered' : 'ringing'),
      ended: this.ended,
      startedAt: this.startedAt,
      answeredAt: this.answeredAt,
      endedAt: this.endedAt,
      ringSeconds: this.ringSeconds(now),
      talkSeconds: Math.round((this.talkMs + (this.talkSince !== null ? Math.max(0, now - this.talkSince) : 0)) / 1000),
      holdSeconds: Math.round((this.holdMs + (this.openHold !== null ? Math.max(0, now - this.openHold.startedAt) : 0)) / 1000),
      hangupBy: this.hangupBy,
      hangupCause: this.originCause ?? this.lastCause,
      recordings: this.recordings.map((r) => ({ ...r })),
      transfers: this.transfers.map((t) => ({ ...t })),
      holds: this.holds.map((h) => (h.endedAt === null ? { ...h, seconds: Math.round(Math.max(0, now - h.startedAt) / 1000) } : { ...h })),
      crmCallId: this.crmCallId,
      endReason: this.endReason,
      mergedInto: this.mergedInto,
      originateActionId: this.originateActionId,
      callerSeen: this.callerSeen,
      legs: this.legs(),
    };
  }

  private legs(): CallLeg[] {
    const legs: CallLeg[] = [];
    const holds = this.holdMarkers.size > 0;
    for (const ch of this.channels) {
      const held = holds && (this.holdMarkers.has(`h${ch.uniqueid}`) || this.holdMarkers.has(`m${ch.uniqueid}`));
      legs.push({
        channel: ch.name,
        uniqueid: ch.uniqueid,
        role: this.roleOf(ch),
        extension: ch.kind === 'extension' ? ch.peer : null,
        bridgeId: ch.bridge,
        state: held ? 'held' : ch.state === UP_STATE ? 'up' : 'ringing',
      });
    }
    return legs;
  }

  private roleOf(ch: TrackedChannel): CallLegRole {
    if (ch === this.origin) return 'caller';
    return LEG_ROLE[ch.kind];
  }

  private direction(): CallDirection {
    const origin = this.origin;
    if (origin?.kind === 'trunk') return 'inbound';
    if (this.firstDestKind !== null) return this.firstDestKind === 'trunk' ? 'outbound' : 'internal';
    return this.callee !== null && this.callee.length >= EXTERNAL_NUMBER_LENGTH ? 'outbound' : 'internal';
  }

  /** From the first ring of a callee to the answer, or to the end of the last ring. */
  private ringSeconds(now: number): number {
    if (this.firstRingAt === null) return 0;
    const end = this.answeredAt ?? this.ringEndedAt ?? now;
    return Math.round(Math.max(0, end - this.firstRingAt) / 1000);
  }
}

/** Appends the phones and trunks bridged with the other half of Local half `ch`, through nested pairs. */
function collectPersons(around: CallSurroundings, ch: TrackedChannel, out: TrackedChannel[], depth: number): void {
  const partner = around.localPartner(ch);
  if (partner === undefined || partner.bridge === null) return;
  for (const m of around.bridges.get(partner.bridge) ?? []) {
    if (m === partner) continue;
    if (m.kind === 'extension' || m.kind === 'trunk') {
      if (!out.includes(m)) out.push(m);
    } else if (m.kind === 'local' && depth < MAX_LOCAL_DEPTH) {
      collectPersons(around, m, out, depth + 1);
    }
  }
}

/** Where a Redirect sent the caller: the phone it dials, else the dialplan extension or the dialled number. */
function transferTarget(dest: TrackedChannel, callerExten: string | undefined, dialString: string): string {
  if (dest.kind === 'extension') return dest.peer!;
  const number = ChannelClassifier.numberOfDialString(dialString);
  if (dest.kind === 'trunk') return number || dest.peer!;
  return meaningfulExten(callerExten) ?? number;
}

function meaningfulExten(exten: string | undefined): string | undefined {
  return exten === undefined || exten === '' || exten === 's' ? undefined : exten;
}

function stripExtension(file: string): string {
  const dot = file.lastIndexOf('.');
  return dot > 0 ? file.slice(0, dot) : file;
}
