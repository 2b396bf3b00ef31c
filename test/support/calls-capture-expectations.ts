import type { CallDirection, CallStatus, HangupBy } from '@app/ami';

/** What a capture's `.md` says the CRM must store for one call. */
export interface ExpectedCall {
  direction: CallDirection;
  status: CallStatus;
  callerNumber: string;
  receiverNumber: string;
  answeredByExtension: string | null;
  /** Users and companies of test/support/calls-e2e.ts (alice owns 1001, bob 1002). */
  assigned: 'alice' | 'bob' | null;
  /** Users whose phones took part (placed, rang, answered, transferred): who may see the call. */
  participants: Array<'alice' | 'bob'>;
  company: 'acme' | 'globex' | null;
  talkSeconds: number;
  ringSeconds?: number;
  holdSeconds?: number;
  hangupBy?: HangupBy;
  crmCallId?: string;
  /** Timeline step types in order. */
  timeline: string[];
  recordings: string[];
  /** Instants (to the second, UTC) when the capture carries Asterisk's own `Timestamp:` headers. */
  times?: { startedAt: string; answeredAt: string; endedAt: string };
}

export interface CaptureCase {
  /** Capture files in connection order (a cut-off one is followed by the reconnect's). */
  captures: string[];
  /** PBX id the capture is served as. */
  pbxId: string;
  /** Reconnect delay reproducing the recorded gap between two captures' connections. */
  reconnectDelayMs?: number;
  calls: ExpectedCall[];
}

const ANSWERED_STEPS = ['recording_started', 'ringing', 'answered', 'recording_stopped', 'ended'];
const UNANSWERED_STEPS = ['recording_started', 'ringing', 'recording_stopped', 'ended'];
const TRANSFER_STEPS = ['recording_started', 'ringing', 'answered', 'transferred', 'ringing', 'answered', 'recording_stopped', 'ended'];
const EXTERNAL = '+74951234567';
const DID = '74959876543';

const inboundAnswered = (file: string): ExpectedCall => ({
  direction: 'inbound',
  status: 'answered',
  callerNumber: EXTERNAL,
  receiverNumber: DID,
  answeredByExtension: '1001',
  assigned: 'alice',
  participants: ['alice'],
  company: 'acme',
  talkSeconds: 4,
  hangupBy: 'callee',
  timeline: ANSWERED_STEPS,
  recordings: [file],
});

const blindTransfer = (file: string): ExpectedCall => ({
  direction: 'inbound',
  status: 'answered',
  callerNumber: EXTERNAL,
  receiverNumber: DID,
  answeredByExtension: '1001',
  assigned: 'bob',
  participants: ['alice', 'bob'],
  company: 'acme',
  talkSeconds: 7,
  hangupBy: 'callee',
  timeline: TRANSFER_STEPS,
  recordings: [file],
});

const unansweredInbound = (status: CallStatus, file: string, extra: Partial<ExpectedCall> = {}): ExpectedCall => ({
  direction: 'inbound',
  status,
  callerNumber: EXTERNAL,
  receiverNumber: DID,
  answeredByExtension: null,
  assigned: 'alice',
  participants: ['alice'],
  company: 'acme',
  talkSeconds: 0,
  timeline: UNANSWERED_STEPS,
  recordings: [file],
  ...extra,
});

/** Every capture in test/fixtures/ami with the record(s) its `.md` describes. */
export const CAPTURE_CASES: CaptureCase[] = [
  {
    captures: ['internal_answered'],
    pbxId: 'internal-answered',
    calls: [
      {
        direction: 'internal',
        status: 'answered',
        callerNumber: '1001',
        receiverNumber: '1002',
        answeredByExtension: '1002',
        assigned: 'bob',
        participants: ['alice', 'bob'],
        company: null,
        talkSeconds: 3,
        hangupBy: 'caller',
        timeline: ANSWERED_STEPS,
        recordings: ['20261126-123700-1001-1002.wav'],
      },
    ],
  },
  { captures: ['inbound_answered'], pbxId: 'inbound-answered', calls: [inboundAnswered('20261126-123715-+74951234567-74959876543.wav')] },
  {
    captures: ['inbound_no_answer'],
    pbxId: 'inbound-no-answer',
    calls: [unansweredInbound('missed', '20261126-123730-+74951234567-74959876543.wav', { ringSeconds: 6 })],
  },
  {
    captures: ['inbound_busy'],
    pbxId: 'inbound-busy',
    // 1001 was busy at once: it never rang, so the timeline has no ringing step.
    calls: [unansweredInbound('busy', '20261126-123746-+74951234567-74959876543.wav', { timeline: ['recording_started', 'recording_stopped', 'ended'] })],
  },
  {
    captures: ['inbound_abandoned'],
    pbxId: 'inbound-abandoned',
    calls: [unansweredInbound('abandoned', '20261126-123757-+74951234567-74959876543.wav', { ringSeconds: 4, hangupBy: 'caller' })],
  },
  {
    captures: ['outbound_answered'],
    pbxId: 'outbound-answered',
    calls: [
      {
        direction: 'outbound',
        status: 'answered',
        callerNumber: '1001',
        receiverNumber: '84951112233',
        answeredByExtension: null,
        assigned: 'alice',
        participants: ['alice'],
        company: null,
        talkSeconds: 8,
        hangupBy: 'caller',
        timeline: ANSWERED_STEPS,
        recordings: ['20261126-123811-1001-84951112233.wav'],
      },
    ],
  },
  { captures: ['blind_transfer_redirect'], pbxId: 'blind-transfer', calls: [blindTransfer('20261126-123830-+74951234567-74959876543.wav')] },
  {
    captures: ['mixmonitor_ami'],
    pbxId: 'mixmonitor-ami',
    calls: [
      {
        direction: 'internal',
        status: 'answered',
        callerNumber: '1001',
        receiverNumber: '1002',
        answeredByExtension: '1002',
        assigned: 'bob',
        participants: ['alice', 'bob'],
        company: null,
        talkSeconds: 8,
        hangupBy: 'caller',
        timeline: ['recording_started', 'ringing', 'answered', 'recording_started', 'recording_stopped', 'recording_stopped', 'ended'],
        recordings: ['20261126-123944-1001-1002.wav', 'crm-ami-1795696784.23.wav'],
      },
    ],
  },
  {
    captures: ['originate_click_to_call'],
    pbxId: 'click-to-call',
    calls: [
      {
        direction: 'internal',
        status: 'answered',
        callerNumber: '1001',
        receiverNumber: '1002',
        answeredByExtension: '1002',
        assigned: 'bob',
        participants: ['alice', 'bob'],
        company: null,
        talkSeconds: 4,
        hangupBy: 'callee',
        crmCallId: 'c2c-000123',
        timeline: ['ringing', 'recording_started', 'ringing', 'answered', 'recording_stopped', 'ended'],
        recordings: ['20261126-124004-1001-1002.wav'],
      },
    ],
  },
  {
    captures: ['actions_misc'],
    pbxId: 'actions-misc',
    calls: [
      { ...inboundAnswered('20261126-124112-+74951234567-74959876543.wav'), hangupBy: 'system' },
      {
        direction: 'outbound',
        status: 'answered',
        callerNumber: '1002',
        receiverNumber: '84957654321',
        answeredByExtension: null,
        assigned: 'bob',
        participants: ['bob'],
        company: 'globex',
        talkSeconds: 6,
        hangupBy: 'system',
        timeline: ANSWERED_STEPS,
        recordings: ['20261126-124113-1002-84957654321.wav'],
      },
      {
        direction: 'internal',
        status: 'failed',
        callerNumber: '1003',
        receiverNumber: '1002',
        answeredByExtension: null,
        assigned: null,
        participants: [],
        company: null,
        talkSeconds: 0,
        timeline: ['ended'],
        recordings: [],
      },
    ],
  },
  {
    captures: ['hold_redirect_bridge'],
    pbxId: 'hold-redirect-bridge',
    calls: [
      {
        ...inboundAnswered('20261126-124130-+74951234567-74959876543.wav'),
        talkSeconds: 7,
        holdSeconds: 5,
        timeline: ['recording_started', 'ringing', 'answered', 'held', 'unheld', 'recording_stopped', 'ended'],
      },
    ],
  },
  {
    captures: ['reconnect_mid_call.part1', 'reconnect_mid_call.part2'],
    pbxId: 'reconnect-mid-call',
    // part1's last read came at 12:42:35.144, part2's connection at 12:42:41.149.
    reconnectDelayMs: 6005,
    calls: [{ ...inboundAnswered('20261126-124234-+74951234567-74959876543.wav'), talkSeconds: 12 }],
  },
  {
    captures: ['inbound_answered.timestamps'],
    pbxId: 'inbound-answered-ts',
    calls: [
      {
        ...inboundAnswered('20261126-124257-+74951234567-74959876543.wav'),
        times: { startedAt: '2026-11-26T12:42:57Z', answeredAt: '2026-11-26T12:42:58Z', endedAt: '2026-11-26T12:43:02Z' },
      },
    ],
  },
  {
    captures: ['blind_transfer_redirect.timestamps'],
    pbxId: 'blind-transfer-ts',
    calls: [
      {
        ...blindTransfer('20261126-124312-+74951234567-74959876543.wav'),
        times: { startedAt: '2026-11-26T12:43:12Z', answeredAt: '2026-11-26T12:43:13Z', endedAt: '2026-11-26T12:43:21Z' },
      },
    ],
  },
];
