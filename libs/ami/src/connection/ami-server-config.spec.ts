import { AmiConfigError } from '../protocol/ami-errors';
import { amiServersFromEnv, describeAmiServer, parseAsteriskServers } from './ami-server-config';

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(AmiConfigError);
    expect((error as AmiConfigError).code).toBe('AMI_CONFIG_INVALID');
    return (error as AmiConfigError).problems;
  }
  throw new Error('expected an AmiConfigError');
}

describe('parseAsteriskServers', () => {
  it('reads the compact list, with default ports, TLS scheme and percent-encoded secrets', () => {
    expect(parseAsteriskServers('main=crm:s3cret@10.0.0.5:5038, branch=amis://crm:p%40ss%2Cw%3Ard@pbx2.example.com,lab=ami://u:p@[::1]:6000')).toEqual([
      { id: 'main', host: '10.0.0.5', port: 5038, username: 'crm', secret: 's3cret', tls: false },
      { id: 'branch', host: 'pbx2.example.com', port: 5039, username: 'crm', secret: 'p@ss,w:rd', tls: true },
      { id: 'lab', host: '::1', port: 6000, username: 'u', secret: 'p', tls: false },
    ]);
  });

  it('reads a JSON array', () => {
    expect(parseAsteriskServers('[{"id":"a","host":"pbx-a","username":"crm","secret":" spaced "},{"id":"b","host":"10.1.1.1","port":5039,"user":"x","secret":"y","tls":true}]')).toEqual([
      { id: 'a', host: 'pbx-a', port: 5038, username: 'crm', secret: ' spaced ', tls: false },
      { id: 'b', host: '10.1.1.1', port: 5039, username: 'x', secret: 'y', tls: true },
    ]);
  });

  it('lists every problem at once and never echoes a secret', () => {
    const problems = problemsOf(() => parseAsteriskServers('a=crm:TopSecret1@bad host:5038,a=crm:TopSecret2@h:99999,b=nouserhost,c=ftp://u:TopSecret3@h'));
    expect(problems).toEqual([
      'ASTERISK_SERVERS entry 1 (a): host must be a host name or an IP address',
      'ASTERISK_SERVERS entry 2 (a): port must be 1-65535',
      'ASTERISK_SERVERS entry 3 (b) must look like id=user:secret@host:port',
      'ASTERISK_SERVERS entry 4 (c): scheme must be ami:// or amis://',
      'server id "a" is used twice',
    ]);
    expect(problems.join(' ')).not.toMatch(/TopSecret/);
  });

  it('refuses bad JSON, non-arrays and missing fields', () => {
    expect(problemsOf(() => parseAsteriskServers('[{"id":'))).toEqual(['ASTERISK_SERVERS starts with "[" but is not valid JSON']);
    expect(problemsOf(() => parseAsteriskServers('[1]'))).toEqual(['ASTERISK_SERVERS[0] must be an object']);
    expect(problemsOf(() => parseAsteriskServers('[{"id":"x y","host":"h","tls":"yes"}]'))).toEqual([
      'ASTERISK_SERVERS[0].tls must be true or false',
      'ASTERISK_SERVERS[0]: id must be 1-63 letters, digits, _ or - (got "x y")',
      'ASTERISK_SERVERS[0]: user is missing',
      'ASTERISK_SERVERS[0]: secret is missing',
    ]);
  });

  it('refuses CR/LF in a secret (it would inject headers into the Login action)', () => {
    expect(problemsOf(() => parseAsteriskServers('a=crm:x%0D%0AEvents%3A%20on@h'))).toEqual(['ASTERISK_SERVERS entry 1 (a): secret contains CR, LF or NUL']);
  });
});

describe('amiServersFromEnv', () => {
  it('reads the single-server variables of the original spec', () => {
    expect(amiServersFromEnv({ ASTERISK_HOST: '192.168.1.100', ASTERISK_PORT: '5038', ASTERISK_USER: 'crm_manager', ASTERISK_SECRET: 'pw' })).toEqual([
      { id: 'default', host: '192.168.1.100', port: 5038, username: 'crm_manager', secret: 'pw', tls: false },
    ]);
    expect(amiServersFromEnv({ ASTERISK_HOST: 'pbx', ASTERISK_USER: 'u', ASTERISK_SECRET: 'p', ASTERISK_TLS: 'true', ASTERISK_ID: 'hq' })[0]).toMatchObject({ id: 'hq', port: 5039, tls: true });
  });

  it('prefers nothing silently: both forms at once is an error; neither is an empty list', () => {
    expect(problemsOf(() => amiServersFromEnv({ ASTERISK_SERVERS: 'a=u:p@h', ASTERISK_HOST: 'h' }))).toHaveLength(1);
    expect(amiServersFromEnv({})).toEqual([]);
    expect(amiServersFromEnv({ ASTERISK_SERVERS: 'a=u:p@h' })).toHaveLength(1);
  });

  it('lists every bad single-server variable', () => {
    expect(problemsOf(() => amiServersFromEnv({ ASTERISK_HOST: 'pbx', ASTERISK_PORT: 'abc', ASTERISK_TLS: 'maybe' }))).toEqual([
      'ASTERISK_TLS must be true or false',
      'ASTERISK_*: port must be 1-65535',
      'ASTERISK_*: user is missing',
      'ASTERISK_*: secret is missing',
    ]);
  });

  it('describes a server for logs without its secret', () => {
    const [server] = parseAsteriskServers('main=crm:Hidden123@pbx:5038');
    expect(describeAmiServer(server)).toBe('main: crm@pbx:5038');
  });
});
