import { loadCapture, parseCapture } from '../replay/capture';
import { amiFixturePath } from './ami-fixtures';
import { amiEventTime, amiValue, isAmiEvent, isKnownAmiEventName, toAmiEvent } from './ami-events';
import { AmiMessage } from './ami-message';

const messages = (name: string): AmiMessage[] => parseCapture(loadCapture(amiFixturePath(name)));

describe('typed AMI events', () => {
  it('types the originated leg`s DialBegin, which has only Dest* keys', () => {
    const dialBegin = messages('originate_click_to_call.ami').find((m) => m.name === 'DialBegin')!;
    expect(isAmiEvent(dialBegin, 'DialBegin')).toBe(true);
    const event = toAmiEvent(dialBegin);
    expect(event).toMatchObject({ Event: 'DialBegin', DestChannel: 'SIP/1001-00000017', DestUniqueid: '1795696803.25', DialString: '1001' });
    expect(event && 'Channel' in event).toBe(false);
  });

  it('keeps both spellings of the bridge id, and OriginateResponse as an event', () => {
    const all = messages('actions_misc.ami');
    expect(toAmiEvent(all.find((m) => m.name === 'CoreShowChannel')!)).toHaveProperty('BridgeId');
    expect(toAmiEvent(all.find((m) => m.name === 'Status')!)).toHaveProperty('BridgeID');
    const failed = all.find((m) => m.name === 'OriginateResponse')!;
    expect(toAmiEvent(failed)).toMatchObject({ Event: 'OriginateResponse', Response: 'Failure', Uniqueid: '<unknown>' });
    expect(amiValue(failed.get('Uniqueid'))).toBeUndefined();
  });

  it('passes unknown events and non-events by', () => {
    const all = messages('inbound_answered.ami');
    expect(toAmiEvent(all.find((m) => m.name === 'QueueMemberStatus')!)).toBeUndefined();
    expect(toAmiEvent(all.find((m) => m.kind === 'response')!)).toBeUndefined();
    expect(isKnownAmiEventName('QueueMemberStatus')).toBe(false);
    expect(isKnownAmiEventName('Hangup')).toBe(true);
  });

  it('times an event by its Timestamp header when there is one, else by arrival', () => {
    const stamped = messages('inbound_answered.timestamps.ami').find((m) => m.name === 'Newchannel')!;
    expect(amiEventTime(stamped)).toBe(1795696977428);
    const plain = messages('inbound_answered.ami').find((m) => m.name === 'Newchannel')!;
    expect(amiEventTime(plain)).toBe(plain.receivedAt);
    const junk = new AmiMessage(['Event', 'Privilege', 'Timestamp'], ['Hangup', 'call,all', 'soon'], 42);
    expect(amiEventTime(junk)).toBe(42);
  });
});
