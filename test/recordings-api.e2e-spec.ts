import { symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Response } from 'supertest';
import { SignedUrls } from '../apps/server/src/auth';
import { startCallsE2e, type CallsE2e } from './support/calls-e2e';
import { bytes, recordingsFolder, toneWav, writeFileIn } from './support/recording-files';
import { insertCall, insertRecording } from './support/recording-rows';
import { query } from './support/test-database';
import { expectErrorShape } from './support/test-app';

/** The JSON error body of a response read as bytes. */
function errorBody(res: Response): Record<string, unknown> {
  return JSON.parse((res.body as Buffer).toString('utf8')) as Record<string, unknown>;
}


describe('recordings API: streaming with Range, signed URLs, access, untrusted names', () => {
  let e2e: CallsE2e;
  let folder: Awaited<ReturnType<typeof recordingsFolder>>;
  const audio = toneWav(2);
  let aliceCall: number;
  let bobCall: number;
  let aliceRec: number;
  let bobRec: number;

  beforeAll(async () => {
    folder = await recordingsFolder();
    // What the traversal attempts aim at, just outside the recordings folder.
    await writeFile(join(folder.outside, 'outside.wav'), toneWav(0.1));
    e2e = await startCallsE2e({ RECORDINGS_PATH: folder.root, RECORDINGS_COMPRESSION: 'off' });
    await writeFileIn(folder.root, '2026/11/26/alice.wav', audio);
    await writeFileIn(folder.root, 'bob.wav', toneWav(1, 660));
    aliceCall = await insertCall(e2e.database, { participants: [e2e.alice.id], assigned: e2e.alice.id, startedAt: '2026-11-26T12:37:15Z' });
    bobCall = await insertCall(e2e.database, { participants: [e2e.bob.id], assigned: e2e.bob.id, startedAt: '2026-11-27T09:00:00Z' });
    aliceRec = await insertRecording(e2e.database, aliceCall, { key: '2026/11/26/alice.wav', size: audio.length, duration: 2, startedAt: '2026-11-26T12:37:16Z' });
    bobRec = await insertRecording(e2e.database, bobCall, { key: 'bob.wav', size: 16044, duration: 1, startedAt: '2026-11-27T09:00:01Z' });
  }, 60_000);

  afterAll(async () => {
    await e2e?.close();
    await folder?.remove();
  });

  const http = () => e2e.testApp.http();
  const stream = (id: number, token: string | null = e2e.alice.token) => {
    const test = bytes(http().get(`/api/recordings/${id}/stream`));
    return token ? test.set('Authorization', `Bearer ${token}`) : test;
  };

  describe('Range', () => {
    it('sends the whole file with the media headers a player needs', async () => {
      const res = await stream(aliceRec).expect(200);
      expect(res.headers).toMatchObject({ 'accept-ranges': 'bytes', 'content-type': 'audio/wav', 'content-length': String(audio.length), 'content-disposition': 'inline' });
      expect(res.headers.etag).toMatch(/^"[^"]+"$/);
      expect(new Date(res.headers['last-modified']).getTime()).toBeGreaterThan(0);
      expect(Buffer.compare(res.body as Buffer, audio)).toBe(0);
    });

    it.each([
      ['bytes=0-', 0, audio.length - 1],
      ['bytes=-500', audio.length - 500, audio.length - 1],
      ['bytes=100-199', 100, 199],
      ['bytes=30000-999999', 30000, audio.length - 1],
      ['bytes=0-99,50-149', 0, 149],
    ])('%s -> 206 with the bytes asked for', async (range, start, end) => {
      const res = await stream(aliceRec).set('Range', range).expect(206);
      expect(res.headers['content-range']).toBe(`bytes ${start}-${end}/${audio.length}`);
      expect(res.headers['content-length']).toBe(String(end - start + 1));
      expect(Buffer.compare(res.body as Buffer, audio.subarray(start, end + 1))).toBe(0);
    });

    it('answers a range past the end with 416 and the size', async () => {
      const res = await stream(aliceRec).set('Range', `bytes=${audio.length}-`).expect(416);
      expect(res.headers['content-range']).toBe(`bytes */${audio.length}`);
      expectErrorShape(errorBody(res), 416, 'RANGE_NOT_SATISFIABLE');
    });

    it('sends several ranges as multipart/byteranges', async () => {
      const res = await stream(aliceRec).set('Range', 'bytes=0-43,1000-1099,-10').expect(206);
      const boundary = /^multipart\/byteranges; boundary=(\S+)$/.exec(res.headers['content-type'])![1];
      const body = res.body as Buffer;
      expect(res.headers['content-length']).toBe(String(body.length));
      const parts = body.toString('latin1').split(`--${boundary}`).slice(1, -1);
      const expected = [[0, 43], [1000, 1099], [audio.length - 10, audio.length - 1]];
      expect(parts).toHaveLength(3);
      parts.forEach((part, i) => {
        const [headers, data] = part.replace(/^\r\n/, '').split('\r\n\r\n');
        const [start, end] = expected[i];
        expect(headers).toBe(`Content-Type: audio/wav\r\nContent-Range: bytes ${start}-${end}/${audio.length}`);
        expect(Buffer.from(data.replace(/\r\n$/, ''), 'latin1').equals(audio.subarray(start, end + 1))).toBe(true);
      });
      expect(body.toString('latin1').endsWith(`--${boundary}--\r\n`)).toBe(true);
    });

    it('ignores a malformed range and a stale If-Range (whole file)', async () => {
      expect((await stream(aliceRec).set('Range', 'bytes=abc').expect(200)).body).toHaveLength(audio.length);
      expect((await stream(aliceRec).set('Range', 'bytes=0-9').set('If-Range', '"stale"').expect(200)).body).toHaveLength(audio.length);
    });

    it('answers a current ETag or date with 304 and a matching If-Range with 206', async () => {
      const { headers } = await stream(aliceRec).expect(200);
      await stream(aliceRec).set('If-None-Match', headers.etag).expect(304);
      await stream(aliceRec).set('If-Modified-Since', headers['last-modified']).expect(304);
      await stream(aliceRec).set('Range', 'bytes=0-9').set('If-Range', headers.etag).expect(206);
    });

    it('answers HEAD with the headers only', async () => {
      const res = await http().head(`/api/recordings/${aliceRec}/stream`).set('Authorization', `Bearer ${e2e.alice.token}`).expect(200);
      expect(res.headers['content-length']).toBe(String(audio.length));
    });

    it('sends a download as an attachment named after the call', async () => {
      const res = await bytes(http().get(`/api/recordings/${aliceRec}/stream?download=true`)).set('Authorization', `Bearer ${e2e.alice.token}`).expect(200);
      expect(res.headers['content-disposition']).toBe(`attachment; filename=call-${aliceCall}_2026-11-26_12-37-15_inbound_+74951234567_to_74959876543.wav`);
    });
  });

  describe('signed URLs', () => {
    async function signedUrl(id: number, token: string): Promise<{ url: string; downloadUrl: string; expiresAt: string }> {
      return (await http().get(`/api/recordings/${id}/url`).set('Authorization', `Bearer ${token}`).expect(200)).body;
    }

    it('play without a header, bound to the recording and the user, for RECORDINGS_URL_TTL', async () => {
      const { url, downloadUrl, expiresAt } = await signedUrl(aliceRec, e2e.alice.token);
      expect(url).toMatch(new RegExp(`^/api/recordings/${aliceRec}/stream\\?uid=${e2e.alice.id}&exp=\\d+&sig=[\\w-]{43}$`));
      expect(Date.parse(expiresAt) - Date.now()).toBeGreaterThan(14 * 60_000);
      expect(Date.parse(expiresAt) - Date.now()).toBeLessThanOrEqual(15 * 60_000);
      expect((await bytes(http().get(url)).set('Range', 'bytes=0-99').expect(206)).body).toHaveLength(100);
      const download = await bytes(http().get(downloadUrl)).expect(200);
      expect(download.headers['content-disposition']).toMatch(/^attachment; filename=call-/);
    });

    it('refuses an altered URL: signature, expiry, user, recording, or play turned into download', async () => {
      const { url } = await signedUrl(aliceRec, e2e.alice.token);
      const params = new URL(url, 'http://x').searchParams;
      const sig = params.get('sig')!;
      const flipped = `${sig.slice(0, -1)}${sig.endsWith('A') ? 'B' : 'A'}`;
      const variants = [
        url.replace(`sig=${sig}`, `sig=${flipped}`),
        url.replace(/exp=(\d+)/, (_m, exp: string) => `exp=${Number(exp) + 3600}`),
        url.replace(`uid=${e2e.alice.id}`, `uid=${e2e.bob.id}`),
        url.replace(`/recordings/${aliceRec}/`, `/recordings/${bobRec}/`),
        `${url}&download=true`,
        url.replace(`&sig=${sig}`, ''),
      ];
      for (const variant of variants) {
        const res = await http().get(variant).expect(403);
        expectErrorShape(res.body, 403, 'SIGNED_URL_INVALID');
      }
    });

    it('refuses an expired URL', async () => {
      const signer = e2e.testApp.app.get(SignedUrls, { strict: false });
      const old = await signer.sign(`recording:${aliceRec}:play`, e2e.alice.id, 60, Date.now() - 120_000);
      const res = await http().get(`/api/recordings/${aliceRec}/stream?uid=${old.uid}&exp=${old.exp}&sig=${old.sig}`).expect(403);
      expectErrorShape(res.body, 403, 'SIGNED_URL_EXPIRED');
    });

    it("refuses a URL used with another user's token, and is never a token itself", async () => {
      const { url } = await signedUrl(aliceRec, e2e.alice.token);
      const res = await http().get(url).set('Authorization', `Bearer ${e2e.bob.token}`).expect(403);
      expect(res.body.message).toMatch(/issued to another user/);
      await http().get(url).set('Authorization', `Bearer ${e2e.alice.token}`).expect(200);
      const sig = new URL(url, 'http://x').searchParams.get('sig');
      await http().get('/api/recordings').set('Authorization', `Bearer ${sig}`).expect(401);
    });

    it('stops working when the user loses access to the call', async () => {
      const call = await insertCall(e2e.database, { participants: [e2e.alice.id] });
      const rec = await insertRecording(e2e.database, call, { key: '2026/11/26/alice.wav' });
      const { url } = await signedUrl(rec, e2e.alice.token);
      await query(e2e.database, `UPDATE calls SET participant_user_ids = '{}' WHERE id = $1`, [call]);
      await http().get(url).expect(404);
    });
  });

  describe('access per role', () => {
    const cases: Array<[string, () => string, () => number, number]> = [
      ['operator on her own call', () => e2e.alice.token, () => aliceRec, 200],
      ["operator on another's call", () => e2e.alice.token, () => bobRec, 404],
      ['the other operator on his call', () => e2e.bob.token, () => bobRec, 200],
      ['supervisor on any call', () => e2e.sue.token, () => aliceRec, 200],
      ['admin on any call', () => e2e.adminToken, () => bobRec, 200],
    ];
    it.each(cases)('%s: one, url and stream all %s', async (_who, token, id, status) => {
      await http().get(`/api/recordings/${id()}`).set('Authorization', `Bearer ${token()}`).expect(status);
      await http().get(`/api/recordings/${id()}/url`).set('Authorization', `Bearer ${token()}`).expect(status);
      await stream(id(), token()).expect(status);
    });

    it('needs a token at all', async () => {
      await stream(aliceRec, null).expect(401);
      await http().get('/api/recordings').expect(401);
    });

    it('lists only what the user may hear, with filters', async () => {
      const list = async (token: string, q: Record<string, string> = {}) =>
        ((await http().get('/api/recordings').query(q).set('Authorization', `Bearer ${token}`).expect(200)).body.items as Array<{ id: string }>).map((r) => Number(r.id));
      expect(await list(e2e.alice.token, { status: 'ready' })).toEqual(expect.arrayContaining([aliceRec]));
      expect(await list(e2e.alice.token)).not.toContain(bobRec);
      expect(await list(e2e.sue.token, { callId: String(bobCall) })).toEqual([bobRec]);
      expect(await list(e2e.sue.token, { userId: String(e2e.bob.id) })).toEqual([bobRec]);
      expect(await list(e2e.sue.token, { from: '2026-11-27T00:00:00Z', to: '2026-11-28T00:00:00Z' })).toEqual([bobRec]);
      expect(await list(e2e.sue.token, { status: 'deleted' })).toEqual([]);
      const first = await http().get('/api/recordings').query({ limit: '1' }).set('Authorization', `Bearer ${e2e.sue.token}`).expect(200);
      const second = await http().get('/api/recordings').query({ limit: '1', cursor: first.body.nextCursor }).set('Authorization', `Bearer ${e2e.sue.token}`).expect(200);
      expect(first.body.items[0].id).not.toBe(second.body.items[0].id);
      await http().get('/api/recordings').query({ status: 'nope' }).set('Authorization', `Bearer ${e2e.sue.token}`).expect(400);
    });

    it('lets supervisors keep a recording (audited), not operators', async () => {
      await http().patch(`/api/recordings/${aliceRec}`).set('Authorization', `Bearer ${e2e.alice.token}`).send({ keep: true }).expect(403);
      const res = await http().patch(`/api/recordings/${aliceRec}`).set('Authorization', `Bearer ${e2e.sue.token}`).send({ keep: true }).expect(200);
      expect(res.body).toMatchObject({ id: String(aliceRec), keep: true });
      const [entry] = await query(e2e.database, `SELECT details FROM audit_log WHERE action = 'recording.keep' AND target = $1`, [`recording:${aliceRec}`]);
      expect(entry.details).toEqual({ keep: true });
    });
  });

  it('audits each playback and download once per listening, however many Range requests it makes', async () => {
    const call = await insertCall(e2e.database, { participants: [e2e.bob.id] });
    const rec = await insertRecording(e2e.database, call, { key: 'bob.wav' });
    for (const range of ['bytes=0-', 'bytes=1000-', 'bytes=5000-6000']) await stream(rec, e2e.bob.token).set('Range', range).expect(206);
    await bytes(http().get(`/api/recordings/${rec}/stream?download=true`)).set('Authorization', `Bearer ${e2e.bob.token}`).expect(200);
    await stream(rec, e2e.sue.token).expect(200);
    const rows = await query(e2e.database, `SELECT user_id, action, details FROM audit_log WHERE target = $1 ORDER BY id`, [`recording:${rec}`]);
    expect(rows).toEqual([
      { user_id: e2e.bob.id, action: 'recording.play', details: { callId: String(call), via: 'bearer', range: 'bytes=0-' } },
      { user_id: e2e.bob.id, action: 'recording.download', details: { callId: String(call), via: 'bearer', range: null } },
      { user_id: e2e.sue.id, action: 'recording.play', details: { callId: String(call), via: 'bearer', range: null } },
    ]);
  });

  describe('untrusted names and missing files', () => {
    it.each([
      ['../outside.wav', /climbs out/],
      ['a/../../outside.wav', /climbs out/],
      ['/etc/passwd', /absolute/],
      ['%2e%2e/outside.wav', /URL-encoded/],
      ['%252e%252e%252foutside.wav', /URL-encoded/],
      ['..%2foutside.wav', /URL-encoded/],
      ['a\u0001b.wav', /control character/],
      ['a\ufffdb.wav', /NUL, control character or undecodable byte/],
      ['..\\outside.wav', /backslash/],
    ])('never serves a stored key %j', async (key, reason) => {
      const call = await insertCall(e2e.database, { participants: [e2e.alice.id] });
      const rec = await insertRecording(e2e.database, call, { key });
      const body = errorBody(await stream(rec, e2e.sue.token).expect(404));
      expectErrorShape(body, 404, 'RECORDING_PATH_REFUSED');
      expect(body.message).toMatch(reason);
    });

    it('refuses a symlink that leads out of the recordings folder, serves one that stays inside', async () => {
      await symlink(join(folder.outside, 'outside.wav'), join(folder.root, 'escape.wav'));
      await symlink(join(folder.root, 'bob.wav'), join(folder.root, 'inside.wav'));
      const call = await insertCall(e2e.database, { participants: [e2e.alice.id] });
      const escape = await insertRecording(e2e.database, call, { key: 'escape.wav' });
      const inside = await insertRecording(e2e.database, call, { key: 'inside.wav' });
      expect(errorBody(await stream(escape, e2e.sue.token).expect(404)).message).toMatch(/leads outside the recordings folder/);
      await stream(inside, e2e.sue.token).expect(200);
    });

    it.each(['..%2f..%2fetc%2fpasswd', '%2e%2e', '..', '1%00', '1%2500', '%2fetc%2fpasswd', '1;rm'])('refuses %s as a recording id', async (id) => {
      const res = await http().get(`/api/recordings/${id}/stream`).set('Authorization', `Bearer ${e2e.sue.token}`);
      expect([400, 404]).toContain(res.status);
      expect(res.headers['content-type']).toMatch(/json/);
    });

    it('says why a recording cannot be played: file gone, missing, pending', async () => {
      const call = await insertCall(e2e.database, { participants: [e2e.alice.id] });
      await writeFileIn(folder.root, 'gone.wav', toneWav(0.1));
      const gone = await insertRecording(e2e.database, call, { key: 'gone.wav' });
      await unlink(join(folder.root, 'gone.wav'));
      const missing = await insertRecording(e2e.database, call, { key: 'never.wav', status: 'missing', reason: 'no file appeared at never.wav within 5m' });
      const pending = await insertRecording(e2e.database, call, { key: null, status: 'pending' });
      const messages = [];
      for (const id of [gone, missing, pending]) {
        const body = errorBody(await stream(id, e2e.alice.token).expect(404));
        expectErrorShape(body, 404, 'RECORDING_FILE_UNAVAILABLE');
        messages.push(body.message);
      }
      expect(messages).toEqual([
        `Recording ${gone} cannot be played: its file is no longer in storage`,
        `Recording ${missing} cannot be played: its file never appeared (no file appeared at never.wav within 5m)`,
        `Recording ${pending} cannot be played: its file has not appeared yet (the call is still recording, or the PBX is still writing it)`,
      ]);
      await stream(999999, e2e.sue.token).expect(404);
    });
  });
});
