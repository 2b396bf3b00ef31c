import { appendFile } from 'node:fs/promises';
import { callDetail, endedCallsOf, eventually, replayAsPbx, startCallsE2e, type CallsE2e } from './support/calls-e2e';
import { CALL_EVENT_NAMES, type CallEventMessage, type CallRecordingEntry } from '@app/contracts';
import { CallEventBus } from '../apps/server/src/call-events';
import { RecordingLinkerService, RecordingReadinessService } from '../apps/server/src/recordings';
import { recordingsFolder, toneSamples, toneWav, wavHeader, writeFileIn } from './support/recording-files';
import { insertCall } from './support/recording-rows';
import { query } from './support/test-database';

/**
 * Recordings of replayed real captures become files: waited for after the stop (Monitor mixes
 * its legs only after hang-up), measured from the file, or given up on at the deadline.
 */
describe('recording readiness', () => {
  let e2e: CallsE2e;
  let folder: Awaited<ReturnType<typeof recordingsFolder>>;

  beforeAll(async () => {
    folder = await recordingsFolder();
    e2e = await startCallsE2e({ RECORDINGS_PATH: folder.root, RECORDINGS_READY_TIMEOUT: '5s', RECORDINGS_COMPRESSION: 'off' });
  }, 60_000);

  afterAll(async () => {
    await e2e?.close();
    await folder?.remove();
  });

  async function recordingsOf(pbxId: string): Promise<Array<Record<string, unknown>>> {
    return query(e2e.database, `SELECT r.* FROM recordings r JOIN calls c ON c.id = r.call_id WHERE c.pbx_id = $1 ORDER BY r.id`, [pbxId]);
  }

  function settled(pbxId: string, count = 1) {
    return eventually(`${count} settled recording(s) of ${pbxId}`, async () => {
      const rows = await recordingsOf(pbxId);
      return rows.length >= count && rows.every((r) => r.status !== 'pending') ? rows : undefined;
    }, 20_000, 100);
  }

  it("waits for a Monitor recording whose mixed file appears 2 s after hang-up, then measures it", async () => {
    const replay = await replayAsPbx(e2e, 'monitor', ['internal_answered'], { speed: 4 });
    const [call] = await endedCallsOf(e2e, 'monitor', 1);
    const [pending] = await eventually('the linked, stopped recording', async () => {
      const rows = await recordingsOf('monitor');
      return rows.length === 1 && rows[0].stopped_at ? rows : undefined;
    });
    expect(pending).toMatchObject({ file_name: '20261126-123700-1001-1002.wav', source: 'monitor', status: 'pending' });
    await replay.stop();

    // sox mixes the -in/-out legs after the hang-up: the file shows up later, written in two goes.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const audio = toneSamples(48320);
    const path = await writeFileIn(folder.root, '20261126-123700-1001-1002.wav', Buffer.concat([wavHeader(0, { riff: 0, data: 0 }), audio.subarray(0, 20000)]));
    await appendFile(path, audio.subarray(20000));
    expect((await recordingsOf('monitor'))[0].status).toBe('pending');
    await writeFileIn(folder.root, '20261126-123700-1001-1002.wav', Buffer.concat([wavHeader(audio.length), audio]));

    const [ready] = await settled('monitor');
    expect(ready).toMatchObject({ status: 'ready', size_bytes: '48364', duration_seconds: '3.020', format: 'wav', storage: 'local', storage_key: '20261126-123700-1001-1002.wav', status_reason: null });
    const detail = await callDetail(e2e, e2e.alice.token, call.id);
    expect(detail.call.recordingUrl).toBe(`/api/recordings/${ready.id}/stream`);
    expect(detail.recordings).toEqual([
      expect.objectContaining<Partial<CallRecordingEntry>>({ id: String(ready.id), status: 'ready', sizeBytes: 48364, durationSeconds: 3.02, format: 'wav', keep: false, streamUrl: `/api/recordings/${ready.id}/stream` }),
    ]);
  });

  it("recognises the empty 44-byte WAV of an unanswered call (MixMonitor's absolute path)", async () => {
    await writeFileIn(folder.root, '20261126-123730-+74951234567-74959876543.wav', wavHeader(0));
    const replay = await replayAsPbx(e2e, 'unanswered', ['inbound_no_answer'], { speed: 4 });
    const [call] = await endedCallsOf(e2e, 'unanswered', 1);
    await replay.stop();
    const [row] = await settled('unanswered');
    expect(row).toMatchObject({ path: '/var/spool/asterisk/monitor/20261126-123730-+74951234567-74959876543.wav', status: 'empty', size_bytes: '44', duration_seconds: '0.000' });
    expect((await callDetail(e2e, e2e.sue.token, call.id)).call.recordingUrl).toBeNull();
  });

  it('marks a file that never appears missing at the deadline, saying why', async () => {
    const replay = await replayAsPbx(e2e, 'nofile', ['inbound_busy'], { speed: 4 });
    await endedCallsOf(e2e, 'nofile', 1);
    await replay.stop();
    const [row] = await settled('nofile');
    expect(row).toMatchObject({ status: 'missing', status_reason: 'no file appeared at 20261126-123746-+74951234567-74959876543.wav within 5s of the recording\'s stop' });
  });

  it('says when Monitor left only its unmixed legs', async () => {
    await writeFileIn(folder.root, '20261126-123811-1001-84951112233-in.wav', toneWav(1));
    await writeFileIn(folder.root, '20261126-123811-1001-84951112233-out.wav', toneWav(1));
    const replay = await replayAsPbx(e2e, 'legs', ['outbound_answered'], { speed: 4 });
    await endedCallsOf(e2e, 'legs', 1);
    await replay.stop();
    const [row] = await settled('legs');
    expect(row.status).toBe('missing');
    expect(row.status_reason).toMatch(/only the unmixed legs 20261126-123811-1001-84951112233-in\.wav, 20261126-123811-1001-84951112233-out\.wav exist/);
  });

  it.each([
    ['../../etc/passwd', null, /climbs out/],
    ['x.wav', '/etc/passwd', /outside the PBX's monitor directory/],
    ['%2e%2e%2f%2e%2e%2fetc%2fpasswd', null, /URL-encoded/],
    ['x\ufffd.wav', null, /NUL/],
  ])('rejects an unsafe name from the PBX (%j, path %j) without touching the file system', async (file, path, reason) => {
    const callId = await insertCall(e2e.database);
    const [row] = await query<{ id: number }>(
      e2e.database,
      `INSERT INTO recordings (call_id, file_name, path, source, started_at, stopped_at) VALUES ($1, $2, $3, 'mixmonitor', now(), now()) RETURNING id`,
      [callId, file, path],
    );
    await e2e.testApp.app.get(RecordingReadinessService, { strict: false }).sweep();
    const [stored] = await eventually('the rejection', async () => {
      const rows = await query(e2e.database, `SELECT status, status_reason, storage_key FROM recordings WHERE id = $1`, [row.id]);
      return rows[0]?.status === 'rejected' ? rows : undefined;
    });
    expect(stored).toEqual({ status: 'rejected', status_reason: expect.stringMatching(reason), storage_key: null });
  });

  it('links the recordings of a burst in one statement: links gather for RECORDING_LINK_GATHER_MS (250), not the calls\' 40', async () => {
    const callId = await insertCall(e2e.database);
    const linker = e2e.testApp.app.get(RecordingLinkerService, { strict: false });
    const bus = e2e.testApp.app.get(CallEventBus, { strict: false });
    const before = linker.stats.batches;
    const call = { id: String(callId), pbxId: 'rec-test', linkedid: `burst-${callId}` };
    // Ten recordings started 10 ms apart (100 ms in all): two and more statements at a 40 ms window.
    for (let i = 0; i < 10; i++) {
      const message = { name: CALL_EVENT_NAMES.recording_started, payload: { call, at: new Date().toISOString(), dryRun: false, file: `burst-${i}.wav`, path: null, source: 'mixmonitor' } };
      bus.publish(message as unknown as CallEventMessage);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await linker.drain();
    expect(linker.stats.batches - before).toBe(1);
    expect(await query(e2e.database, `SELECT file_name FROM recordings WHERE call_id = $1 ORDER BY file_name`, [callId])).toEqual(
      Array.from({ length: 10 }, (_, i) => ({ file_name: `burst-${i}.wav` })),
    );
  });
});
