import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { CallControlConfirmation, CallListItem } from '@app/contracts';
import { CallAccess } from '../access';
import { AuditService, type Actor } from '../audit';
import { CallsHistoryService } from '../calls';
import type { AuthUser } from '../common/auth';
import { PhoneNormalizer } from '../common/phone/phone-normalizer';
import { AppConfig } from '../config/app-config';
import { UsersService } from '../users';
import { CallControlError } from './call-control.errors';
import type { ControlActor, ControlCommand, ControlNotice, ControlOutcome, TransferTarget } from './control-protocol';
import { dialableNumber, type AgentPauseDto, type OriginateCallDto, type TransferCallDto } from './dto/call-control.dto';
import { CallControlLink } from './link/call-control-link';

/** Who gives a command, for the audit log: the user and the address it came from. */
export interface CommandSource {
  user: AuthUser;
  ip: string | null;
}

type CallCommand = Exclude<ControlCommand, { op: 'originate' | 'pause' }>;

/**
 * Call control as the API and the gateway offer it: the request checked (input, the call, who
 * may act on it, the transfer target), handed to the process that controls the call's PBX, and
 * the answer it confirmed. Every command is audited with who, what, the AMI actions sent and
 * the PBX's answers, refusals included.
 */
@Injectable()
export class CallControlService {
  constructor(
    private readonly link: CallControlLink,
    private readonly history: CallsHistoryService,
    private readonly access: CallAccess,
    private readonly users: UsersService,
    private readonly phones: PhoneNormalizer,
    private readonly audit: AuditService,
    private readonly config: AppConfig,
  ) {}

  /** Click-to-call outcomes of commands this process handed on, for the realtime push. */
  onNotice(listener: (notice: ControlNotice) => void): () => void {
    return this.link.onNotice(listener);
  }

  transfer(source: CommandSource, callId: number, body: TransferCallDto): Promise<CallControlConfirmation> {
    const mode = body.mode ?? 'blind';
    return this.onCall(source, callId, 'call.transfer', { ...body, mode }, async (call, actor, trackerId) => {
      const target = await this.transferTarget(call, actor, body);
      return { op: 'transfer', call: trackerId, callRef: call.id, actor, mode, target };
    });
  }

  transferStep(source: CommandSource, callId: number, step: 'complete' | 'cancel'): Promise<CallControlConfirmation> {
    return this.onCall(source, callId, `call.transfer_${step}`, {}, async (_call, actor, trackerId) => ({ op: step === 'complete' ? 'transfer-complete' : 'transfer-cancel', call: trackerId, actor }));
  }

  hold(source: CommandSource, callId: number, isHold: boolean): Promise<CallControlConfirmation> {
    return this.onCall(source, callId, isHold ? 'call.hold' : 'call.unhold', {}, async (_call, actor, trackerId) => ({ op: isHold ? 'hold' : 'unhold', call: trackerId, actor }));
  }

  hangup(source: CommandSource, callId: number): Promise<CallControlConfirmation> {
    return this.onCall(source, callId, 'call.hangup', {}, async (_call, actor, trackerId) => ({ op: 'hangup', call: trackerId, actor }));
  }

  record(source: CommandSource, callId: number, on: boolean): Promise<CallControlConfirmation> {
    return this.onCall(source, callId, on ? 'call.record_start' : 'call.record_stop', {}, async (_call, actor, trackerId) => ({ op: 'record', call: trackerId, actor, on }));
  }

  originate(source: CommandSource, body: OriginateCallDto): Promise<CallControlConfirmation> {
    const number = dialableNumber(body.number);
    const crmCallId = body.crmCallId ?? `c2c-${randomUUID()}`;
    return this.audited(source, 'call.originate', `crm_call:${crmCallId}`, { ...body, crmCallId }, async () => {
      const pbxId = this.pbxOf(body.pbxId);
      const actor = await this.actorOf(source.user);
      const extension = actor.extensions[0];
      if (extension === undefined) throw new CallControlError('NO_EXTENSION', 'You have no extension to call from');
      if (actor.extensions.includes(number)) throw new CallControlError('TARGET_IS_SOURCE', 'That is your own extension');
      return { pbxId, callId: null, command: { op: 'originate', actor, extension, number, crmCallId } };
    });
  }

  pause(source: CommandSource, body: AgentPauseDto): Promise<CallControlConfirmation> {
    return this.audited(source, body.paused ? 'agent.pause' : 'agent.unpause', `user:${source.user.id}`, body, async () => {
      const pbxId = this.pbxOf(body.pbxId);
      const actor = await this.actorOf(source.user);
      if (actor.extensions.length === 0) throw new CallControlError('NO_EXTENSION', 'You have no extension to pause in a queue');
      return { pbxId, callId: null, command: { op: 'pause', actor, paused: body.paused, queue: body.queue ?? null, reason: body.reason ?? null } };
    });
  }

  /** A command on a call: the call must exist, be live and controllable by this user. */
  private onCall(
    source: CommandSource,
    callId: number,
    action: string,
    request: object,
    build: (call: CallListItem, actor: ControlActor, trackerId: string) => Promise<CallCommand>,
  ): Promise<CallControlConfirmation> {
    return this.audited(source, action, `call:${callId}`, request, async () => {
      const [found, actor] = await Promise.all([this.history.withTrackerId(callId), this.actorOf(source.user)]);
      if (!found || !this.access.canView(source.user, found.call)) throw new CallControlError('CALL_NOT_FOUND', `call ${callId} not found`);
      if (!this.access.canControl(source.user, found.call)) throw new CallControlError('CALL_ENDED', `call ${callId} has ended`);
      return { pbxId: found.call.pbxId, callId: found.call.id, command: await build(found.call, actor, found.trackerId) };
    });
  }

  /**
   * Runs `prepare` (checks that throw CallControlError before anything reaches the PBX), hands
   * the command to its PBX's controller, and audits the whole: every command leaves one entry.
   */
  private async audited(
    source: CommandSource,
    action: string,
    target: string,
    request: object,
    prepare: () => Promise<{ pbxId: string; callId: string | null; command: ControlCommand }>,
  ): Promise<CallControlConfirmation> {
    const who: Actor = { userId: source.user.id, ip: source.ip };
    let prepared: Awaited<ReturnType<typeof prepare>> | null = null;
    let outcome: ControlOutcome;
    try {
      prepared = await prepare();
      outcome = await this.link.execute(prepared.pbxId, prepared.command, this.config.callControlConfirmTimeoutMs);
    } catch (error) {
      if (!(error instanceof CallControlError)) throw error;
      outcome = { ok: false, code: error.controlCode, message: error.message, ami: [], ...(error.details === undefined ? {} : { details: error.details }) };
    }
    await this.audit.record(who, {
      action,
      target,
      details: {
        request,
        pbxId: prepared?.pbxId ?? null,
        result: outcome.ok ? 'confirmed' : outcome.code,
        ...(outcome.ok ? { confirmed: outcome.confirmed } : { message: outcome.message }),
        ami: outcome.ami,
      },
    });
    if (!outcome.ok) throw new CallControlError(outcome.code, outcome.message, outcome.details);
    return { callId: prepared!.callId, pbxId: prepared!.pbxId, confirmed: outcome.confirmed, at: new Date(outcome.at).toISOString() };
  }

  private async actorOf(user: AuthUser): Promise<ControlActor> {
    return { userId: user.id, role: user.role, extensions: await this.users.extensionsOf(user.id) };
  }

  /** The transfer target, checked: a user with an extension, an extension a user owns, or a number that is not the call's own. */
  private async transferTarget(call: CallListItem, actor: ControlActor, body: TransferCallDto): Promise<TransferTarget> {
    const given = [body.targetUserId, body.extension, body.number].filter((v) => v !== undefined);
    if (given.length !== 1) {
      throw new CallControlError('VALIDATION_FAILED', 'Give exactly one of targetUserId, extension or number', [{ field: 'targetUserId', messages: ['exactly one of targetUserId, extension or number is required'] }]);
    }
    let target: TransferTarget;
    if (body.targetUserId !== undefined) {
      const userId = Number(body.targetUserId);
      if (!(await this.users.isActive(userId))) throw new CallControlError('TARGET_NOT_FOUND', `There is no active user ${userId}`);
      const [extension] = await this.users.extensionsOf(userId);
      if (extension === undefined) throw new CallControlError('TARGET_NOT_FOUND', `User ${userId} has no extension to transfer to`);
      target = { kind: 'extension', value: extension };
    } else if (body.extension !== undefined) {
      if ((await this.users.extensionOwner(body.extension)) === null) throw new CallControlError('TARGET_NOT_FOUND', `Extension ${body.extension} belongs to no active user`);
      target = { kind: 'extension', value: body.extension };
    } else {
      const number = dialableNumber(body.number!);
      const normalized = this.phones.normalize(number);
      if (normalized !== null && normalized === call.externalNumber) throw new CallControlError('TARGET_IS_SOURCE', `${body.number} is the party on this call`);
      target = { kind: 'number', value: number };
    }
    if (actor.role === 'operator' && actor.extensions.includes(target.value)) throw new CallControlError('TARGET_IS_SOURCE', 'That is your own extension');
    return target;
  }

  /** The PBX a command without a call goes to: the one named, else the only one there is. */
  private pbxOf(requested: string | undefined): string {
    const known = [...new Set([...this.config.asteriskServers.map((s) => s.id), ...this.link.servedPbxIds])];
    if (requested !== undefined) {
      // A server process told of no PBX leaves it to the link: no controlling process is PBX_UNAVAILABLE.
      if (known.length > 0 && !known.includes(requested)) throw new CallControlError('VALIDATION_FAILED', `No PBX ${requested} is configured`, [{ field: 'pbxId', messages: [`pbxId must be one of ${known.join(', ') || '(none)'}`] }]);
      return requested;
    }
    if (known.length === 1) return known[0];
    if (known.length === 0) throw new CallControlError('PBX_UNAVAILABLE', 'No PBX is configured');
    throw new CallControlError('VALIDATION_FAILED', 'Several PBXs are configured: name one', [{ field: 'pbxId', messages: [`pbxId is required: one of ${known.join(', ')}`] }]);
  }
}
