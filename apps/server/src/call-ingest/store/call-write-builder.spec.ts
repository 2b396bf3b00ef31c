import type { CallTrackerEvent } from '@app/ami';
import { makeCallRecord } from '../testing/call-record-factory';
import { buildCallWrite, type CallDirectoryView } from './call-write-builder';

const directory: CallDirectoryView = {
  // alice = user 7, bob = user 9, ACME = company 3
  userOf: (ext) => ({ '1001': '7', '1002': '9' })[ext] ?? null,
  companyOf: (n) => (n === '+74951234567' ? '3' : null),
  normalize: (raw) => {
    const digits = raw.replace(/\D/g, '');
    if (digits.length === 11 && /^[78]/.test(digits)) return `+7${digits.slice(1)}`;
    return digits.length > 0 ? digits : null;
  },
};
const options = { writer: 'spec' };
const t0 = Date.parse('2026-11-26T12:37:15.262Z');

describe('buildCallWrite', () => {
  it('writes a ringing inbound call keyed by pbx and first linkedid, with its company', () => {
    const call = makeCallRecord({ linkedid: '1795696635.9', linkedids: ['1795696635.2', '1795696635.9'] });
    const event: CallTrackerEvent = { type: 'ringing', at: t0 + 120, call, extension: '1001', channel: 'SIP/1001-00000003' };
    const write = buildCallWrite(event, 0, directory, options);
    expect(write.key).toBe('pbx-1\u00001795696635.2');
    expect(write.row).toMatchObject({
      linkedid: '1795696635.2',
      status: 'ringing',
      direction: 'inbound',
      caller_number: '+74951234567',
      receiver_number: '74959876543',
      did: '74959876543',
      external_number: '+74951234567',
      caller_company_id: 3,
      assigned_user_id: 7,
      participant_user_ids: [7],
      ended_at: null,
      last_event_at: new Date(t0 + 120),
      event_seq: 0,
    });
    expect(write.timeline).toEqual({
      type: 'ringing',
      occurredAt: t0 + 120,
      seq: 0,
      data: { extension: '1001', channel: 'SIP/1001-00000003', userId: '7' },
      dedupeKey: `ringing:${t0 + 120}:SIP/1001-00000003`,
    });
  });

  it('looks up the dialled number of an outbound call and leaves internal calls without one', () => {
    const outbound = makeCallRecord({ direction: 'outbound', caller: '1001', callee: '84951234567', ringingExtensions: [] });
    const w = buildCallWrite({ type: 'ringing', at: t0, call: outbound, extension: null, channel: 'SIP/provider-0000000b' }, 0, directory, options);
    expect(w.row).toMatchObject({ external_number: '+74951234567', caller_company_id: 3, did: null, assigned_user_id: 7, participant_user_ids: [7] });

    const internal = makeCallRecord({ direction: 'internal', caller: '1001', callee: '1002', ringingExtensions: ['1002'] });
    const wi = buildCallWrite({ type: 'ringing', at: t0, call: internal, extension: '1002', channel: 'SIP/1002-00000001' }, 0, directory, options);
    expect(wi.row).toMatchObject({ external_number: null, caller_company_id: null, assigned_user_id: 9, participant_user_ids: [7, 9] });
  });

  it('rounds seconds and keeps the end time', () => {
    const call = makeCallRecord({
      status: 'answered',
      ended: true,
      answeredBy: '1001',
      agents: ['1001'],
      answeredAt: t0 + 1000,
      endedAt: t0 + 6530,
      ringSeconds: 1.01,
      talkSeconds: 5.53,
      holdSeconds: 0,
      hangupBy: 'callee',
      hangupCause: 16,
      recordings: [{ file: 'a b.wav', path: '/var/spool/asterisk/monitor/a b.wav', source: 'mixmonitor', startedAt: t0, stoppedAt: null }],
    });
    const write = buildCallWrite({ type: 'ended', at: t0 + 6531, call }, 4, directory, options);
    expect(write.row).toMatchObject({ talk_seconds: 6, duration: 6, ring_seconds: 1, ended_at: new Date(t0 + 6530), hangup_by: 'callee', hangup_cause: 16 });
    expect(write.timeline.data).toMatchObject({ status: 'answered', hangupBy: 'callee', talkSeconds: 6, agents: ['1001'] });
  });

  it('names both users of a transfer in the timeline', () => {
    const call = makeCallRecord({ status: 'answered', agents: ['1001', '1002'] });
    const transfer = { kind: 'blind' as const, from: '1001', to: '1002', at: t0 + 4000 };
    const write = buildCallWrite({ type: 'transferred', at: t0 + 4000, call, transfer }, 3, directory, options);
    expect(write.timeline.data).toEqual({ kind: 'blind', from: '1001', to: '1002', fromUserId: '7', toUserId: '9' });
    expect(write.row.assigned_user_id).toBe(9);
    expect(write.row.participant_user_ids).toEqual([7, 9]);
    expect(write.timeline.dedupeKey).toBe(`transferred:${t0 + 4000}:1001>1002`);
  });

  it('leaves recording_url to the recordings context (it fills it once the file is ready)', () => {
    const call = makeCallRecord({ recordings: [{ file: 'x.wav', path: null, source: 'monitor', startedAt: t0, stoppedAt: null }] });
    const recording = call.recordings[0];
    const write = buildCallWrite({ type: 'recording_started', at: t0, call, recording }, 1, directory, options);
    expect(write.row).not.toHaveProperty('recording_url');
    expect(write.timeline.data).toEqual({ file: 'x.wav', path: null, source: 'monitor' });
  });
});

describe('buildCallWrite column limits', () => {
  it('cuts overlong PBX values to the column widths and hashes a long dedupe discriminator', () => {
    const file = `${'x'.repeat(300)}.wav`;
    const call = makeCallRecord({
      callerName: 'N'.repeat(150),
      caller: '9'.repeat(80),
      recordings: [{ file, path: `/${'p'.repeat(1100)}`, source: 'monitor', startedAt: t0, stoppedAt: null }],
    });
    const write = buildCallWrite({ type: 'recording_started', at: t0, call, recording: call.recordings[0] }, 1, directory, options);
    expect(write.row.caller_name).toHaveLength(100);
    expect(write.row.caller_number).toHaveLength(64);
    expect(write.timeline.dedupeKey.length).toBeLessThanOrEqual(128);
    const again = buildCallWrite({ type: 'recording_started', at: t0, call, recording: call.recordings[0] }, 1, directory, options);
    expect(again.timeline.dedupeKey).toBe(write.timeline.dedupeKey);
  });
});
