import fc from 'fast-check';
import { AMI_MAX_LINE_BYTES, encodeAction } from './ami-action';
import { nextActionId } from './ami-action-id';
import { AmiActionValidationError } from './ami-errors';
import { AmiParser } from './ami-parser';

describe('encodeAction', () => {
  it('writes Action, ActionID and the fields in order, repeated keys kept', () => {
    const bytes = encodeAction(
      {
        action: 'Originate',
        fields: [
          ['Channel', 'SIP/1001'],
          ['Async', true],
          ['Timeout', 30000],
          ['Variable', 'A=1'],
          ['Variable', 'B=Ёж'],
        ],
      },
      'crm-1',
    );
    expect(bytes.toString('utf8')).toBe(
      'Action: Originate\r\nActionID: crm-1\r\nChannel: SIP/1001\r\nAsync: true\r\nTimeout: 30000\r\nVariable: A=1\r\nVariable: B=Ёж\r\n\r\n',
    );
    const [parsed] = new AmiParser({ expectGreeting: false }).push(bytes);
    expect(parsed.kind).toBe('action');
    expect(parsed.getAll('Variable')).toEqual(['A=1', 'B=Ёж']);
  });

  it.each([
    ['CR', 'SIP/1001\rAction: Hangup'],
    ['LF', 'SIP/1001\nAction: Hangup'],
    ['CRLF', 'SIP/1001\r\n\r\nAction: Originate\r\nApplication: System'],
    ['NUL', 'SIP/1001\0'],
  ])('refuses %s in a value, naming the field but not the value', (_what, value) => {
    let error: unknown;
    try {
      encodeAction({ action: 'Redirect', fields: [['Channel', value]] }, 'x-1');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(AmiActionValidationError);
    expect((error as AmiActionValidationError).code).toBe('AMI_ACTION_INVALID');
    expect((error as AmiActionValidationError).field).toBe('Channel');
    expect((error as Error).message).not.toContain('Action: Hangup');
  });

  it('refuses bad keys, reserved keys and bad action names', () => {
    expect(() => encodeAction({ action: 'Ping', fields: [['Bad: key', 'x']] }, 'x')).toThrow(AmiActionValidationError);
    expect(() => encodeAction({ action: 'Ping', fields: [['Key\r\nX', 'x']] }, 'x')).toThrow(AmiActionValidationError);
    expect(() => encodeAction({ action: 'Ping', fields: [['ActionID', 'forged']] }, 'x')).toThrow(/set by the gateway/);
    expect(() => encodeAction({ action: 'Ping', fields: [['action', 'Originate']] }, 'x')).toThrow(/set by the gateway/);
    expect(() => encodeAction({ action: 'Ping\r\nX', fields: [] }, 'x')).toThrow(AmiActionValidationError);
    expect(() => encodeAction({ action: 'Ping', fields: [['Timeout', Number.NaN]] }, 'x')).toThrow(/finite number/);
  });

  it('allows a line of exactly 1024 bytes and refuses 1025, counting UTF-8 bytes', () => {
    const prefix = 'Data: '.length + 2; // plus CRLF
    const fits = 'x'.repeat(AMI_MAX_LINE_BYTES - prefix);
    expect(() => encodeAction({ action: 'Setvar', fields: [['Data', fits]] }, 'x')).not.toThrow();
    expect(() => encodeAction({ action: 'Setvar', fields: [['Data', fits + 'x']] }, 'x')).toThrow(/1025-byte line/);
    const cyrillic = 'ж'.repeat(Math.floor((AMI_MAX_LINE_BYTES - prefix) / 2) + 1);
    expect(() => encodeAction({ action: 'Setvar', fields: [['Data', cyrillic]] }, 'x')).toThrow(AmiActionValidationError);
  });

  it('refuses CR, LF or NUL anywhere in any value (property)', () => {
    const forbidden = fc.constantFrom('\r', '\n', '\0');
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('Channel', 'Exten', 'Context', 'Variable', 'Data', 'Secret'), fc.string({ maxLength: 40 })), { maxLength: 6 }),
        fc.nat(),
        fc.string({ maxLength: 20 }),
        forbidden,
        fc.string({ maxLength: 20 }),
        (fields, where, before, bad, after) => {
          const all: Array<[string, string]> = [...fields];
          all.splice(where % (all.length + 1), 0, ['Channel', `${before}${bad}${after}`]);
          expect(() => encodeAction({ action: 'Redirect', fields: all }, 'x-1')).toThrow(AmiActionValidationError);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('round-trips any safe value through the parser unchanged (property)', () => {
    const safe = fc.string({ unit: 'binary', maxLength: 200 }).filter((s) => !/[\r\n\0]/.test(s));
    fc.assert(
      fc.property(safe, (value) => {
        const [parsed] = new AmiParser({ expectGreeting: false }).push(encodeAction({ action: 'Setvar', fields: [['Value', value]] }, 'x-1'));
        expect(parsed.get('Value')).toBe(value);
      }),
      { numRuns: 300 },
    );
  });
});

describe('nextActionId', () => {
  it('never repeats, even for ids made in the same millisecond, and is stable in shape', () => {
    const ids = Array.from({ length: 20_000 }, () => nextActionId('crm'));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[0]).toMatch(/^crm-[0-9a-f]{8}-\d+$/);
    expect(nextActionId('ingest').startsWith('ingest-')).toBe(true);
  });
});
