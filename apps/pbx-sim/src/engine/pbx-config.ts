import type { DialectName } from './dialect';
import { FREEPBX_LAB_PROFILE, type FreePbxProfile } from './freepbx-dialplan';

/** The simulated PBX's configuration: its SIP peers, DIDs, queues and manager settings. */
export interface ExtensionConfig {
  /** Extension number, also the SIP peer / PJSIP endpoint name (`SIP/1001`, `PJSIP/1001`). */
  number: string;
  /** Caller id name of the phone (`callerid = "Alice Agent" <1001>`). */
  name: string;
  /** An unregistered peer makes Dial fail with CHANUNAVAIL and Originate fail with Reason 0. */
  registered?: boolean;
}

/** Where an incoming DID goes: one extension (`Dial(SIP/ext,timeout,t)`) or a queue. */
export type DidTarget = { extension: string } | { queue: string };

export interface QueueConfig {
  name: string;
  /** Member extensions, rung all at once (strategy ringall). */
  members: string[];
  /** Ring time per attempt before `AgentRingNoAnswer` (queues.conf `timeout`). */
  memberTimeoutMs: number;
  /** Pause between attempts (queues.conf `retry`). */
  retryMs: number;
  /** queues.conf `strategy` (ringall when unset; the simulator rings every member either way). */
  strategy?: 'ringall' | 'rrmemory';
  /** FreePBX queues: members are `Local/<ext>@from-queue/n` (state from the phone), not the phones. */
  localMembers?: boolean;
}

export interface PbxConfig {
  /** Which Asterisk the simulator is: 20 with chan_sip or 22 with chan_pjsip (see dialect.ts). */
  dialect: DialectName;
  /** The extensions.conf it runs; unset = the captures' lab dialplan for these phones, DIDs and dialect. */
  dialplanConf?: string;
  /** A FreePBX-style dialplan next to the lab's (ring groups, follow-me, queues with Local members), or none. */
  freepbx?: FreePbxProfile | null;
  extensions: ExtensionConfig[];
  /** Trunk peer name, `provider` in the captures. */
  trunk: string;
  dids: Record<string, DidTarget>;
  queues: QueueConfig[];
  /** `INBOUND_DIAL_TIMEOUT` global: seconds an incoming DID call rings an extension. */
  inboundDialTimeoutSec: number;
  /** Dial timeout for internal and outbound calls (`Dial(SIP/${EXTEN},60)`). */
  internalDialTimeoutSec: number;
  /** Asterisk's monitor spool as it appears in `MIXMONITOR_FILENAME`. */
  monitorSpool: string;
  /** Where WAV files are written; null writes none (load tests). */
  recordingsPath: string | null;
  /** manager.conf `timestampevents`. */
  timestampEvents: boolean;
  /** Periodic `RTCPSent` every 5 s of media, as chan_sip and chan_pjsip report them. */
  rtcp: boolean;
  /** First channel counter (`SIP/1001-00000000`, Uniqueid `<epoch>.0`). */
  channelCounterStart: number;
  /** First Local channel counter (`Local/1001@from-ringgroup-00000000;1`). */
  localCounterStart?: number;
  /** Parking lot timeout (res_parking `parkingtime`). */
  parkingTimeoutMs: number;
}

/** The lab behind the captures: 1001 Alice, 1002 Bob, 1003 never registered, trunk `provider`. */
export const CAPTURE_LAB_CONFIG: PbxConfig = {
  dialect: 'asterisk20',
  extensions: [
    { number: '1001', name: 'Alice Agent' },
    { number: '1002', name: 'Bob Agent' },
    { number: '1003', name: 'Offline Phone', registered: false },
  ],
  trunk: 'provider',
  dids: { '74959876543': { extension: '1001' }, '74950000000': { queue: 'support' } },
  queues: [{ name: 'support', members: ['1001', '1002'], memberTimeoutMs: 15000, retryMs: 2000 }],
  inboundDialTimeoutSec: 6,
  internalDialTimeoutSec: 60,
  monitorSpool: '/var/spool/asterisk/monitor',
  recordingsPath: null,
  timestampEvents: false,
  rtcp: true,
  channelCounterStart: 0,
  parkingTimeoutMs: 60000,
};

/** The lab of `test/fixtures/ami-fpbx`: the Asterisk 20 lab with the FreePBX-style dialplan included. */
export const CAPTURE_LAB_FPBX_CONFIG: PbxConfig = { ...CAPTURE_LAB_CONFIG, freepbx: FREEPBX_LAB_PROFILE };

/** The Asterisk 22 lab of `test/fixtures/ami22`: the same phones, trunk, DIDs and queue over PJSIP. */
export const CAPTURE_LAB_22_CONFIG: PbxConfig = { ...CAPTURE_LAB_CONFIG, dialect: 'asterisk22' };
