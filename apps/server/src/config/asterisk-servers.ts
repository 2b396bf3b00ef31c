/** One Asterisk Manager Interface endpoint the CRM logs in to. */
export interface AsteriskServerConfig {
  /** Stable PBX id, stored in `calls.pbx_id`. */
  id: string;
  host: string;
  port: number;
  username: string;
  secret: string;
}

export const DEFAULT_PBX_ID = 'default';
const PBX_ID = /^[a-z0-9][a-z0-9_-]{0,31}$/i;

export type AsteriskServersParse = { servers: AsteriskServerConfig[] } | { error: string };

/**
 * Parses `ASTERISK_SERVERS`: comma-separated `id=ami://user:secret@host[:port]` entries.
 * User and secret are URL-encoded when they contain `:`, `@`, `,` or `%`. Errors name the
 * entry by position and never echo it, because entries carry secrets.
 */
export function parseAsteriskServers(value: string, defaultPort: number): AsteriskServersParse {
  const servers: AsteriskServerConfig[] = [];
  const entries = value.split(',').map((entry) => entry.trim());
  for (const [index, entry] of entries.entries()) {
    const position = `entry ${index + 1}`;
    const separator = entry.indexOf('=');
    if (separator < 0) return { error: `${position}: expected id=ami://user:secret@host:port` };
    const id = entry.slice(0, separator).trim();
    if (!PBX_ID.test(id)) return { error: `${position}: id must be 1-32 letters, digits, "_" or "-"` };
    if (servers.some((server) => server.id === id)) return { error: `${position}: duplicate id "${id}"` };
    let url: URL;
    try {
      url = new URL(entry.slice(separator + 1).trim());
    } catch {
      return { error: `${position}: not a URL of the form ami://user:secret@host:port` };
    }
    if (url.protocol !== 'ami:') return { error: `${position}: the URL scheme must be ami://` };
    if (!url.hostname) return { error: `${position}: the host is missing` };
    if (!url.username || !url.password) return { error: `${position}: user and secret are required` };
    let username: string;
    let secret: string;
    try {
      username = decodeURIComponent(url.username);
      secret = decodeURIComponent(url.password);
    } catch {
      return { error: `${position}: user or secret is not correctly URL-encoded` };
    }
    servers.push({ id, host: url.hostname, port: url.port ? Number(url.port) : defaultPort, username, secret });
  }
  return { servers };
}
