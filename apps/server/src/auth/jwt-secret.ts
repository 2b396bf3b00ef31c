import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AppConfig } from '../config/app-config';

export const DEV_SECRET_FILE = 'jwt-secret';

/**
 * JWT_SECRET when set (config validation requires it in production). Otherwise a random
 * secret generated once and kept in DATA_DIR, so development tokens survive restarts and no
 * well-known secret ever signs tokens.
 */
export function resolveJwtSecret(config: AppConfig, warn: (message: string) => void): string {
  if (config.JWT_SECRET) return config.JWT_SECRET;
  const file = join(config.dataDir, DEV_SECRET_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  warn(`JWT_SECRET is not set: generated a development secret in ${file} (set JWT_SECRET in production)`);
  return secret;
}
