import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fixtureSetDir } from '@app/ami/testing';
import { Dialplan } from './dialplan';
import { freepbxDialplanConf, FREEPBX_LAB_PROFILE } from './freepbx-dialplan';

/** Lines that matter to Asterisk: comments and blank lines dropped, whitespace trimmed. */
const statements = (text: string): string[] =>
  text
    .split('\n')
    .map((line) => line.replace(/;.*$/, '').trim())
    .filter(Boolean);

describe('FreePBX-style dialplan', () => {
  it("writes, for the lab's profile, the extensions_fpbx.conf the captures were made with", () => {
    const lab = readFileSync(resolve(fixtureSetDir('ami-fpbx'), 'asterisk-etc/extensions_fpbx.conf'), 'utf8');
    expect(statements(freepbxDialplanConf(FREEPBX_LAB_PROFILE, 'SIP'))).toEqual(statements(lab));
  });

  it('dials the phones with the dialect\'s technology and reads as a dialplan', () => {
    const plan = new Dialplan(freepbxDialplanConf(FREEPBX_LAB_PROFILE, 'PJSIP'));
    expect(plan.step('from-ringgroup', '1002', 4)?.data).toBe('PJSIP/${EXTEN},,Tt');
    expect(plan.step('ext-group', '601', plan.labelPriority('ext-group', '601', 'huntdial1') ?? 0)?.data).toBe('${HuntMember1},15,Ttr');
    expect(plan.step('from-external', '74959876610', 3)?.data).toBe('ext-findmefollow,FM1001,1');
  });
});
