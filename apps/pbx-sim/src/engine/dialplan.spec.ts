import { Dialplan, matchPattern } from './dialplan';
import { evaluateExpression, substitute, type DialplanScope } from './dialplan-expression';
import { ExtensionsConfError, parseExtensionsConf } from './extensions-conf';
import { labDialplanConf } from './lab-dialplan';
import { CAPTURE_LAB_CONFIG } from './pbx-config';
import { DIALECTS } from './dialect';

const CONF = `
[general]
static = yes
[globals]
TIMEOUT = 6

[from-external]
include => ext-did ; FreePBX-style DIDs live in their own context
exten => s,1,Hangup()

[ext-did]
exten => 74959876600,1,Set(__FROM_DID=\${EXTEN})
 same => n,Gosub(sub,s,1(a,b))
 same => n(dest),Goto(ext-group,600,1)
exten => _7495987661X,1,NoOp(pattern)

[from-internal]
exten => 1001,hint,SIP/1001
exten => _XXXX,1,Dial(SIP/\${EXTEN},60)
`;

describe('extensions.conf reader', () => {
  const conf = parseExtensionsConf(CONF);

  it('reads contexts, n priorities, labels, includes, hints and globals', () => {
    const did = conf.contexts.get('ext-did')!.extensions[0];
    expect(did.steps.map((s) => `${s.app}(${s.data})`)).toEqual(['Set(__FROM_DID=${EXTEN})', 'Gosub(sub,s,1(a,b))', 'Goto(ext-group,600,1)']);
    expect(did.labels.get('dest')).toBe(3);
    expect(conf.contexts.get('from-external')!.includes).toEqual(['ext-did']);
    expect(conf.hints.get('1001')).toEqual({ context: 'from-internal', device: 'SIP/1001' });
    expect(conf.globals.get('TIMEOUT')).toBe('6');
    expect(conf.contexts.has('general')).toBe(false);
  });

  it('looks extensions up exact first, then patterns, then included contexts', () => {
    const plan = new Dialplan(CONF);
    expect(plan.step('from-external', '74959876600', 2)?.app).toBe('Gosub');
    expect(plan.step('from-external', '74959876612', 1)?.data).toBe('pattern');
    expect(plan.step('from-external', 's', 1)?.app).toBe('Hangup');
    expect(plan.labelPriority('from-external', '74959876600', 'dest')).toBe(3);
    expect(plan.exists('from-external', '74959876600', 4)).toBe(false);
    expect(plan.exists('nowhere', '1')).toBe(false);
  });

  it.each([
    ['exten => 1,1,NoOp()', 'line 1: no [context] before this line'],
    ['[a]\nsame => n,NoOp()', 'line 2: `same` before any `exten`'],
    ['[a]\nexten => 1,2,NoOp()', 'line 2: priority 2 out of order (expected 1)'],
    ['[a]\nexten => 1,x,NoOp()', 'line 2: bad priority'],
    ['[a]\nwhatever', 'line 2: not an exten, same or include line'],
  ])('refuses %j with the line it cannot read', (text, message) => {
    expect(() => parseExtensionsConf(text)).toThrow(ExtensionsConfError);
    expect(() => parseExtensionsConf(text)).toThrow(`extensions.conf ${message}`);
  });

  it('reads the lab dialplan of both dialects', () => {
    for (const dialect of Object.values(DIALECTS)) {
      const plan = new Dialplan(labDialplanConf(CAPTURE_LAB_CONFIG, dialect));
      expect(plan.step('from-internal', '1002', 2)?.data).toBe(`${dialect.tech}/\${EXTEN},60`);
      expect(plan.step('from-internal', '700', 1)?.app).toBe('Park');
    }
    expect(new Dialplan(labDialplanConf(CAPTURE_LAB_CONFIG, DIALECTS.asterisk22)).step('from-internal', '84951112233', 2)?.data).toBe('PJSIP/${EXTEN}@provider,60');
  });

  it('matches Asterisk extension patterns', () => {
    expect(['_XXXX', '_8X.', '_+X.', '_[12]00', '_X!'].map((p) => [matchPattern(p, '1002'), matchPattern(p, '84951112233'), matchPattern(p, '+7495')])).toEqual([
      [true, false, false],
      [false, true, false],
      [false, false, true],
      [false, false, false],
      [true, true, false],
    ]);
    expect(matchPattern('_[unclosed', '1')).toBe(false);
  });
});

describe('dialplan expressions', () => {
  const vars: Record<string, string> = { EXTEN: '1002', EMPTY: '', NUM: '+74951234567', DIRECTION: '' };
  const scope: DialplanScope = {
    variable: (name) => vars[name] ?? '',
    func: (name, args) => (name === 'CALLERID' && args === 'num' ? '+74951234567' : name === 'DIALPLAN_EXISTS' ? (args.startsWith('dir,') ? '1' : '0') : ''),
  };

  it.each([
    ['${EXTEN}', '1002'],
    ['x-${EXTEN:1}-${NUM:0:2}-${NUM:-4}', 'x-002-+7-4567'],
    ['${IF($["${DIRECTION}" = ""]?INBOUND:${DIRECTION})}', 'INBOUND'],
    ['${IF($[${LEN(${EMPTY})}]?yes:no)}', 'no'],
    ['$[!${DIALPLAN_EXISTS(dir,${CALLERID(num)},1)}]', '0'],
    ['$["${CALLERID(num)}" != ""]', '1'],
    ['$[${LEN(${NUM})} > 10 & 1]', '1'],
    ['$[1 + 2 * 3]', '7'],
    ['$[1 ? a :: b]', 'a'],
    ['unclosed ${EXTEN', 'unclosed ${EXTEN'],
  ])('%s -> %s', (text, value) => {
    expect(substitute(text, scope)).toBe(value);
  });

  it('compares numbers as numbers and words as words', () => {
    expect([evaluateExpression('10 > 9'), evaluateExpression('"10" = "010"'), evaluateExpression('abc < abd'), evaluateExpression('')]).toEqual(['1', '1', '1', '']);
  });
});
