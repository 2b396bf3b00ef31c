import { basename } from 'node:path';
import { amiFixturePath, listAmiCaptures, type AmiFixtureSet } from '@app/ami/testing';
import { loadCapture, parseCapture, AmiMessage, CallTracker, type CallRecord, AmiParser, readCdrCsv } from '@app/ami';
import { CAPTURE_SCENARIOS, CAPTURE_SCENARIOS_22, CAPTURE_SCENARIOS_FPBX, CAPTURE_SET_CONFIG, CaptureScenario, FidelityHarness } from './capture-scenarios';
import { compareTraces, traceStream, TraceMessage } from './capture-comparison';
import { formatEvent, formatMessage, type AmiEvent } from '../engine/ami-event';
import { DIALECTS } from '../engine/dialect';
import { asterisk22RuleViolations } from './asterisk22-rules';
import { cdrLinesOf, compareCdrLines } from './cdr-comparison';


function capture(name: string, set: AmiFixtureSet = 'ami'): AmiMessage[] {
  return parseCapture(loadCapture(amiFixturePath(`${name}.ami`, set)));
}

/**
 * Runs a scenario on its lab's simulator with the capture's channel counters, its clock
 * set so that the first channel is born when the capture's was (same second in uniqueids
 * and recording names).
 */
function simulate(scenario: CaptureScenario, recorded: AmiMessage[]): FidelityHarness {
  const first = recorded.find((m) => m.name === 'Newchannel' || m.name === 'OriginateResponse');
  const counter = Number(first?.get('Uniqueid')?.split('.')[1] ?? 0);
  const local = recorded.find((m) => m.name === 'Newchannel' && m.get('Channel')?.startsWith('Local/'))?.get('Channel');
  const born = recorded.find((m) => m.name === 'Newchannel')?.receivedAt ?? recorded[0].receivedAt;
  const h = new FidelityHarness(born - (scenario.firstChannelAfterMs ?? 0), {
    config: CAPTURE_SET_CONFIG[scenario.set],
    channelCounterStart: Number.isFinite(counter) ? counter : 0,
    localCounterStart: local ? parseInt(/-([0-9a-f]{8});\d$/.exec(local)?.[1] ?? '0', 16) : 0,
  });
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

describe.each([
  ['Asterisk 20 (chan_sip)', CAPTURE_SCENARIOS],
  ['Asterisk 22 (PJSIP)', CAPTURE_SCENARIOS_22],
  ['FreePBX-style dialplan (Asterisk 20)', CAPTURE_SCENARIOS_FPBX],
] as const)('pbx-sim speaks the dialect of the real %s captures', (_dialect, scenarios) => {
  it.each(scenarios.map((s) => [s.name, s] as const))('%s: same events per channel, key lists and responses', (name, scenario) => {
    const recorded = capture(name, scenario.set);
    const h = simulate(scenario, recorded);
    const expected = traceStream(recorded, 'snapshot');
    expect(expected.channels.length).toBeGreaterThan(0);
    expect(compareTraces(expected, traceStream(h.messages, 'snapshot'))).toEqual([]);
  });

  it.each(scenarios.map((s) => [s.name, s] as const))('%s: the call tracker builds the same call records from both', (name, scenario) => {
    const recorded = capture(name, scenario.set);
    const fromCapture = records(recorded);
    expect(fromCapture.length).toBeGreaterThan(0);
    expect(records(asMessages(simulate(scenario, recorded)))).toEqual(fromCapture);
  });

  it.each(scenarios.map((s) => [s.name, s] as const))('%s: the same CDR records as the capture\'s Master.csv lines', (name, scenario) => {
    const recorded = capture(name, scenario.set);
    const expected = readCdrCsv(amiFixturePath(`${name}.cdr.csv`, scenario.set));
    expect(expected.length).toBeGreaterThan(0);
    expect(compareCdrLines(expected, cdrLinesOf(simulate(scenario, recorded).messages))).toEqual([]);
  });

  it.each(scenarios.map((s) => [s.name, s] as const))('%s: greets with the same line', (name, scenario) => {
    const greeting = loadCapture(amiFixturePath(`${name}.ami`, scenario.set)).bytes.toString('latin1').split('\r\n')[0];
    expect(DIALECTS[CAPTURE_SET_CONFIG[scenario.set].dialect].greeting).toBe(greeting);
  });
});

describe('pbx-sim started like the lab', () => {
  it.each(['inbound_answered', 'blind_transfer_redirect'])('%s.timestamps: with timestampevents the wire form matches, Timestamp third', (name) => {
    const recorded = capture(`${name}.timestamps`);
    const h = simulate(CAPTURE_SCENARIOS.find((s) => s.name === name) as CaptureScenario, recorded);
    const wire = h.messages.map((m) => ('at' in m ? formatEvent(m as AmiEvent, true) : formatMessage(m.keys, m.values))).join('');
    const reparsed = new AmiParser({ expectGreeting: false }).push(Buffer.from(wire, 'utf8'));
    expect(reparsed.filter((m) => m.kind === 'event' && m.name !== 'FullyBooted').every((m) => m.keys[2] === 'Timestamp')).toBe(true);
    expect(compareTraces(traceStream(recorded, 'snapshot', true), traceStream(reparsed, 'snapshot', true))).toEqual([]);
  });

  it.each([
    ['internal_answered', CAPTURE_SCENARIOS],
    ['pjsip_internal_answered', CAPTURE_SCENARIOS_22],
  ] as const)('%s: the same channel names and uniqueids as the capture when started like it', (name, list) => {
    const scenario = list.find((s) => s.name === name) as CaptureScenario;
    const recorded = capture(name, scenario.set);
    const h = simulate(scenario, recorded);
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

type Copy = { keys: string[]; values: string[] }[];
const value = (m: { keys: string[]; values: string[] }, key: string): string => m.values[m.keys.indexOf(key)];

/** The differences the comparison reports after `edit` changed a copy of the simulator's stream for capture `name`. */
function driftFrom(scenarios: CaptureScenario[], name: string, edit: (copy: Copy) => void): string {
  const scenario = scenarios.find((s) => s.name === name) as CaptureScenario;
  const recorded = capture(name, scenario.set);
  const copy = simulate(scenario, recorded).messages.map((m) => ({ keys: [...m.keys], values: [...m.values] }));
  edit(copy);
  return compareTraces(traceStream(recorded, 'snapshot'), traceStream(copy, 'snapshot')).join('\n');
}

describe('the comparison fails on Asterisk 22 drift', () => {
  const drift = (name: string, edit: (copy: Copy) => void): string => driftFrom(CAPTURE_SCENARIOS_22, name, edit);

  it('a TechCause left out (the abandoned caller ends 127 without 487)', () => {
    const diffs = drift('pjsip_inbound_abandoned', (copy) => {
      const m = copy.findLast((c) => c.values[0] === 'Hangup') as Copy[number];
      m.keys.pop();
      m.values.pop();
    });
    expect(diffs).toMatch(/expected Hangup\(127\/487\).*got Hangup\(127\)/);
    expect(diffs).toMatch(/Hangup: key list .*Cause-txt is not one Asterisk sends/);
  });

  it("chan_sip's cause for the abandoned caller (0 instead of 127)", () => {
    const diffs = drift('pjsip_inbound_abandoned', (copy) => {
      const m = copy.findLast((c) => c.values[0] === 'Hangup') as Copy[number];
      m.values[m.keys.indexOf('Cause')] = '0';
    });
    expect(diffs).toMatch(/expected Hangup\(127\/487\).*got Hangup\(0\/487\)/);
  });

  it('a chan_sip birth: the incoming channel in state 0, then Newstate 4', () => {
    const diffs = drift('pjsip_inbound_answered', (copy) => {
      const first = copy.findIndex((c) => c.values[0] === 'Newchannel');
      const born = { keys: [...copy[first].keys], values: [...copy[first].values] };
      born.values[born.keys.indexOf('ChannelState')] = '0';
      born.values[born.keys.indexOf('ChannelStateDesc')] = 'Down';
      copy.splice(first, 1, born, { keys: [...copy[first].keys], values: ['Newstate', ...copy[first].values.slice(1)] });
    });
    expect(diffs).toMatch(/expected Newchannel@4.*got Newchannel@0/);
  });

  it("chan_sip's SIPCALLID on the dialed leg", () => {
    const diffs = drift('pjsip_internal_answered', (copy) => {
      const i = copy.findIndex((c) => c.values[0] === 'VarSet' && value(c, 'Variable') === 'DIALEDPEERNUMBER' && value(c, 'Value') !== '');
      copy.splice(i, 0, { keys: [...copy[i].keys], values: copy[i].values.map((v, k) => (copy[i].keys[k] === 'Variable' ? 'SIPCALLID' : v)) });
    });
    expect(diffs).toMatch(/expected VarSet\(DIALEDPEERNUMBER=1002\).*got VarSet\(SIPCALLID\)/);
  });

  it("a Gosub that forgets LOCAL(ARGC)", () => {
    const diffs = drift('pjsip_inbound_busy', (copy) => {
      copy.splice(copy.findIndex((c) => c.values[0] === 'VarSet' && value(c, 'Variable') === 'LOCAL(ARGC)'), 1);
    });
    expect(diffs).toMatch(/expected VarSet\(LOCAL\(ARGC\)=1\)/);
  });

  it("the busy callee's HangupRequest (17/486) missing before DialEnd BUSY", () => {
    const diffs = drift('pjsip_inbound_busy', (copy) => {
      copy.splice(copy.findIndex((c) => c.values[0] === 'HangupRequest'), 1);
    });
    expect(diffs).toMatch(/expected HangupRequest\(17\/486\)/);
  });

  it('a MixMonitor answer without its MixMonitorID', () => {
    const diffs = drift('pjsip_mixmonitor_on_demand', (copy) => {
      const m = copy.find((c) => c.keys[0] === 'Response' && c.keys.includes('MixMonitorID')) as Copy[number];
      m.keys.pop();
      m.values.pop();
    });
    expect(diffs).toMatch(/responses differ: expected \[Success:  \[Response,ActionID,MixMonitorID\]/);
  });

  it('the Asterisk 20 greeting', () => {
    const greeting = loadCapture(amiFixturePath('pjsip_inbound_answered.ami', 'ami22')).bytes.toString('latin1').split('\r\n')[0];
    expect(DIALECTS.asterisk20.greeting).not.toBe(greeting);
  });
});

describe('calls no Asterisk 22 capture shows, played in the 22 dialect by its stated rules', () => {
  it.each(listAmiCaptures('ami22').map((f) => [basename(f)]))('the rules hold on the real capture %s', (file) => {
    expect(asterisk22RuleViolations(parseCapture(loadCapture(amiFixturePath(file, 'ami22'))))).toEqual([]);
  });

  it.each(CAPTURE_SCENARIOS.map((s) => [s.name]))("the Asterisk 20 capture %s breaks them, even with its channels renamed PJSIP", (name) => {
    const renamed = capture(name).map((m) => ({ keys: m.keys, values: m.values.map((v) => v.replace(/\bSIP\//g, 'PJSIP/')) }));
    expect(asterisk22RuleViolations(renamed).filter((v) => !/is not a PJSIP/.test(v))).not.toEqual([]);
  });

  /**
   * The Asterisk 20 capture's records, with what the 22 captures show differs: MixMonitor
   * instead of Monitor, and a busy call ended by the callee's HangupRequest (17/486).
   */
  function expectedOn22(recorded: AmiMessage[]): object[] {
    const busy = records(capture('pjsip_inbound_busy', 'ami22'))[0] as { hangupBy: string };
    return records(recorded).map((r) => {
      const record = r as { status: string; recordings: string[] };
      return { ...record, recordings: record.recordings.map((f) => f.replace(/^monitor:/, 'mixmonitor:')), ...(record.status === 'busy' ? { hangupBy: busy.hangupBy } : {}) };
    });
  }

  it.each(CAPTURE_SCENARIOS.map((s) => [s.name, s] as const))('%s on the Asterisk 22 lab: the rules hold and the tracker builds the records of the Asterisk 20 capture', (name, scenario) => {
    const recorded = capture(name);
    const h = simulate({ ...scenario, set: 'ami22' }, recorded);
    expect(asterisk22RuleViolations(h.messages)).toEqual([]);
    expect(records(asMessages(h))).toEqual(expectedOn22(recorded));
  });
});

describe('the comparison fails on FreePBX-style drift', () => {
  const drift = (name: string, edit: (copy: Copy) => void): string => driftFrom(CAPTURE_SCENARIOS_FPBX, name, edit);

  it("a hunt stage's inner leg reporting NOANSWER (Asterisk says CANCEL when the outer Dial times out)", () => {
    const diffs = drift('fpbx_hunt_second_answers', (copy) => {
      const m = copy.find((c) => c.values[0] === 'DialEnd' && value(c, 'Channel').startsWith('Local/1001') && value(c, 'DialStatus') === 'CANCEL') as Copy[number];
      m.values[m.keys.indexOf('DialStatus')] = 'NOANSWER';
    });
    expect(diffs).toMatch(/Local\/1001@from-ringgroup;2.*expected DialEnd\(CANCEL\).*got DialEnd\(NOANSWER\)/);
  });

  it('the answering phone without the inherited __CALLFILENAME', () => {
    const diffs = drift('fpbx_ringgroup_answered', (copy) => {
      copy.splice(copy.findIndex((c) => c.values[0] === 'VarSet' && value(c, 'Channel').startsWith('SIP/1002') && value(c, 'Variable') === '__CALLFILENAME'), 1);
    });
    expect(diffs).toMatch(/SIP\/1002.*expected VarSet\(__CALLFILENAME\)/);
  });

  it("a queue member's ;1 half announced as AppDial", () => {
    const diffs = drift('fpbx_queue_local_members', (copy) => {
      const m = copy.find((c) => c.values[0] === 'Newexten' && value(c, 'Application') === 'AppQueue') as Copy[number];
      m.values[m.keys.indexOf('Application')] = 'AppDial';
    });
    expect(diffs).toMatch(/expected Newexten\(from-queue:1:AppQueue\).*got Newexten\(from-queue:1:AppDial\)/);
  });

  it('a Local pair without its LocalBridge', () => {
    const diffs = drift('fpbx_followme_second_stage', (copy) => {
      copy.splice(copy.findIndex((c) => c.values[0] === 'LocalBridge'), 1);
    });
    expect(diffs).toMatch(/LocalBridge|channels differ|event .* differs/);
  });
});
