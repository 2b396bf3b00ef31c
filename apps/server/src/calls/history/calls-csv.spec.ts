import type { CallListItem } from '@app/contracts';
import { makeCallListItem as item } from '../testing/call-list-item-factory';
import { callsCsvStream, csvSafe } from './calls-csv';

async function read(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
}

describe('calls CSV', () => {
  it('writes a header and one quoted row per call', async () => {
    async function* calls() {
      yield item();
      yield item({ id: '2', callerName: '=HYPERLINK("http://evil")' });
    }
    const lines = (await read(callsCsvStream(calls()))).trim().split('\n');
    expect(lines[0]).toBe(
      'id,started_at,answered_at,ended_at,direction,status,caller_number,caller_name,receiver_number,assigned_user,caller_company,ring_seconds,talk_seconds,hold_seconds,hangup_by,recording_url,pbx_id,linkedid,end_observed,end_source',
    );
    expect(lines[1]).toContain(',+74951234567,,74959876543,Alice Agent,"Acme, ""Ltd""",');
    expect(lines[2]).toContain(`,"'=HYPERLINK(""http://evil"")",`);
    expect(lines).toHaveLength(3);
  });

  it('neutralises formulas but keeps phone numbers', () => {
    expect(csvSafe('+74951234567')).toBe('+74951234567');
    expect(csvSafe('+7 (495) 123-45-67')).toBe('+7 (495) 123-45-67');
    expect(csvSafe('-1.5')).toBe('-1.5');
    expect(csvSafe('-1')).toBe('-1');
    expect(csvSafe('+SUM(A1)')).toBe("'+SUM(A1)");
    expect(csvSafe('@cmd')).toBe("'@cmd");
    expect(csvSafe('plain')).toBe('plain');
    expect(csvSafe(5)).toBe(5);
    expect(csvSafe(null)).toBeNull();
  });

  it('fails the stream when reading the calls fails', async () => {
    async function* calls(): AsyncGenerator<CallListItem> {
      yield item();
      throw new Error('db down');
    }
    await expect(read(callsCsvStream(calls()))).rejects.toThrow('db down');
  });
});
