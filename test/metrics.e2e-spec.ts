import { readFileSync } from 'node:fs';
import { CallTracker, CaptureReplayServer, loadCapture, parseCapture, type AmiMessage } from '@app/ami';
import { AmiIngestService, CallIngestService } from '../apps/server/src/call-ingest';
import { capturePath, eventually } from './support/calls-e2e';
import { freePort } from './support/free-port';
import { parsePrometheusText, sampleValue, type Sample } from './support/prometheus-text';
import { expectErrorShape, loginAdmin, startTestApp, type TestApp } from './support/test-app';
import { createDatabase, dropDatabase, uniqueName } from './support/test-database';

const CREDENTIALS = { username: 'crm', secret: 'metrics-secret' };
const SPEED = 5;

/** What an offline tracker makes of a capture: the call events, and how many messages made at least one. */
function offline(capture: string): { events: number; messagesWithEvents: number; stamps: number[] } {
  const tracker = new CallTracker();
  let events = 0;
  let messagesWithEvents = 0;
  const stamps: number[] = [];
  for (const msg of parseCapture(loadCapture(capturePath(capture)), 'offline')) {
    const made = tracker.handle(msg).length;
    events += made;
    if (made === 0) continue;
    messagesWithEvents++;
    const stamp = msg.get('Timestamp');
    if (stamp !== undefined) stamps.push(Number(stamp) * 1000);
  }
  return { events, messagesWithEvents, stamps };
}

/** Every Uniqueid, Linkedid, channel and caller number a capture holds: none may reach a metric. */
function callIdentifiers(capture: string): Set<string> {
  const text = readFileSync(capturePath(capture), 'latin1');
  const values = [...text.matchAll(/^(?:Uniqueid|Linkedid|Channel|CallerIDNum|ConnectedLineNum|Exten): (.+)\r$/gm)].map((m) => m[1]);
  return new Set(values.filter((v) => v.length >= 4 && v !== '<unknown>' && !/^[a-z-]+$/.test(v)));
}

/**
 * /metrics of a process that runs the ingest, after real captures were replayed to it over TCP
 * (CaptureReplayServer as the PBX): each figure against an independent count (the connection's
 * own message stream, an offline tracker over the same capture), and the labels bounded (PBX
 * ids, route templates, states, reasons: nothing of a call).
 */
describe('GET /metrics after replayed captures', () => {
  const database = uniqueName('metrics');
  let app: TestApp;
  let scrapeCount = 0;
  const servers: CaptureReplayServer[] = [];
  /** Events each PBX's AMI connection delivered, counted by a listener of its own. */
  const delivered = new Map<string, { events: number; listings: number }>();

  const scrape = async (): Promise<{ text: string; samples: Sample[] }> => {
    scrapeCount++;
    const response = await app.http().get('/metrics').expect(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return { text: response.text, samples: parsePrometheusText(response.text) };
  };

  const replay = async (pbxId: string, captures: string[]): Promise<CaptureReplayServer> => {
    const server = new CaptureReplayServer({ captures: captures.map(capturePath), speed: SPEED, credentials: CREDENTIALS });
    servers.push(server);
    const { host, port } = await server.listen();
    const pbx = await app.app.get(AmiIngestService, { strict: false }).add(
      { id: pbxId, host, port, ...CREDENTIALS, tls: false },
      { connection: { reconnect: { initialDelayMs: 100, maxDelayMs: 100, jitter: 0 } } },
    );
    // Attached before the login's round trip can complete: no message is missed.
    const counts = { events: 0, listings: 0 };
    delivered.set(pbxId, counts);
    const count = (msg: AmiMessage) => {
      if (msg.kind === 'event') counts.events++;
      if (msg.name === 'CoreShowChannelsComplete') counts.listings++;
    };
    pbx.ami!.on('message', count);
    await server.streamed(captures.length - 1);
    return server;
  };

  /** Waits until everything the tracker made is written. */
  const written = (events: number) => {
    const calls = app.app.get(CallIngestService, { strict: false });
    return eventually(`${events} call events written`, async () => calls.stats.written >= events && calls.stats.pending === 0, 20_000);
  };

  beforeAll(async () => {
    await createDatabase(database);
    app = await startTestApp({ DB_NAME: database });
  });

  afterAll(async () => {
    await app?.close();
    await Promise.all(servers.map((s) => s.close()));
    await dropDatabase(database);
  });

  it('counts the events, the call events written, the lag from arrival and the PBX`s state: inbound_answered', async () => {
    const oracle = offline('inbound_answered');
    await replay('replay-a', ['inbound_answered']);
    await written(oracle.events);
    const { samples } = await scrape();
    const pbx = { pbx: 'replay-a' };
    const got = delivered.get('replay-a')!;
    // The capture's 108 events, plus the end of the (empty) channel listing when it was asked before the first call.
    expect(got.events).toBe(108 + got.listings);
    expect(sampleValue(samples, 'crm_ami_events_total', pbx)).toBe(got.events);
    expect(sampleValue(samples, 'crm_ami_connected', pbx)).toBe(1);
    expect(sampleValue(samples, 'crm_ingest_pbx_state', { ...pbx, state: 'ingesting' })).toBe(1);
    expect(sampleValue(samples, 'crm_ingest_pbx_state', { ...pbx, state: 'standby' })).toBe(0);
    expect(sampleValue(samples, 'crm_ami_reconnects_total', pbx)).toBe(0);
    expect(sampleValue(samples, 'crm_calls_active', pbx)).toBe(0);
    expect(sampleValue(samples, 'crm_ami_event_lag_seconds_count', { ...pbx, basis: 'arrival' })).toBe(oracle.messagesWithEvents);
    // Processed as they arrive: well under a second each, on any machine.
    expect(sampleValue(samples, 'crm_ami_event_lag_seconds_sum', { ...pbx, basis: 'arrival' })!).toBeLessThan(oracle.messagesWithEvents * 1);
    expect(sampleValue(samples, 'crm_ami_event_lag_seconds_count', { ...pbx, basis: 'pbx_timestamp' })).toBeUndefined();
    expect(sampleValue(samples, 'crm_ingest_written_events_total')).toBe(oracle.events);
    expect(sampleValue(samples, 'crm_ingest_write_seconds_count', { outcome: 'ok' })!).toBeGreaterThanOrEqual(1);
    expect(sampleValue(samples, 'crm_ingest_write_seconds_count', { outcome: 'error' }) ?? 0).toBe(0);
    expect(sampleValue(samples, 'crm_ingest_queue_events')).toBe(0);
    expect(sampleValue(samples, 'crm_ingest_queue_capacity_events')).toBe(app.config.INGEST_MAX_QUEUED_EVENTS);
    expect(sampleValue(samples, 'crm_ingest_reading_paused')).toBe(0);
    expect(sampleValue(samples, 'crm_ingest_dropped_events_total')).toBe(0);
  }, 30_000);

  it('measures the lag from the PBX`s Timestamp when it sends one: inbound_answered.timestamps, recorded days ago', async () => {
    const oracle = offline('inbound_answered.timestamps');
    expect(oracle.stamps).toHaveLength(oracle.messagesWithEvents);
    const before = Date.now();
    await replay('replay-b', ['inbound_answered.timestamps']);
    const { samples } = await scrape();
    const after = Date.now();
    const labels = { pbx: 'replay-b', basis: 'pbx_timestamp' };
    expect(sampleValue(samples, 'crm_ami_event_lag_seconds_count', labels)).toBe(oracle.messagesWithEvents);
    // Each event was processed between the replay's start and the scrape: its lag lies between.
    const sum = sampleValue(samples, 'crm_ami_event_lag_seconds_sum', labels)!;
    expect(sum).toBeGreaterThanOrEqual(oracle.stamps.reduce((s, at) => s + (before - at) / 1000, 0) - 0.01);
    expect(sum).toBeLessThanOrEqual(oracle.stamps.reduce((s, at) => s + (after - at) / 1000, 0) + 0.01);
    expect(sampleValue(samples, 'crm_ami_event_lag_seconds_count', { pbx: 'replay-b', basis: 'arrival' })).toBeUndefined();
  }, 30_000);

  it('counts a reconnect and the disconnect behind it: reconnect_mid_call, cut off and resumed', async () => {
    await replay('replay-c', ['reconnect_mid_call.part1', 'reconnect_mid_call.part2']);
    const { samples } = await scrape();
    const pbx = { pbx: 'replay-c' };
    expect(sampleValue(samples, 'crm_ami_reconnects_total', pbx)).toBe(1);
    const disconnects = samples.filter((s) => s.name === 'crm_ami_disconnects_total' && s.labels.pbx === 'replay-c');
    expect(disconnects.map((s) => [s.labels.reason, s.value])).toEqual([['remote-closed', 1]]);
    expect(sampleValue(samples, 'crm_ami_connected', pbx)).toBe(1);
  }, 30_000);

  it('times HTTP requests by route template, method and status, never by the URL itself', async () => {
    const token = await loginAdmin(app);
    await app.http().get('/api/calls/987654321').set('Authorization', `Bearer ${token}`).expect(404);
    await app.http().get('/api/calls').set('Authorization', `Bearer ${token}`).expect(200);
    await app.http().get('/api/no-such-route-4242').expect(404);
    const { text, samples } = await scrape();
    const count = (labels: Record<string, string>) => sampleValue(samples, 'crm_http_request_duration_seconds_count', labels);
    expect(count({ method: 'GET', route: '/api/calls/:id', status: '404' })).toBe(1);
    expect(count({ method: 'GET', route: '/api/calls', status: '200' })).toBe(1);
    expect(count({ method: 'POST', route: '/api/auth/login', status: '200' })).toBeGreaterThanOrEqual(1);
    expect(count({ method: 'GET', route: 'unmatched', status: '404' })).toBe(1);
    // Every scrape before this one was timed too.
    expect(count({ method: 'GET', route: '/metrics', status: '200' })).toBe(scrapeCount - 1);
    expect(text).not.toContain('987654321');
    expect(text).not.toContain('4242');
  });

  it('keeps its labels bounded: PBX ids, routes, states and reasons, nothing of a call', async () => {
    const { text, samples } = await scrape();
    const allowed: Record<string, (value: string) => boolean> = {
      pbx: (v) => ['replay-a', 'replay-b', 'replay-c'].includes(v),
      state: (v) => ['ingesting', 'standby', 'stopped'].includes(v),
      reason: (v) => /^[a-z-]+$/.test(v),
      basis: (v) => ['pbx_timestamp', 'arrival'].includes(v),
      outcome: (v) => ['ok', 'error'].includes(v),
      method: (v) => /^[A-Z]+$/.test(v),
      route: (v) => v === 'unmatched' || v === 'other' || /^\/[a-z/:.-]*$/i.test(v),
      // an HTTP status, or a recording's (ready, missing...)
      status: (v) => /^(\d{3}|[a-z]+)$/.test(v),
      step: (v) => /^[a-z]+$/.test(v),
      kind: (v) => /^[a-z]+$/.test(v),
      le: () => true,
      role: (v) => v === 'all',
      version: (v) => /^\d+\.\d+\.\d+$/.test(v),
    };
    const crm = samples.filter((s) => s.name.startsWith('crm_'));
    const unexpected = crm.flatMap((s) => Object.entries(s.labels).filter(([k, v]) => !(k in allowed) || !allowed[k](v)).map(([k, v]) => `${s.name}{${k}="${v}"}`));
    expect(unexpected).toEqual([]);
    const identifiers = new Set(['inbound_answered', 'inbound_answered.timestamps', 'reconnect_mid_call.part1', 'reconnect_mid_call.part2'].flatMap((c) => [...callIdentifiers(c)]));
    expect(identifiers.size).toBeGreaterThan(10);
    expect([...identifiers].filter((id) => text.includes(id))).toEqual([]);
    // One series per PBX however many calls: the three replays made three of each.
    expect(crm.filter((s) => s.name === 'crm_ami_events_total')).toHaveLength(3);
    expect(crm.filter((s) => s.name === 'crm_calls_active')).toHaveLength(3);
    // The other contexts' metrics are served with them: process, recordings, realtime, this process.
    expect(sampleValue(samples, 'crm_info', { role: 'all' })).toBe(1);
    expect(sampleValue(samples, 'crm_recordings_awaiting_files')).toEqual(expect.any(Number));
    expect(sampleValue(samples, 'crm_realtime_clients')).toBe(0);
    expect(sampleValue(samples, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});

/** Who may scrape, and where (docs/deployment.md, "Metrics"). */
describe('GET /metrics: token, production, METRICS_PORT', () => {
  const TOKEN = 'metrics-token-for-the-test-0123';

  it('asks for METRICS_TOKEN as a bearer token when it is set, and never shows it', async () => {
    const app = await startTestApp({ METRICS_TOKEN: TOKEN });
    try {
      expectErrorShape((await app.http().get('/metrics').expect(401)).body, 401, 'UNAUTHORIZED');
      await app.http().get('/metrics').set('Authorization', `Bearer ${TOKEN}x`).expect(401);
      await app.http().get('/metrics').set('Authorization', `Bearer ${await loginAdmin(app)}`).expect(401);
      const text = (await app.http().get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(200)).text;
      expect(text).toContain('crm_info');
      for (const secret of [TOKEN, app.config.JWT_SECRET!]) expect(text).not.toContain(secret);
    } finally {
      await app.close();
    }
  });

  it('serves nothing on the API port in production without METRICS_TOKEN or METRICS_PORT', async () => {
    const app = await startTestApp({ NODE_ENV: 'production', DB_PASSWORD: process.env.DB_PASSWORD || 'ignored-by-trust-auth' });
    try {
      expectErrorShape((await app.http().get('/metrics').expect(404)).body, 404, 'NOT_FOUND');
    } finally {
      await app.close();
    }
  });

  it('serves /metrics, /api/health and /api/ready on METRICS_PORT (token asked there too), and no /metrics on the API port', async () => {
    const port = await freePort();
    const app = await startTestApp({ METRICS_PORT: String(port), METRICS_TOKEN: TOKEN });
    try {
      const base = `http://127.0.0.1:${port}`;
      await app.http().get('/metrics').set('Authorization', `Bearer ${TOKEN}`).expect(404);
      expect((await fetch(`${base}/metrics`)).status).toBe(401);
      const metrics = await fetch(`${base}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(metrics.status).toBe(200);
      expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      expect(await metrics.text()).toContain('crm_info{role="all"');
      const health = await fetch(`${base}/api/health`);
      expect(await health.json()).toEqual((await app.http().get('/api/health')).body);
      const ready = await fetch(`${base}/api/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ok', checks: { database: { status: 'up' } }, mode: { role: 'all' } });
      const missing = await fetch(`${base}/api/calls`);
      expectErrorShape((await missing.json()) as Record<string, unknown>, 404, 'NOT_FOUND');
      expect((await fetch(`${base}/metrics`, { method: 'POST' })).status).toBe(405);
    } finally {
      await app.close();
    }
    await expect(fetch(`http://127.0.0.1:${port}/api/health`)).rejects.toThrow();
  });

  it('refuses a METRICS_PORT equal to PORT', async () => {
    await expect(startTestApp({ METRICS_PORT: '3000', PORT: '3000' })).rejects.toThrow(/METRICS_PORT.*must differ from PORT/);
  });
});
