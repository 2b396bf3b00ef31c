import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { PhoneNormalizer } from '../../common/phone/phone-normalizer';
import { CompaniesService } from '../../companies';
import { PgNotificationListener, pgClientConfig } from '../../database';
import { UsersService } from '../../users';
import type { CallDirectoryView } from '../store/call-write-builder';
import { BoundedCache } from './bounded-cache';

/** Channel the triggers of migration CallsIngest notify on any change of user or company phones. */
export const DIRECTORY_CHANGED_CHANNEL = 'crm_directory_changed';
/** Reload anyway this often, in case a notification was missed while the listener reconnected. */
const SAFETY_RELOAD_MS = 5 * 60_000;

interface Waiter {
  generation: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * The ingest's view of who owns which extension and which company owns which
 * number: both maps live in memory, so assigning a call never waits for a query.
 *
 * They are reloaded whole (a few thousand rows) when PostgreSQL says a user's or a
 * company's phones changed — triggers `NOTIFY crm_directory_changed`, which
 * reaches every process (the API process edits, the ingest process listens),
 * whoever made the change (REST, CSV import, psql). Reloads are coalesced: a
 * burst of changes costs one or two loads. Normalised numbers are memoised
 * because libphonenumber costs tens of microseconds a call.
 */
@Injectable()
export class CallDirectoryService implements CallDirectoryView, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(CallDirectoryService.name);
  private userByNumber = new Map<string, string>();
  private companyByNumber = new Map<string, string>();
  private readonly normalized = new BoundedCache<string, string | null>(50_000);
  private readonly listener: PgNotificationListener;
  private requested = 0;
  private loaded = 0;
  private loop: Promise<void> | null = null;
  private waiters: Waiter[] = [];
  private safetyTimer: NodeJS.Timeout | null = null;

  constructor(
    dataSource: DataSource,
    private readonly phones: PhoneNormalizer,
    private readonly users: UsersService,
    private readonly companies: CompaniesService,
  ) {
    this.listener = new PgNotificationListener(
      pgClientConfig(dataSource, 'crm-directory-listener'),
      DIRECTORY_CHANGED_CHANNEL,
      () => this.invalidate(),
      () => this.invalidate(),
    );
  }

  async onModuleInit(): Promise<void> {
    await this.reload();
    await this.listener.start();
    this.safetyTimer = setInterval(() => this.invalidate(), SAFETY_RELOAD_MS);
    this.safetyTimer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.safetyTimer) clearInterval(this.safetyTimer);
    await this.listener.stop();
  }

  userOf(extension: string): string | null {
    return this.userByNumber.get(this.normalize(extension) ?? extension) ?? null;
  }

  companyOf(normalizedNumber: string): string | null {
    return this.companyByNumber.get(normalizedNumber) ?? null;
  }

  normalize(rawNumber: string): string | null {
    return this.normalized.getOrCompute(rawNumber, (raw) => this.phones.normalize(raw));
  }

  /** Schedules a reload; lookups keep answering from the current maps meanwhile. */
  invalidate(): void {
    this.reload().catch((error: unknown) => this.logger.error(`directory reload failed: ${(error as Error).message}`));
  }

  /** Resolves once the maps reflect every change committed before the call. */
  reload(): Promise<void> {
    const generation = ++this.requested;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ generation, resolve, reject }));
    this.loop ??= this.runLoads();
    return done;
  }

  private async runLoads(): Promise<void> {
    try {
      while (this.loaded < this.requested) {
        const target = this.requested;
        await this.load();
        this.loaded = target;
        this.settle((w) => w.generation <= target, (w) => w.resolve());
      }
    } catch (error) {
      this.settle(() => true, (w) => w.reject(error));
    } finally {
      this.loop = null;
    }
  }

  private settle(match: (w: Waiter) => boolean, done: (w: Waiter) => void): void {
    const ready = this.waiters.filter(match);
    this.waiters = this.waiters.filter((w) => !match(w));
    for (const w of ready) done(w);
  }

  private async load(): Promise<void> {
    const [users, companies] = await Promise.all([this.users.phoneOwners(), this.companies.phoneOwners()]);
    this.userByNumber = new Map(users.map((r) => [r.normalizedNumber, String(r.ownerId)]));
    this.companyByNumber = new Map(companies.map((r) => [r.normalizedNumber, String(r.ownerId)]));
  }
}
