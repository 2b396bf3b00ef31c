import {
  AmiActionError,
  AmiActionTimeoutError,
  AmiActionValidationError,
  AmiConnectionClosedError,
  AmiConnectionLostError,
  AmiError,
  AmiNotConnectedError,
  type AmiActionGateway,
  type AmiActionResult,
  type AmiActionSpec,
  type AmiLogger,
  type CallLeg,
  type CallRecord,
} from '@app/ami';
import type { CallControlPbxSettings } from '../../config/app-config';
import { refused, type AmiExchange, type ControlOutcome } from '../control-protocol';
import { ConfirmationWatch, type ConfirmationTest, type ObservedPbx } from './confirmation-watch';

/** What the executor needs from the ingest of its PBX. */
export interface ControlledPbx extends ObservedPbx {
  readonly pbxId: string;
  /** Ingesting and logged in: the tracker follows the calls as they are now. */
  readonly following: boolean;
  liveCall(callId: string): CallRecord | null;
  expectMonitorFile(uniqueid: string, file: string): boolean;
}

/** A server-side hold the CRM made: which channel waits in `crm-hold`, which in `crm-hold-wait`. */
export interface CrmHold {
  remote: CallLeg;
  agent: CallLeg;
}

/** An attended transfer the CRM started and has not completed or cancelled. */
export interface CrmTransfer {
  transferer: CallLeg;
  transferee: CallLeg[];
  to: string;
}

/** A recording the CRM started: where, under which name, with which MixMonitorID. */
export interface CrmRecording {
  channel: string;
  uniqueid: string;
  file: string;
  source: 'monitor' | 'mixmonitor';
  mixMonitorId: string | null;
}

/**
 * What the CRM itself did to calls in progress on this PBX: the PBX's events do not say that a
 * hold was ours, which channel holds it, or which recording on a channel is ours. Forgotten when
 * the call ends. A process that takes the PBX over starts without it and falls back on the legs.
 */
export class ControlMemory {
  readonly holds = new Map<string, CrmHold>();
  readonly transfers = new Map<string, CrmTransfer>();
  readonly recordings = new Map<string, CrmRecording>();

  forget(callId: string): void {
    this.holds.delete(callId);
    this.transfers.delete(callId);
    this.recordings.delete(callId);
  }
}

export type Acted<T> = { ok: true; value: T; at: number; answer: AmiActionResult | null } | { ok: false; outcome: ControlOutcome };

/** Everything an operation uses: the ingest's view, the control login, the PBX's settings, the memory. */
export class ControlContext {
  constructor(
    readonly pbx: ControlledPbx,
    readonly gateway: AmiActionGateway,
    readonly settings: CallControlPbxSettings,
    readonly memory: ControlMemory,
    readonly confirmWithinMs: number,
    readonly logger: AmiLogger,
  ) {}

  /**
   * Sends one action and waits until `test` sees its effect in the PBX's events. A refusal
   * (`Response: Error`) ends the wait at once; a lost or late answer does not, since the action
   * may have run: the events decide. Every action sent is appended to `ami` with its answer.
   */
  async act<T>(ami: AmiExchange[], spec: AmiActionSpec, test: ConfirmationTest<T>, what: string): Promise<Acted<T>> {
    const watch = new ConfirmationWatch(this.pbx, test, this.confirmWithinMs);
    let answer: AmiActionResult | null = null;
    try {
      answer = await this.send(ami, spec);
    } catch (error) {
      if (!isUnanswered(error)) {
        watch.cancel();
        return { ok: false, outcome: sendFailure(spec, error, ami) };
      }
    }
    const confirmed = await watch.result;
    if (confirmed) return { ok: true, value: confirmed.value, at: confirmed.at, answer };
    const pbxAnswer = ami[ami.length - 1]?.answer;
    return {
      ok: false,
      outcome: refused('NOT_CONFIRMED', `${what} was not confirmed by the PBX's events within ${this.confirmWithinMs / 1000} s (${spec.action}: ${describe(pbxAnswer)})`, ami, { pbxAnswer }),
    };
  }

  /** Sends one action whose effect needs no confirmation of its own (a Getvar, a Hangup that tidies up). */
  async send(ami: AmiExchange[], spec: AmiActionSpec): Promise<AmiActionResult> {
    try {
      const result = await this.gateway.send(spec, { timeoutMs: this.confirmWithinMs });
      ami.push(exchange(spec, { response: result.response.name, message: result.message ?? null }));
      return result;
    } catch (error) {
      if (error instanceof AmiActionError) ami.push(exchange(spec, { response: 'Error', message: error.asteriskMessage }));
      else if (!(error instanceof AmiActionValidationError) && !(error instanceof AmiNotConnectedError)) ami.push(exchange(spec, { error: error instanceof AmiError ? error.code : 'UNKNOWN' }));
      throw error;
    }
  }
}

/** The action was written but its answer never came: it may have run, and only the PBX's events can tell. */
export function isUnanswered(error: unknown): boolean {
  return error instanceof AmiActionTimeoutError || error instanceof AmiConnectionLostError;
}

/** Why an action did not run, as an outcome; only a refusal by Asterisk was ever sent. */
export function sendFailure(spec: AmiActionSpec, error: unknown, ami: AmiExchange[]): ControlOutcome {
  if (error instanceof AmiActionError) return refused('PBX_REFUSED', `Asterisk refused ${spec.action}: ${error.asteriskMessage || 'no message'}`, ami);
  if (error instanceof AmiActionValidationError) return refused('VALIDATION_FAILED', error.message, ami);
  if (error instanceof AmiNotConnectedError || error instanceof AmiConnectionClosedError) {
    return refused('PBX_UNAVAILABLE', `The control login to the PBX is not connected; ${spec.action} was not sent`, ami);
  }
  return refused('NOT_CONFIRMED', `${spec.action} got no answer (${error instanceof AmiError ? error.code : (error as Error).message}): the outcome is unknown`, ami);
}

function exchange(spec: AmiActionSpec, answer: AmiExchange['answer']): AmiExchange {
  const fields: Record<string, string> = {};
  for (const [key, value] of spec.fields) fields[key] = key in fields ? `${fields[key]}; ${String(value)}` : String(value);
  return { action: spec.action, fields, answer };
}

function describe(answer: AmiExchange['answer'] | undefined): string {
  if (!answer) return 'not sent';
  if ('error' in answer) return `no answer, ${answer.error}`;
  return answer.message ? `${answer.response}, "${answer.message}"` : answer.response;
}
