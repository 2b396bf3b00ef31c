import {
  amiActions,
  AmiConnection,
  CallTracker,
  readDeviceState,
  type AmiDisconnectInfo,
  type AmiLogger,
  type AmiMessage,
  type AmiSessionInfo,
  type AmiServerConfig,
  type CallRecord,
  type CallTrackerEvent,
  type CallTrackerOptions,
  type DeviceStateReport,
  type StoredRecording,
} from '@app/ami';
import type { AdvisoryLocks } from '../../database';

export type PbxIngestState = 'standby' | 'ingesting' | 'stopped';

/** Sees every message the ingest reads, after the tracker, with the call events it caused (call control). */
export type PbxMessageListener = (msg: AmiMessage, events: readonly CallTrackerEvent[]) => void;

export interface LostCallsHandler {
  /** Taken just before the listing is asked for; passed back to `close`. */
  mark(): Promise<string>;
  /** When the PBX was last heard of by any ingest (its latest stored event), asked before the first listing. */
  lastHeard(pbxId: string): Promise<number | null>;
  /** The recordings stored for the PBX's open calls, asked before every listing (see CallTracker.storedRecordings). */
  storedRecordings(pbxId: string): Promise<StoredRecording[]>;
  /**
   * `live`: first Linkedids of the calls the PBX still has after the listing; `since`: when the
   * PBX was last heard (ms): when this ingest lost it, or before its first listing when any
   * ingest last stored an event of it (null: never).
   */
  close(pbxId: string, live: string[], mark: string, since: number | null): Promise<unknown>;
}

/** Told what the PBX's AMI connection does (metrics); called synchronously, so it must be cheap and must not throw. */
export interface PbxIngestObserver {
  connected(info: AmiSessionInfo): void;
  disconnected(info: AmiDisconnectInfo): void;
  /** Every message, once the tracker has handled it; `callEvents`: how many call events it made. */
  message(msg: AmiMessage, callEvents: number): void;
}

export interface PbxIngestOptions {
  server: AmiServerConfig;
  /** Null: write without electing (TEST_MODE writes nothing, so several may run). */
  lock: AdvisoryLocks | null;
  sink: (event: CallTrackerEvent) => void;
  /** The tracker's settings for this PBX (its monitor directory names the recordings). */
  tracker?: CallTrackerOptions;
  /** The phones' device states (ExtensionStatus, DeviceStateChange) as the stream reports them. */
  phoneStates?: (report: DeviceStateReport) => void;
  /** Ends the database's calls of this PBX that a complete channel listing no longer shows. */
  lostCalls?: LostCallsHandler;
  logger: AmiLogger;
  /** How often a standby process tries to take over the PBX (default 5 s). */
  standbyRetryMs?: number;
  /** How often an ingest whose lock session dropped tries to take its lock again (default 1 s). */
  relockRetryMs?: number;
  observer?: PbxIngestObserver;
  /** Overrides for the AMI connection (tests shorten timeouts). */
  connection?: Partial<ConstructorParameters<typeof AmiConnection>[0]>;
}

/**
 * The ingest of one PBX: an AMI login with `Events: on` whose every message goes
 * through the call tracker into the calls pipeline.
 *
 * After every login (the first too: a restarted process has calls to pick up) it asks
 * for `CoreShowChannels`; the listing reaches the tracker on the same message stream
 * and rebuilds its state. A lost connection is reported to the tracker, which keeps
 * calls open until that listing says which still exist.
 *
 * Only the holder of the PBX's advisory lock ingests; others wait on standby and take
 * over when the holder goes away. When the lock's session drops (the database is down or
 * unreachable) the ingest goes on tracking, its writes queued until the database is back, and
 * takes its lock again as soon as it can; it steps down only when another process holds the
 * lock by then (that one rebuilds the calls from its own channel listing).
 */
export class PbxIngest {
  private readonly tracker: CallTracker;
  private connection: AmiConnection | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private relockTimer: NodeJS.Timeout | null = null;
  private current: PbxIngestState = 'standby';
  private readingPaused = false;
  /** When the PBX was last heard before a lost connection; the listing after the next login closes the gap. */
  private lostAt: number | null = null;
  private standbyLogged = false;
  private readonly messageListeners = new Set<PbxMessageListener>();
  private readonly stateListeners = new Set<(state: PbxIngestState) => void>();

  constructor(private readonly options: PbxIngestOptions) {
    this.tracker = new CallTracker(options.tracker);
  }

  get pbxId(): string {
    return this.options.server.id;
  }

  get state(): PbxIngestState {
    return this.current;
  }

  get ami(): AmiConnection | null {
    return this.connection;
  }

  get trackerStats(): ReturnType<CallTracker['stats']> {
    return this.tracker.stats();
  }

  get server(): AmiServerConfig {
    return this.options.server;
  }

  /** The AMI connection settings this PBX was added with (another login to it uses the same). */
  get connectionOverrides(): PbxIngestOptions['connection'] {
    return this.options.connection;
  }

  /** Ingesting and logged in: the tracker follows the PBX's calls as they are now. */
  get following(): boolean {
    return this.current === 'ingesting' && this.connection?.isReady === true;
  }

  /** One call in progress with its live legs, as the tracker knows it now (null: not live). */
  liveCall(callId: string): CallRecord | null {
    return this.tracker.liveCall(this.pbxId, callId);
  }

  /** See CallTracker.expectMonitorFile. */
  expectMonitorFile(uniqueid: string, file: string): boolean {
    return this.tracker.expectMonitorFile(this.pbxId, uniqueid, file);
  }

  /** Every message read from now on, with the call events it caused (call control's confirmations). */
  observe(listener: PbxMessageListener): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  /** Told when this process starts or stops ingesting the PBX (the lock won, lost, or the PBX removed). */
  onStateChange(listener: (state: PbxIngestState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  /** Stops or resumes reading the PBX's events (the write queue is full / has room again). */
  pauseReading(paused: boolean): void {
    this.readingPaused = paused;
    if (paused) this.connection?.pause();
    else this.connection?.resume();
  }

  async start(): Promise<void> {
    this.setState('standby');
    await this.contend();
  }

  async stop(): Promise<void> {
    this.setState('stopped');
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.relockTimer) clearTimeout(this.relockTimer);
    this.relockTimer = null;
    await this.disconnect();
    await this.options.lock?.release(this.pbxId);
  }

  /**
   * The lock's session died, usually because the database went away: nobody else can have
   * taken the lock while the database is down, so tracking goes on (writes wait in the queue)
   * while the lock is taken again.
   */
  async lockLost(): Promise<void> {
    if (this.current !== 'ingesting') return;
    this.options.logger.warn(`ingest ${this.pbxId}: the ingest lock's session dropped; tracking goes on while the lock is taken again`);
    this.scheduleRelock();
  }

  private scheduleRelock(): void {
    if (this.relockTimer || this.current !== 'ingesting') return;
    this.relockTimer = setTimeout(() => {
      this.relockTimer = null;
      void this.relock();
    }, this.options.relockRetryMs ?? 1000);
    this.relockTimer.unref();
  }

  private async relock(): Promise<void> {
    if (this.current !== 'ingesting' || !this.options.lock) return;
    let won: boolean;
    try {
      won = await this.options.lock.tryAcquire(this.pbxId);
    } catch {
      this.scheduleRelock();
      return;
    }
    if (this.current !== 'ingesting') return;
    if (won) {
      this.options.logger.log(`ingest ${this.pbxId}: ingest lock taken again`);
      return;
    }
    this.options.logger.warn(`ingest ${this.pbxId}: another process took the ingest lock meanwhile; stepping down to standby`);
    this.setState('standby');
    await this.disconnect();
    this.scheduleContend();
  }

  private async contend(): Promise<void> {
    if (this.current !== 'standby') return;
    let won = true;
    if (this.options.lock) {
      try {
        won = await this.options.lock.tryAcquire(this.pbxId);
      } catch (error) {
        this.options.logger.warn(`ingest ${this.pbxId}: cannot take the ingest lock (${(error as Error).message})`);
        won = false;
      }
    }
    if (this.current !== 'standby') {
      if (won) await this.options.lock?.release(this.pbxId);
      return;
    }
    if (!won) {
      if (!this.standbyLogged) this.options.logger.log(`ingest ${this.pbxId}: standby, another process ingests this PBX`);
      this.standbyLogged = true;
      this.scheduleContend();
      return;
    }
    this.standbyLogged = false;
    this.setState('ingesting');
    this.connect();
  }

  private setState(state: PbxIngestState): void {
    if (this.current === state) return;
    this.current = state;
    for (const listener of this.stateListeners) listener(state);
  }

  private scheduleContend(): void {
    if (this.retryTimer || this.current !== 'standby') return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.contend();
    }, this.options.standbyRetryMs ?? 5000);
    this.retryTimer.unref();
  }

  private connect(): void {
    // Out of sight until the first listing: calls heard of before it (by any event but the
    // Newchannel that starts them) were already going on, whatever this process knew.
    this.emitAll(this.tracker.connectionLost(this.pbxId, Date.now()));
    const connection = new AmiConnection({ ...this.options.connection, server: this.options.server, events: 'on', logger: this.options.logger });
    connection.on('message', (msg) => this.feed(msg));
    connection.on('connected', () => void this.requestSnapshot(connection));
    connection.on('disconnected', (info) => {
      if (!info.wasReady) return;
      this.lostAt ??= Date.now();
      this.emitAll(this.tracker.connectionLost(this.pbxId, Date.now()));
    });
    const observer = this.options.observer;
    if (observer) {
      connection.on('connected', (info) => observer.connected(info));
      connection.on('disconnected', (info) => observer.disconnected(info));
    }
    this.connection = connection;
    if (this.readingPaused) connection.pause();
    connection.start();
  }

  private async disconnect(): Promise<void> {
    const connection = this.connection;
    this.connection = null;
    if (!connection) return;
    await connection.close();
    this.emitAll(this.tracker.connectionLost(this.pbxId, Date.now()));
  }

  private async requestSnapshot(connection: AmiConnection): Promise<void> {
    const lostCalls = this.options.lostCalls;
    const mark = lostCalls ? await lostCalls.mark().catch(() => null) : null;
    // Before the listing: the calls it rebuilds are written from now on.
    const since = this.lostAt ?? (lostCalls && mark !== null ? await lostCalls.lastHeard(this.pbxId).catch(() => null) : null);
    // A database that cannot say leaves the rebuilt calls' recordings as the CDR names them.
    if (lostCalls) this.tracker.storedRecordings(this.pbxId, await lostCalls.storedRecordings(this.pbxId).catch(() => []));
    try {
      // The listing comes back through 'message' like any event; the tracker reads it there,
      // and has read all of it by the time the action resolves.
      await connection.send(amiActions.coreShowChannels(), { list: true });
    } catch (error) {
      this.options.logger.warn(`ingest ${this.pbxId}: CoreShowChannels failed (${(error as Error).message}); calls in progress are rebuilt from later events`);
      return;
    }
    if (this.connection !== connection || !lostCalls || mark === null) return;
    const live = this.tracker.openCalls(this.pbxId).map((call) => call.linkedids[0] ?? call.linkedid);
    this.lostAt = null;
    await lostCalls.close(this.pbxId, live, mark, since).catch((error: Error) => {
      this.options.logger.warn(`ingest ${this.pbxId}: could not end the calls the PBX no longer has (${error.message})`);
    });
  }

  private feed(msg: AmiMessage): void {
    const events = this.tracker.handle(msg);
    this.options.observer?.message(msg, events.length);
    this.emitAll(events);
    for (const listener of this.messageListeners) {
      try {
        listener(msg, events);
      } catch (error) {
        this.options.logger.error(`ingest ${this.pbxId}: a message listener failed: ${(error as Error).message}`);
      }
    }
    const phoneStates = this.options.phoneStates;
    if (!phoneStates) return;
    const device = readDeviceState(msg);
    if (device) phoneStates(device);
  }

  private emitAll(events: readonly CallTrackerEvent[]): void {
    for (const event of events) this.options.sink(event);
  }
}
