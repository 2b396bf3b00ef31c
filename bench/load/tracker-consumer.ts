import { AmiConnection, type AmiMessage, CallTracker } from '@app/ami';
import type { CallCensus, CallPhase, ConsumerUsage, LoadConsumer } from './load-consumer';
import { PeakRss } from './process-usage';
import { SIM_USER } from './sim-worker';

const RSS_SAMPLE_MS = 200;

/**
 * The ceiling: libs/ami alone (AmiConnection + CallTracker) in the bench process, no
 * database. A call is visible when the tracker emits its first event, and ended when
 * the tracker emits `ended`, at the moment the AMI message that caused it was handled.
 */
export class TrackerConsumer implements LoadConsumer {
  readonly name = 'tracker';
  readonly description = "libs/ami's AmiConnection + CallTracker in the bench process (no database): the ceiling";
  private readonly tracker = new CallTracker();
  private connection: AmiConnection | null = null;
  private readonly firstSeen = new Map<string, number>();
  private readonly endedAt = new Map<string, number>();
  private readonly endCount = new Map<string, number>();
  private readonly status = new Map<string, string>();
  private readonly issues: string[] = [];
  private readonly rss = new PeakRss(() => process.memoryUsage().rss);
  private rssTimer: NodeJS.Timeout | null = null;
  private cpuMark = process.cpuUsage();

  async start(port: number): Promise<void> {
    this.tracker.onEvent((e) => {
      const id = e.call.linkedids[0] ?? e.call.linkedid;
      const now = Date.now();
      if (!this.firstSeen.has(id)) this.firstSeen.set(id, now);
      if (e.type !== 'ended') return;
      if (!this.endedAt.has(id)) this.endedAt.set(id, now);
      this.endCount.set(id, (this.endCount.get(id) ?? 0) + 1);
      this.status.set(id, e.call.status);
    });
    const conn = new AmiConnection({ server: { id: 'bench', host: '127.0.0.1', port, ...SIM_USER, tls: false }, events: 'on', pingIntervalMs: 60_000 });
    conn.on('message', (m: AmiMessage) => this.tracker.handle(m));
    conn.on('error', (err: Error) => this.issues.push(`AMI: ${err.message}`));
    conn.on('disconnected', (info) => {
      if (info.reason !== 'closed') this.issues.push(`AMI connection lost (${info.reason}); events were missed until it came back`);
    });
    this.connection = conn.start();
    await conn.ready();
    this.rssTimer = setInterval(() => this.rss.sample(), RSS_SAMPLE_MS);
  }

  expect(): void {
    // Every call is followed anyway: nothing to poll.
  }

  observedAt(linkedid: string, phase: CallPhase): number | undefined {
    return (phase === 'first' ? this.firstSeen : this.endedAt).get(linkedid);
  }

  async endedCount(): Promise<number> {
    return this.endedAt.size;
  }

  async census(): Promise<Map<string, CallCensus>> {
    const out = new Map<string, CallCensus>();
    for (const id of this.firstSeen.keys()) {
      out.set(id, { copies: 1, ended: this.endedAt.has(id), endSteps: this.endCount.get(id) ?? 0, status: this.status.get(id) ?? null });
    }
    return out;
  }

  async takeUsage(): Promise<ConsumerUsage> {
    const cpu = process.cpuUsage(this.cpuMark);
    this.cpuMark = process.cpuUsage();
    return { cpuMs: (cpu.user + cpu.system) / 1000, peakRssBytes: this.rss.take(), postgresCpuMs: null, observerCpuMs: null };
  }

  problems(): string[] {
    return [...this.issues];
  }

  fatal(): string | null {
    return null;
  }

  async stop(): Promise<void> {
    if (this.rssTimer) clearInterval(this.rssTimer);
    await this.connection?.close();
  }
}
