import { RealClock, SimClock } from './clock/sim-clock';
import { SeededRandom } from '@app/ami';
import { PbxEngine, EngineStats, SimCall, type SimCdrRecord } from './engine/pbx-engine';
import { cdrCsvSink } from './engine/cdr-csv-sink';
import type { PbxConfig } from './engine/pbx-config';
import type { DefaultBehaviour } from './engine/call-plans';
import { CallPlacer, PlaceCallRequest, PlacedCall } from './engine/call-placer';
import { AmiActions, AmiUser } from './ami/ami-actions';
import { AmiServer, AmiServerStats } from './ami/ami-server';
import { ControlHttpServer } from './control/control-http-server';
import { TrafficGenerator, TrafficStats } from './traffic/traffic-generator';
import { resolveProfile, TrafficProfile, STEADY_PROFILE } from './traffic/traffic-profile';
import { demoPbxConfig, DEMO_AMI_USER, type DialplanName } from './demo-defaults';

export interface PbxSimOptions {
  /** AMI port (5038; 0 picks a free one). */
  port?: number;
  host?: string;
  /** Manager users; default the demo's `crm_manager`. */
  users?: AmiUser[];
  /** Seed of every random choice (traffic, ids, timings). */
  seed?: number;
  /** Defaults to the real clock; tests pass a VirtualClock. */
  clock?: SimClock;
  /** PBX configuration overrides on top of the demo configuration. */
  config?: Partial<PbxConfig>;
  /** `freepbx` adds the demo's FreePBX-style office (ring groups, follow-me, a Local-member queue) to the lab dialplan. */
  dialplan?: DialplanName;
  /** Generated traffic: a (partial) profile, or null for none (calls only on request). */
  traffic?: Partial<TrafficProfile> | null;
  /** Start the traffic at once (default true when `traffic` is given). */
  trafficAutostart?: boolean;
  /** Port of the JSON control endpoint; null (default) for none, 0 for a free one. */
  httpPort?: number | null;
  /** Delay before refusing a bad login (Asterisk waits 1 s). */
  authFailDelayMs?: number;
  /** Endpoint behaviour for legs no script covers (CRM-originated calls, transfer targets). */
  behaviour?: DefaultBehaviour;
  /** Appends every CDR record to this `Master.csv`, as cdr_csv does. */
  cdrCsvPath?: string;
  /** Told every CDR record (e.g. to write it where cdr_pgsql would). */
  onCdr?: (record: SimCdrRecord) => void;
  log?: (message: string) => void;
}

export interface PbxSimStats {
  engine: EngineStats;
  ami: AmiServerStats;
  traffic: TrafficStats & { running: boolean; cps: number };
  recordingsWritten: number;
}

export interface PbxSim {
  /** The AMI port actually bound. */
  readonly port: number;
  readonly httpPort: number | null;
  readonly engine: PbxEngine;
  readonly traffic: TrafficGenerator;
  /** Places one scripted call; the caller's channel exists when this returns. */
  placeCall(req: PlaceCallRequest): PlacedCall;
  /** A snapshot of the counters. */
  readonly stats: PbxSimStats;
  /** Waits until every recording written so far is on disk. */
  flushRecordings(): Promise<void>;
  /**
   * Goes down as Asterisk does on a restart by signal or crash (`core restart now`): `Event:
   * Shutdown` to the AMI sessions, the sessions and the listener closed, then every call in
   * progress dies with the process, unseen (no Hangup), its CDR records written as the CDR
   * engine finalises them at shutdown. The port is free again when this resolves: a new
   * `startPbxSim` on it is the restarted PBX (empty: CoreShowChannels lists nothing).
   */
  shutdown(): Promise<void>;
  close(): Promise<void>;
}

const FINISHED_CALLS_KEPT = 1000;

/**
 * Starts the simulated Asterisk: the AMI server, optional generated traffic and
 * the optional JSON control endpoint. The server app runs it in-process for the
 * zero-config demo (`npm start` without ASTERISK_HOST); the CLI wraps it.
 */
export async function startPbxSim(options: PbxSimOptions = {}): Promise<PbxSim> {
  const log = options.log ?? (() => undefined);
  const clock = options.clock ?? new RealClock();
  const rng = new SeededRandom(options.seed ?? 42);
  const config = demoPbxConfig(options.config, options.dialplan);
  const csv = options.cdrCsvPath ? cdrCsvSink(options.cdrCsvPath) : null;
  const onCdr = csv || options.onCdr ? (record: SimCdrRecord) => (csv?.(record), options.onCdr?.(record)) : undefined;
  const engine = new PbxEngine({ config, clock, rng, behaviour: options.behaviour, onError: (err) => log(`pbx-sim: ${err.message}`), onCdr });
  const placer = new CallPlacer(engine);
  const actions = new AmiActions(engine, placer, options.users ?? [DEMO_AMI_USER], options.authFailDelayMs ?? 1000);
  const ami = new AmiServer(engine, actions, { port: options.port ?? 5038, host: options.host ?? '127.0.0.1', timestampEvents: config.timestampEvents }, log);
  let profile = resolveProfile(options.traffic ?? { cps: 0 }, STEADY_PROFILE);
  // Traffic draws from its own stream so that scripted calls do not shift it.
  const traffic = new TrafficGenerator(engine, placer, profile, new SeededRandom((options.seed ?? 42) ^ 0x5eed), clock);
  const finished = new Map<string, SimCall>();
  const remember = (call: SimCall): void => {
    finished.set(call.linkedid, call);
    if (finished.size > FINISHED_CALLS_KEPT) finished.delete(finished.keys().next().value as string);
  };
  const placeCall = (req: PlaceCallRequest): PlacedCall => {
    const placed = placer.place(req);
    void placed.done.then(remember);
    return placed;
  };
  const port = await ami.listen();
  let http: ControlHttpServer | null = null;
  let httpPort: number | null = null;
  const stats = (): PbxSimStats => ({
    engine: { ...engine.stats },
    ami: { ...ami.stats },
    traffic: { ...traffic.stats, running: traffic.isRunning, cps: profile.cps },
    recordingsWritten: engine.recordings.written.length,
  });
  if (options.httpPort !== undefined && options.httpPort !== null) {
    http = new ControlHttpServer(
      {
        placeCall: (req) => {
          const { linkedid, channel, uniqueid } = placeCall(req);
          return { linkedid, channel, uniqueid };
        },
        callInfo: (linkedid) => {
          const call = engine.call(linkedid) ?? finished.get(linkedid);
          if (!call) return undefined;
          return { linkedid, startedAt: call.startedAt, endedAt: call.endedAt, live: [...call.live], channels: call.channels, recordings: call.recordings };
        },
        channels: () =>
          engine.liveChannels().map((c) => ({ channel: c.name, uniqueid: c.uniqueid, linkedid: c.linkedid, state: c.stateDesc, context: c.context, exten: c.exten, application: c.app, bridge: c.bridge?.uniqueid ?? null })),
        stats,
        setTraffic: (partial) => {
          profile = resolveProfile(partial, profile);
          traffic.setProfile(profile);
          return profile;
        },
        startTraffic: () => traffic.start(),
        stopTraffic: () => traffic.stop(),
      },
      options.host ?? '127.0.0.1',
      options.httpPort,
    );
    try {
      httpPort = await http.listen();
    } catch (err) {
      await ami.close();
      throw err;
    }
  }
  if ((options.trafficAutostart ?? options.traffic != null) && profile.cps > 0) traffic.start();
  log(`pbx-sim: ${engine.dialect.version} (${config.dialect}${config.freepbx ? ', FreePBX-style dialplan' : ''}) AMI on ${options.host ?? '127.0.0.1'}:${port}${httpPort !== null ? `, control http on ${httpPort}` : ''}, ${config.extensions.length} extensions, traffic ${traffic.isRunning ? `${profile.cps} cps` : 'off'}`);
  return {
    port,
    httpPort,
    engine,
    traffic,
    placeCall,
    get stats() {
      return stats();
    },
    flushRecordings: () => engine.recordings.flush(),
    async shutdown() {
      traffic.stop();
      // The announcement is made and the engine's events stop reaching the sessions at once; the calls die right after it.
      const closing = ami.shutdown(true);
      engine.halt();
      await Promise.all([closing, http?.close()]);
      await engine.recordings.flush();
    },
    async close() {
      traffic.stop();
      await Promise.all([ami.close(), http?.close()]);
      await engine.recordings.flush();
    },
  };
}
