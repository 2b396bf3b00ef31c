import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The real Asterisk captures (ground truth, read-only) live beside the project:
 * `<project>/../shared/fixtures/ami`. Used by specs and the benchmark only.
 */
export const AMI_FIXTURES_DIR = resolve(__dirname, '../../../../../shared/fixtures/ami');

export function amiFixturePath(fileName: string): string {
  return resolve(AMI_FIXTURES_DIR, fileName);
}

/** Every `.ami` capture, sorted by name. */
export function listAmiCaptures(): string[] {
  return readdirSync(AMI_FIXTURES_DIR)
    .filter((name) => name.endsWith('.ami'))
    .sort()
    .map((name) => resolve(AMI_FIXTURES_DIR, name));
}
