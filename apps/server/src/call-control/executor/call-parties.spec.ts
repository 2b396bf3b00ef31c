import { CallTracker, loadCapture, parseCapture, type CallRecord } from '@app/ami';
import { amiFixturePath, type AmiFixtureSet } from '@app/ami/testing';
import type { ControlActor } from '../control-protocol';
import { partiesOf } from './call-parties';

/** The one call in progress `seconds` into a real capture, as the ingest's tracker sees it then. */
function liveAt(file: string, set: AmiFixtureSet, seconds: number): CallRecord {
  const messages = parseCapture(loadCapture(amiFixturePath(file, set)), 'pbx');
  const tracker = new CallTracker();
  for (const msg of messages) if (msg.receivedAt <= messages[0].receivedAt + seconds * 1000) tracker.handle(msg);
  const [call] = tracker.openCalls('pbx');
  return call;
}

const alice: ControlActor = { userId: 1, role: 'operator', extensions: ['1001'] };
const bob: ControlActor = { userId: 2, role: 'operator', extensions: ['1002'] };
const sue: ControlActor = { userId: 3, role: 'supervisor', extensions: [] };
const shown = (result: ReturnType<typeof partiesOf>) =>
  'refusal' in result ? result.refusal : { agent: result.agent.channel, remote: result.remote.map((l) => l.channel), direct: result.direct };

describe('partiesOf: the legs a command addresses, on the captures mid-call', () => {
  it('an inbound call: the operator`s phone and the caller, in one bridge; a supervisor acts for the agent; another operator is no party', () => {
    const call = liveAt('inbound_answered.ami', 'ami', 3);
    const parties = { agent: 'SIP/1001-00000003', remote: ['SIP/provider-00000002'], direct: true };
    expect(shown(partiesOf(call, alice))).toEqual(parties);
    expect(shown(partiesOf(call, sue))).toEqual(parties);
    expect(shown(partiesOf(call, bob))).toBe('NOT_A_PARTY');
  });

  it('an outbound call: the operator placed it, the remote party is the trunk they called', () => {
    expect(shown(partiesOf(liveAt('outbound_answered.ami', 'ami', 4), alice))).toEqual({ agent: 'SIP/1001-0000000a', remote: ['SIP/provider-0000000b'], direct: true });
  });

  it('a ring-group call: the caller is behind Local channels, so no Redirect may touch the chain', () => {
    const result = partiesOf(liveAt('fpbx_ringgroup_answered.ami', 'ami-fpbx', 3), bob);
    expect(shown(result)).toEqual({ agent: 'SIP/1002-00000002', remote: ['SIP/provider-00000000'], direct: false });
  });

  it('during the CRM`s hold: the operator`s phone talks to nobody', () => {
    expect(shown(partiesOf(liveAt('hold_redirect_bridge.ami', 'ami', 7), alice))).toEqual({ agent: 'SIP/1001-00000049', remote: [], direct: false });
  });
});
