import 'reflect-metadata';
import { configVariableNames, formatConfigProblems, loadConfig } from './load-config';

function problemsOf(env: NodeJS.ProcessEnv): Record<string, string> {
  const result = loadConfig(env);
  if ('config' in result) throw new Error('expected problems');
  return Object.fromEntries(result.problems.map((problem) => [problem.variable, problem.problem]));
}

function configOf(env: NodeJS.ProcessEnv) {
  const result = loadConfig(env);
  if ('problems' in result) throw new Error(formatConfigProblems(result.problems));
  return result.config;
}

describe('loadConfig', () => {
  it('starts with no configuration: embedded database, role all, RU numbers, 1 h tokens', () => {
    const config = configOf({});
    expect(config).toMatchObject({ NODE_ENV: 'development', APP_ROLE: 'all', TEST_MODE: false, PORT: 3000, DB_PORT: 5432, DEFAULT_PHONE_REGION: 'RU' });
    expect(config.usesEmbeddedDatabase).toBe(true);
    expect(config.embeddedPgDir).toMatch(/\.data\/postgres$/);
    expect(config.databaseName).toBe('crm_calls');
    expect(config.jwtExpiresInSeconds).toBe(3600);
    expect(config.asteriskServers).toEqual([]);
  });

  it('declares every variable of the specification .env', () => {
    expect(configVariableNames()).toEqual(
      expect.arrayContaining([
        'TEST_MODE', 'DB_HOST', 'DB_PORT', 'DB_NAME', 'DB_USER', 'DB_PASSWORD', 'ASTERISK_HOST', 'ASTERISK_PORT', 'ASTERISK_USER',
        'ASTERISK_SECRET', 'WEBSOCKET_PORT', 'WEBSOCKET_CORS_ORIGIN', 'RECORDINGS_PATH', 'RECORDINGS_URL_BASE', 'JWT_SECRET',
      ]),
    );
  });

  it('converts numbers and booleans, and treats an empty value as unset', () => {
    const config = configOf({ PORT: '8080', TEST_MODE: 'yes', DB_SSL: '0', DB_HOST: '', JWT_EXPIRES_IN: '15m', WEBSOCKET_CORS_ORIGIN: 'http://a.example, https://b.example:8443' });
    expect(config).toMatchObject({ PORT: 8080, TEST_MODE: true, DB_SSL: false, DB_HOST: undefined });
    expect(config.jwtExpiresInSeconds).toBe(900);
    expect(config.corsOrigins).toEqual(['http://a.example', 'https://b.example:8443']);
  });

  it('lists every bad variable at once, one problem line each', () => {
    expect(problemsOf({ PORT: '0', TEST_MODE: 'maybe', APP_ROLE: 'web', JWT_EXPIRES_IN: '1 week', DEFAULT_PHONE_REGION: 'XX', WEBSOCKET_PORT: '3.5' })).toEqual({
      PORT: 'must be between 1 and 65535 (got "0")',
      TEST_MODE: 'must be true or false (got "maybe")',
      APP_ROLE: 'must be one of all, server, asterisk (got "web")',
      JWT_EXPIRES_IN: 'must be a duration such as 900, 900s, 15m, 8h or 1d (got "1 week")',
      DEFAULT_PHONE_REGION: 'must be a two-letter country code known to libphonenumber (e.g. RU, US, DE) (got "XX")',
      WEBSOCKET_PORT: 'must be an integer port number (got "3.5")',
    });
  });

  it('refuses the split roles without Redis, through which their processes exchange call events', () => {
    for (const role of ['server', 'asterisk']) {
      expect(problemsOf({ APP_ROLE: role })).toEqual({
        REDIS_URL: 'is required with APP_ROLE=server or asterisk: the ingest and the server processes exchange call events through Redis',
      });
      expect(configOf({ APP_ROLE: role, REDIS_URL: 'redis://127.0.0.1:6379' }).APP_ROLE).toBe(role);
    }
    expect(configOf({ APP_ROLE: 'all' }).REDIS_URL).toBeUndefined();
  });

  it('requires JWT_SECRET and the DB settings in production only', () => {
    expect(Object.keys(problemsOf({ NODE_ENV: 'production' })).sort()).toEqual(['DB_HOST', 'DB_NAME', 'DB_PASSWORD', 'DB_USER', 'JWT_SECRET']);
    const production = configOf({ NODE_ENV: 'production', DB_HOST: 'db', DB_NAME: 'crm', DB_USER: 'crm', DB_PASSWORD: 'pw', JWT_SECRET: 'x'.repeat(32) });
    expect(production.isProduction).toBe(true);
    expect(production.usesEmbeddedDatabase).toBe(false);
  });

  it('never prints the value of a secret', () => {
    const problems = problemsOf({ JWT_SECRET: 'tiny-secret', ADMIN_PASSWORD: 'pw', ASTERISK_SERVERS: 'main=ami://crm:hunter2@', REDIS_URL: 'ftp://:redispass@x' });
    expect(Object.keys(problems).sort()).toEqual(['ADMIN_PASSWORD', 'ASTERISK_SERVERS', 'JWT_SECRET', 'REDIS_URL']);
    expect(JSON.stringify(problems)).not.toMatch(/tiny-secret|"pw"|hunter2|redispass/);
  });

  it('reads the PBX list through libs/ami: one ASTERISK_HOST, or ASTERISK_SERVERS, never both', () => {
    expect(configOf({ ASTERISK_HOST: '10.0.0.5', ASTERISK_SECRET: 's' }).asteriskServers).toEqual([
      { id: 'default', host: '10.0.0.5', port: 5038, username: 'crm_manager', secret: 's', tls: false },
    ]);
    expect(configOf({ ASTERISK_SERVERS: 'a=ami://u:p%40ss@pbx1:5039,b=amis://u:q@pbx2' }).asteriskServers.map((server) => [server.id, server.secret, server.tls])).toEqual([
      ['a', 'p@ss', false],
      ['b', 'q', true],
    ]);
    expect(problemsOf({ ASTERISK_HOST: 'pbx', ASTERISK_SERVERS: 'a=u:p@h' })).toEqual({
      ASTERISK_SERVERS: 'set either ASTERISK_SERVERS or ASTERISK_HOST (with ASTERISK_PORT/USER/SECRET), not both',
    });
  });

  it('formats one line per variable under a header', () => {
    expect(formatConfigProblems([{ variable: 'A', problem: 'is bad' }, { variable: 'B', problem: 'is worse' }])).toBe(
      'Invalid configuration (2 variables):\n  A: is bad\n  B: is worse',
    );
  });
});
