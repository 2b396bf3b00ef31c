import { loadCapture, parseCapture } from '../replay/capture';
import { amiFixturePath } from '../protocol/ami-fixtures';
import { AmiMessage } from '../protocol/ami-message';
import { readDeviceState } from './device-state-reader';

const event = (pairs: Record<string, string>, at = 1000): AmiMessage => new AmiMessage(Object.keys(pairs), Object.values(pairs), at);

describe('readDeviceState', () => {
  it('follows a phone through ring, talk and idle in a real capture (ExtensionStatus of its hint)', () => {
    const messages = parseCapture(loadCapture(amiFixturePath('inbound_answered.ami')));
    const reports = messages.map(readDeviceState).filter((r) => r !== null);
    expect(reports.map((r) => `${r.extension}:${r.state}`)).toEqual(['1001:ringing', '1001:in_use', '1001:idle']);
    expect(reports.every((r, i) => i === 0 || r.at >= reports[i - 1].at)).toBe(true);
  });

  it('reads the PJSIP hints of Asterisk 22 the same way', () => {
    const messages = parseCapture(loadCapture(amiFixturePath('pjsip_blind_transfer_action.ami', 'ami22')));
    const reports = messages.map(readDeviceState).filter((r) => r !== null);
    expect(reports[0]).toMatchObject({ extension: '1001', state: 'ringing' });
    expect(new Set(reports.map((r) => r.state))).toEqual(new Set(['ringing', 'in_use', 'idle']));
  });

  it('decodes every ExtensionStatus bit set', () => {
    const state = (status: string) => readDeviceState(event({ Event: 'ExtensionStatus', Exten: '1001', Status: status }))?.state;
    expect(['0', '1', '2', '4', '8', '9', '16', '17', '-1', '-2', 'x'].map(state)).toEqual([
      'idle', 'in_use', 'busy', 'unavailable', 'ringing', 'ringing_in_use', 'on_hold', 'on_hold', 'unknown', 'unknown', 'unknown',
    ]);
  });

  it('reads DeviceStateChange of phone devices only, timed by the Timestamp header when sent', () => {
    const change = (device: string, state: string) => readDeviceState(event({ Event: 'DeviceStateChange', Timestamp: '1795696977.428571', Device: device, State: state }));
    expect(change('PJSIP/1002', 'RINGINUSE')).toEqual({ extension: '1002', state: 'ringing_in_use', at: 1795696977428 });
    expect(change('SIP/1003', 'NOT_INUSE')?.state).toBe('idle');
    expect(change('IAX2/1004', 'INVALID')?.state).toBe('unavailable');
    for (const device of ['SIP/provider', 'Queue:support_avail', 'Custom:DND1001', 'Local/1001@from-internal', 'PJSIP/1001-00000001']) {
      expect(change(device, 'INUSE')).toBeNull();
    }
    expect(change('SIP/1001', 'SOMETHING_NEW')).toBeNull();
  });

  it('ignores other messages and incomplete status events', () => {
    expect(readDeviceState(event({ Event: 'Newchannel', Channel: 'SIP/1001-00000001' }))).toBeNull();
    expect(readDeviceState(event({ Response: 'Success', Status: '1' }))).toBeNull();
    expect(readDeviceState(event({ Event: 'ExtensionStatus', Exten: '1001' }))).toBeNull();
    expect(readDeviceState(event({ Event: 'ExtensionStatus', Status: '1' }))).toBeNull();
  });
});
