import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { amiFixturePath } from '../protocol/ami-fixtures';
import { runReplayCommand } from './replay-command';

function run(...argv: string[]): { code: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const code = runReplayCommand(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('ami:replay', () => {
  it('prints one JSON line per call, the two reconnect halves as one call', () => {
    const { code, out, err } = run(amiFixturePath('reconnect_mid_call.part1.ami'), amiFixturePath('reconnect_mid_call.part2.ami'), '--pbx', 'lab-1');
    expect({ code, err }).toEqual({ code: 0, err: [] });
    expect(out).toHaveLength(1);
    expect(JSON.parse(out[0])).toEqual({
      pbx: 'lab-1',
      linkedid: '1795696954.83',
      direction: 'inbound',
      caller: '+74951234567',
      callerName: null,
      callee: '74959876543',
      trunk: 'provider',
      answeredBy: '1001',
      agents: ['1001'],
      status: 'answered',
      ended: true,
      startedAt: '2026-11-26T12:42:34.128Z',
      answeredAt: '2026-11-26T12:42:35.142Z',
      endedAt: '2026-11-26T12:42:47.146Z',
      ringSeconds: 1,
      talkSeconds: 12,
      holdSeconds: 0,
      hangupBy: 'callee',
      recordings: ['20261126-124234-+74951234567-74959876543.wav'],
      transfers: [],
      holds: [],
      crmCallId: null,
      endReason: 'hangup',
    });
  });

  it('lists transfers and holds in the short form', () => {
    const transfer = JSON.parse(run(amiFixturePath('blind_transfer_redirect.ami')).out[0]);
    expect(transfer.transfers).toEqual([{ kind: 'blind', from: '1001', to: '1002' }]);
    const hold = JSON.parse(run(amiFixturePath('hold_redirect_bridge.ami'), '--pbx=x').out[0]);
    expect(hold).toMatchObject({ pbx: 'x', holds: [{ seconds: 5 }], holdSeconds: 5, talkSeconds: 7 });
  });

  it('prints a call still open at the end of a cut-off capture', () => {
    const [line, ...rest] = run(amiFixturePath('reconnect_mid_call.part1.ami')).out;
    expect(rest).toEqual([]);
    expect(JSON.parse(line)).toMatchObject({ ended: false, status: 'answered', endedAt: null });
  });

  it('explains bad usage with exit code 2', () => {
    expect(run()).toMatchObject({ code: 2, out: [] });
    expect(run('--pbx').err[0]).toContain('--pbx needs a value');
    expect(run('--nope', 'x.ami').err[0]).toContain('unknown option --nope');
    expect(run('/no/such.ami').err[0]).toContain('no such file: /no/such.ami');
    expect(run('--help')).toMatchObject({ code: 0 });
  });

  it('reports a broken timing file with exit code 1, without a stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ami-replay-'));
    try {
      copyFileSync(amiFixturePath('inbound_busy.ami'), join(dir, 'busy.ami'));
      writeFileSync(join(dir, 'busy.timing.jsonl'), '{"offset":0,"length":5,"ms":0,"at":"2026-11-26T12:00:00Z"}\n');
      const { code, out, err } = run(join(dir, 'busy.ami'));
      expect({ code, out }).toEqual({ code: 1, out: [] });
      expect(err).toEqual([expect.stringMatching(/^ami:replay: .*busy\.timing\.jsonl: chunks cover 5 bytes/)]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
