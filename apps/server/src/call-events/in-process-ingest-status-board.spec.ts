import { InProcessIngestStatusBoard } from './in-process-ingest-status-board';
import type { IngestProcessStatus } from './ingest-status-board';

const report = (process: string): IngestProcessStatus => ({ process, at: new Date().toISOString(), pbxs: [], writeQueue: { pending: 0, capacity: 100, full: false } });

describe('InProcessIngestStatusBoard', () => {
  afterEach(() => jest.useRealTimers());

  it('keeps the latest report per process until it expires or is withdrawn', async () => {
    jest.useFakeTimers({ now: 0 });
    const board = new InProcessIngestStatusBoard(1000);
    board.report(report('a'));
    board.report(report('b'));
    await board.withdraw('b');
    expect((await board.current()).map((s) => s.process)).toEqual(['a']);
    jest.setSystemTime(999);
    expect(await board.current()).toHaveLength(1);
    jest.setSystemTime(1000);
    expect(await board.current()).toEqual([]);
  });
});
