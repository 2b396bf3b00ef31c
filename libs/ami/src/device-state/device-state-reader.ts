import type { DeviceState } from '@app/contracts';
import type { AmiMessage } from '../protocol/ami-message';
import { amiEventTime } from '../protocol/ami-events';

/** A phone's state as one AMI event reports it. */
export interface DeviceStateReport {
  /** The hint's extension (`ExtensionStatus`) or the device's peer name (`DeviceStateChange`). */
  extension: string;
  state: DeviceState;
  /** ms since epoch: the event's `Timestamp:` when sent, else its arrival. */
  at: number;
}

/**
 * `ExtensionStatus` Status is a bit set of ast_extension_states: INUSE 1, BUSY 2,
 * UNAVAILABLE 4, RINGING 8, ONHOLD 16 (9 = InUse&Ringing, 17 = InUse&Hold); -1 and -2 mean
 * the hint was removed.
 */
function extensionState(status: number): DeviceState {
  if (!Number.isInteger(status) || status < 0) return 'unknown';
  if (status & 4) return 'unavailable';
  if (status & 8) return status & 1 ? 'ringing_in_use' : 'ringing';
  if (status & 16) return 'on_hold';
  if (status & 2) return 'busy';
  if (status & 1) return 'in_use';
  return 'idle';
}

/** `DeviceStateChange` State: ast_devstate_str names. */
const DEVICE_STATE_NAMES: Readonly<Record<string, DeviceState>> = {
  NOT_INUSE: 'idle',
  INUSE: 'in_use',
  BUSY: 'busy',
  UNAVAILABLE: 'unavailable',
  INVALID: 'unavailable',
  RINGING: 'ringing',
  RINGINUSE: 'ringing_in_use',
  ONHOLD: 'on_hold',
  UNKNOWN: 'unknown',
};

/** Devices that are phones: SIP/PJSIP/IAX2 peers named by digits (trunks are named after their provider). */
const PHONE_DEVICE = /^(?:SIP|PJSIP|IAX2)\/(\d+)$/;

/**
 * The phone state an AMI event reports, or null for any other message. Asterisk reports a
 * change twice when the manager user may read both: `ExtensionStatus` for the hint and
 * `DeviceStateChange` for the device; the caller keeps the latest state per extension.
 */
export function readDeviceState(msg: AmiMessage): DeviceStateReport | null {
  if (msg.kind !== 'event') return null;
  if (msg.name === 'ExtensionStatus') {
    const extension = msg.get('Exten');
    const status = msg.get('Status');
    if (!extension || status === undefined || status.trim() === '') return null;
    return { extension, state: extensionState(Number(status)), at: amiEventTime(msg) };
  }
  if (msg.name === 'DeviceStateChange') {
    const device = PHONE_DEVICE.exec(msg.get('Device') ?? '');
    const state = DEVICE_STATE_NAMES[msg.get('State') ?? ''];
    if (!device || !state) return null;
    return { extension: device[1], state, at: amiEventTime(msg) };
  }
  return null;
}
