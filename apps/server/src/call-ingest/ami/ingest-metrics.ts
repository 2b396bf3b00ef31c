import { Injectable } from '@nestjs/common';
import { amiEventTime, type AmiMessage } from '@app/ami';
import { Counter, Gauge, Histogram } from 'prom-client';
import { AppConfig } from '../../config/app-config';
import { MetricsRegistry } from '../../metrics';
import { CallIngestService } from '../call-ingest.service';
import type { PbxIngestStatus } from './ami-ingest.service';
import type { PbxIngestObserver } from './pbx-ingest';

const PBX_STATES: PbxIngestStatus['state'][] = ['ingesting', 'standby', 'stopped'];

/** Counted per message on the hot path, read at scrape time. */
interface PbxCounts {
  events: number;
  logins: number;
}

/**
 * The ingest's Prometheus metrics, per PBX where it matters (the `pbx` label is a configured PBX
 * id; no label ever names a call, a channel or a number, so the series stay as many as PBXs):
 *
 * - AMI: logged in or not, reconnects, disconnects by reason, events received, and the lag of
 *   the events that made call events: from the PBX's `Timestamp:` (manager.conf
 *   timestampevents = yes) to their processing, or, without it, from their arrival (the
 *   processing lag alone). A PBX clock ahead of this host's counts as 0.
 * - Calls in progress per PBX, as the tracker follows them.
 * - The write queue: depth, bound, whether the PBXs are read, batch write latency (failed
 *   attempts too), events written, retries, drops.
 *
 * Counts on the message path are plain numbers added to the counters when scraped.
 */
@Injectable()
export class IngestMetrics {
  private readonly counts = new Map<string, PbxCounts>();
  private status: () => PbxIngestStatus[] = () => [];
  private readonly disconnects: Counter<'pbx' | 'reason'>;
  private readonly lag: Histogram<'pbx' | 'basis'>;

  constructor(metrics: MetricsRegistry, calls: CallIngestService, config: AppConfig) {
    const registers = [metrics.registry];
    const perPbx = (set: (pbx: PbxIngestStatus) => void) => () => {
      for (const pbx of this.status()) set(pbx);
    };

    const connected = new Gauge({
      name: 'crm_ami_connected',
      help: 'Whether this process is logged in to the PBX`s AMI (1) or not (0; a standby process is 0)',
      labelNames: ['pbx'],
      registers,
      collect: () => {
        connected.reset();
        perPbx((p) => connected.set({ pbx: p.pbxId }, p.amiState === 'ready' ? 1 : 0))();
      },
    });
    const pbxState = new Gauge({
      name: 'crm_ingest_pbx_state',
      help: 'The PBX`s ingest in this process: 1 for its current state (ingesting: holds the PBX`s lock; standby: another process does; stopped)',
      labelNames: ['pbx', 'state'],
      registers,
      collect: () => {
        pbxState.reset();
        perPbx((p) => {
          for (const state of PBX_STATES) pbxState.set({ pbx: p.pbxId, state }, p.state === state ? 1 : 0);
        })();
      },
    });
    const activeCalls = new Gauge({
      name: 'crm_calls_active',
      help: 'Calls in progress on the PBX, as this process`s tracker follows them',
      labelNames: ['pbx'],
      registers,
      collect: () => {
        activeCalls.reset();
        perPbx((p) => activeCalls.set({ pbx: p.pbxId }, p.activeCalls))();
      },
    });
    const events = new Counter({
      name: 'crm_ami_events_total',
      help: 'AMI events received from the PBX',
      labelNames: ['pbx'],
      registers,
      collect: () => {
        events.reset();
        for (const [pbx, counts] of this.counts) events.inc({ pbx }, counts.events);
      },
    });
    const reconnects = new Counter({
      name: 'crm_ami_reconnects_total',
      help: 'AMI logins to the PBX after the first one of this process',
      labelNames: ['pbx'],
      registers,
      collect: () => {
        reconnects.reset();
        for (const [pbx, counts] of this.counts) reconnects.inc({ pbx }, Math.max(0, counts.logins - 1));
      },
    });
    this.disconnects = new Counter({
      name: 'crm_ami_disconnects_total',
      help: 'AMI connection attempts and sessions that ended, by reason (connect-failed, login-failed, remote-closed, pong-timeout...)',
      labelNames: ['pbx', 'reason'],
      registers,
    });
    this.lag = new Histogram({
      name: 'crm_ami_event_lag_seconds',
      help: 'Lag of the AMI events that made call events, until processed: from the PBX`s Timestamp (basis pbx_timestamp) or, without one, from their arrival (basis arrival)',
      labelNames: ['pbx', 'basis'],
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    });

    const queueDepth: Gauge = new Gauge({
      name: 'crm_ingest_queue_events',
      help: 'Call events waiting to be written or being written',
      registers,
      collect: () => queueDepth.set(calls.stats.pending),
    });
    new Gauge({ name: 'crm_ingest_queue_capacity_events', help: 'The write queue`s bound (INGEST_MAX_QUEUED_EVENTS)', registers }).set(config.INGEST_MAX_QUEUED_EVENTS);
    const paused: Gauge = new Gauge({
      name: 'crm_ingest_reading_paused',
      help: 'Whether the PBXs are not read because the write queue is full (1) or are read (0)',
      registers,
      collect: () => paused.set(calls.isFull ? 1 : 0),
    });
    const queueCounter = (name: string, help: string, read: () => number): void => {
      const counter: Counter = new Counter({
        name,
        help,
        registers,
        collect: () => {
          counter.reset();
          counter.inc(read());
        },
      });
    };
    queueCounter('crm_ingest_written_events_total', 'Call events written to the database', () => calls.stats.written);
    queueCounter('crm_ingest_write_retries_total', 'Batch writes retried after a transient failure (the database away)', () => calls.stats.retries);
    queueCounter('crm_ingest_dropped_events_total', 'Call events the database refused for good (logged)', () => calls.stats.dropped);
    const writes = new Histogram({
      name: 'crm_ingest_write_seconds',
      help: 'Time to write one batch of call events (outcome ok, or error for an attempt that failed and is retried or split)',
      labelNames: ['outcome'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    calls.onWrite((write) => writes.observe({ outcome: write.ok ? 'ok' : 'error' }, write.seconds));
  }

  /** Where the PBXs' status is read at scrape time (AmiIngestService.status). */
  watch(status: () => PbxIngestStatus[]): void {
    this.status = status;
  }

  /** The observer of one PBX's ingest. */
  observerFor(pbxId: string): PbxIngestObserver {
    const counts = this.counts.get(pbxId) ?? { events: 0, logins: 0 };
    this.counts.set(pbxId, counts);
    const lagFromTimestamp = this.lag.labels({ pbx: pbxId, basis: 'pbx_timestamp' });
    const lagFromArrival = this.lag.labels({ pbx: pbxId, basis: 'arrival' });
    return {
      connected: () => void counts.logins++,
      disconnected: (info) => this.disconnects.inc({ pbx: pbxId, reason: info.reason }),
      message: (msg: AmiMessage, callEvents: number) => {
        if (msg.kind === 'event') counts.events++;
        if (callEvents === 0) return;
        const now = Date.now();
        if (msg.get('Timestamp') !== undefined) lagFromTimestamp.observe(Math.max(0, now - amiEventTime(msg)) / 1000);
        else lagFromArrival.observe(Math.max(0, now - msg.receivedAt) / 1000);
      },
    };
  }
}
