import { AmiActionError, AmiActionResult, AmiConnectionLostError, AmiMessage, amiActions, type AmiActionGateway, type AmiActionSpec } from '@app/ami';
import type { PbxMessageListener } from '../../call-ingest';
import { ControlContext, ControlMemory, type ControlledPbx } from './control-context';

/** An ingest whose stream the test writes, and a control login whose answers the test decides. */
function setup(answer: (spec: AmiActionSpec) => Promise<AmiActionResult>) {
  const observers = new Set<PbxMessageListener>();
  const pbx: ControlledPbx = {
    pbxId: 'p',
    following: true,
    liveCall: () => null,
    expectMonitorFile: () => true,
    observe: (observer) => {
      observers.add(observer);
      return () => observers.delete(observer);
    },
  };
  const gateway = { send: answer } as unknown as AmiActionGateway;
  const settings = { phoneChannel: 'SIP/{extension}', queueMember: 'SIP/{extension}', originateContext: 'from-internal', transferContext: 'transfer-context', recording: 'mixmonitor' as const };
  const ctx = new ControlContext(pbx, gateway, settings, new ControlMemory(), 200, { log: () => undefined, warn: () => undefined, error: () => undefined });
  const event = (name: string) => {
    const msg = new AmiMessage(['Event', 'Channel'], [name, 'SIP/1001-1'], Date.now(), 'p');
    for (const observer of observers) observer(msg, []);
  };
  return { ctx, event, observers };
}

const success = (spec: AmiActionSpec) => new AmiActionResult(spec.action, 'crm-1', new AmiMessage(['Response', 'Message'], ['Success', 'Redirect successful'], Date.now(), 'p', 'response'));
const spec = amiActions.hangup({ channel: 'SIP/1001-1' });
const moh = (msg: AmiMessage) => (msg.name === 'MusicOnHoldStart' ? true : undefined);

describe('ControlContext.act: an action is done when the PBX events say so', () => {
  it('confirms with the first event that shows the effect, even one that overtakes the answer', async () => {
    const { ctx, event, observers } = setup(async (s) => {
      event('MusicOnHoldStart');
      return success(s);
    });
    const ami: never[] = [];
    const acted = await ctx.act(ami, spec, moh, 'The hold');
    expect(acted).toMatchObject({ ok: true, value: true });
    expect(ami).toEqual([{ action: 'Hangup', fields: { Channel: 'SIP/1001-1' }, answer: { response: 'Success', message: 'Redirect successful' } }]);
    expect(observers.size).toBe(0);
  });

  it('answers NOT_CONFIRMED with the PBX`s answer when "Success" brings no event within the deadline', async () => {
    const { ctx, observers } = setup(async (s) => success(s));
    const acted = await ctx.act([], spec, moh, 'The hold');
    expect(acted).toEqual({
      ok: false,
      outcome: expect.objectContaining({ code: 'NOT_CONFIRMED', message: expect.stringMatching(/The hold was not confirmed .* within 0.2 s \(Hangup: Success, "Redirect successful"\)/), details: { pbxAnswer: { response: 'Success', message: 'Redirect successful' } } }),
    });
    expect(observers.size).toBe(0);
  });

  it('stops waiting at once when Asterisk refuses, quoting it', async () => {
    const { ctx } = setup(async () => {
      throw new AmiActionError('Hangup', 'crm-1', 'No such channel');
    });
    const startedAt = Date.now();
    const acted = await ctx.act([], spec, moh, 'The hold');
    expect(acted).toEqual({ ok: false, outcome: expect.objectContaining({ code: 'PBX_REFUSED', message: 'Asterisk refused Hangup: No such channel' }) });
    expect(Date.now() - startedAt).toBeLessThan(150);
  });

  it('keeps waiting when the answer is lost: the action may have run, and here it did', async () => {
    const { ctx, event } = setup(async () => {
      setTimeout(() => event('MusicOnHoldStart'), 50);
      throw new AmiConnectionLostError('p', 'Hangup', 'crm-1');
    });
    const ami: never[] = [];
    expect(await ctx.act(ami, spec, moh, 'The hold')).toMatchObject({ ok: true });
    expect(ami).toEqual([{ action: 'Hangup', fields: { Channel: 'SIP/1001-1' }, answer: { error: 'AMI_CONNECTION_LOST' } }]);
  });
});
