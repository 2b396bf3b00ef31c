import { amiActions, AmiActionError, type AmiMessage } from '@app/ami';
import { refused, type AmiExchange, type ControlOutcome } from '../control-protocol';
import { ConfirmationWatch } from './confirmation-watch';
import { isUnanswered, sendFailure, type ControlContext } from './control-context';

/** app_queue's answer to a QueuePause for an interface that is no member of any (that) queue. */
const NOT_A_MEMBER = /interface not found/i;

export interface PauseRequest {
  extensions: string[];
  paused: boolean;
  queue: string | null;
  reason: string | null;
}

/**
 * Agent pause (the specification's `QueuePause`, which is not a hold: callers are not affected,
 * the queue just stops offering calls to the member): one `QueuePause` per interface of the
 * user's extensions, in one queue or all. Confirmed by app_queue's `QueueMemberPause` events;
 * the answer lists the queues whose event arrived with the first one.
 */
export class PauseOperation {
  constructor(private readonly ctx: ControlContext) {}

  async pause(request: PauseRequest): Promise<ControlOutcome> {
    const interfaces = request.extensions.map((extension) => this.ctx.settings.queueMember.replace('{extension}', extension));
    if (interfaces.length === 0) return refused('NO_EXTENSION', 'You have no extension to pause in a queue');
    const wanted = new Map(interfaces.map((name) => [name.toLowerCase(), name]));
    const queues = new Set<string>();
    const members = new Set<string>();
    const matches = (msg: AmiMessage): boolean =>
      msg.name === 'QueueMemberPause' &&
      wanted.has((msg.get('Interface') ?? '').toLowerCase()) &&
      (msg.get('Paused') === '1') === request.paused &&
      (request.queue === null || msg.get('Queue') === request.queue);
    // Collects every event of the burst; the watch confirms on the first one.
    const stopCollecting = this.ctx.pbx.observe((msg) => {
      if (!matches(msg)) return;
      queues.add(msg.get('Queue') ?? '');
      members.add(wanted.get((msg.get('Interface') ?? '').toLowerCase())!);
    });
    const watch = new ConfirmationWatch(this.ctx.pbx, (msg) => (matches(msg) ? true : undefined), this.ctx.confirmWithinMs);
    const ami: AmiExchange[] = [];
    let accepted = 0;
    try {
      for (const name of interfaces) {
        const spec = amiActions.queuePause({ interface: name, paused: request.paused, ...(request.queue ? { queue: request.queue } : {}), ...(request.reason ? { reason: request.reason } : {}) });
        try {
          await this.ctx.send(ami, spec);
          accepted++;
        } catch (error) {
          if (error instanceof AmiActionError && NOT_A_MEMBER.test(error.asteriskMessage)) continue;
          if (isUnanswered(error)) {
            accepted++;
            continue;
          }
          watch.cancel();
          return sendFailure(spec, error, ami);
        }
      }
      if (accepted === 0) {
        watch.cancel();
        return refused('NOT_A_QUEUE_MEMBER', `${interfaces.join(', ')} ${interfaces.length === 1 ? 'is' : 'are'} a member of no queue${request.queue ? ` named ${request.queue}` : ''}`, ami);
      }
      const confirmed = await watch.result;
      if (!confirmed) return refused('NOT_CONFIRMED', `The ${request.paused ? 'pause' : 'unpause'} was not confirmed by the PBX's events within ${this.ctx.confirmWithinMs / 1000} s`, ami);
      return { ok: true, confirmed: { kind: 'paused', paused: request.paused, queues: [...queues].sort(), interfaces: [...members].sort() }, at: confirmed.at, ami };
    } finally {
      stopCollecting();
    }
  }
}
