import { randomUUID } from 'node:crypto';
import { amiActions, type AmiMessage } from '@app/ami';
import { refused, type AmiExchange, type ControlNotice, type ControlOutcome } from '../control-protocol';
import { ConfirmationWatch } from './confirmation-watch';
import type { ControlContext } from './control-context';

/** How long the user's phone rings before Asterisk gives the originate up (Originate's `Timeout`). */
export const ORIGINATE_RING_MS = 30_000;
/** The channel variable that ties the call to its CRM record (the tracker's `crmCallId`, capture originate_click_to_call). */
export const CRM_CALL_ID_VARIABLE = 'CRM_CALL_ID';

export interface OriginateRequest {
  userId: number;
  extension: string;
  number: string;
  crmCallId: string;
}

type Seen = { kind: 'ringing' } | { kind: 'response'; success: boolean; reason: string | null };

/**
 * Click-to-call (capture originate_click_to_call): `Originate` of the user's own phone with
 * `Async`, the uniqueids preset (`ChannelId`, `OtherChannelId`) so the call is known from its
 * first event, and `CRM_CALL_ID` set on it, which the tracker carries into `calls.crm_call_id`.
 * Once the phone answers, the dialplan dials `number`. Confirmed when the phone's channel
 * appears (it rings); the `OriginateResponse` that comes when it answers or gives up reaches
 * the user as a notice (`call:originated`).
 */
export class OriginateOperation {
  constructor(private readonly ctx: ControlContext) {}

  async originate(request: OriginateRequest, notify: (notice: ControlNotice) => void): Promise<ControlOutcome> {
    const { extension, number, crmCallId } = request;
    const channel = this.ctx.settings.phoneChannel.replace('{extension}', extension);
    const channelId = `crm-${randomUUID()}`;
    const answer = (msg: AmiMessage): Seen | undefined => {
      if (msg.name !== 'OriginateResponse') return undefined;
      const uniqueid = msg.get('Uniqueid');
      // A phone that never rang has no channel: its failure names the dialled channel and extension.
      const ours = uniqueid === channelId || (uniqueid === '<unknown>' && msg.get('Channel') === channel && msg.get('Exten') === number);
      return ours ? { kind: 'response', success: msg.get('Response') === 'Success', reason: msg.get('Reason') ?? null } : undefined;
    };
    // Watched before sending: the answer comes later on the ingest's connection, possibly before the response.
    const outcome = new ConfirmationWatch(this.ctx.pbx, answer, this.ctx.confirmWithinMs + ORIGINATE_RING_MS);
    const ami: AmiExchange[] = [];
    const spec = amiActions.originate({
      channel,
      context: this.ctx.settings.originateContext,
      exten: number,
      priority: 1,
      callerId: `"CRM Click2Call" <${extension}>`,
      timeoutMs: ORIGINATE_RING_MS,
      async: true,
      channelId,
      otherChannelId: `${channelId}-2`,
      variables: { [CRM_CALL_ID_VARIABLE]: crmCallId },
    });
    const ringing = (msg: AmiMessage): Seen | undefined => (msg.name === 'Newchannel' && msg.get('Uniqueid') === channelId ? { kind: 'ringing' } : answer(msg));
    const acted = await this.ctx.act(ami, spec, ringing, 'The click-to-call');
    if (!acted.ok) {
      outcome.cancel();
      return acted.outcome;
    }
    const seen = acted.value;
    if (seen.kind === 'response' && !seen.success) {
      outcome.cancel();
      return refused('ORIGINATE_FAILED', `The phone of extension ${extension} could not be called (OriginateResponse Failure, Reason ${seen.reason ?? 'unknown'})`, ami, { reason: seen.reason });
    }
    void outcome.result.then((result) => {
      const event = result?.value;
      if (event?.kind !== 'response') return;
      notify({
        type: 'originated',
        userId: request.userId,
        event: { crmCallId, pbxId: this.ctx.pbx.pbxId, channelId, outcome: event.success ? 'answered' : 'failed', reason: event.reason, at: new Date(result!.at).toISOString() },
      });
    });
    return { ok: true, confirmed: { kind: 'originating', crmCallId, channelId, extension, number }, at: acted.at, ami };
  }
}
