import { INGEST_STATUS_TTL_MS, IngestStatusBoard, type IngestProcessStatus } from './ingest-status-board';

/** Role `all` without Redis: the ingest and its readers share this process. */
export class InProcessIngestStatusBoard extends IngestStatusBoard {
  private readonly reports = new Map<string, { status: IngestProcessStatus; expiresAt: number }>();

  constructor(private readonly ttlMs = INGEST_STATUS_TTL_MS) {
    super();
  }

  report(status: IngestProcessStatus): void {
    this.reports.set(status.process, { status, expiresAt: Date.now() + this.ttlMs });
  }

  withdraw(process: string): Promise<void> {
    this.reports.delete(process);
    return Promise.resolve();
  }

  current(): Promise<IngestProcessStatus[]> {
    const now = Date.now();
    for (const [process, report] of this.reports) if (report.expiresAt <= now) this.reports.delete(process);
    return Promise.resolve([...this.reports.values()].map((r) => r.status));
  }
}
