import { type ExtensionConfig, type PbxConfig, type QueueConfig, type DidTarget, CAPTURE_LAB_CONFIG } from './engine/pbx-config';
import { STEADY_PROFILE } from './traffic/traffic-profile';

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

export const DEMO_AMI_USER = { username: 'crm_manager', secret: 'crm_secret' };

/** The demo PBX: the captures' dialplan and manager dialect with the demo office's phones. */
export function demoPbxConfig(overrides: Partial<PbxConfig> = {}): PbxConfig {
  return {
    ...CAPTURE_LAB_CONFIG,
    extensions: DEMO_EXTENSIONS,
    dids: DEMO_DIDS,
    queues: DEMO_QUEUES,
    inboundDialTimeoutSec: 20,
    recordingsPath: process.env.RECORDINGS_PATH || './.data/recordings',
    ...overrides,
  };
}
