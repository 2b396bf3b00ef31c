/**
 * A setting that may differ per PBX, written `value` (every PBX), `id=value,id=value` (those
 * PBXs) or both (`value,id=value`: a default and its exceptions). Commas separate entries, so
 * values cannot contain one.
 */
export interface PerPbxSetting {
  fallback: string | null;
  byPbx: ReadonlyMap<string, string>;
}

const PBX_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/;

/** The parsed setting, or the reason it cannot be read. */
export function parsePerPbxSetting(text: string, isValue: (value: string) => boolean): PerPbxSetting | { problem: string } {
  let fallback: string | null = null;
  const byPbx = new Map<string, string>();
  for (const entry of text.split(',').map((part) => part.trim())) {
    const eq = entry.indexOf('=');
    const [id, value] = eq < 0 ? [null, entry] : [entry.slice(0, eq).trim(), entry.slice(eq + 1).trim()];
    if (!isValue(value)) return { problem: `"${entry}" has no valid value` };
    if (id === null) {
      if (fallback !== null) return { problem: 'gives more than one value for every PBX' };
      fallback = value;
    } else {
      if (!PBX_ID.test(id)) return { problem: `"${id}" is not a PBX id` };
      if (byPbx.has(id)) return { problem: `names PBX "${id}" twice` };
      byPbx.set(id, value);
    }
  }
  return { fallback, byPbx };
}

/** The value for one PBX: its own, else the setting's default, else `otherwise`. */
export function perPbxValue(setting: PerPbxSetting | null, pbxId: string, otherwise: string): string {
  return setting?.byPbx.get(pbxId) ?? setting?.fallback ?? otherwise;
}
