import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Client } from 'pg';
import { type AmiFixtureSet, fixtureSetDir, listAmiCaptures } from '@app/ami/testing';
import type { AmiMessage, CallRecord } from '@app/ami';
import { replayCaptures } from '@app/ami';
import { type AsteriskConfSection, confSection, confValues, readAsteriskConf } from './support/asterisk-conf';
import { PROJECT_ROOT } from './support/server-process';
import { createDatabase, dropDatabase, testServerConnection, uniqueName } from './support/test-database';

/**
 * The sample Asterisk configurations in docker/asterisk, held against the lab configuration
 * behind the real captures and against what the call tracker needs from AMI.
 */
const SAMPLES_DIR = join(PROJECT_ROOT, 'docker', 'asterisk');
const SAMPLES = ['chan_sip-monitor', 'pjsip-mixmonitor'] as const;
const conf = (sample: string, file: string): AsteriskConfSection[] => readAsteriskConf(join(SAMPLES_DIR, sample, file));
const classes = (value: string): string[] => value.split(',').map((c) => c.trim()).sort();

/** The CRM's AMI user in a sample's manager.conf. */
function crmManager(sample: string): AsteriskConfSection {
  return confSection(conf(sample, 'manager.conf'), 'crm_manager');
}

const READ = classes(confValues(crmManager('pjsip-mixmonitor'), 'read')[0]);

/**
 * What a login with these read classes receives: manager.c sends an event only when the
 * user's read permissions hold every class of the event (its `Privilege:` header, less `all`).
 * Lines of an action's own answer (CoreShowChannel rows...) carry no Privilege and always come.
 */
function delivered(readClasses: readonly string[]): (msg: AmiMessage) => boolean {
  const granted = new Set(readClasses);
  return (msg) => {
    const privilege = msg.kind === 'event' ? msg.get('Privilege') : undefined;
    if (privilege === undefined) return true;
    return privilege
      .split(',')
      .map((c) => c.trim())
      .filter((c) => c !== 'all' && c !== '')
      .every((c) => granted.has(c));
  };
}

/** Every capture of the three sets, the parts of a reconnect together, replayed as one AMI login. */
const CAPTURE_GROUPS: { name: string; paths: string[] }[] = (['ami', 'ami22', 'ami-fpbx'] as AmiFixtureSet[]).flatMap((set) => {
  const byCall = new Map<string, string[]>();
  for (const path of listAmiCaptures(set)) {
    const name = `${set}/${basename(path).replace(/(\.part\d+)?\.ami$/, '')}`;
    byCall.set(name, [...(byCall.get(name) ?? []), path]);
  }
  return [...byCall].map(([name, paths]) => ({ name, paths }));
});

/** Ended and still-open records, as the CRM would store them. */
function records(paths: string[], filter?: (msg: AmiMessage) => boolean): CallRecord[] {
  const result = replayCaptures(paths, { pbx: 'lab', filter });
  return [...result.ended, ...result.open];
}

const without = (...dropped: string[]): string[] => READ.filter((c) => !dropped.includes(c));

describe('docker/asterisk samples', () => {
  describe('manager.conf: the least-privilege AMI user', () => {
    it.each(SAMPLES)('%s grants read call,dialplan,agent,cdr and write call,originate,agent,reporting, nothing else', (sample) => {
      const user = crmManager(sample);
      expect(confValues(user, 'read').map(classes)).toEqual([['agent', 'call', 'cdr', 'dialplan']]);
      expect(confValues(user, 'write').map(classes)).toEqual([['agent', 'call', 'originate', 'reporting']]);
      expect(confValues(user, 'secret')).toHaveLength(1);
      expect(confValues(user, 'secret')[0]).not.toBe('your_secret_password');
      // deny first, then the permitted networks: nobody else may log in
      expect(user.entries.find(([k]) => k === 'deny' || k === 'permit')).toEqual(['deny', '0.0.0.0/0.0.0.0']);
      expect(confValues(confSection(conf(sample, 'manager.conf'), 'general'), 'timestampevents')).toEqual(['yes']);
    });

    it('loses nothing: every capture gives the same call records through a login with only those read classes', () => {
      let withheld = 0;
      for (const group of CAPTURE_GROUPS) {
        const all = records(group.paths);
        const keep = delivered(READ);
        const restricted = records(group.paths, (msg) => keep(msg) || (withheld++, false));
        expect({ capture: group.name, calls: restricted }).toEqual({ capture: group.name, calls: all });
      }
      // The captures' own login read more (system: FullyBooted, reporting: RTCPSent): the filter did withhold events.
      expect(withheld).toBeGreaterThan(0);
      expect(CAPTURE_GROUPS.length).toBeGreaterThanOrEqual(25);
    });

    it('without call: no call ever ends', () => {
      for (const group of CAPTURE_GROUPS) {
        expect({ capture: group.name, ended: records(group.paths, delivered(without('call'))).filter((c) => c.ended) }).toEqual({
          capture: group.name,
          ended: [],
        });
      }
    });

    it('without dialplan: recordings survive only through the CDR userfield (no path), many are lost, and so is CRM_CALL_ID', () => {
      let lost = 0;
      let linked = 0;
      for (const group of CAPTURE_GROUPS) {
        const all = records(group.paths);
        const reduced = records(group.paths, delivered(without('dialplan')));
        expect(reduced.map((c) => c.linkedid)).toEqual(all.map((c) => c.linkedid));
        reduced.forEach((call, i) => {
          const names = all[i].recordings.map((r) => r.file);
          for (const r of call.recordings) {
            expect(names).toContain(r.file);
            // named from the Cdr event's UserField: no absolute path, taken for a Monitor file
            expect({ path: r.path, source: r.source }).toEqual({ path: null, source: 'monitor' });
          }
          lost += names.length - call.recordings.length;
          linked += names.length;
        });
        // FreePBX names its files in CDR(recordingfile), not the userfield; a MixMonitor started over AMI names none
        if (group.name.startsWith('ami-fpbx/') || group.name === 'ami/mixmonitor_ami') expect(reduced.flatMap((c) => c.recordings)).toEqual([]);
        if (group.name === 'ami/originate_click_to_call') {
          expect(all[0].crmCallId).toBe('c2c-000123');
          expect(reduced[0].crmCallId).toBeNull();
        }
      }
      expect(lost).toBeGreaterThan(0);
      expect(lost).toBeLessThan(linked);
    });

    it('without dialplan and cdr: no recording is linked at all', () => {
      for (const group of CAPTURE_GROUPS) {
        expect(records(group.paths, delivered(without('dialplan', 'cdr'))).flatMap((c) => c.recordings)).toEqual([]);
      }
    });

    it('without cdr alone or agent alone: the captures still give the same records (what those classes add is in docs/asterisk-setup.md)', () => {
      for (const dropped of ['cdr', 'agent']) {
        for (const group of CAPTURE_GROUPS) {
          expect({ capture: group.name, calls: records(group.paths, delivered(without(dropped))) }).toEqual({ capture: group.name, calls: records(group.paths) });
        }
      }
    });
  });

  describe('dialplan', () => {
    /** The lab's own dialplan, behind the captures of each sample's Asterisk generation. */
    const LAB = { 'chan_sip-monitor': 'ami', 'pjsip-mixmonitor': 'ami22' } as const;

    it.each(SAMPLES)('%s has crm-hold and crm-hold-wait exactly as the captures use them', (sample) => {
      const lab = readAsteriskConf(join(fixtureSetDir(LAB[sample]), 'asterisk-etc', 'extensions.conf'));
      const dialplan = conf(sample, 'extensions.conf');
      for (const context of ['crm-hold', 'crm-hold-wait']) expect(confSection(dialplan, context)).toEqual(confSection(lab, context));
    });

    it('chan_sip-monitor: the specification\'s Monitor macro, chan_sip channels everywhere', () => {
      const dialplan = conf('chan_sip-monitor', 'extensions.conf');
      expect(confSection(dialplan, 'macro-record-call').entries).toEqual([
        ['exten', 's,1,Set(CALLFILENAME=${STRFTIME(${EPOCH},,%Y%m%d-%H%M%S)}-${CALLERID(num)}-${ARG1})'],
        ['same', 'n,Monitor(wav,${CALLFILENAME},m)'],
        ['same', 'n,Set(CDR(userfield)=${CALLFILENAME})'],
      ]);
      expect(confSection(dialplan, 'transfer-context').entries).toEqual([
        ['exten', '_X.,1,Dial(SIP/${EXTEN})'],
        ['same', 'n,Hangup()'],
        ['exten', '_8X.,1,Dial(SIP/provider/${EXTEN},60)'],
        ['same', 'n,Hangup()'],
        ['exten', '_+X.,1,Dial(SIP/provider/${EXTEN},60)'],
        ['same', 'n,Hangup()'],
      ]);
      const lines = dialplan.flatMap((s) => s.entries.map(([, v]) => v));
      expect(lines.filter((v) => v.includes('PJSIP/') || v.includes('MixMonitor('))).toEqual([]);
      expect(existsSync(join(SAMPLES_DIR, 'chan_sip-monitor', 'sip.conf'))).toBe(true);
    });

    it('pjsip-mixmonitor: MixMonitor in a Gosub, PJSIP channels, nothing Asterisk 21 removed', () => {
      const dialplan = conf('pjsip-mixmonitor', 'extensions.conf');
      const recording = confSection(dialplan, 'sub-record-call').entries.map(([, v]) => v);
      expect(recording).toContain('n,MixMonitor(${CALLFILENAME}.wav)');
      expect(recording[recording.length - 1]).toBe('n,Return()');
      expect(confSection(dialplan, 'transfer-context').entries).toEqual([
        ['exten', '_X.,1,Dial(PJSIP/${EXTEN})'],
        ['same', 'n,Hangup()'],
        ['exten', '_8X.,1,Dial(PJSIP/${EXTEN}@provider,60)'],
        ['same', 'n,Hangup()'],
        ['exten', '_+X.,1,Dial(PJSIP/${EXTEN}@provider,60)'],
        ['same', 'n,Hangup()'],
      ]);
      const lines = dialplan.flatMap((s) => s.entries.map(([, v]) => v));
      expect(lines.filter((v) => /(^|[^J])SIP\/|Monitor\(wav|Macro\(/.test(v))).toEqual([]);
      expect(readdirSync(join(SAMPLES_DIR, 'pjsip-mixmonitor'))).not.toContain('sip.conf');
    });

    it.each(SAMPLES)('%s sends every Cdr to AMI and keeps cdr_pgsql optional', (sample) => {
      expect(confValues(confSection(conf(sample, 'cdr_manager.conf'), 'general'), 'enabled')).toEqual(['yes']);
      expect(confValues(confSection(conf(sample, 'modules.conf'), 'modules'), 'noload')).toContain('cdr_pgsql.so');
      expect(confValues(confSection(conf(sample, 'cdr_pgsql.conf'), 'global'), 'table')).toEqual(['cdr']);
    });
  });

  it('cdr-pgsql.sql creates the cdr table cdr_pgsql writes, and can be run again', async () => {
    const database = uniqueName('ops_cdr');
    await createDatabase(database);
    const client = new Client(testServerConnection(database));
    await client.connect();
    try {
      const sql = readFileSync(join(SAMPLES_DIR, 'cdr-pgsql.sql'), 'utf8');
      await client.query(sql);
      await client.query(sql);
      const columns = await client.query<{ column_name: string }>(
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'cdr' ORDER BY ordinal_position",
      );
      expect(columns.rows.map((r) => r.column_name)).toEqual(
        expect.arrayContaining(['start', 'answer', 'end', 'src', 'dst', 'channel', 'dstchannel', 'disposition', 'billsec', 'duration', 'uniqueid', 'linkedid', 'userfield']),
      );
    } finally {
      await client.end();
      await dropDatabase(database);
    }
  });
});
