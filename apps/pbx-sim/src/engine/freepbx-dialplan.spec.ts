import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fixtureSetDir } from '@app/ami/testing';
import { Dialplan } from './dialplan';
import { freepbxDialplanConf, freepbxQueuesConf, FREEPBX_LAB_PROFILE } from './freepbx-dialplan';

const LAB_NAMES = { '1001': 'Alice Agent', '1002': 'Bob Agent' };
const fixture = (file: string): string => readFileSync(resolve(fixtureSetDir('ami-fpbx'), 'asterisk-etc', file), 'utf8');

/** Lines that matter to Asterisk: comments and blank lines dropped, whitespace trimmed. */
const statements = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.replace(/;.*$/, '').trim())
    .filter(Boolean);

describe('FreePBX-style dialplan', () => {
  it("writes, for the lab's profile, the extensions_fpbx.conf and queues_fpbx.conf the captures were made with", () => {
    expect(statements(freepbxDialplanConf(FREEPBX_LAB_PROFILE, 'SIP'))).toEqual(statements(fixture('extensions_fpbx.conf')));
    expect(statements(freepbxQueuesConf(FREEPBX_LAB_PROFILE, 'SIP', LAB_NAMES))).toEqual(statements(fixture('queues_fpbx.conf')));
  });

  it('is what docs/asterisk/freepbx-style-dialplan.md shows (PJSIP)', () => {
    const doc = readFileSync(resolve(__dirname, '../../../../docs/asterisk/freepbx-style-dialplan.md'), 'utf8');
    const blocks = [...doc.matchAll(/```asterisk\n([\s\S]*?)```/g)].map((m) => statements(m[1]));
    expect(blocks).toEqual([statements(freepbxDialplanConf(FREEPBX_LAB_PROFILE, 'PJSIP')), statements(freepbxQueuesConf(FREEPBX_LAB_PROFILE, 'PJSIP', LAB_NAMES))]);
  });

  it('dials the phones with the dialect\'s technology and reads as a dialplan', () => {
    const plan = new Dialplan(freepbxDialplanConf(FREEPBX_LAB_PROFILE, 'PJSIP'));
    expect(plan.step('from-ringgroup', '1002', 4)?.data).toBe('PJSIP/${EXTEN},,Tt');
    expect(plan.step('ext-group', '601', plan.labelPriority('ext-group', '601', 'huntdial1') ?? 0)?.data).toBe('${HuntMember1},15,Ttr');
    expect(plan.step('from-external', '74959876610', 3)?.data).toBe('ext-findmefollow,FM1001,1');
  });
});
