import type { CallDirection, CallHold, CallTransfer, HangupBy, TerminalCallStatus } from '../call-record';

/**
 * The call record each capture in `test/fixtures/ami` must produce, transcribed from its
 * `.md` ("Correct CRM record", "Recording", "Timing"). Times are the server's UTC wall clock
 * to the second (the .md's resolution); talk time is checked within 1 s of the .md value.
 * Shared by the tracker's tests and anyone replaying the captures (server, simulator).
 */
export interface ExpectedCall {
  linkedid: string;
  direction: CallDirection;
  caller: string;
  callerName: string | null;
  callee: string;
  trunk: string | null;
  ringingExtensions: string[];
  answeredBy: string | null;
  agents: string[];
  status: TerminalCallStatus;
  /** `HH:MM:SS` on 2026-11-26 (UTC). */
  startedAt: string;
  answeredAt: string | null;
  endedAt: string;
  ringSeconds: number;
  talkSeconds: number;
  holdSeconds: number;
  hangupBy: HangupBy;
  hangupCause: number | null;
  recordings: string[];
  transfers: (Pick<CallTransfer, 'kind' | 'from' | 'to'> & { at: string })[];
  holds: (Pick<CallHold, 'by' | 'seconds'> & { startedAt: string; endedAt: string })[];
  crmCallId: string | null;
  /**
   * The call's lines in `<name>.cdr.csv` (by uniqueid = the caller's): their billsec sum, and
   * whether talk time should match it within 1 s. Where it should not, the .md says why
   * (hold and a Redirect count in billsec; a click-to-call bills from the first answer).
   */
  cdr: { uniqueid: string; billsec: number; talkMatchesBillsec: boolean } | null;
}

export interface FixtureScenario {
  /** Capture base name; `captures` are replayed in order into one tracker. */
  name: string;
  captures: string[];
  calls: ExpectedCall[];
}

export const FIXTURE_DAY = '2026-11-26';

type InboundFields = 'direction' | 'caller' | 'callerName' | 'callee' | 'trunk';
type Extras = 'transfers' | 'holds' | 'holdSeconds' | 'crmCallId';

const alice = { caller: '1001', callerName: 'Alice Agent' };

function noExtras(): Pick<ExpectedCall, Extras> {
  return { transfers: [], holds: [], holdSeconds: 0, crmCallId: null };
}

/** An external caller on the provider trunk dialling the DID (most captures). */
function inbound(linkedid: string, fields: Omit<ExpectedCall, 'linkedid' | InboundFields | Extras> & Partial<Pick<ExpectedCall, Extras>>): ExpectedCall {
  return { linkedid, direction: 'inbound', caller: '+74951234567', callerName: null, callee: '74959876543', trunk: 'provider', ...noExtras(), ...fields };
}

export const FIXTURE_SCENARIOS: readonly FixtureScenario[] = [
  {
    name: 'internal_answered',
    captures: ['internal_answered.ami'],
    calls: [
      {
        linkedid: '1795696620.0', direction: 'internal', ...alice, callee: '1002', trunk: null, ringingExtensions: ['1002'],
        answeredBy: '1002', agents: ['1001', '1002'], status: 'answered', startedAt: '12:37:00', answeredAt: '12:37:01', endedAt: '12:37:04',
        ringSeconds: 1, talkSeconds: 3, hangupBy: 'caller', hangupCause: 16, recordings: ['20261126-123700-1001-1002.wav'], ...noExtras(),
        cdr: { uniqueid: '1795696620.0', billsec: 3, talkMatchesBillsec: true },
      },
    ],
  },
  {
    name: 'inbound_answered',
    captures: ['inbound_answered.ami'],
    calls: [
      inbound('1795696635.2', {
        ringingExtensions: ['1001'], answeredBy: '1001', agents: ['1001'], status: 'answered', startedAt: '12:37:15', answeredAt: '12:37:16',
        endedAt: '12:37:20', ringSeconds: 1, talkSeconds: 4, hangupBy: 'callee', hangupCause: 16,
        recordings: ['20261126-123715-+74951234567-74959876543.wav'], cdr: { uniqueid: '1795696635.2', billsec: 4, talkMatchesBillsec: true },
      }),
    ],
  },
  {
    name: 'inbound_answered.timestamps',
    captures: ['inbound_answered.timestamps.ami'],
    calls: [
      inbound('1795696977.85', {
        ringingExtensions: ['1001'], answeredBy: '1001', agents: ['1001'], status: 'answered', startedAt: '12:42:57', answeredAt: '12:42:58',
        endedAt: '12:43:02', ringSeconds: 1, talkSeconds: 4, hangupBy: 'callee', hangupCause: 16,
        recordings: ['20261126-124257-+74951234567-74959876543.wav'], cdr: { uniqueid: '1795696977.85', billsec: 4, talkMatchesBillsec: true },
      }),
    ],
  },
  {
    name: 'inbound_no_answer',
    captures: ['inbound_no_answer.ami'],
    calls: [
      inbound('1795696650.4', {
        ringingExtensions: ['1001'], answeredBy: null, agents: [], status: 'missed', startedAt: '12:37:30', answeredAt: null, endedAt: '12:37:36',
        ringSeconds: 6, talkSeconds: 0, hangupBy: 'system', hangupCause: 16, recordings: ['20261126-123730-+74951234567-74959876543.wav'],
        cdr: { uniqueid: '1795696650.4', billsec: 0, talkMatchesBillsec: true },
      }),
    ],
  },
  {
    name: 'inbound_busy',
    captures: ['inbound_busy.ami'],
    calls: [
      inbound('1795696666.6', {
        ringingExtensions: ['1001'], answeredBy: null, agents: [], status: 'busy', startedAt: '12:37:46', answeredAt: null, endedAt: '12:37:47',
        ringSeconds: 0, talkSeconds: 0, hangupBy: 'system', hangupCause: 17, recordings: ['20261126-123746-+74951234567-74959876543.wav'],
        cdr: { uniqueid: '1795696666.6', billsec: 0, talkMatchesBillsec: true },
      }),
    ],
  },
  {
    name: 'inbound_abandoned',
    captures: ['inbound_abandoned.ami'],
    calls: [
      inbound('1795696677.8', {
        ringingExtensions: ['1001'], answeredBy: null, agents: [], status: 'abandoned', startedAt: '12:37:57', answeredAt: null, endedAt: '12:38:01',
        ringSeconds: 4, talkSeconds: 0, hangupBy: 'caller', hangupCause: 0, recordings: ['20261126-123757-+74951234567-74959876543.wav'],
        cdr: { uniqueid: '1795696677.8', billsec: 0, talkMatchesBillsec: true },
      }),
    ],
  },
  {
    name: 'outbound_answered',
    captures: ['outbound_answered.ami'],
    calls: [
      {
        linkedid: '1795696691.10', direction: 'outbound', ...alice, callee: '84951112233', trunk: 'provider', ringingExtensions: [],
        answeredBy: null, agents: ['1001'], status: 'answered', startedAt: '12:38:11', answeredAt: '12:38:12', endedAt: '12:38:20',
        ringSeconds: 1, talkSeconds: 8, hangupBy: 'caller', hangupCause: 16, recordings: ['20261126-123811-1001-84951112233.wav'], ...noExtras(),
        cdr: { uniqueid: '1795696691.10', billsec: 8, talkMatchesBillsec: true },
      },
    ],
  },
  {
    name: 'blind_transfer_redirect',
    captures: ['blind_transfer_redirect.ami'],
    calls: [
      inbound('1795696710.12', {
        ringingExtensions: ['1001', '1002'], answeredBy: '1001', agents: ['1001', '1002'], status: 'answered', startedAt: '12:38:30',
        answeredAt: '12:38:31', endedAt: '12:38:39', ringSeconds: 1, talkSeconds: 7, hangupBy: 'callee', hangupCause: 16,
        recordings: ['20261126-123830-+74951234567-74959876543.wav'], transfers: [{ kind: 'blind', from: '1001', to: '1002', at: '12:38:34' }],
        cdr: { uniqueid: '1795696710.12', billsec: 8, talkMatchesBillsec: false },
      }),
    ],
  },
  {
    name: 'blind_transfer_redirect.timestamps',
    captures: ['blind_transfer_redirect.timestamps.ami'],
    calls: [
      inbound('1795696992.87', {
        ringingExtensions: ['1001', '1002'], answeredBy: '1001', agents: ['1001', '1002'], status: 'answered', startedAt: '12:43:12',
        answeredAt: '12:43:13', endedAt: '12:43:21', ringSeconds: 1, talkSeconds: 7, hangupBy: 'callee', hangupCause: 16,
        recordings: ['20261126-124312-+74951234567-74959876543.wav'], transfers: [{ kind: 'blind', from: '1001', to: '1002', at: '12:43:16' }],
        cdr: { uniqueid: '1795696992.87', billsec: 8, talkMatchesBillsec: false },
      }),
    ],
  },
  {
    name: 'hold_redirect_bridge',
    captures: ['hold_redirect_bridge.ami'],
    calls: [
      inbound('1795696890.74', {
        ringingExtensions: ['1001'], answeredBy: '1001', agents: ['1001'], status: 'answered', startedAt: '12:41:30', answeredAt: '12:41:31',
        endedAt: '12:41:43', ringSeconds: 1, talkSeconds: 7, holdSeconds: 5, hangupBy: 'callee', hangupCause: 16,
        recordings: ['20261126-124130-+74951234567-74959876543.wav'],
        holds: [{ by: 'server', seconds: 5, startedAt: '12:41:35', endedAt: '12:41:40' }],
        cdr: { uniqueid: '1795696890.74', billsec: 12, talkMatchesBillsec: false },
      }),
    ],
  },
  {
    name: 'mixmonitor_ami',
    captures: ['mixmonitor_ami.ami'],
    calls: [
      {
        linkedid: '1795696784.23', direction: 'internal', ...alice, callee: '1002', trunk: null, ringingExtensions: ['1002'],
        answeredBy: '1002', agents: ['1001', '1002'], status: 'answered', startedAt: '12:39:44', answeredAt: '12:39:45', endedAt: '12:39:53',
        ringSeconds: 1, talkSeconds: 8, hangupBy: 'caller', hangupCause: 16,
        recordings: ['20261126-123944-1001-1002.wav', 'crm-ami-1795696784.23.wav'], ...noExtras(),
        cdr: { uniqueid: '1795696784.23', billsec: 8, talkMatchesBillsec: true },
      },
    ],
  },
  {
    name: 'originate_click_to_call',
    captures: ['originate_click_to_call.ami'],
    calls: [
      {
        linkedid: '1795696803.25', direction: 'internal', caller: '1001', callerName: 'CRM Click2Call', callee: '1002', trunk: null,
        ringingExtensions: ['1002'], answeredBy: '1002', agents: ['1001', '1002'], status: 'answered', startedAt: '12:40:03',
        answeredAt: '12:40:05', endedAt: '12:40:10', ringSeconds: 1, talkSeconds: 4, hangupBy: 'callee', hangupCause: 16,
        recordings: ['20261126-124004-1001-1002.wav'], ...noExtras(), crmCallId: 'c2c-000123',
        cdr: { uniqueid: '1795696803.25', billsec: 5, talkMatchesBillsec: false },
      },
    ],
  },
  {
    name: 'actions_misc',
    captures: ['actions_misc.ami'],
    calls: [
      inbound('1795696872.70', {
        ringingExtensions: ['1001'], answeredBy: '1001', agents: ['1001'], status: 'answered', startedAt: '12:41:12', answeredAt: '12:41:13',
        endedAt: '12:41:17', ringSeconds: 1, talkSeconds: 4, hangupBy: 'system', hangupCause: 16,
        recordings: ['20261126-124112-+74951234567-74959876543.wav'], cdr: { uniqueid: '1795696872.70', billsec: 4, talkMatchesBillsec: true },
      }),
      {
        linkedid: 'originate-failed:crmlab-11', direction: 'internal', caller: '1003', callerName: 'CRM Click2Call', callee: '1002', trunk: null,
        ringingExtensions: [], answeredBy: null, agents: [], status: 'failed', startedAt: '12:41:18', answeredAt: null, endedAt: '12:41:18',
        ringSeconds: 0, talkSeconds: 0, hangupBy: 'system', hangupCause: null, recordings: [], ...noExtras(), cdr: null,
      },
      {
        linkedid: '1795696873.72', direction: 'outbound', caller: '1002', callerName: 'Bob Agent', callee: '84957654321', trunk: 'provider',
        ringingExtensions: [], answeredBy: null, agents: ['1002'], status: 'answered', startedAt: '12:41:13', answeredAt: '12:41:14',
        endedAt: '12:41:19', ringSeconds: 1, talkSeconds: 6, hangupBy: 'system', hangupCause: 17,
        recordings: ['20261126-124113-1002-84957654321.wav'], ...noExtras(), cdr: { uniqueid: '1795696873.72', billsec: 5, talkMatchesBillsec: true },
      },
    ],
  },
  {
    name: 'reconnect_mid_call',
    captures: ['reconnect_mid_call.part1.ami', 'reconnect_mid_call.part2.ami'],
    calls: [
      inbound('1795696954.83', {
        ringingExtensions: ['1001'], answeredBy: '1001', agents: ['1001'], status: 'answered', startedAt: '12:42:34', answeredAt: '12:42:35',
        endedAt: '12:42:47', ringSeconds: 1, talkSeconds: 12, hangupBy: 'callee', hangupCause: 16,
        recordings: ['20261126-124234-+74951234567-74959876543.wav'], cdr: { uniqueid: '1795696954.83', billsec: 12, talkMatchesBillsec: true },
      }),
    ],
  },
];

/** `12:37:00` -> ms since epoch on the fixtures' day. */
export function fixtureTime(hms: string): number {
  return Date.parse(`${FIXTURE_DAY}T${hms}Z`);
}

/** ms since epoch -> `HH:MM:SS` (UTC), the resolution the .md files state. */
export function toFixtureTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 19);
}
