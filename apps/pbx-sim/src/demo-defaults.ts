import { type ExtensionConfig, type PbxConfig, type QueueConfig, type DidTarget, CAPTURE_LAB_CONFIG } from './engine/pbx-config';
import { STEADY_PROFILE } from './traffic/traffic-profile';
import type { FreePbxProfile } from './engine/freepbx-dialplan';

/** The demo office: five phones, one of them a supervisor. */
export const DEMO_EXTENSIONS: ExtensionConfig[] = [
  { number: '1001', name: 'Alice Agent' },
  { number: '1002', name: 'Bob Agent' },
  { number: '1003', name: 'Carol Agent' },
  { number: '1004', name: 'Dave Agent' },
  { number: '1005', name: 'Eve Supervisor' },
];

/**
 * Numbers the demo's callers use. `+74951234567` and `+74957654321` are the
 * captures' callers; give demo companies these numbers (any formatting) so incoming
 * demo calls are matched to a company.
 */
export const DEMO_EXTERNAL_NUMBERS: string[] = [...STEADY_PROFILE.externalNumbers];

/** One DID per agent (74959876543 -> 1001 as in the captures) and the support queue's DID. */
export const DEMO_DIDS: Record<string, DidTarget> = {
  '74959876543': { extension: '1001' },
  '74959876544': { extension: '1002' },
  '74959876545': { extension: '1003' },
  '74959876546': { extension: '1004' },
  '74950000000': { queue: 'support' },
};

export const DEMO_QUEUES: QueueConfig[] = [{ name: 'support', members: ['1001', '1002', '1003'], memberTimeoutMs: 15000, retryMs: 2000 }];

/** The dialplans the demo's simulator can run: the captures' lab, or the lab with a FreePBX-style office on top. */
export const DIALPLAN_NAMES = ['lab', 'freepbx'] as const;
export type DialplanName = (typeof DIALPLAN_NAMES)[number];

export function isDialplanName(value: unknown): value is DialplanName {
  return typeof value === 'string' && (DIALPLAN_NAMES as readonly string[]).includes(value);
}

/** Names the FreePBX profile's CID lookup gives the demo's callers (the companies a CRM would know them as). */
export const DEMO_CALLER_NAMES: Record<string, string> = {
  '+74951234567': 'Romashka LLC',
  '+74957654321': 'Vektor Logistics',
  '+74951112233': 'Sever Bank',
  '+78123334455': 'Neva Trading House',
  '+74993332211': 'Orbita Media',
};

/**
 * The demo office as FreePBX would run it, for these extensions: ring group 600 (ringall)
 * and 601 (hunt) over the first three, follow-me of the fourth to the fifth, queue 700 with
 * the first three as Local members, each on its own DID (74959876600/601/610/700).
 */
export function demoFreepbxProfile(extensions: string[]): FreePbxProfile {
  const team = extensions.slice(0, 3);
  const [owner, follower] = extensions.length >= 5 ? [extensions[3], extensions[4]] : [extensions[0], extensions[1] ?? extensions[0]];
  return {
    routes: [
      { did: '74959876600', destination: { ringGroup: '600' }, recording: 'dontcare' },
      { did: '74959876601', destination: { ringGroup: '601' }, recording: 'force' },
      { did: '74959876610', destination: { followMe: owner }, recording: 'force' },
      { did: '74959876700', destination: { queue: '700' }, recording: 'dontcare' },
    ],
    ringGroups: [
      { number: '600', strategy: 'ringall', members: team, ringSec: [20], recording: 'force' },
      { number: '601', strategy: 'hunt', members: team, ringSec: team.map((_, i) => (i === team.length - 1 ? 15 : 6)), recording: 'dontcare' },
    ],
    followMe: [{ extension: owner, preringSec: 6, list: [follower], listSec: 15 }],
    queues: [{ number: '700', strategy: 'ringall', members: team, timeoutSec: 15, retrySec: 2 }],
    callerNames: DEMO_CALLER_NAMES,
  };
}

export const DEMO_AMI_USER = { username: 'crm_manager', secret: 'crm_secret' };

/**
 * The demo PBX: the captures' dialplan and manager dialect with the demo office's phones;
 * `dialplan: 'freepbx'` adds the FreePBX-style office for its extensions.
 */
export function demoPbxConfig(overrides: Partial<PbxConfig> = {}, dialplan: DialplanName = 'lab'): PbxConfig {
  const config: PbxConfig = {
    ...CAPTURE_LAB_CONFIG,
    extensions: DEMO_EXTENSIONS,
    dids: DEMO_DIDS,
    queues: DEMO_QUEUES,
    inboundDialTimeoutSec: 20,
    recordingsPath: process.env.RECORDINGS_PATH || './.data/recordings',
    ...overrides,
  };
  if (dialplan === 'freepbx' && !config.freepbx) config.freepbx = demoFreepbxProfile(config.extensions.filter((x) => x.registered !== false).map((x) => x.number));
  return config;
}
