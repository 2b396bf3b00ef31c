import 'reflect-metadata';
import { formatConfigProblems, loadConfig } from './load-config';

const PRODUCTION = { NODE_ENV: 'production', DB_HOST: 'db', DB_NAME: 'crm', DB_USER: 'crm', DB_PASSWORD: 'pw', JWT_SECRET: 'x'.repeat(32) };

function demoEnabled(env: NodeJS.ProcessEnv): boolean {
  const result = loadConfig(env);
  if ('problems' in result) throw new Error(formatConfigProblems(result.problems));
  return result.config.demoEnabled;
}

function problems(env: NodeJS.ProcessEnv): Record<string, string> {
  const result = loadConfig(env);
  return 'problems' in result ? Object.fromEntries(result.problems.map((problem) => [problem.variable, problem.problem])) : {};
}

describe('DEMO_MODE', () => {
  it('auto: the demo runs with no configuration at all', () => {
    expect(demoEnabled({})).toBe(true);
    expect(demoEnabled({ DEMO_MODE: 'auto', ASTERISK_HOST: '' })).toBe(true);
  });

  it('auto: never next to a real PBX, in production, in tests, or in a process without the ingest', () => {
    expect(demoEnabled({ ASTERISK_HOST: '10.0.0.20', ASTERISK_SECRET: 's' })).toBe(false);
    expect(demoEnabled({ ASTERISK_SERVERS: 'main=crm:s@10.0.0.20:5038' })).toBe(false);
    expect(demoEnabled(PRODUCTION)).toBe(false);
    expect(demoEnabled({ NODE_ENV: 'test' })).toBe(false);
    expect(demoEnabled({ APP_ROLE: 'server', REDIS_URL: 'redis://127.0.0.1:6379' })).toBe(false);
    expect(demoEnabled({ APP_ROLE: 'asterisk', REDIS_URL: 'redis://127.0.0.1:6379' })).toBe(false);
  });

  it('off and on are explicit', () => {
    expect(demoEnabled({ DEMO_MODE: 'off' })).toBe(false);
    expect(demoEnabled({ DEMO_MODE: 'on', NODE_ENV: 'test' })).toBe(true);
  });

  it('on where the demo cannot run stops the start with the reason', () => {
    expect(problems({ ...PRODUCTION, DEMO_MODE: 'on' })).toEqual({ DEMO_MODE: 'cannot be on with NODE_ENV=production (got "on")' });
    expect(problems({ DEMO_MODE: 'on', ASTERISK_HOST: '10.0.0.20', ASTERISK_SECRET: 's' })).toEqual({
      DEMO_MODE: 'cannot be on while ASTERISK_HOST or ASTERISK_SERVERS names a real PBX (got "on")',
    });
    expect(problems({ DEMO_MODE: 'on', APP_ROLE: 'server', REDIS_URL: 'redis://127.0.0.1:6379' })).toEqual({
      DEMO_MODE: 'cannot be on with APP_ROLE=server (the demo PBX runs inside the one-process role all) (got "on")',
    });
    expect(problems({ DEMO_MODE: 'yes' })).toEqual({ DEMO_MODE: 'must be one of auto, on, off (got "yes")' });
  });
});
