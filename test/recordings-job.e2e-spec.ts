import { access, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import S3rver from 's3rver';
import { MediaTools } from '../apps/server/src/recordings/files/media-tools';
import { RecordingsJobService, RecordingsMetrics } from '../apps/server/src/recordings';
import { RecordingStores } from '../apps/server/src/recordings/storage/recording-stores';
import { eventually, startCallsE2e, type CallsE2e } from './support/calls-e2e';
import { bytes, recordingsFolder, toneWav, wavHeader, writeFileIn } from './support/recording-files';
import { insertCall, insertRecording } from './support/recording-rows';
import { query } from './support/test-database';

const exists = (path: string) => access(path).then(() => true, () => false);

/** Runs the job until `done` holds (a run the app began on its own may predate the test's rows). */
async function runJobUntil(e2e: CallsE2e, what: string, done: () => Promise<boolean>): Promise<void> {
  const job = e2e.testApp.app.get(RecordingsJobService, { strict: false });
  await eventually(what, async () => {
    await job.runOnce();
    return done();
  }, 30_000, 100);
}

async function recording(e2e: CallsE2e, id: number): Promise<Record<string, unknown>> {
  const [row] = await query(e2e.database, `SELECT * FROM recordings WHERE id = $1`, [id]);
  return row;
}

describe('recordings job: compression, retention', () => {
  let e2e: CallsE2e;
  let folder: Awaited<ReturnType<typeof recordingsFolder>>;

  beforeAll(async () => {
    folder = await recordingsFolder();
    e2e = await startCallsE2e({ RECORDINGS_PATH: folder.root, RECORDINGS_COMPRESSION: 'opus', RECORDINGS_COMPRESS_AFTER: '0', RECORDINGS_RETENTION_DAYS: '30' });
  }, 60_000);

  afterAll(async () => {
    await e2e?.close();
    await folder?.remove();
  });

  it('compresses a finished WAV to Opus keeping its duration, then removes the original', async () => {
    const wav = toneWav(5.25);
    await writeFileIn(folder.root, 'day/long.wav', wav);
    const call = await insertCall(e2e.database, { participants: [e2e.alice.id] });
    const id = await insertRecording(e2e.database, call, { key: 'day/long.wav', size: wav.length, duration: 5.25, startedAt: new Date().toISOString() });
    await runJobUntil(e2e, 'the compression', async () => (await recording(e2e, id)).format === 'opus');

    const row = await recording(e2e, id);
    expect(row).toMatchObject({ status: 'ready', storage_key: 'day/long.opus', original_format: 'wav', original_size_bytes: String(wav.length), duration_seconds: '5.250', job_failures: 0 });
    expect(Number(row.size_bytes)).toBeLessThan(wav.length / 8);
    expect(await exists(join(folder.root, 'day/long.wav'))).toBe(false);
    const probe = await new MediaTools().probe(join(folder.root, 'day/long.opus'));
    expect(probe.codec).toBe('opus');
    expect(Math.abs(probe.durationSeconds! - 5.25)).toBeLessThanOrEqual(0.1);

    const res = await bytes(e2e.testApp.http().get(`/api/recordings/${id}/stream`)).set('Authorization', `Bearer ${e2e.alice.token}`).set('Range', 'bytes=0-3').expect(206);
    expect(res.headers['content-type']).toBe('audio/ogg; codecs=opus');
    expect((res.body as Buffer).toString('latin1')).toBe('OggS');
    const metrics = await e2e.testApp.app.get(RecordingsMetrics, { strict: false }).registry.getSingleMetricAsString('crm_recordings_compressed_total');
    expect(metrics).toMatch(/crm_recordings_compressed_total [1-9]/);
  });

  it('keeps the original when the result is not verified, and gives up after three tries', async () => {
    // The header promises 10 s, the file holds 1 s: the encoder's output lasts 1 s, not 10.
    const broken = Buffer.concat([wavHeader(160000), toneWav(1).subarray(44)]);
    await writeFileIn(folder.root, 'broken.wav', broken);
    const call = await insertCall(e2e.database, { participants: [e2e.alice.id] });
    const id = await insertRecording(e2e.database, call, { key: 'broken.wav', size: broken.length, duration: 10, startedAt: new Date().toISOString() });
    await runJobUntil(e2e, 'three failed compressions', async () => Number((await recording(e2e, id)).job_failures) >= 3);
    const row = await recording(e2e, id);
    expect(row).toMatchObject({ format: 'wav', storage_key: 'broken.wav', compressed_at: null, job_failures: 3 });
    expect(row.status_reason).toMatch(/^compression failed: the encoded file lasts 1\.0\d\d s, the original 10\.000 s/);
    expect(await readFile(join(folder.root, 'broken.wav'))).toEqual(broken);
    expect(await exists(join(folder.root, 'broken.opus'))).toBe(false);
  });

  it('deletes files past RECORDINGS_RETENTION_DAYS and marks their rows, sparing kept and recent ones', async () => {
    const call = await insertCall(e2e.database, { participants: [e2e.alice.id], startedAt: '2020-01-01T10:00:00Z' });
    const files = ['old.opus', 'kept.opus', 'recent.opus'];
    for (const file of files) await writeFile(join(folder.root, file), 'OggS');
    const old = await insertRecording(e2e.database, call, { key: 'old.opus', format: 'opus', startedAt: '2020-01-01T10:00:00Z' });
    const kept = await insertRecording(e2e.database, call, { key: 'kept.opus', format: 'opus', startedAt: '2020-01-01T10:00:00Z' });
    await query(e2e.database, `UPDATE recordings SET keep = true WHERE id = $1`, [kept]);
    const recent = await insertRecording(e2e.database, call, { key: 'recent.opus', format: 'opus', startedAt: new Date(Date.now() - 29 * 86400_000).toISOString() });
    await runJobUntil(e2e, 'the retention', async () => (await recording(e2e, old)).status === 'deleted');
    expect(await recording(e2e, old)).toMatchObject({ status: 'deleted', deleted_at: expect.any(Date) });
    expect((await recording(e2e, kept)).status).toBe('ready');
    expect((await recording(e2e, recent)).status).toBe('ready');
    expect(await Promise.all(files.map((f) => exists(join(folder.root, f))))).toEqual([false, true, true]);
    const res = await e2e.testApp.http().get(`/api/recordings/${old}/stream`).set('Authorization', `Bearer ${e2e.alice.token}`).expect(404);
    expect(res.body.message).toBe(`Recording ${old} cannot be played: its file was deleted by the retention policy`);
  });
});

describe('recordings in S3-compatible object storage (s3rver on this machine)', () => {
  let e2e: CallsE2e;
  let folder: Awaited<ReturnType<typeof recordingsFolder>>;
  let s3: S3rver;

  beforeAll(async () => {
    folder = await recordingsFolder();
    s3 = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: join(folder.outside, 's3'), configureBuckets: [{ name: 'crm-recordings', configs: [] }] });
    const { port } = await s3.run();
    e2e = await startCallsE2e({
      RECORDINGS_PATH: folder.root,
      RECORDINGS_COMPRESSION: 'off',
      RECORDINGS_S3_BUCKET: 'crm-recordings',
      RECORDINGS_S3_ENDPOINT: `http://127.0.0.1:${port}`,
      RECORDINGS_S3_FORCE_PATH_STYLE: 'true',
      RECORDINGS_S3_ACCESS_KEY_ID: 'S3RVER',
      RECORDINGS_S3_SECRET_ACCESS_KEY: 'S3RVER',
      RECORDINGS_S3_PREFIX: 'calls/',
    });
  }, 60_000);

  afterAll(async () => {
    await e2e?.close();
    await s3?.close();
    await folder?.remove();
  });

  it('uploads a ready recording, removes the local file, and streams it back with Range', async () => {
    const wav = toneWav(3, 500);
    await writeFileIn(folder.root, '2026/11/26/up.wav', wav);
    const call = await insertCall(e2e.database, { participants: [e2e.bob.id] });
    const id = await insertRecording(e2e.database, call, { key: '2026/11/26/up.wav', size: wav.length, duration: 3 });
    await runJobUntil(e2e, 'the upload', async () => (await recording(e2e, id)).storage === 's3');
    expect(await exists(join(folder.root, '2026/11/26/up.wav'))).toBe(false);
    const stored = await e2e.testApp.app.get(RecordingStores, { strict: false }).s3!.stat('2026/11/26/up.wav');
    expect(stored?.size).toBe(wav.length);

    const http = () => e2e.testApp.http();
    const auth = { Authorization: `Bearer ${e2e.bob.token}` };
    const full = await bytes(http().get(`/api/recordings/${id}/stream`)).set(auth).expect(200);
    expect((full.body as Buffer).equals(wav)).toBe(true);
    for (const [range, start, end] of [['bytes=100-199', 100, 199], ['bytes=-44', wav.length - 44, wav.length - 1], ['bytes=40000-', 40000, wav.length - 1]] as const) {
      const part = await bytes(http().get(`/api/recordings/${id}/stream`)).set(auth).set('Range', range).expect(206);
      expect(part.headers['content-range']).toBe(`bytes ${start}-${end}/${wav.length}`);
      expect((part.body as Buffer).equals(wav.subarray(start, end + 1))).toBe(true);
    }
    const multi = await bytes(http().get(`/api/recordings/${id}/stream`)).set(auth).set('Range', 'bytes=0-9,20-29').expect(206);
    expect((multi.body as Buffer).toString('latin1')).toContain(wav.subarray(20, 30).toString('latin1'));
    await http().get(`/api/recordings/${id}/stream`).set(auth).set('Range', `bytes=${wav.length}-`).expect(416);

    const { url } = (await http().get(`/api/recordings/${id}/url`).set(auth).expect(200)).body as { url: string };
    expect(((await bytes(http().get(url)).set('Range', 'bytes=0-43').expect(206)).body as Buffer).equals(wav.subarray(0, 44))).toBe(true);
  });
});
