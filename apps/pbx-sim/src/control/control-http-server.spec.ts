import { VirtualClock } from '../clock/sim-clock';
import { startPbxSim, PbxSim } from '../pbx-sim';

describe('JSON control endpoint', () => {
  let sim: PbxSim;
  let clock: VirtualClock;
  const url = (path: string): string => `http://127.0.0.1:${sim.httpPort}${path}`;
  const post = (path: string, body: string): Promise<Response> => fetch(url(path), { method: 'POST', body, headers: { 'content-type': 'application/json' } });

  beforeEach(async () => {
    clock = new VirtualClock(Date.UTC(2026, 10, 26, 12, 0, 0));
    sim = await startPbxSim({ port: 0, httpPort: 0, clock, config: { recordingsPath: null } });
  });
  afterEach(() => sim.close());

  it('places a call with POST /calls and reports it under GET /calls/:linkedid', async () => {
    const res = await post('/calls', JSON.stringify({ kind: 'inbound', from: '+74957654321', to: '1002', ringMs: 1000, talkMs: 2000 }));
    expect(res.status).toBe(201);
    const placed = (await res.json()) as { linkedid: string; channel: string; uniqueid: string };
    expect(placed.channel).toMatch(/^SIP\/provider-[0-9a-f]{8}$/);
    const live = (await (await fetch(url('/channels'))).json()) as { channel: string }[];
    expect(live.map((c) => c.channel)).toEqual([placed.channel]);
    clock.advance(5000);
    const info = (await (await fetch(url(`/calls/${placed.linkedid}`))).json()) as { endedAt: number | null; channels: { name: string }[] };
    expect(info.endedAt).not.toBeNull();
    expect(info.channels.map((c) => c.name.slice(0, 8))).toEqual(['SIP/prov', 'SIP/1002']);
    const stats = (await (await fetch(url('/stats'))).json()) as { engine: { callsStarted: number } };
    expect(stats.engine.callsStarted).toBe(1);
  });

  it('answers bad requests with a 4xx JSON error and keeps running', async () => {
    const cases: [Promise<Response>, number, string][] = [
      [post('/calls', '{not json'), 400, 'invalid-json'],
      [post('/calls', '[1,2]'), 400, 'invalid-json'],
      [post('/calls', JSON.stringify({ kind: 'internal', from: '1001', to: 'x\r\ny' })), 400, 'unknown-extension'],
      [post('/calls', JSON.stringify({ kind: 'teleport' })), 400, 'invalid-kind'],
      [post('/calls', 'x'.repeat(70 * 1024)), 413, 'too-large'],
      [fetch(url('/calls/nope')), 404, 'not-found'],
      [fetch(url('/nowhere')), 404, 'not-found'],
      [fetch(url('/traffic'), { method: 'PUT', body: JSON.stringify({ cps: -3 }) }), 400, 'invalid-profile'],
    ];
    for (const [pending, status, code] of cases) {
      const res = await pending;
      expect(res.status).toBe(status);
      expect(((await res.json()) as { error: string }).error).toBe(code);
    }
    expect((await fetch(url('/health'))).status).toBe(200);
  });

  it('changes, starts and stops the generated traffic', async () => {
    const res = await fetch(url('/traffic'), { method: 'PUT', body: JSON.stringify({ cps: 5, maxConcurrent: 3 }) });
    expect(((await res.json()) as { cps: number }).cps).toBe(5);
    await post('/traffic/start', '');
    clock.advance(10000);
    expect(sim.stats.traffic.placed).toBeGreaterThan(0);
    expect(sim.engine.stats.activeCalls).toBeLessThanOrEqual(3);
    await post('/traffic/stop', '');
    const placed = sim.stats.traffic.placed;
    clock.advance(10000);
    expect(sim.stats.traffic.placed).toBe(placed);
  });
});
