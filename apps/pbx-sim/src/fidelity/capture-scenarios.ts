import { AmiMessage, SeededRandom } from '@app/ami';
import { VirtualClock } from '../clock/sim-clock';
import { PbxEngine } from '../engine/pbx-engine';
import { CAPTURE_LAB_22_CONFIG, CAPTURE_LAB_CONFIG, CAPTURE_LAB_FPBX_CONFIG, PbxConfig } from '../engine/pbx-config';
import type { AmiFixtureSet } from '@app/ami/testing';
import { CallPlacer, PlaceCallRequest, PlacedCall } from '../engine/call-placer';
import type { LegPlan } from '../engine/call-plans';
import type { AmiEvent, AmiFields } from '../engine/ami-event';
import { AmiActions, AmiSession } from '../ami/ami-actions';
import { EventMask } from '../ami/event-mask';

/**
 * The simulator wired to a virtual clock, with a manager session that records every
 * event and response: drives a capture's scenario (calls, then the AMI actions the
 * lab sent, at the same offsets) in milliseconds of real time.
 */
export class FidelityHarness {
  readonly clock: VirtualClock;
  readonly engine: PbxEngine;
  readonly placer: CallPlacer;
  readonly actions: AmiActions;
  /** Everything the session would have read: events and responses, in order. */
  readonly messages: { keys: readonly string[]; values: readonly string[] }[] = [];
  private nextActionId = 2;
  private readonly session: AmiSession;

  constructor(startAt: number, opts: { config?: PbxConfig; seed?: number; channelCounterStart?: number; localCounterStart?: number } = {}) {
    const config = opts.config ?? CAPTURE_LAB_CONFIG;
    this.clock = new VirtualClock(startAt);
    this.engine = new PbxEngine({
      config: {
        ...config,
        channelCounterStart: opts.channelCounterStart ?? config.channelCounterStart,
        localCounterStart: opts.localCounterStart ?? config.localCounterStart,
      },
      clock: this.clock,
      rng: new SeededRandom(opts.seed ?? 1),
    });
    this.placer = new CallPlacer(this.engine);
    this.actions = new AmiActions(this.engine, this.placer, [{ username: 'crm_manager', secret: 'secret' }], 0);
    this.session = {
      authenticated: true,
      username: 'crm_manager',
      challenge: null,
      events: EventMask.all(),
      send: (f: AmiFields) => this.messages.push({ keys: f.keys, values: f.values }),
      close: () => undefined,
    };
    this.engine.onEvent((e: AmiEvent) => this.messages.push(e));
  }

  /** `SIP` or `PJSIP`: how actions name the lab's phones (`Originate Channel: PJSIP/1001`). */
  get tech(): string {
    return this.engine.dialect.tech;
  }

  place(req: PlaceCallRequest): PlacedCall {
    return this.placer.place(req);
  }

  /** The value of `key` in the last response that has it (e.g. the MixMonitorID an action answered). */
  lastResponseValue(key: string): string {
    for (let i = this.messages.length - 1; i >= 0; i--) {
      const m = this.messages[i];
      if (m.keys[0] !== 'Response') continue;
      const at = m.keys.indexOf(key);
      if (at >= 0) return m.values[at];
    }
    throw new Error(`no response with ${key}`);
  }

  /** Sends an action as a client would (the ActionID is added). */
  action(fields: Record<string, string>): void {
    const keys = ['Action', ...Object.keys(fields).filter((k) => k !== 'Action'), 'ActionID'];
    const values = [fields.Action, ...Object.keys(fields).filter((k) => k !== 'Action').map((k) => fields[k]), `crmlab-${this.nextActionId++}`];
    void this.actions.handle(this.session, new AmiMessage(keys, values, this.clock.now()));
  }

  /** Scripts what the endpoint `peer` does the next time the call `linkedid` offers it a leg. */
  script(linkedid: string, peer: string, plan: LegPlan): void {
    let call = this.engine.plans.get(linkedid);
    if (!call) this.engine.plans.set(linkedid, (call = { legs: new Map(), abandonAfterRingMs: null }));
    const list = call.legs.get(peer) ?? [];
    list.push(plan);
    call.legs.set(peer, list);
  }

  at(ms: number, fn: () => void): void {
    this.clock.setTimer(ms, fn);
  }

  /** The live channel of `peer` in the call (`SIP/1001-...`). */
  channelOf(peer: string): string {
    const ch = this.engine.liveChannels().find((c) => c.peer.name === peer);
    if (!ch) throw new Error(`no live channel of ${peer}`);
    return ch.name;
  }

  run(): void {
    this.clock.runUntilIdle();
  }
}

export interface CaptureScenario {
  /** Capture file name without `.ami`. */
  name: string;
  /** The fixture folder it is in, which says which lab (dialect and dialplan) played it. */
  set: AmiFixtureSet;
  /** When `run` makes the first channel only later (an Originate), how long after it starts. */
  firstChannelAfterMs?: number;
  run(h: FidelityHarness): void;
}

/** The simulated PBX of each capture set's lab. */
export const CAPTURE_SET_CONFIG: Record<AmiFixtureSet, PbxConfig> = {
  ami: CAPTURE_LAB_CONFIG,
  ami22: CAPTURE_LAB_22_CONFIG,
  'ami-fpbx': CAPTURE_LAB_FPBX_CONFIG,
};

const inbound = { kind: 'inbound', from: '+74951234567', to: '74959876543' } as const;

/**
 * Each capture's call, replayed with the capture's own timings (from its `.md`): who
 * calls whom, how long it rings, when the lab sent which AMI action.
 */
export const CAPTURE_SCENARIOS: CaptureScenario[] = [
  {
    set: 'ami',
    name: 'internal_answered',
    run: (h) => void h.place({ kind: 'internal', from: '1001', to: '1002', ringMs: 1000, talkMs: 3000, hangupBy: 'caller' }),
  },
  {
    set: 'ami',
    name: 'inbound_answered',
    run: (h) => void h.place({ ...inbound, ringMs: 1000, talkMs: 4000, hangupBy: 'callee' }),
  },
  {
    set: 'ami',
    name: 'inbound_no_answer',
    run: (h) => void h.place({ ...inbound, outcome: 'missed' }),
  },
  {
    set: 'ami',
    name: 'inbound_busy',
    run: (h) => void h.place({ ...inbound, outcome: 'busy', ringMs: 300 }),
  },
  {
    set: 'ami',
    name: 'inbound_abandoned',
    run: (h) => void h.place({ ...inbound, outcome: 'abandoned', ringMs: 4000 }),
  },
  {
    set: 'ami',
    name: 'outbound_answered',
    run: (h) => void h.place({ kind: 'outbound', from: '1001', to: '84951112233', ringMs: 1000, talkMs: 8000, hangupBy: 'caller' }),
  },
  {
    set: 'ami',
    name: 'blind_transfer_redirect',
    run: (h) => {
      const call = h.place({ ...inbound, ringMs: 1000, talkMs: 60000, hangupBy: 'callee' });
      h.script(call.linkedid, '1002', { response: 'answer', ringMs: 1000, talkMs: 4000, hangup: 'self' });
      h.at(4000, () => h.action({ Action: 'Redirect', Channel: call.channel, Exten: '1002', Context: 'transfer-context', Priority: '1' }));
    },
  },
  {
    set: 'ami',
    name: 'hold_redirect_bridge',
    run: (h) => {
      const call = h.place({ ...inbound, ringMs: 1000, talkMs: 12000, hangupBy: 'callee' });
      h.at(5000, () =>
        h.action({
          Action: 'Redirect',
          Channel: call.channel,
          Context: 'crm-hold',
          Exten: 's',
          Priority: '1',
          ExtraChannel: h.channelOf('1001'),
          ExtraContext: 'crm-hold-wait',
          ExtraExten: 's',
          ExtraPriority: '1',
        }),
      );
      h.at(10000, () => h.action({ Action: 'Bridge', Channel1: call.channel, Channel2: h.channelOf('1001'), Tone: 'no' }));
    },
  },
  {
    set: 'ami',
    name: 'mixmonitor_ami',
    run: (h) => {
      const call = h.place({ kind: 'internal', from: '1001', to: '1002', ringMs: 1000, talkMs: 8000, hangupBy: 'caller' });
      h.at(2500, () => h.action({ Action: 'MixMonitor', Channel: call.channel, File: `crm-ami-${call.uniqueid}.wav`, Options: 'b' }));
      h.at(6000, () => h.action({ Action: 'StopMixMonitor', Channel: call.channel }));
    },
  },
  {
    set: 'ami',
    name: 'originate_click_to_call',
    firstChannelAfterMs: 500,
    run: (h) => {
      const channelId = '1795696803.25';
      h.script(channelId, '1002', { response: 'answer', ringMs: 1000, talkMs: 4000, hangup: 'self' });
      h.at(500, () =>
        h.action({
          Action: 'Originate',
          Channel: `${h.tech}/1001`,
          Context: 'from-internal',
          Exten: '1002',
          Priority: '1',
          CallerID: '"CRM Click2Call" <1001>',
          Timeout: '30000',
          Async: 'true',
          Variable: 'CRM_CALL_ID=c2c-000123',
          ChannelId: channelId,
        }),
      );
    },
  },
  {
    set: 'ami',
    name: 'actions_misc',
    run: (h) => {
      const a = h.place({ ...inbound, ringMs: 1000, talkMs: 600000, hangupBy: 'callee' });
      let b: PlacedCall | null = null;
      h.at(1000, () => (b = h.place({ kind: 'outbound', from: '1002', to: '84957654321', ringMs: 1000, talkMs: 600000, hangupBy: 'callee' })));
      h.at(3760, () => {
        h.action({ Action: 'CoreShowChannels' });
        h.action({ Action: 'Status' });
        h.action({ Action: 'Ping' });
        h.action({ Action: 'Command', Command: 'core show channels' });
        h.action({ Action: 'SIPpeers' });
        h.action({ Action: 'Getvar', Channel: a.channel, Variable: 'CALLFILENAME' });
        h.action({ Action: 'Getvar', Channel: (b as PlacedCall | null)?.channel ?? '', Variable: 'CDR(userfield)' });
      });
      h.at(4262, () => h.action({ Action: 'Redirect', Channel: `${h.tech}/1009-0000ffff`, Exten: '1002', Context: 'from-internal', Priority: '1' }));
      h.at(5264, () => h.action({ Action: 'Hangup', Channel: a.channel, Cause: '16' }));
      h.at(6776, () =>
        h.action({ Action: 'Originate', Channel: `${h.tech}/1003`, Context: 'from-internal', Exten: '1002', Priority: '1', CallerID: '"CRM Click2Call" <1003>', Async: 'true' }),
      );
      h.at(7778, () => h.action({ Action: 'Hangup', Channel: (b as PlacedCall | null)?.channel ?? '', Cause: '17' }));
    },
  },
];

/** The Asterisk 20 scenario `name` (the same call, its timings in the 22 capture's `.md` being the same). */
function sameCallAs(name: string): CaptureScenario['run'] {
  return (CAPTURE_SCENARIOS.find((s) => s.name === name) as CaptureScenario).run;
}

/** The Asterisk 22 captures (`test/fixtures/ami22`), each replayed with its `.md`'s timings on the 22 lab. */
export const CAPTURE_SCENARIOS_22: CaptureScenario[] = [
  { set: 'ami22', name: 'pjsip_internal_answered', run: sameCallAs('internal_answered') },
  { set: 'ami22', name: 'pjsip_inbound_answered', run: sameCallAs('inbound_answered') },
  { set: 'ami22', name: 'pjsip_inbound_busy', run: sameCallAs('inbound_busy') },
  { set: 'ami22', name: 'pjsip_inbound_abandoned', run: sameCallAs('inbound_abandoned') },
  {
    set: 'ami22',
    name: 'pjsip_blind_transfer_action',
    run: (h) => {
      const call = h.place({ ...inbound, ringMs: 1000, talkMs: 60000, hangupBy: 'callee' });
      h.script(call.linkedid, '1002', { response: 'answer', ringMs: 1000, talkMs: 4000, hangup: 'self' });
      h.at(4020, () => h.action({ Action: 'BlindTransfer', Channel: h.channelOf('1001'), Exten: '1002', Context: 'transfer-context' }));
    },
  },
  {
    set: 'ami22',
    name: 'pjsip_mixmonitor_on_demand',
    run: (h) => {
      const call = h.place({ kind: 'internal', from: '1001', to: '1002', ringMs: 1000, talkMs: 8000, hangupBy: 'caller' });
      h.at(2500, () => h.action({ Action: 'MixMonitor', Channel: call.channel, File: `crm-ami-${call.uniqueid}.wav`, Options: 'bi(CRM_MIXMON_ID)' }));
      h.at(6000, () => h.action({ Action: 'StopMixMonitor', Channel: call.channel, MixMonitorID: h.lastResponseValue('MixMonitorID') }));
    },
  },
];

/**
 * The FreePBX-style captures (`test/fixtures/ami-fpbx`) on the lab with its FreePBX
 * dialplan: who answers after how long, who hangs up when, from each capture's `.md`.
 */
export const CAPTURE_SCENARIOS_FPBX: CaptureScenario[] = [
  {
    set: 'ami-fpbx',
    name: 'fpbx_ringgroup_answered',
    run: (h) => void h.place({ ...inbound, to: '74959876600', answeredBy: '1002', ringMs: 1000, talkMs: 4000, hangupBy: 'callee' }),
  },
  {
    set: 'ami-fpbx',
    name: 'fpbx_hunt_second_answers',
    run: (h) => void h.place({ ...inbound, to: '74959876601', answeredBy: '1002', ringMs: 1000, talkMs: 3000, hangupBy: 'caller' }),
  },
  {
    set: 'ami-fpbx',
    name: 'fpbx_followme_second_stage',
    run: (h) => void h.place({ ...inbound, to: '74959876610', answeredBy: '1002', ringMs: 1000, talkMs: 8000, hangupBy: 'caller' }),
  },
  {
    set: 'ami-fpbx',
    name: 'fpbx_queue_local_members',
    run: (h) => void h.place({ kind: 'inbound', from: '+74957778899', to: '74959876700', answeredBy: '1001', ringMs: 1000, talkMs: 8000, hangupBy: 'caller' }),
  },
  {
    set: 'ami-fpbx',
    name: 'fpbx_ringgroup_blind_transfer',
    run: (h) => {
      const call = h.place({ kind: 'inbound', from: '+74951234517', to: '74959876600', answeredBy: '1002', ringMs: 1000, talkMs: 60000, hangupBy: 'callee' });
      // 1001 would answer the ring group after 6 s (it is cancelled first); as the transfer target it rings 6 s, answers, hangs up 4 s later.
      h.engine.plans.get(call.linkedid)?.legs.set('1001', [
        { response: 'answer', ringMs: 6000, talkMs: 4000, hangup: 'self' },
        { response: 'answer', ringMs: 6000, talkMs: 4000, hangup: 'self' },
      ]);
      h.at(4020, () => h.action({ Action: 'BlindTransfer', Channel: h.channelOf('1002'), Exten: '1001', Context: 'transfer-context' }));
    },
  },
];
