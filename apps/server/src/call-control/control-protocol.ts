import type { CallConsultationEvent, CallControlConfirmed, CallControlErrorCode, CallOriginatedEvent, TransferMode, UserRole } from '@app/contracts';

/**
 * What a server process asks the process that controls a PBX (the one whose ingest follows it),
 * and what it answers: plain JSON, since it may travel through Redis (docs/adr/0008-call-control.md).
 */

/** Who gives the command: whether they may act on any call, and which phones are theirs. */
export interface ControlActor {
  userId: number;
  role: UserRole;
  /** The user's extensions, as the PBX names its phones. */
  extensions: string[];
}

export type TransferTarget = { kind: 'extension'; value: string } | { kind: 'number'; value: string };

/** `call` is the tracker's call id (`<pbx>:<first Linkedid>`, the row's `call_uid`). */
export type ControlCommand =
  | { op: 'hold' | 'unhold' | 'hangup' | 'transfer-complete' | 'transfer-cancel'; call: string; actor: ControlActor }
  /** `callRef`: the CRM call id, which what is pushed later names. */
  | { op: 'transfer'; call: string; callRef: string; actor: ControlActor; mode: TransferMode; target: TransferTarget }
  | { op: 'record'; call: string; actor: ControlActor; on: boolean }
  | { op: 'originate'; actor: ControlActor; extension: string; number: string; crmCallId: string }
  | { op: 'pause'; actor: ControlActor; paused: boolean; queue: string | null; reason: string | null };

export type ControlOp = ControlCommand['op'];

/** One AMI action sent for a command and what Asterisk answered (or why no answer came): for the audit log. */
export interface AmiExchange {
  action: string;
  fields: Record<string, string>;
  /** `Response:` and `Message:`, or the AMI layer's error code (`AMI_ACTION_TIMEOUT`, `AMI_CONNECTION_LOST`). */
  answer: { response: string; message: string | null } | { error: string };
}

export type ControlOutcome =
  | { ok: true; confirmed: CallControlConfirmed; at: number; ami: AmiExchange[] }
  | { ok: false; code: CallControlErrorCode; message: string; details?: unknown; ami: AmiExchange[] };

/** Something a command's user learns later: a click-to-call's outcome, an attended transfer's target answering. */
export type ControlNotice = { type: 'originated'; userId: number; event: CallOriginatedEvent } | { type: 'consultation'; userId: number; event: CallConsultationEvent };

/** Runs one command on the PBX; `notify` carries what comes after the answer. */
export type ControlHandler = (command: ControlCommand, notify: (notice: ControlNotice) => void) => Promise<ControlOutcome>;

/** A refusal or failure as an outcome (nothing or only `ami` was sent). */
export function refused(code: CallControlErrorCode, message: string, ami: AmiExchange[] = [], details?: unknown): ControlOutcome {
  return { ok: false, code, message, ami, ...(details === undefined ? {} : { details }) };
}
