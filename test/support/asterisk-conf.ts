import { readFileSync } from 'node:fs';

/** One `[name]` (or `[name](template)`) section of an Asterisk .conf file, its lines in order. */
export interface AsteriskConfSection {
  name: string;
  /** `key = value` and `key => value` lines (`exten`, `same`, `member`...), comments and blank lines left out. */
  entries: [key: string, value: string][];
}

/**
 * Reads an Asterisk configuration file the way its loader splits it: `;` starts a comment
 * (`\;` is a literal semicolon), `[name]` opens a section, `key = value` / `key => value` follow.
 */
export function readAsteriskConf(path: string): AsteriskConfSection[] {
  const sections: AsteriskConfSection[] = [];
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    const line = raw.replace(/(?<!\\);.*$/, '').trim();
    if (line === '') continue;
    const header = /^\[([^\]]+)\]/.exec(line);
    if (header) {
      sections.push({ name: header[1], entries: [] });
      continue;
    }
    const entry = /^([^=]+?)\s*=>?\s*(.*)$/.exec(line);
    if (!entry || sections.length === 0) throw new Error(`${path}: cannot read "${raw}"`);
    sections[sections.length - 1].entries.push([entry[1], entry[2]]);
  }
  return sections;
}

/** The one section of that name; fails when there is none or several. */
export function confSection(sections: AsteriskConfSection[], name: string): AsteriskConfSection {
  const found = sections.filter((s) => s.name === name);
  if (found.length !== 1) throw new Error(`expected one [${name}] section, found ${found.length}`);
  return found[0];
}

/** The values of a key in a section, in order. */
export function confValues(section: AsteriskConfSection, key: string): string[] {
  return section.entries.filter(([k]) => k === key).map(([, v]) => v);
}
