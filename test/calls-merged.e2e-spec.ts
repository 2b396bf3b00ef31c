import { CallIngestService } from '../apps/server/src/call-ingest';
import { attendedTransferWithConsultationCall, runScript } from '@app/ami/testing';
import { callDetail, listCalls, startCallsE2e, type CallsE2e } from './support/calls-e2e';

/**
 * A leg the tracker joins into another call after reporting it (the phone-side consultation
 * call of an attended transfer ends `merged`) is never a row of its own: not in history, not
 * in the CSV export, not in the statistics; its steps go to the call it joined.
 */
describe('a call merged into another', () => {
  let e2e: CallsE2e;

  beforeAll(async () => {
    e2e = await startCallsE2e();
  }, 60_000);

  afterAll(() => e2e?.close());

  it('leaves one call in history, CSV and statistics, with the consultation steps in its timeline', async () => {
    const { s, caller } = attendedTransferWithConsultationCall();
    const { events } = runScript(s);
    const consult = events.find((e) => e.type === 'ended' && e.call.endReason === 'merged');
    expect(consult).toBeDefined();

    const ingest = e2e.testApp.app.get(CallIngestService, { strict: false });
    for (const event of events) ingest.handle(event);
    await ingest.drain();

    const token = e2e.sue.token;
    const calls = await listCalls(e2e, token);
    expect(calls.map((c) => c.linkedid)).toEqual([caller.uniqueid]);
    const csv = await e2e.testApp.http().get('/api/calls').query({ format: 'csv', limit: '200' }).set('Authorization', `Bearer ${token}`).expect(200);
    expect(csv.text.trim().split('\n')).toHaveLength(2);
    const stats = await e2e.testApp.http().get('/api/stats').query({ from: '2000-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z' }).set('Authorization', `Bearer ${token}`).expect(200);
    expect(stats.body.totals).toMatchObject({ calls: 1, answered: 1 });

    const detail = await callDetail(e2e, token, calls[0].id);
    expect(detail.call).toMatchObject({ status: 'answered', direction: 'inbound', callerNumber: '+74951234567' });
    // 1002 rang and answered on the consultation leg: those steps belong to the call.
    expect(detail.timeline.filter((step) => step.type === 'answered').map((step) => (step.data as { extension: string }).extension)).toEqual(['1001', '1002']);
    expect(detail.timeline.filter((step) => step.type === 'ended')).toHaveLength(1);
  });
});
