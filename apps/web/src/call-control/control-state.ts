import type { CallConsultationEvent, CallControlAck, CallControlConfirmed, CallOriginatedEvent, CallUpdatedEvent, RealtimeError } from '@app/contracts';

/** The call-control commands the page sends (docs/call-control.md). */
export type ControlCommand = 'transfer-call' | 'complete-transfer' | 'cancel-transfer' | 'hold-call' | 'hangup-call' | 'record-call' | 'originate-call' | 'agent-pause';

/**
 * What the page last learned about a command: the PBX's confirmation, the refusal (in the
 * server's code and message), or a later push about it (the consulted target answered, the
 * click-to-call's phone answered or failed). Rendered in words by `noteText`.
 */
export type ControlNote =
  | { kind: 'confirmed'; command: ControlCommand; confirmed: CallControlConfirmed }
  | { kind: 'refused'; command: ControlCommand; error: RealtimeError }
  | { kind: 'consultation'; state: CallConsultationEvent['state']; to: string }
  | { kind: 'originated'; outcome: CallOriginatedEvent['outcome']; reason: string | null; number: string };

/** An attended transfer this user started: `answered` once the target answered (complete is offered). */
export interface Consultation {
  to: string;
  answered: boolean;
}

export interface ControlView {
  /** The last note per CRM call id. */
  notes: ReadonlyMap<string, ControlNote>;
  /** The command waiting for its acknowledgement per call id. */
  pending: ReadonlyMap<string, ControlCommand>;
  consultations: ReadonlyMap<string, Consultation>;
  /** Calls with a recording the CRM started (its file is named crm-ami-…), by call id. */
  recording: ReadonlySet<string>;
  /** The user's own commands (click-to-call, pause), and calls the user transferred or hung up: the last note and whether one is waiting. */
  own: { note: ControlNote | null; pending: ControlCommand | null };
  /** Whether the user paused themselves in the queues (null: not changed from this page). */
  paused: boolean | null;
}

/** The recordings call control starts (docs/call-control.md: `File: crm-ami-<uniqueid>-<ms>.wav`), not the dialplan's own. */
const CRM_RECORDING = /(^|\/)crm-ami-[^/]*$/;

/**
 * The page's call-control state, apart from the live calls (LiveState): it follows the
 * commands' acknowledgements and the pushes meant for their user, so that each row, popup and
 * panel shows the outcome in words even after it was scrolled away and back. Pure: the socket
 * and the commands feed it, React reads `view()`.
 */
export class ControlState {
  private readonly notes = new Map<string, ControlNote>();
  private readonly pending = new Map<string, ControlCommand>();
  private readonly consultations = new Map<string, Consultation>();
  private readonly recording = new Set<string>();
  private own: ControlView['own'] = { note: null, pending: null };
  private paused: boolean | null = null;
  /** crmCallId -> the number the user's click-to-call dials, for the words of its outcome. */
  private readonly originating = new Map<string, string>();
  private readonly listeners = new Set<() => void>();
  private cached: ControlView | null = null;

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  view(): ControlView {
    this.cached ??= {
      notes: new Map(this.notes),
      pending: new Map(this.pending),
      consultations: new Map(this.consultations),
      recording: new Set(this.recording),
      own: this.own,
      paused: this.paused,
    };
    return this.cached;
  }

  /** A command on a call was sent: its buttons wait. */
  sent(callId: string, command: ControlCommand): void {
    this.pending.set(callId, command);
    this.notes.delete(callId);
    this.changed();
  }

  /** A command on a call was answered. */
  answered(callId: string, command: ControlCommand, ack: CallControlAck): void {
    this.pending.delete(callId);
    if (!ack.ok) {
      this.notes.set(callId, { kind: 'refused', command, error: ack.error });
      return this.changed();
    }
    const { confirmed } = ack;
    this.notes.set(callId, { kind: 'confirmed', command, confirmed });
    if (confirmed.kind === 'consulting') this.consultations.set(callId, { to: confirmed.to, answered: false });
    if (confirmed.kind === 'transferred' || confirmed.kind === 'consultation_cancelled') this.consultations.delete(callId);
    if (confirmed.kind === 'recording_started') this.recording.add(callId);
    if (confirmed.kind === 'recording_stopped') this.recording.delete(callId);
    // A transferred or hung-up call leaves the user's list with its row: the page-wide notice says what happened.
    if (confirmed.kind === 'transferred' || confirmed.kind === 'hung_up') this.own = { note: this.notes.get(callId)!, pending: this.own.pending };
    this.changed();
  }

  /** The user's own command (click-to-call, pause) was sent. */
  ownSent(command: ControlCommand): void {
    this.own = { note: null, pending: command };
    this.changed();
  }

  ownAnswered(command: ControlCommand, ack: CallControlAck, number?: string): void {
    if (!ack.ok) {
      this.own = { note: { kind: 'refused', command, error: ack.error }, pending: null };
      return this.changed();
    }
    const { confirmed } = ack;
    if (confirmed.kind === 'originating') this.originating.set(confirmed.crmCallId, number ?? confirmed.number);
    if (confirmed.kind === 'paused') this.paused = confirmed.paused;
    this.own = { note: { kind: 'confirmed', command, confirmed }, pending: null };
    this.changed();
  }

  /** `call:consultation`: the consulted target answered, or the consultation ended without the transfer. */
  consultation(event: CallConsultationEvent): void {
    if (event.state === 'answered') this.consultations.set(event.callId, { to: event.to, answered: true });
    else this.consultations.delete(event.callId);
    this.notes.set(event.callId, { kind: 'consultation', state: event.state, to: event.to });
    this.changed();
  }

  /** `call:originated`: the user's phone answered (the number is dialled) or could not be called. */
  originated(event: CallOriginatedEvent): void {
    const number = this.originating.get(event.crmCallId);
    if (number === undefined) return;
    this.originating.delete(event.crmCallId);
    this.own = { note: { kind: 'originated', outcome: event.outcome, reason: event.reason, number }, pending: this.own.pending };
    this.changed();
  }

  /** `call:updated`: a recording the CRM started or stopped on a call this user sees (whoever asked for it). */
  updated(event: CallUpdatedEvent): void {
    const { step } = event;
    if ((step.type !== 'recording_started' && step.type !== 'recording_stopped') || !CRM_RECORDING.test(step.file)) return;
    if (step.type === 'recording_started') this.recording.add(event.call.id);
    else this.recording.delete(event.call.id);
    this.changed();
  }

  /** The call ended: what concerned it goes, except its last note (the row is gone anyway). */
  ended(callId: string): void {
    this.pending.delete(callId);
    this.consultations.delete(callId);
    this.recording.delete(callId);
    this.changed();
  }

  /** Forget a note (the user closed it). */
  clearOwn(): void {
    this.own = { note: null, pending: this.own.pending };
    this.changed();
  }

  reset(): void {
    for (const collection of [this.notes, this.pending, this.consultations, this.recording, this.originating]) collection.clear();
    this.own = { note: null, pending: null };
    this.paused = null;
    this.changed();
  }

  private changed(): void {
    this.cached = null;
    for (const listener of this.listeners) listener();
  }
}
