import { amiActions, legsConnectedTo, type AmiMessage, type CallLeg, type CallRecord } from '@app/ami';
import { refused, type AmiExchange, type ControlActor, type ControlCommand, type ControlNotice, type ControlOutcome } from '../control-protocol';
import { digitsOf, externalNumber, openHold, partiesOf } from './call-parties';
import { callEvent } from './confirmation-watch';
import type { ControlContext, CrmTransfer } from './control-context';
import type { HoldOperation } from './hold-operation';

/** How long an attended transfer's consultation is followed for the user (then complete or cancel still work). */
const CONSULTATION_FOLLOWED_MS = 10 * 60_000;

/**
 * Transfers (DESIGN.md section 5). Blind: a `Redirect` of the caller into
 * `<target>@transfer-context` when it shares the operator's bridge (capture
 * blind_transfer_redirect; a Redirect is a transfer only when the caller dials anew), else a
 * `BlindTransfer` of the operator's channel (Local channels between them, or the operator is the
 * caller; captures pjsip_blind_transfer_action, fpbx_ringgroup_blind_transfer); confirmed by the
 * tracker's `transferred`. Attended: `Atxfer` on the operator's channel (confirmed when the
 * target is dialled), completed by hanging the operator's channel up once the target answered
 * (Asterisk joins the two: `AttendedTransfer`), cancelled by `CancelAtxfer` (the operator is
 * back with the party).
 */
export class TransferOperation {
  constructor(
    private readonly ctx: ControlContext,
    private readonly holds: HoldOperation,
  ) {}

  async start(call: CallRecord, command: Extract<ControlCommand, { op: 'transfer' }>, notify: (notice: ControlNotice) => void): Promise<ControlOutcome> {
    const { actor, mode, target } = command;
    const parties = partiesOf(call, actor);
    if ('refusal' in parties) return refused(parties.refusal, parties.message);
    const { agent, remote, direct } = parties;
    if (this.ctx.memory.transfers.has(call.callId)) return refused('INVALID_STATE', 'An attended transfer of this call is in progress: complete or cancel it first');
    if (agent.state === 'ringing') return refused('INVALID_STATE', 'The call is not answered yet');
    const to = target.value;
    const external = externalNumber(call);
    if (to === agent.extension || remote.some((leg) => leg.extension === to) || (external !== null && digitsOf(external) === digitsOf(to))) {
      return refused('TARGET_IS_SOURCE', `${to} is already on this call`);
    }
    const context = this.ctx.settings.transferContext;
    const ami: AmiExchange[] = [];
    const transferred = (_msg: AmiMessage, events: Parameters<typeof callEvent>[0]) => callEvent(events, call.callId, 'transferred');

    const held = this.holds.heldLegs(call, actor);
    if (held !== null) {
      if ('refusal' in held) return refused(held.refusal, held.message);
      // Only the caller's new Dial shows a Redirect as a transfer (the tracker's rule): anyone else is transferred from the bridge.
      if (mode === 'attended' || held.remote.role !== 'caller') return refused('INVALID_STATE', 'Take the call off hold before this transfer');
      // The held party leaves crm-hold for the target; the operator's phone, waiting in crm-hold-wait, is hung up.
      this.ctx.memory.holds.delete(call.callId);
      const acted = await this.ctx.act(ami, amiActions.redirect({ channel: held.remote.channel, context, exten: to, priority: 1 }), transferred, 'The transfer');
      if (!acted.ok) return acted.outcome;
      await this.ctx.send(ami, amiActions.hangup({ channel: held.agent.channel, cause: 16 })).catch(() => undefined);
      const { from, to: dialled } = acted.value.transfer;
      return { ok: true, confirmed: { kind: 'transferred', mode: 'blind', from, to: dialled }, at: acted.at, ami };
    }
    if (openHold(call)?.by === 'phone' && mode === 'blind' && direct) {
      // A Redirect would leave the phone's hold music on; the phone's own transfer clears it.
      return refused('INVALID_STATE', 'The call is on hold on the phone: take it off hold first');
    }
    if (remote.length === 0) return refused('INVALID_STATE', 'The call is not connected to anyone to transfer');
    if (remote.length > 1) return refused('NOT_SUPPORTED', 'The call has more than two parties');

    if (mode === 'attended') {
      const before = new Set((call.legs ?? []).map((leg) => leg.uniqueid));
      const linkedids = new Set(call.linkedids);
      // The target is being dialled: a Dial in this call towards a channel the call did not have.
      const consulting = (msg: AmiMessage) => {
        const dialled = msg.get('DestUniqueid') ?? '';
        return msg.name === 'DialBegin' && linkedids.has(msg.get('Linkedid') ?? '') && !before.has(dialled) ? dialled : undefined;
      };
      const acted = await this.ctx.act(ami, amiActions.atxfer({ channel: agent.channel, exten: to, context }), consulting, 'The attended transfer');
      if (!acted.ok) return acted.outcome;
      this.ctx.memory.transfers.set(call.callId, { transferer: agent, transferee: remote, to });
      this.followConsultation(call.callId, linkedids, acted.value, (state, at) =>
        notify({ type: 'consultation', userId: actor.userId, event: { callId: command.callRef, pbxId: this.ctx.pbx.pbxId, to, state, at: new Date(at).toISOString() } }),
      );
      return { ok: true, confirmed: { kind: 'consulting', to }, at: acted.at, ami };
    }

    // Redirect the caller out of the operator's bridge (the specification's way, and the only one a
    // PBX without BlindTransfer knows); elsewhere the operator's channel hands its bridge over.
    const spec =
      direct && remote[0].role === 'caller'
        ? amiActions.redirect({ channel: remote[0].channel, context, exten: to, priority: 1 })
        : amiActions.blindTransfer({ channel: agent.channel, context, exten: to });
    const acted = await this.ctx.act(ami, spec, transferred, 'The transfer');
    if (!acted.ok) return acted.outcome;
    const { from, to: dialled } = acted.value.transfer;
    return { ok: true, confirmed: { kind: 'transferred', mode: 'blind', from, to: dialled }, at: acted.at, ami };
  }

  /**
   * Tells the user when the consulted channel (`dialled`, in the call of `linkedids`) answers, and when the consultation ends
   * without the transfer (that Dial fails, or the target hangs up before the transfer): the
   * tracker reports neither, since the target joins the call only when the transfer completes.
   */
  private followConsultation(callId: string, linkedids: ReadonlySet<string>, dialled: string, tell: (state: 'answered' | 'ended', at: number) => void): void {
    let answered = false;
    const stop = this.ctx.pbx.observe((msg, events) => {
      const ours = this.ctx.memory.transfers.has(callId);
      if (!ours || events.some((e) => e.type === 'transferred' && e.call.callId === callId)) return done();
      if (msg.name === 'DialEnd' && msg.get('DestUniqueid') === dialled && msg.get('DialStatus') !== 'ANSWER') {
        end(msg.receivedAt);
      } else if (msg.name === 'Hangup' && msg.get('Uniqueid') === dialled) {
        end(msg.receivedAt);
      } else if (msg.name === 'BridgeEnter' && !answered && linkedids.has(msg.get('Linkedid') ?? '')) {
        // Answered for the user once the operator talks to the target: complete works from then on.
        const call = this.ctx.pbx.liveCall(callId);
        const transfer = this.ctx.memory.transfers.get(callId);
        if (call && transfer && consulted(call, transfer).length > 0) {
          answered = true;
          tell('answered', msg.receivedAt);
        }
      }
    });
    const timer = setTimeout(() => done(), CONSULTATION_FOLLOWED_MS);
    timer.unref();
    const done = (): void => {
      clearTimeout(timer);
      stop();
    };
    const end = (at: number): void => {
      this.ctx.memory.transfers.delete(callId);
      tell('ended', at);
      done();
    };
  }

  /** The operator leaves the consultation: Asterisk joins the party and the target. */
  async complete(call: CallRecord, actor: ControlActor): Promise<ControlOutcome> {
    const transfer = this.inProgress(call, actor);
    if ('refusal' in transfer) return refused(transfer.refusal, transfer.message);
    if (consulted(call, transfer).length === 0) return refused('INVALID_STATE', `${transfer.to} has not answered yet: wait for the answer or cancel the transfer`);
    const ami: AmiExchange[] = [];
    const acted = await this.ctx.act(
      ami,
      amiActions.hangup({ channel: transfer.transferer.channel, cause: 16 }),
      (_msg, events) => callEvent(events, call.callId, 'transferred'),
      'Completing the transfer',
    );
    if (!acted.ok) return acted.outcome;
    this.ctx.memory.transfers.delete(call.callId);
    const { from, to } = acted.value.transfer;
    return { ok: true, confirmed: { kind: 'transferred', mode: 'attended', from, to }, at: acted.at, ami };
  }

  /** The target is hung up, the operator talks to the party again (confirmed when they share a bridge). */
  async cancel(call: CallRecord, actor: ControlActor): Promise<ControlOutcome> {
    const transfer = this.inProgress(call, actor);
    if ('refusal' in transfer) return refused(transfer.refusal, transfer.message);
    const { transferer } = transfer;
    const waiting = new Set(transfer.transferee.map((leg) => leg.uniqueid));
    const rejoined = (msg: AmiMessage) => {
      if (msg.name !== 'BridgeEnter' && msg.name !== 'Unhold') return undefined;
      const now = this.ctx.pbx.liveCall(call.callId);
      return now && legsConnectedTo(now, transferer.uniqueid).some((leg) => waiting.has(leg.uniqueid)) ? true : undefined;
    };
    const ami: AmiExchange[] = [];
    const acted = await this.ctx.act(ami, amiActions.cancelAtxfer({ channel: transferer.channel }), rejoined, 'Cancelling the transfer');
    if (!acted.ok) return acted.outcome;
    this.ctx.memory.transfers.delete(call.callId);
    return { ok: true, confirmed: { kind: 'consultation_cancelled', to: transfer.to }, at: acted.at, ami };
  }

  /** The CRM's attended transfer of this call, its transferer still live; an operator completes or cancels only their own. */
  private inProgress(call: CallRecord, actor: ControlActor): CrmTransfer | { refusal: 'NOT_A_PARTY' | 'INVALID_STATE'; message: string } {
    const transfer = this.ctx.memory.transfers.get(call.callId);
    const transferer = transfer && (call.legs ?? []).find((leg) => leg.uniqueid === transfer.transferer.uniqueid);
    if (!transfer || !transferer) return { refusal: 'INVALID_STATE', message: 'No attended transfer of this call is in progress' };
    if (actor.role === 'operator' && (transferer.extension === null || !actor.extensions.includes(transferer.extension))) {
      return { refusal: 'NOT_A_PARTY', message: 'Another operator is transferring this call' };
    }
    return { ...transfer, transferer };
  }
}

/** Whom the transferer talks to besides the party waiting on hold: the target, once it answered. */
function consulted(call: CallRecord, transfer: CrmTransfer): CallLeg[] {
  const waiting = new Set(transfer.transferee.map((leg) => leg.uniqueid));
  return legsConnectedTo(call, transfer.transferer.uniqueid).filter((leg) => !waiting.has(leg.uniqueid));
}
