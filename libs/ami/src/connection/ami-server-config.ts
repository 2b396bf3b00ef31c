import { AmiConfigError } from '../protocol/ami-errors';

/** One Asterisk manager endpoint. `id` tags every message and call from it (`pbx_id`). */
export interface AmiServerConfig {
  id: string;
  host: string;
  port: number;
  username: string;
  /** Never log it: use `describeAmiServer` for log lines. */
  secret: string;
  /** Connect with TLS (Asterisk's `tlsenable`, usually port 5039). */
  tls: boolean;
}

export const AMI_DEFAULT_PORT = 5038;
export const AMI_DEFAULT_TLS_PORT = 5039;
export const AMI_DEFAULT_SERVER_ID = 'default';

const ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\])$/;
const TRUE = new Set(['1', 'true', 'yes', 'on']);
const FALSE = new Set(['', '0', 'false', 'no', 'off']);

/** `crm@10.0.0.5:5038 (tls)` for logs: everything but the secret. */
export function describeAmiServer(server: AmiServerConfig): string {
  return `${server.id}: ${server.username}@${server.host}:${server.port}${server.tls ? ' (tls)' : ''}`;
}

/**
 * Reads `ASTERISK_SERVERS`, in either of two forms:
 *
 * - a JSON array: `[{"id":"main","host":"10.0.0.5","port":5038,"username":"crm","secret":"s3cret","tls":false}]`
 *   (`port` defaults to 5038, or 5039 with `tls`; `user` is accepted for `username`);
 * - a comma-separated list of `id=user:secret@host[:port]`, optionally with a scheme,
 *   `ami://` (plain, the default) or `amis://` (TLS):
 *   `main=crm:s3cret@10.0.0.5:5038,branch=amis://crm:pw@pbx2.example.com`.
 *   A `:`, `@`, `,` or `%` inside the user or secret is written percent-encoded (`%40` for `@`).
 *
 * Throws one `AmiConfigError` that lists every bad entry; the messages never include a secret.
 */
export function parseAsteriskServers(value: string): AmiServerConfig[] {
  const text = value.trim();
  if (text === '') return [];
  const problems: string[] = [];
  const servers = text.startsWith('[') ? fromJson(text, problems) : fromList(text, problems);
  const seen = new Set<string>();
  for (const s of servers) {
    if (s.id === '') continue;
    if (seen.has(s.id)) problems.push(`server id "${s.id}" is used twice`);
    seen.add(s.id);
  }
  if (problems.length > 0) throw new AmiConfigError(problems);
  return servers;
}

/**
 * The PBXs to connect to: `ASTERISK_SERVERS` when set, else the single server of
 * `ASTERISK_HOST`/`ASTERISK_PORT`/`ASTERISK_USER`/`ASTERISK_SECRET` (+ `ASTERISK_TLS`,
 * `ASTERISK_ID`, default id `default`). Empty when neither is set (the app then runs
 * its built-in simulator). Setting both is an error rather than a silent choice.
 */
export function amiServersFromEnv(env: NodeJS.ProcessEnv = process.env): AmiServerConfig[] {
  const list = env.ASTERISK_SERVERS?.trim() ?? '';
  const host = env.ASTERISK_HOST?.trim() ?? '';
  if (list !== '' && host !== '') {
    throw new AmiConfigError(['set either ASTERISK_SERVERS or ASTERISK_HOST (with ASTERISK_PORT/USER/SECRET), not both']);
  }
  if (list !== '') return parseAsteriskServers(list);
  if (host === '') return [];
  const problems: string[] = [];
  const tls = flag(env.ASTERISK_TLS, 'ASTERISK_TLS', problems);
  const server = checkServer(
    {
      id: env.ASTERISK_ID?.trim() || AMI_DEFAULT_SERVER_ID,
      host,
      port: env.ASTERISK_PORT?.trim() ? Number(env.ASTERISK_PORT.trim()) : tls ? AMI_DEFAULT_TLS_PORT : AMI_DEFAULT_PORT,
      username: env.ASTERISK_USER ?? '',
      secret: env.ASTERISK_SECRET ?? '',
      tls,
    },
    'ASTERISK_*',
    problems,
  );
  if (problems.length > 0) throw new AmiConfigError(problems);
  return [server];
}

function fromJson(text: string, problems: string[]): AmiServerConfig[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    problems.push('ASTERISK_SERVERS starts with "[" but is not valid JSON');
    return [];
  }
  if (!Array.isArray(raw)) {
    problems.push('ASTERISK_SERVERS JSON must be an array of servers');
    return [];
  }
  return raw.map((entry, i) => {
    const where = `ASTERISK_SERVERS[${i}]`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      problems.push(`${where} must be an object`);
      return emptyServer();
    }
    const e = entry as Record<string, unknown>;
    const tls = e.tls === undefined ? false : e.tls === true ? true : e.tls === false ? false : (problems.push(`${where}.tls must be true or false`), false);
    return checkServer(
      {
        id: str(e.id),
        host: str(e.host),
        port: e.port === undefined ? (tls ? AMI_DEFAULT_TLS_PORT : AMI_DEFAULT_PORT) : typeof e.port === 'number' ? e.port : Number(str(e.port) || NaN),
        username: str(e.username ?? e.user),
        secret: typeof e.secret === 'string' ? e.secret : '',
        tls,
      },
      where,
      problems,
    );
  });
}

function fromList(text: string, problems: string[]): AmiServerConfig[] {
  return text.split(',').map((part, i) => {
    const where = `ASTERISK_SERVERS entry ${i + 1}`;
    const entry = part.trim();
    const eq = entry.indexOf('=');
    if (eq <= 0) {
      problems.push(`${where} must look like id=user:secret@host:port`);
      return emptyServer();
    }
    const id = entry.slice(0, eq).trim();
    let rest = entry.slice(eq + 1).trim();
    let tls = false;
    const scheme = /^([a-z]+):\/\//i.exec(rest);
    if (scheme) {
      const name = scheme[1].toLowerCase();
      if (name !== 'ami' && name !== 'amis') problems.push(`${where} (${id}): scheme must be ami:// or amis://`);
      tls = name === 'amis';
      rest = rest.slice(scheme[0].length);
    }
    const at = rest.lastIndexOf('@');
    const colon = rest.indexOf(':');
    if (at < 0 || colon < 0 || colon > at) {
      problems.push(`${where} (${id}) must look like id=user:secret@host:port`);
      return emptyServer();
    }
    const hostPort = rest.slice(at + 1);
    const portMatch = /^(.*?)(?::(\d*))?$/.exec(hostPort)!;
    const host = portMatch[1];
    const port = portMatch[2] === undefined ? (tls ? AMI_DEFAULT_TLS_PORT : AMI_DEFAULT_PORT) : portMatch[2] === '' ? NaN : Number(portMatch[2]);
    return checkServer(
      { id, host, port, username: percentDecode(rest.slice(0, colon), `${where} (${id}) user`, problems), secret: percentDecode(rest.slice(colon + 1, at), `${where} (${id}) secret`, problems), tls },
      `${where} (${id})`,
      problems,
    );
  });
}

function checkServer(server: AmiServerConfig, where: string, problems: string[]): AmiServerConfig {
  if (!ID.test(server.id)) problems.push(`${where}: id must be 1-63 letters, digits, _ or - (got "${server.id.slice(0, 70)}")`);
  if (!HOST.test(server.host)) problems.push(`${where}: host must be a host name or an IP address`);
  if (!Number.isInteger(server.port) || server.port < 1 || server.port > 65535) problems.push(`${where}: port must be 1-65535`);
  if (server.username === '') problems.push(`${where}: user is missing`);
  else if (/[\r\n\0]/.test(server.username)) problems.push(`${where}: user contains CR, LF or NUL`);
  if (server.secret === '') problems.push(`${where}: secret is missing`);
  else if (/[\r\n\0]/.test(server.secret)) problems.push(`${where}: secret contains CR, LF or NUL`);
  if (server.host.startsWith('[')) server.host = server.host.slice(1, -1);
  return server;
}

function percentDecode(text: string, what: string, problems: string[]): string {
  try {
    return decodeURIComponent(text);
  } catch {
    problems.push(`${what} has a bad percent-encoding`);
    return '';
  }
}

function flag(value: string | undefined, name: string, problems: string[]): boolean {
  const v = (value ?? '').trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (!FALSE.has(v)) problems.push(`${name} must be true or false`);
  return false;
}

function str(value: unknown): string {
  return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

function emptyServer(): AmiServerConfig {
  return { id: '', host: '', port: 0, username: '', secret: '', tls: false };
}
