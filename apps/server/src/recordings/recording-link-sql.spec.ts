import { mergeRecordingLinks, upsertRecordingLinksStatement, type RecordingLink } from './recording-link-sql';

const start: RecordingLink = { callId: 7, fileName: 'a.wav', path: null, source: 'monitor', startedAt: '2026-11-26T12:38:31.000Z', stoppedAt: null };

describe('recording links', () => {
  it('merges the start and stop of one file in a batch into one row (one statement may touch a row once)', () => {
    const stop = { ...start, path: '/var/spool/asterisk/monitor/a.wav', startedAt: '2026-11-26T12:38:40.000Z', stoppedAt: '2026-11-26T12:38:40.000Z' };
    const other = { ...start, fileName: 'b.wav' };
    expect(mergeRecordingLinks([start, other, stop])).toEqual([
      { ...start, path: '/var/spool/asterisk/monitor/a.wav', stoppedAt: '2026-11-26T12:38:40.000Z' },
      other,
    ]);
    const { values } = upsertRecordingLinksStatement([start, other, stop]);
    expect(values[1]).toEqual(['a.wav', 'b.wav']);
  });

  it('keeps a known path and stop when a later event of the batch lacks them', () => {
    const stopped = { ...start, path: '/p/a.wav', stoppedAt: '2026-11-26T12:38:40.000Z' };
    expect(mergeRecordingLinks([stopped, { ...start, startedAt: '2026-11-26T12:38:41.000Z' }])).toEqual([stopped]);
  });

  it('cuts overlong names to the column widths', () => {
    const { values } = upsertRecordingLinksStatement([{ ...start, fileName: `${'x'.repeat(300)}.wav`, path: `/${'p'.repeat(1100)}` }]);
    expect((values[1] as string[])[0]).toHaveLength(255);
    expect((values[2] as string[])[0]).toHaveLength(1024);
  });
});
