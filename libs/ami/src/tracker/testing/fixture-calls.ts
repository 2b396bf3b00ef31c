import type { AmiFixtureSet } from '../../protocol/ami-fixtures';
import type { CallDirection, CallHold, CallTransfer, HangupBy, TerminalCallStatus } from '../call-record';

/**
 * The call record each capture in `test/fixtures/ami` and `test/fixtures/ami-fpbx` must
 * produce, transcribed from its `.md` ("Correct CRM record", "Recording", "Timing"). Times are
 * the server's UTC wall clock to the second (the .md's resolution); talk time is checked within
 * 1 s of the .md value. Shared by the tracker's tests and anyone replaying the captures (server, simulator).
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
  /** `HH:MM:SS` (UTC) on the scenario's day. */
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
  /** The folder of `test/fixtures` the captures are in. */
  set: AmiFixtureSet;
  /** The UTC day the capture was made (`YYYY-MM-DD`). */
  day: string;
  captures: string[];
  calls: ExpectedCall[];
}

export const FIXTURE_DAY = '2026-11-26';
const FPBX_DAY = '2026-12-05';

type InboundFields = 'direction' | 'caller' | 'callerName' | 'callee' | 'trunk';
type Extras = 'transfers' | 'holds' | 'holdSeconds' | 'crmCallId';

const alice = { caller: '1001', callerName: 'Alice Agent' };

function noExtras(): Pick<ExpectedCall, Extras> {
  return { transfers: [], holds: [], holdSeconds: 0, crmCallId: null };
}

type InboundCall = Omit<ExpectedCall, 'linkedid' | InboundFields | Extras> & Partial<Pick<ExpectedCall, Extras | InboundFields>>;

/** An external caller on the provider trunk dialling the DID (most captures). */
function inbound(linkedid: string, fields: InboundCall): ExpectedCall {
  return { linkedid, direction: 'inbound', caller: '+74951234567', callerName: null, callee: '74959876543', trunk: 'provider', ...noExtras(), ...fields };
}

/** A FreePBX-style capture's caller (named by the CID lookup) dialling a DID; its recording is in a dated folder. */
function fpbxInbound(linkedid: string, did: string, fields: Omit<InboundCall, 'recordings'> & { recording: string }): ExpectedCall {
  const { recording, ...rest } = fields;
  return inbound(linkedid, { callerName: 'ACME Ltd', callee: did, recordings: [`2026/12/05/${recording}`], ...rest });
}

export const FIXTURE_SCENARIOS: readonly FixtureScenario[] = [
  {
    name: 'internal_answered',
    set: 'ami',
    day: FIXTURE_DAY,
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
    set: 'ami',
    day: FIXTURE_DAY,
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
    set: 'ami',
    day: FIXTURE_DAY,
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
    set: 'ami',
    day: FIXTURE_DAY,
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
    set: 'ami',
    day: FIXTURE_DAY,
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
    set: 'ami',
    day: FIXTURE_DAY,
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
    set: 'ami',
    day: FIXTURE_DAY,
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
    set: 'ami',
    day: FIXTURE_DAY,
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
    set: 'ami',
    day: FIXTURE_DAY,
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
    set: 'ami',
    day: FIXTURE_DAY,
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
    set: 'ami',
    day: FIXTURE_DAY,
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
    set: 'ami',
    day: FIXTURE_DAY,
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
    set: 'ami',
    day: FIXTURE_DAY,
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
    set: 'ami',
    day: FIXTURE_DAY,
    captures: ['reconnect_mid_call.part1.ami', 'reconnect_mid_call.part2.ami'],
    calls: [
      inbound('1795696954.83', {
        ringingExtensions: ['1001'], answeredBy: '1001', agents: ['1001'], status: 'answered', startedAt: '12:42:34', answeredAt: '12:42:35',
        endedAt: '12:42:47', ringSeconds: 1, talkSeconds: 12, hangupBy: 'callee', hangupCause: 16,
        recordings: ['20261126-124234-+74951234567-74959876543.wav'], cdr: { uniqueid: '1795696954.83', billsec: 12, talkMatchesBillsec: true },
      }),
    ],
  },
  {
    name: 'fpbx_ringgroup_answered',
    set: 'ami-fpbx',
    day: FPBX_DAY,
    captures: ['fpbx_ringgroup_answered.ami'],
    calls: [
      fpbxInbound('1796431867.0', '74959876600', {
        ringingExtensions: ['1001', '1002'], answeredBy: '1002', agents: ['1002'], status: 'answered', startedAt: '00:51:07', answeredAt: '00:51:08',
        endedAt: '00:51:12', ringSeconds: 1, talkSeconds: 4, hangupBy: 'callee', hangupCause: 16,
        recording: 'rg-600-+74951234567-20261205-005107-1796431867.0.wav', cdr: { uniqueid: '1796431867.0', billsec: 4, talkMatchesBillsec: true },
      }),
    ],
  },
  {
    name: 'fpbx_hunt_second_answers',
    set: 'ami-fpbx',
    day: FPBX_DAY,
    captures: ['fpbx_hunt_second_answers.ami'],
    calls: [
      fpbxInbound('1796431880.7', '74959876601', {
        ringingExtensions: ['1001', '1002'], answeredBy: '1002', agents: ['1002'], status: 'answered', startedAt: '00:51:20', answeredAt: '00:51:27',
        endedAt: '00:51:30', ringSeconds: 7, talkSeconds: 3, hangupBy: 'caller', hangupCause: 16,
        recording: 'in-74959876601-+74951234567-20261205-005120-1796431880.7.wav', cdr: { uniqueid: '1796431880.7', billsec: 3, talkMatchesBillsec: true },
      }),
    ],
  },
  {
    name: 'fpbx_followme_second_stage',
    set: 'ami-fpbx',
    day: FPBX_DAY,
    captures: ['fpbx_followme_second_stage.ami'],
    calls: [
      fpbxInbound('1796431898.14', '74959876610', {
        ringingExtensions: ['1001', '1002'], answeredBy: '1002', agents: ['1002'], status: 'answered', startedAt: '00:51:38', answeredAt: '00:51:45',
        endedAt: '00:51:53', ringSeconds: 7, talkSeconds: 8, hangupBy: 'caller', hangupCause: 16,
        recording: 'in-74959876610-+74951234567-20261205-005138-1796431898.14.wav', cdr: { uniqueid: '1796431898.14', billsec: 8, talkMatchesBillsec: true },
      }),
    ],
  },
  {
    name: 'fpbx_queue_local_members',
    set: 'ami-fpbx',
    day: FPBX_DAY,
    captures: ['fpbx_queue_local_members.ami'],
    calls: [
      fpbxInbound('1796431921.23', '74959876700', {
        caller: '+74957778899', callerName: 'Globex Support Desk',
        ringingExtensions: ['1002', '1001'], answeredBy: '1001', agents: ['1001'], status: 'answered', startedAt: '00:52:01', answeredAt: '00:52:02',
        endedAt: '00:52:10', ringSeconds: 1, talkSeconds: 8, hangupBy: 'caller', hangupCause: 16,
        recording: 'q-700-+74957778899-20261205-005201-1796431921.23.wav', cdr: { uniqueid: '1796431921.23', billsec: 8, talkMatchesBillsec: true },
      }),
    ],
  },
  {
    name: 'fpbx_ringgroup_blind_transfer',
    set: 'ami-fpbx',
    day: FPBX_DAY,
    captures: ['fpbx_ringgroup_blind_transfer.ami'],
    calls: [
      // CDR billsec 13 counts the 6 s the transfer target rang; talk is 3 s with 1002 + 4 s with 1001.
      fpbxInbound('1796431939.30', '74959876600', {
        caller: '+74951234517', callerName: 'Initech Purchasing',
        ringingExtensions: ['1001', '1002'], answeredBy: '1002', agents: ['1002', '1001'], status: 'answered', startedAt: '00:52:19', answeredAt: '00:52:20',
        endedAt: '00:52:33', ringSeconds: 1, talkSeconds: 7, hangupBy: 'callee', hangupCause: 16,
        transfers: [{ kind: 'blind', from: '1002', to: '1001', at: '00:52:23' }],
        recording: 'rg-600-+74951234517-20261205-005219-1796431939.30.wav', cdr: { uniqueid: '1796431939.30', billsec: 13, talkMatchesBillsec: false },
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
