import { amiActions, AmiActionError, type AmiMessage, type CallLeg, type CallRecord } from '@app/ami';
import { refused, type AmiExchange, type ControlActor, type ControlOutcome } from '../control-protocol';
import { partiesOf } from './call-parties';
import { ConfirmationWatch } from './confirmation-watch';
import { isUnanswered, sendFailure, type ControlContext } from './control-context';
import type { HoldOperation } from './hold-operation';

/** Asterisk's answer to a Hangup of a channel that is already gone: nothing to do. */
const GONE = /no such channel|does not exist/i;

/**
 * Hang-up (`Hangup`, Cause 16): the party the operator talks to, which ends the operator's leg
 * with it (Dial returns); during the CRM's hold both legs, since neither is bridged; a call
 * still ringing: the operator's own ringing phone (declining it), or for a supervisor the caller.
 * Confirmed when every channel hung up has its `Hangup` event.
 */
export class HangupOperation {
  constructor(
    private readonly ctx: ControlContext,
    private readonly holds: HoldOperation,
  ) {}

  async hangup(call: CallRecord, actor: ControlActor): Promise<ControlOutcome> {
    const targets = this.targets(call, actor);
    if ('refusal' in targets) return refused(targets.refusal, targets.message);
    // The hold's watchdog must not hang up what this command already hangs up.
    this.ctx.memory.holds.delete(call.callId);
    const waiting = new Set(targets.map((leg) => leg.uniqueid));
    const watch = new ConfirmationWatch(
      this.ctx.pbx,
      (msg: AmiMessage) => {
        if (msg.name === 'Hangup') waiting.delete(msg.get('Uniqueid') ?? '');
        return waiting.size === 0 ? true : undefined;
      },
      this.ctx.confirmWithinMs,
    );
    const ami: AmiExchange[] = [];
    for (const leg of targets) {
      const spec = amiActions.hangup({ channel: leg.channel, cause: 16 });
      try {
        await this.ctx.send(ami, spec);
      } catch (error) {
        if (error instanceof AmiActionError && GONE.test(error.asteriskMessage)) {
          waiting.delete(leg.uniqueid);
          continue;
        }
        // A lost or late answer: the Hangup may have run, its event decides.
        if (!isUnanswered(error)) {
          watch.cancel();
          return sendFailure(spec, error, ami);
        }
      }
    }
    if (waiting.size === 0) watch.cancel();
    const confirmed = waiting.size === 0 ? { at: Date.now() } : await watch.result;
    if (!confirmed) return refused('NOT_CONFIRMED', `The hang-up was not confirmed by the PBX's events within ${this.ctx.confirmWithinMs / 1000} s`, ami);
    return {
      ok: true,
      confirmed: { kind: 'hung_up', channels: targets.map((leg) => leg.channel), callEnded: this.ctx.pbx.liveCall(call.callId) === null },
      at: confirmed.at,
      ami,
    };
  }

  private targets(call: CallRecord, actor: ControlActor): CallLeg[] | { refusal: 'NOT_A_PARTY' | 'INVALID_STATE'; message: string } {
    const held = this.holds.heldLegs(call, actor);
    if (held !== null) return 'refusal' in held ? held : [held.remote, held.agent];
    const parties = partiesOf(call, actor);
    if ('refusal' in parties) {
      const caller = (call.legs ?? []).find((leg) => leg.role === 'caller');
      return parties.refusal === 'INVALID_STATE' && caller ? [caller] : parties;
    }
    if (parties.remote.length > 0) return parties.remote;
    return actor.role === 'operator' ? [parties.agent] : [(call.legs ?? []).find((leg) => leg.role === 'caller') ?? parties.agent];
  }
}
