import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * The real Asterisk captures (ground truth, read-only), copied byte for byte into the
 * repository under `test/fixtures` (see its README): `ami` from Asterisk 20.20.1 (chan_sip,
 * Monitor), `ami22` from Asterisk 22.10.1 (PJSIP, MixMonitor, Gosub), `ami-fpbx` from a
 * FreePBX-style dialplan on Asterisk 20.20.1. Used by specs and benchmarks only.
 */
export const FIXTURES_ROOT = resolve(__dirname, '../../../../test/fixtures');

export type AmiFixtureSet = 'ami' | 'ami22' | 'ami-fpbx';

export const AMI_FIXTURES_DIR = fixtureSetDir('ami');

export function fixtureSetDir(set: AmiFixtureSet): string {
  return resolve(FIXTURES_ROOT, set);
}

export function amiFixturePath(fileName: string, set: AmiFixtureSet = 'ami'): string {
  return resolve(fixtureSetDir(set), fileName);
}

/** Every `.ami` capture of a set, sorted by name. */
export function listAmiCaptures(set: AmiFixtureSet = 'ami'): string[] {
  const dir = fixtureSetDir(set);
  return readdirSync(dir)
    .filter((name) => name.endsWith('.ami'))
    .sort()
    .map((name) => resolve(dir, name));
}
