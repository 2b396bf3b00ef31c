/**
 * The manager dialect the simulator speaks: Asterisk 20 with chan_sip (the captures in
 * `test/fixtures/ami`) or Asterisk 22 with chan_pjsip (`test/fixtures/ami22`, whose README
 * lists every difference; each field below names the one it stands for).
 */
export const DIALECT_NAMES = ['asterisk20', 'asterisk22'] as const;
export type DialectName = (typeof DIALECT_NAMES)[number];

export interface Dialect {
  readonly name: DialectName;
  /** First line of every AMI connection. */
  readonly greeting: string;
  /** `core show version`. */
  readonly version: string;
  /** Channel technology of the phones and the trunk: `SIP/1001-00000000` or `PJSIP/1001-00000000`. */
  readonly tech: 'SIP' | 'PJSIP';
  /**
   * chan_sip sends `Newchannel` in state 0 (Down) and then `Newstate` 4 for a call it
   * receives; chan_pjsip creates the channel already in state 4 (Ring).
   */
  readonly incomingBornRinging: boolean;
  /** chan_sip sets SIPURI and SIPCALLID on its channels; chan_pjsip neither (SIPDOMAIN stays). */
  readonly sipChannelVariables: boolean;
  /** `TechCause` (the SIP status) on Hangup/HangupRequest/SoftHangupRequest when a SIP failure status is involved. */
  readonly techCause: boolean;
  /**
   * chan_sip: the endpoint that sends BYE reports its RTP summaries, then its peer's
   * (each mirrored as `...BRIDGED`), and a channel Asterisk hangs up reports a final
   * RTPAUDIOQOS. chan_pjsip: every channel reports its own five summaries once, when its
   * media stops (mirrored only while it is still bridged).
   */
  readonly rtp: 'chan_sip' | 'pjsip';
  /**
   * The lab dialplan's recording: app_macro (Monitor for internal and outbound calls,
   * MixMonitor for DIDs) on 20; `Gosub(sub-recording)` with MixMonitor everywhere on 22
   * (Asterisk 21 removed app_macro and Monitor).
   */
  readonly labRecording: 'macro' | 'gosub';
  /**
   * The caller sends CANCEL while its Dial rings (an abandoned call): chan_sip reports no
   * `Cause` on its HangupRequest and ends it with Cause 0; chan_pjsip says Cause 127
   * (TechCause 487); app_dial passes the caller's cause on to the cancelled legs (a SIP leg
   * given 0 reports 16; 127 becomes TechCause 500).
   */
  readonly cancel: { requestCause: number | null; callerCause: number; techCause: number };
  /** chan_pjsip reports the callee's HangupRequest (Cause 17, TechCause 486) before `DialEnd BUSY`; chan_sip none. */
  readonly rejectHangupRequest: boolean;
  /**
   * When a dialed leg fails or is cancelled, Asterisk 20 reports its `Hangup` right after
   * its `DialEnd`; Asterisk 22 only just before the caller's own end (after the caller's
   * DIALSTATUS and SoftHangupRequest), or once the caller's dialplan has moved on.
   */
  readonly deferredLegHangup: boolean;
  /**
   * A BYE's HangupRequest carries `Cause: 16`: chan_pjsip always queues the hangup with a
   * cause; chan_sip only for a channel in a Dial's bridge (none after the Bridge action).
   */
  readonly byeAlwaysHasCause: boolean;
  /** Manager actions and dialplan applications this version no longer has (Asterisk 21 removed chan_sip, res_monitor, app_macro). */
  readonly removed: { actions: readonly string[]; applications: readonly string[] };
  /** SIP Call-IDs Asterisk makes for the calls it places: chan_sip `<hex>@127.0.0.1:5060`, PJSIP a UUID. */
  readonly localCallId: 'hex' | 'uuid';
}

export const DIALECTS: Record<DialectName, Dialect> = {
  asterisk20: {
    name: 'asterisk20',
    greeting: 'Asterisk Call Manager/9.0.0',
    version: 'Asterisk 20.20.1',
    tech: 'SIP',
    incomingBornRinging: false,
    sipChannelVariables: true,
    techCause: false,
    rtp: 'chan_sip',
    labRecording: 'macro',
    cancel: { requestCause: null, callerCause: 0, techCause: 0 },
    rejectHangupRequest: false,
    deferredLegHangup: false,
    byeAlwaysHasCause: false,
    removed: { actions: [], applications: [] },
    localCallId: 'hex',
  },
  asterisk22: {
    name: 'asterisk22',
    greeting: 'Asterisk Call Manager/11.0.0',
    version: 'Asterisk 22.10.1',
    tech: 'PJSIP',
    incomingBornRinging: true,
    sipChannelVariables: false,
    techCause: true,
    rtp: 'pjsip',
    labRecording: 'gosub',
    cancel: { requestCause: 127, callerCause: 127, techCause: 487 },
    rejectHangupRequest: true,
    deferredLegHangup: true,
    byeAlwaysHasCause: true,
    removed: { actions: ['SIPpeers', 'Monitor', 'StopMonitor'], applications: ['Macro', 'Monitor'] },
    localCallId: 'uuid',
  },
};

export function isDialectName(value: unknown): value is DialectName {
  return typeof value === 'string' && (DIALECT_NAMES as readonly string[]).includes(value);
}

/**
 * chan_pjsip's hangup_cause2sip: the SIP status a channel hung up with `cause` answers or
 * ends with (TechCause); 0 where the cause maps to none (16 Normal Clearing: a plain BYE).
 */
export function causeToSipStatus(cause: number): number {
  switch (cause) {
    case 1:
    case 2:
    case 3:
      return 404;
    case 17:
      return 486;
    case 18:
      return 408;
    case 19:
    case 20:
    case 31:
      return 480;
    case 21:
      return 403;
    case 22:
      return 410;
    case 27:
      return 502;
    case 28:
      return 484;
    case 29:
      return 501;
    case 34:
    case 42:
      return 503;
    case 58:
      return 488;
    case 38:
    case 127:
      return 500;
    default:
      return 0;
  }
}
