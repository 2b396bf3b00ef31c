import { amiFixturePath } from '@app/ami/testing';
import { loadCapture, parseCapture, AmiMessage, CallTracker, type CallRecord, AmiParser } from '@app/ami';
import { CAPTURE_SCENARIOS, CaptureScenario, FidelityHarness } from './capture-scenarios';
import { compareTraces, traceStream, TraceMessage } from './capture-comparison';
import { formatEvent, formatMessage, type AmiEvent } from '../engine/ami-event';


function capture(name: string): AmiMessage[] {
  return parseCapture(loadCapture(amiFixturePath(`${name}.ami`)));
}

/** Runs a scenario on a simulator started at the capture's first moment, with the capture's channel counter. */
function simulate(scenario: CaptureScenario, recorded: AmiMessage[]): FidelityHarness {
  const first = recorded.find((m) => m.name === 'Newchannel' || m.name === 'OriginateResponse');
  const counter = Number(first?.get('Uniqueid')?.split('.')[1] ?? 0);
  const h = new FidelityHarness(recorded[0].receivedAt, { channelCounterStart: Number.isFinite(counter) ? counter : 0 });
  scenario.run(h);
  h.run();
  return h;
}

function asMessages(h: FidelityHarness): AmiMessage[] {
  return h.messages.map((m) => new AmiMessage(m.keys, m.values, 'at' in m ? (m as { at: number }).at : h.clock.now()));
}

/** What a CRM keeps of a call, from the project's own tracker. */
function records(messages: AmiMessage[]): object[] {
  const tracker = new CallTracker();
  const ended: CallRecord[] = [];
  tracker.onEvent((e) => {
    if (e.type === 'ended') ended.push(e.call);
  });
  for (const m of messages) tracker.handle(m);
  return ended.map((c) => ({
    direction: c.direction,
    status: c.status,
    caller: c.caller,
    callee: c.callee,
    answeredBy: c.answeredBy,
    hangupBy: c.hangupBy,
    agents: c.agents,
    ringingExtensions: c.ringingExtensions,
    transfers: c.transfers.map((t) => `${t.kind}:${t.from}->${t.to}`),
    holds: c.holds.length,
    holdSeconds: c.holdSeconds,
    talkSeconds: c.talkSeconds,
    recordings: c.recordings.map((r) => `${r.source}:${r.file}`),
    crmCallId: c.crmCallId,
  }));
}

describe('pbx-sim speaks the dialect of the real Asterisk 20 captures', () => {
  it.each(CAPTURE_SCENARIOS.map((s) => [s.name, s] as const))('%s: same events per channel, key lists and responses', (name, scenario) => {
    const recorded = capture(name);
    const h = simulate(scenario, recorded);
    const expected = traceStream(recorded, 'snapshot');
    expect(expected.channels.length).toBeGreaterThan(0);
    expect(compareTraces(expected, traceStream(h.messages, 'snapshot'))).toEqual([]);
  });

  it.each(CAPTURE_SCENARIOS.map((s) => [s.name, s] as const))('%s: the call tracker builds the same call records from both', (name, scenario) => {
    const recorded = capture(name);
    const fromCapture = records(recorded);
    expect(fromCapture.length).toBeGreaterThan(0);
    expect(records(asMessages(simulate(scenario, recorded)))).toEqual(fromCapture);
  });

  it.each(['inbound_answered', 'blind_transfer_redirect'])('%s.timestamps: with timestampevents the wire form matches, Timestamp third', (name) => {
    const recorded = capture(`${name}.timestamps`);
    const h = simulate(CAPTURE_SCENARIOS.find((s) => s.name === name) as CaptureScenario, recorded);
    const wire = h.messages.map((m) => ('at' in m ? formatEvent(m as AmiEvent, true) : formatMessage(m.keys, m.values))).join('');
    const reparsed = new AmiParser({ expectGreeting: false }).push(Buffer.from(wire, 'utf8'));
    expect(reparsed.filter((m) => m.kind === 'event' && m.name !== 'FullyBooted').every((m) => m.keys[2] === 'Timestamp')).toBe(true);
    expect(compareTraces(traceStream(recorded, 'snapshot', true), traceStream(reparsed, 'snapshot', true))).toEqual([]);
  });

  it('uses the same channel names and uniqueids as the capture when started like it', () => {
    const recorded = capture('internal_answered');
    const h = simulate(CAPTURE_SCENARIOS.find((s) => s.name === 'internal_answered') as CaptureScenario, recorded);
    const names = (ms: readonly TraceMessage[]): string[] =>
      ms.filter((m) => m.values[0] === 'Newchannel').map((m) => `${m.values[m.keys.indexOf('Channel')]} ${m.values[m.keys.indexOf('Uniqueid')]}`);
    expect(names(h.messages)).toEqual(names(recorded));
  });
});

describe('the comparison fails on drift', () => {
  const scenario = CAPTURE_SCENARIOS.find((s) => s.name === 'inbound_answered') as CaptureScenario;
  const recorded = capture('inbound_answered');
  const expected = traceStream(recorded, 'snapshot');

  function mutated(edit: (copy: { keys: string[]; values: string[] }[]) => void): string[] {
    const copy = simulate(scenario, recorded).messages.map((m) => ({ keys: [...m.keys], values: [...m.values] }));
    edit(copy);
    return compareTraces(expected, traceStream(copy, 'snapshot'));
  }

  it('a swapped key order in one DialBegin', () => {
    const diffs = mutated((copy) => {
      const m = copy.find((c) => c.values[0] === 'DialBegin') as { keys: string[] };
      [m.keys[2], m.keys[3]] = [m.keys[3], m.keys[2]];
    });
    expect(diffs.join('\n')).toMatch(/DialBegin: key list .* is not one Asterisk sends/);
  });

  it('a missing VarSet', () => {
    const diffs = mutated((copy) => {
      const i = copy.findIndex((c) => c.values[0] === 'VarSet' && c.values.includes('RINGTIME_MS') && c.values[c.keys.indexOf('Value')] !== '');
      copy.splice(i, 1);
    });
    expect(diffs.join('\n')).toMatch(/expected VarSet\(RINGTIME_MS\)/);
  });

  it('another hangup cause', () => {
    const diffs = mutated((copy) => {
      const m = copy.find((c) => c.values[0] === 'Hangup') as { keys: string[]; values: string[] };
      m.values[m.keys.indexOf('Cause')] = '17';
    });
    expect(diffs.join('\n')).toMatch(/expected Hangup\(16\).*got Hangup\(17\)/);
  });

  it('a wrong snapshot value (the callee still ringing when bridged)', () => {
    const diffs = mutated((copy) => {
      const m = copy.find((c) => c.values[0] === 'BridgeEnter') as { keys: string[]; values: string[] };
      m.values[m.keys.indexOf('ChannelState')] = '5';
    });
    expect(diffs.join('\n')).toMatch(/expected BridgeEnter@6.*got BridgeEnter@5/);
  });

  it('a changed response text', () => {
    const blind = CAPTURE_SCENARIOS.find((s) => s.name === 'blind_transfer_redirect') as CaptureScenario;
    const rec = capture('blind_transfer_redirect');
    const copy = simulate(blind, rec).messages.map((m) => ({ keys: [...m.keys], values: m.values.map((v) => (v === 'Redirect successful' ? 'Redirected' : v)) }));
    expect(compareTraces(traceStream(rec, 'snapshot'), traceStream(copy, 'snapshot')).join('\n')).toMatch(/responses differ/);
  });

  it('an engine that forgets a step of its template', () => {
    const h = new FidelityHarness(recorded[0].receivedAt);
    const original = h.engine.varSet.bind(h.engine);
    h.engine.varSet = (ch, name, value) => {
      if (name !== 'DIALEDPEERNAME') original(ch, name, value);
    };
    scenario.run(h);
    h.run();
    expect(compareTraces(expected, traceStream(h.messages, 'snapshot')).join('\n')).toMatch(/DIALEDPEERNAME/);
  });
});
