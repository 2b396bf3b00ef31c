import { amiActions, type CallLeg, type CallRecord } from '@app/ami';
import { refused, type AmiExchange, type ControlActor, type ControlOutcome } from '../control-protocol';
import { openHold, partiesOf } from './call-parties';
import { callEvent } from './confirmation-watch';
import type { ControlContext, CrmHold } from './control-context';

/** The contexts of docs/asterisk-setup.md, exactly as the capture hold_redirect_bridge used them. */
export const HOLD_CONTEXT = 'crm-hold';
export const HOLD_WAIT_CONTEXT = 'crm-hold-wait';

/**
 * Hold that works with any SIP phone (DESIGN.md section 5, capture hold_redirect_bridge): one
 * `Redirect` moves the other party into `crm-hold` (music on hold) and the operator into
 * `crm-hold-wait` (silence, line kept up); `Bridge` joins them again. Confirmed by the tracker's
 * `held` (the held party's MusicOnHoldStart) and `unheld` (its MusicOnHoldStop) events.
 */
export class HoldOperation {
  constructor(private readonly ctx: ControlContext) {}

  async hold(call: CallRecord, actor: ControlActor): Promise<ControlOutcome> {
    const parties = partiesOf(call, actor);
    if ('refusal' in parties) return refused(parties.refusal, parties.message);
    const current = openHold(call);
    if (current) return refused('INVALID_STATE', current.by === 'phone' ? 'The call is already on hold on the phone' : 'The call is already on hold');
    const { agent, remote, direct } = parties;
    if (agent.state === 'ringing') return refused('INVALID_STATE', 'The call is not answered yet');
    if (remote.length === 0) return refused('INVALID_STATE', 'The call is not connected to anyone to hold');
    if (!direct) return refused('NOT_SUPPORTED', 'The call reaches the phone through Local channels (a ring group or a queue): hold it on the phone');
    if (remote.length > 1) return refused('NOT_SUPPORTED', 'The call has more than two parties');
    const ami: AmiExchange[] = [];
    const spec = amiActions.redirect({
      channel: remote[0].channel,
      context: HOLD_CONTEXT,
      exten: 's',
      priority: 1,
      extraChannel: agent.channel,
      extraContext: HOLD_WAIT_CONTEXT,
      extraExten: 's',
      extraPriority: 1,
    });
    const acted = await this.ctx.act(ami, spec, (_msg, events) => callEvent(events, call.callId, 'held'), 'The hold');
    if (!acted.ok) return acted.outcome;
    this.ctx.memory.holds.set(call.callId, { remote: remote[0], agent });
    return { ok: true, confirmed: { kind: 'held', by: acted.value.by }, at: acted.at, ami };
  }

  async unhold(call: CallRecord, actor: ControlActor): Promise<ControlOutcome> {
    const current = openHold(call);
    const hold = this.heldLegs(call, actor);
    if (!hold) {
      if (current?.by === 'phone') return refused('INVALID_STATE', 'The call is on hold on the phone: take it off hold there');
      return refused('INVALID_STATE', 'The call is not on hold');
    }
    if ('refusal' in hold) return refused(hold.refusal, hold.message);
    const ami: AmiExchange[] = [];
    const spec = amiActions.bridge({ channel1: hold.remote.channel, channel2: hold.agent.channel, tone: 'no' });
    const acted = await this.ctx.act(ami, spec, (_msg, events) => callEvent(events, call.callId, 'unheld'), 'Taking the call off hold');
    if (!acted.ok) return acted.outcome;
    this.ctx.memory.holds.delete(call.callId);
    return { ok: true, confirmed: { kind: 'unheld', seconds: acted.value.seconds }, at: acted.at, ami };
  }

  /**
   * The two legs of the CRM's hold on this call: as remembered (still live), else as the legs
   * show it after a takeover: the held party out of any bridge with music on it, and the
   * operator's phone out of any bridge.
   */
  heldLegs(call: CallRecord, actor: ControlActor): CrmHold | { refusal: 'NOT_A_PARTY'; message: string } | null {
    const legs = call.legs ?? [];
    const live = (leg: CallLeg): CallLeg | undefined => legs.find((l) => l.uniqueid === leg.uniqueid);
    const remembered = this.ctx.memory.holds.get(call.callId);
    let hold: CrmHold | null = null;
    if (remembered) {
      const remote = live(remembered.remote);
      const agent = live(remembered.agent);
      hold = remote && agent ? { remote, agent } : null;
    } else if (openHold(call)?.by === 'server') {
      const remote = legs.find((l) => l.state === 'held' && l.bridgeId === null && l.role !== 'local-half');
      const agent = legs.find((l) => l !== remote && l.extension !== null && l.bridgeId === null && l.state === 'up');
      hold = remote && agent ? { remote, agent } : null;
    }
    if (hold && actor.role === 'operator' && (hold.agent.extension === null || !actor.extensions.includes(hold.agent.extension))) {
      return { refusal: 'NOT_A_PARTY', message: 'Your phone is not on this call' };
    }
    return hold;
  }

  /**
   * A held party that hangs up leaves the operator's phone waiting in `crm-hold-wait` (and an
   * operator who hangs up leaves the caller listening to music): the CRM hangs up the other leg.
   * Called for every Hangup the ingest reads.
   */
  legHungUp(uniqueid: string): void {
    for (const [callId, hold] of this.ctx.memory.holds) {
      const other = hold.remote.uniqueid === uniqueid ? hold.agent : hold.agent.uniqueid === uniqueid ? hold.remote : null;
      if (!other) continue;
      this.ctx.memory.holds.delete(callId);
      this.ctx.send([], amiActions.hangup({ channel: other.channel, cause: 16 })).then(
        () => this.ctx.logger.log(`call ${callId}: hung up ${other.channel}, left alone by the end of a hold`),
        (error: Error) => this.ctx.logger.warn(`call ${callId}: could not hang up ${other.channel} after a hold ended: ${error.message}`),
      );
    }
  }
}
