import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listAmiCaptures } from '@app/ami/testing';
import { loadCapture, parseCapture } from '@app/ami';
import { confSection, confValues, readAsteriskConf } from './support/asterisk-conf';
import { PROJECT_ROOT } from './support/server-process';

/**
 * Keeps docs/asterisk-setup.md's least-privilege AMI user true to the code: every event the
 * code reads and every action it can send is in the document under the class Asterisk files it
 * under (read off the real captures' `Privilege:` headers), and the samples' manager.conf
 * grants each read class those events need. A new event read or action sent without the
 * document saying which class it needs fails here.
 */
const read = (path: string) => readFileSync(join(PROJECT_ROOT, path), 'utf8');
const DOC = read('docs/asterisk-setup.md');

/** Events a switch or comparison in these files reads by name. */
function eventsReadBy(files: string[]): Set<string> {
  const names = new Set<string>();
  for (const file of files) for (const match of read(file).matchAll(/case '([A-Z][A-Za-z]+)':|msg\.name === '([A-Z][A-Za-z]+)'/g)) names.add(match[1] ?? match[2]);
  return names;
}

/** The rows of a markdown table whose header starts with `| class |`, by the class in backticks. */
function classTable(heading: string): Map<string, string> {
  const section = DOC.slice(DOC.indexOf(heading));
  const rows = new Map<string, string>();
  for (const line of section.split('\n').slice(1)) {
    if (line.startsWith('#')) break;
    const match = /^\| `(\w+)` \|(.*)$/.exec(line);
    if (match) rows.set(match[1], match[2]);
  }
  return rows;
}

const mentions = (text: string, name: string) => new RegExp(`\`${name}\``).test(text);
const granted = (key: 'read' | 'write') => {
  const classes = (sample: string) => confValues(confSection(readAsteriskConf(join(PROJECT_ROOT, 'docker/asterisk', sample, 'manager.conf')), 'crm_manager'), key)[0].split(',').map((c) => c.trim());
  return ['chan_sip-monitor', 'pjsip-mixmonitor'].map(classes);
};

describe('docs/asterisk-setup.md: the least-privilege AMI user matches what the code reads and sends', () => {
  const readRows = classTable('### Read classes');
  const writeRows = classTable('### Write classes');
  const notNeeded = DOC.slice(DOC.indexOf('Not needed:'), DOC.indexOf('\n\n', DOC.indexOf('Not needed:')));
  const listAnswers = DOC.slice(DOC.indexOf('The answer rows of a list action'), DOC.indexOf('\n\n', DOC.indexOf('The answer rows of a list action')));

  /** Privilege classes of every event in the real captures (less `all`). */
  const privileges = new Map<string, Set<string>>();
  for (const set of ['ami', 'ami22', 'ami-fpbx'] as const) {
    for (const path of listAmiCaptures(set)) {
      for (const msg of parseCapture(loadCapture(path))) {
        const privilege = msg.kind === 'event' ? msg.get('Privilege') : undefined;
        if (!privilege) continue;
        const classes = privileges.get(msg.name) ?? new Set<string>();
        for (const c of privilege.split(',')) if (c !== 'all') classes.add(c);
        privileges.set(msg.name, classes);
      }
    }
  }
  const codeEvents = eventsReadBy(['libs/ami/src/tracker/call-tracker.ts', 'libs/ami/src/device-state/device-state-reader.ts']);

  it('reads the events it reads (the parse found the tracker and the phone states)', () => {
    expect([...codeEvents]).toEqual(expect.arrayContaining(['Newchannel', 'DialBegin', 'BridgeEnter', 'Hangup', 'VarSet', 'Cdr', 'ExtensionStatus']));
    expect([...readRows.keys()].sort()).toEqual(['agent', 'call', 'cdr', 'dialplan']);
  });

  it('lists every event the code reads, under the class Asterisk sends it with (or as not needed, or as a list answer)', () => {
    const wrong: string[] = [];
    for (const name of codeEvents) {
      const rows = [...readRows].filter(([, text]) => mentions(text, name)).map(([c]) => c);
      const seen = [...(privileges.get(name) ?? [])];
      if (mentions(notNeeded, name) || mentions(listAnswers, name)) continue;
      if (rows.length === 0) wrong.push(`${name}: read by the code, in no read-class row of the document`);
      else if (seen.length > 0 && !seen.every((c) => rows.includes(c))) wrong.push(`${name}: documented under ${rows.join(', ')}, sent by Asterisk with ${seen.join(', ')}`);
    }
    expect(wrong).toEqual([]);
  });

  it('the samples grant every read class of every event the code reads and Asterisk sends', () => {
    for (const classes of granted('read')) {
      const missing = [...codeEvents].flatMap((name) => (mentions(notNeeded, name) ? [] : [...(privileges.get(name) ?? [])].filter((c) => !classes.includes(c)).map((c) => `${name} needs ${c}`)));
      expect(missing).toEqual([]);
    }
  });

  it('lists every action the code can send in the write-class table (Login, Logoff and Ping need no class)', () => {
    const actions = new Set([...read('libs/ami/src/actions/ami-actions.ts').matchAll(/(?:spec\('|const a = ')([A-Z][A-Za-z]+)'/g)].map((m) => m[1]));
    expect([...actions]).toEqual(expect.arrayContaining(['Redirect', 'Hangup', 'Originate', 'CoreShowChannels']));
    const table = [...writeRows.values()].join('\n');
    const undocumented = [...actions].filter((name) => !['Login', 'Logoff', 'Ping'].includes(name) && !mentions(table, name));
    expect(undocumented).toEqual([]);
  });
});
