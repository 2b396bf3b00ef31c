import type { PbxSimOptions } from '../pbx-sim';
import type { TrafficProfile } from '../traffic/traffic-profile';
import type { ExtensionConfig } from '../engine/pbx-config';
import { DEMO_AMI_USER, DEMO_EXTENSIONS, DIALPLAN_NAMES, isDialplanName, type DialplanName } from '../demo-defaults';
import { DIALECT_NAMES, isDialectName, type DialectName } from '../engine/dialect';

export const USAGE = `pbx-sim: a simulated Asterisk (20 with chan_sip, or 22 with PJSIP) speaking real AMI over TCP.

Usage: npm run sim -- [options]

Manager interface
  --port <n>              AMI port (default 5038; 0 = any free port)
  --host <addr>           address to bind (default 127.0.0.1)
  --user <name>           manager user (default ${DEMO_AMI_USER.username})
  --secret <secret>       manager secret (default ${DEMO_AMI_USER.secret})
  --timestamp-events      add Timestamp: to events (manager.conf timestampevents = yes)
  --http-port <n>         JSON control endpoint (POST /calls, GET /stats ...); off by default

Simulated PBX
  --dialect <name>        asterisk20 (chan_sip, greeting 9.0.0; default) or asterisk22 (PJSIP, 11.0.0);
                          default $PBX_SIM_DIALECT
  --dialplan <name>       lab (the captures' dialplan; default) or freepbx (adds ring groups 600/601,
                          follow-me, queue 700 with Local members on DIDs 74959876600/601/610/700);
                          default $PBX_SIM_DIALPLAN
  --extensions <n|list>   number of extensions from 1001, or a list like 1001,1002 (default 5)
  --inbound-timeout <s>   seconds a DID call rings the agent (default 20)
  --recordings <dir>      where WAV files go (default $RECORDINGS_PATH or ./.data/recordings)
  --no-recordings         write no WAV files
  --no-rtcp               no periodic RTCPSent events

Traffic (all random choices come from --seed)
  --cps <n>               mean new calls per second (default 0.2; 0 = no generated calls)
  --max-concurrent <n>    calls up at once before new ones are skipped (default 8)
  --seed <n>              PRNG seed (default 42)
  --kinds <k=w,...>       call kind weights: inbound, outbound, internal, queue
  --outcomes <o=w,...>    outcome weights: answered, missed, busy, abandoned, failed
  --ring <min-max>        ring time range in ms (default 2000-9000)
  --talk <median>         median talk time in ms (log-normal; default 25000)
  --external <n1,n2,...>  external numbers calls come from / go to
  --duration <s>          stop after this many seconds (default: run until Ctrl-C)

Replay instead of simulating
  --replay <a.ami,...>    serve recorded captures (with their .timing.jsonl), one per connection
  --speed <x>             replay pace: 1 = as recorded, 10 = ten times faster, 0 = at once
  --loop                  serve the captures again after the last one

  --help                  this text
`;

export interface CliOptions {
  help: boolean;
  sim: PbxSimOptions;
  durationSec: number | null;
  replay: { captures: string[]; speed: number; loop: boolean } | null;
}

export class CliError extends Error {}

const FLAGS = new Set(['help', 'timestamp-events', 'no-recordings', 'no-rtcp', 'loop']);

/** Parses the command line; every problem is collected into one CliError. */
export function parseCliArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  const values = new Map<string, string>();
  const flags = new Set<string>();
  const problems: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) {
      problems.push(`unexpected argument ${arg}`);
      continue;
    }
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (FLAGS.has(name)) {
      flags.add(name);
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined) problems.push(`--${name} needs a value`);
    else values.set(name, value);
  }
  const num = (name: string, min: number, max: number): number | undefined => {
    const v = values.get(name);
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n) || n < min || n > max) {
      problems.push(`--${name} must be a number between ${min} and ${max}`);
      return undefined;
    }
    return n;
  };
  const weights = (name: string, allowed: string[]): Record<string, number> | undefined => {
    const v = values.get(name);
    if (v === undefined) return undefined;
    const out: Record<string, number> = Object.fromEntries(allowed.map((k) => [k, 0]));
    for (const part of v.split(',')) {
      const [k, w] = part.split('=');
      if (!allowed.includes(k) || !(Number(w) >= 0)) problems.push(`--${name}: ${part} is not <${allowed.join('|')}>=<weight>`);
      else out[k] = Number(w);
    }
    return out;
  };
  const known = new Set(['dialect', 'dialplan', 'port', 'host', 'user', 'secret', 'http-port', 'extensions', 'inbound-timeout', 'recordings', 'cps', 'max-concurrent', 'seed', 'kinds', 'outcomes', 'ring', 'talk', 'external', 'duration', 'replay', 'speed']);
  for (const name of values.keys()) if (!known.has(name)) problems.push(`unknown option --${name}`);

  const port = num('port', 0, 65535);
  const httpPort = num('http-port', 0, 65535);
  const seed = num('seed', 0, 2 ** 32 - 1);
  const cps = num('cps', 0, 10000);
  const maxConcurrent = num('max-concurrent', 1, 1_000_000);
  const inboundTimeout = num('inbound-timeout', 1, 3600);
  const duration = num('duration', 0, 365 * 86400);
  const speed = num('speed', 0, 100000);
  const talk = num('talk', 100, 3_600_000);
  let extensions: ExtensionConfig[] | undefined;
  const extArg = values.get('extensions');
  if (extArg !== undefined) {
    if (/^\d+$/.test(extArg) && Number(extArg) >= 1 && Number(extArg) <= 8999) {
      extensions = Array.from({ length: Number(extArg) }, (_, i) => DEMO_EXTENSIONS[i] ?? { number: String(1001 + i), name: `Agent ${1001 + i}` });
    } else if (/^\d{2,6}(,\d{2,6})*$/.test(extArg)) {
      extensions = extArg.split(',').map((n) => DEMO_EXTENSIONS.find((d) => d.number === n) ?? { number: n, name: `Agent ${n}` });
    } else problems.push('--extensions must be a count or a comma list of extension numbers');
  }
  let ring: { min: number; max: number } | undefined;
  if (values.has('ring')) {
    const m = /^(\d+)-(\d+)$/.exec(values.get('ring') ?? '');
    if (!m || Number(m[1]) > Number(m[2])) problems.push('--ring must be <min>-<max> in ms');
    else ring = { min: Number(m[1]), max: Number(m[2]) };
  }
  const external = values.get('external')?.split(',').map((s) => s.trim());
  if (external && external.some((n) => !/^\+?\d{5,20}$/.test(n))) problems.push('--external must be a comma list of phone numbers');
  const dialect = values.get('dialect') ?? (env.PBX_SIM_DIALECT || 'asterisk20');
  if (!isDialectName(dialect)) problems.push(`--dialect (or PBX_SIM_DIALECT) must be one of ${DIALECT_NAMES.join(', ')}, got ${JSON.stringify(dialect)}`);
  const dialplan = values.get('dialplan') ?? (env.PBX_SIM_DIALPLAN || 'lab');
  if (!isDialplanName(dialplan)) problems.push(`--dialplan (or PBX_SIM_DIALPLAN) must be one of ${DIALPLAN_NAMES.join(', ')}, got ${JSON.stringify(dialplan)}`);
  const kinds = weights('kinds', ['inbound', 'outbound', 'internal', 'queue']);
  const outcomes = weights('outcomes', ['answered', 'missed', 'busy', 'abandoned', 'failed']);
  if (problems.length > 0) throw new CliError(problems.join('\n'));

  const traffic: Partial<TrafficProfile> = {};
  if (cps !== undefined) traffic.cps = cps;
  if (maxConcurrent !== undefined) traffic.maxConcurrent = maxConcurrent;
  if (ring) traffic.ringMs = ring;
  if (talk !== undefined) traffic.talkMs = { median: talk, sigma: 0.6, min: Math.min(4000, talk), max: talk * 8 };
  if (external) traffic.externalNumbers = external;
  if (kinds) traffic.kinds = kinds as TrafficProfile['kinds'];
  if (outcomes) traffic.outcomes = outcomes as TrafficProfile['outcomes'];

  const recordingsPath = flags.has('no-recordings') ? null : (values.get('recordings') ?? env.RECORDINGS_PATH ?? './.data/recordings');
  const sim: PbxSimOptions = {
    port: port ?? 5038,
    host: values.get('host') ?? '127.0.0.1',
    users: [{ username: values.get('user') ?? DEMO_AMI_USER.username, secret: values.get('secret') ?? DEMO_AMI_USER.secret }],
    seed: seed ?? 42,
    httpPort: httpPort ?? null,
    dialplan: dialplan as DialplanName,
    traffic,
    config: {
      dialect: dialect as DialectName,
      ...(extensions ? { extensions } : {}),
      ...(inboundTimeout !== undefined ? { inboundDialTimeoutSec: inboundTimeout } : {}),
      recordingsPath,
      timestampEvents: flags.has('timestamp-events'),
      rtcp: !flags.has('no-rtcp'),
    },
  };
  if (extensions) sim.config = { ...sim.config, ...restrictRouting(extensions) };
  const replayArg = values.get('replay');
  return {
    help: flags.has('help'),
    sim,
    durationSec: duration ?? null,
    replay: replayArg ? { captures: replayArg.split(',').map((s) => s.trim()).filter(Boolean), speed: speed ?? 1, loop: flags.has('loop') } : null,
  };
}

/** With custom extensions, DIDs and the queue only point at extensions that exist. */
function restrictRouting(extensions: ExtensionConfig[]): Pick<NonNullable<PbxSimOptions['config']>, 'dids' | 'queues'> {
  const numbers = extensions.map((e) => e.number);
  const dids: Record<string, { extension: string } | { queue: string }> = {};
  numbers.slice(0, 9).forEach((n, i) => (dids[String(74959876543 + i)] = { extension: n }));
  dids['74950000000'] = { queue: 'support' };
  return { dids, queues: [{ name: 'support', members: numbers.slice(0, 3), memberTimeoutMs: 15000, retryMs: 2000 }] };
}
