import { Writable } from 'node:stream';
import { Logger } from '@nestjs/common';
import { NestPinoLogger, rootLogger } from './app-logger';

function capture(): { lines: () => Array<Record<string, unknown>>; stream: Writable } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, lines: () => chunks.join('').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('the app logger (pino behind Nest)', () => {
  it('writes one JSON line per call, stamped when it is made, with the context and structured fields', async () => {
    const out = capture();
    const logger = new NestPinoLogger(rootLogger({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' }, out.stream));
    logger.log('first', 'Bootstrap');
    await new Promise((resolve) => setTimeout(resolve, 25));
    logger.warn({ msg: 'TEST_MODE: write skipped', table: 'calls', values: { status: 'ringing' } }, 'TestMode');
    logger.error('failed', 'Error: boom\n    at x', 'Ingest');
    logger.debug('hidden below info', 'Ingest');
    const [first, second, third] = out.lines();
    expect(out.lines()).toHaveLength(3);
    expect(first).toMatchObject({ level: 30, context: 'Bootstrap', msg: 'first' });
    expect(second).toMatchObject({ level: 40, context: 'TestMode', msg: 'TEST_MODE: write skipped', table: 'calls', values: { status: 'ringing' } });
    expect(third).toMatchObject({ level: 50, context: 'Ingest', msg: 'failed', stack: 'Error: boom\n    at x' });
    expect(Number(second.time) - Number(first.time)).toBeGreaterThanOrEqual(20);
  });

  it('serves Nest Logger instances created anywhere once installed', () => {
    const out = capture();
    Logger.overrideLogger(new NestPinoLogger(rootLogger({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' }, out.stream)));
    try {
      new Logger('Calls').log('stored');
      expect(out.lines()).toEqual([expect.objectContaining({ context: 'Calls', msg: 'stored' })]);
    } finally {
      Logger.overrideLogger(true);
    }
  });

  it('never writes a secret it is handed in a structured field', () => {
    const out = capture();
    const logger = new NestPinoLogger(rootLogger({ LOG_LEVEL: 'info', LOG_FORMAT: 'json' }, out.stream));
    logger.log({ msg: 'login', user: { password: 'hunter2', token: 'eyJ' } }, 'Auth');
    expect(JSON.stringify(out.lines())).not.toMatch(/hunter2|eyJ/);
  });
});
