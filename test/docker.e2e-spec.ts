import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { parse as parseYaml } from 'yaml';
import { testRedisEnv } from './support/test-redis-env';
import { freePort } from './support/free-port';
import { cleanEnv, PROJECT_ROOT, ServerProcess } from './support/server-process';
import { createDatabase, dropDatabase, uniqueName } from './support/test-database';

/**
 * docker/: no Docker engine runs here, so the image is checked through its Dockerfile and by
 * running its entry point and HEALTHCHECK command on this machine, and the Compose file through
 * `docker-compose config` (Debian's docker-compose), which validates and resolves it.
 */
const DOCKER_DIR = join(PROJECT_ROOT, 'docker');
const COMPOSE_FILE = join(DOCKER_DIR, 'docker-compose.yml');
const dockerfile = DockerfileParser.parse(readFileSync(join(DOCKER_DIR, 'Dockerfile'), 'utf8'));

/** The instructions of each stage, by stage name. */
function stages(): Map<string, Instruction[]> {
  const out = new Map<string, Instruction[]>();
  let current: Instruction[] | null = null;
  for (const instruction of dockerfile.getInstructions()) {
    if (instruction.getKeyword() === 'FROM') {
      current = [];
      out.set(dockerfile.getFROMs().find((f) => f.getRange().start.line === instruction.getRange().start.line)!.getBuildStage() ?? '', current);
    } else if (current) {
      current.push(instruction);
    }
  }
  return out;
}

const args = (instruction: Instruction): string => instruction.getArgumentsContent() ?? '';
const named = (instructions: Instruction[], keyword: string): Instruction[] => instructions.filter((i) => i.getKeyword() === keyword);
/** The JSON (exec) form of CMD / HEALTHCHECK CMD. */
const execForm = (text: string): string[] => JSON.parse(text.replace(/^CMD\s+/, '')) as string[];

const runtime = (): Instruction[] => [...stages().values()].at(-1)!;
const entryPoint = (): string[] => execForm(args(named(runtime(), 'CMD')[0]));
const healthcheck = (): string[] => execForm(args(named(runtime(), 'HEALTHCHECK')[0]));

describe('docker/Dockerfile', () => {
  it('builds in one stage and runs from another', () => {
    const all = stages();
    expect([...all.keys()]).toEqual(['build', 'runtime']);
    const build = all.get('build')!.map(args);
    expect(build.some((a) => /^npm ci\b/.test(a) && !a.includes('--omit=dev'))).toBe(true);
    expect(build).toContain('npm run build');
  });

  it('runtime: production dependencies only, the compiled server only, as a non-root user', () => {
    const instructions = runtime();
    expect(named(instructions, 'RUN').map(args).some((a) => /^npm ci\b.*--omit=dev/.test(a))).toBe(true);
    expect(named(instructions, 'RUN').map(args).join('\n')).not.toMatch(/npm run build|npm install\b/);
    const fromBuild = instructions.filter((i) => i.getKeyword() === 'COPY' && /--from=build\b/.test(i.getTextContent()));
    expect(fromBuild.map(args)).toEqual(['/app/dist ./dist']);
    const users = named(instructions, 'USER').map(args);
    expect(users).toHaveLength(1);
    expect(users[0]).not.toMatch(/^(root|0)(:|$)/);
    // everything after USER runs unprivileged: the last RUN comes before it
    const lastRun = instructions.lastIndexOf(named(instructions, 'RUN').at(-1)!);
    expect(instructions.indexOf(named(instructions, 'USER')[0])).toBeGreaterThan(lastRun);
  });

  it('HEALTHCHECK probes GET /api/health on the configured port', () => {
    const command = healthcheck();
    expect(command[0]).toBe('node');
    expect(command.join(' ')).toMatch(/\/api\/health/);
    expect(command.join(' ')).toMatch(/process\.env\.PORT/);
  });

  it('.dockerignore keeps local state, secrets and dependencies out of the build context', () => {
    const ignored = readFileSync(join(PROJECT_ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['.git', 'node_modules', 'dist', '.data', '.env', 'docker/.env']) expect(ignored).toContain(entry);
  });

  describe('the image`s entry point, built here with `npm run build`', () => {
    beforeAll(() => {
      execFileSync('npm', ['run', 'build', '--silent'], { cwd: PROJECT_ROOT, stdio: 'pipe', env: process.env });
    }, 120_000);

    it('is what the build produces', () => {
      const [node, entry] = entryPoint();
      expect(node).toBe('node');
      expect(statSync(join(PROJECT_ROOT, entry)).isFile()).toBe(true);
    });

    it('needs nothing outside the production dependencies', () => {
      const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
      const required = new Set<string>();
      const walk = (dir: string): void => {
        for (const name of readdirSync(dir, { withFileTypes: true })) {
          const path = join(dir, name.name);
          if (name.isDirectory()) walk(path);
          else if (name.name.endsWith('.js')) {
            for (const m of readFileSync(path, 'utf8').matchAll(/require\("([^"./][^"]*)"\)/g)) required.add(m[1]);
          }
        }
      };
      walk(join(PROJECT_ROOT, 'dist'));
      const packageOf = (id: string): string => (id.startsWith('@') ? id.split('/').slice(0, 2).join('/') : id.split('/')[0]);
      const builtins = new Set(builtinModules);
      const outside = [...required].filter((id) => !id.startsWith('node:') && !builtins.has(id) && !(packageOf(id) in pkg.dependencies));
      expect(required.size).toBeGreaterThan(10);
      expect(outside).toEqual([]);
    });

    it('serves /api/health as APP_ROLE=server in production; the HEALTHCHECK command passes while it runs and fails once it stops', async () => {
      const database = uniqueName('ops_image');
      await createDatabase(database);
      const port = await freePort();
      const env = cleanEnv({
        NODE_ENV: 'production',
        APP_ROLE: 'server',
        PORT: String(port),
        DB_HOST: process.env.DB_HOST!,
        DB_PORT: process.env.DB_PORT!,
        DB_USER: process.env.DB_USER!,
        // production insists on a password; a trust-auth test server ignores it
        DB_PASSWORD: process.env.DB_PASSWORD || 'ignored-by-trust-auth',
        DB_NAME: database,
        // split roles exchange call events through Redis: the server role refuses to start without it
        JWT_SECRET: 'docker-test-jwt-secret-0123456789abcdef',
        ADMIN_PASSWORD: 'docker-test-admin-password',
        ...testRedisEnv(),
      });
      const [node, ...rest] = entryPoint();
      const server = ServerProcess.spawn(node === 'node' ? process.execPath : node, rest, env);
      const probe = (): number | null => {
        const [cmd, ...cmdArgs] = healthcheck();
        return spawnSync(cmd === 'node' ? process.execPath : cmd, cmdArgs, { env: { ...env }, timeout: 10_000 }).status;
      };
      try {
        await server.waitFor(/Asterisk CRM started: role server/, 60_000);
        expect(probe()).toBe(0);
        server.kill('SIGTERM');
        expect((await server.exit(30_000)).code).toBe(0);
        expect(probe()).toBe(1);
      } finally {
        server.kill('SIGKILL');
        await dropDatabase(database);
      }
    }, 120_000);
  });
});

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  profiles?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  volumes?: string[];
  ports?: { target: number; published: number; protocol?: string }[];
  expose?: string[];
}
interface ComposeConfig {
  services: Record<string, ComposeService>;
  volumes: Record<string, unknown>;
}

const REQUIRED = { DB_PASSWORD: 'compose-test-db-password', JWT_SECRET: 'compose-test-jwt-secret-0123456789abcdef' };

describe('docker/docker-compose.yml', () => {
  let emptyEnvFile: string;
  let workDir: string;

  beforeAll(() => {
    const found = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
    if (found.error) throw new Error('docker-compose is not installed: apt-get install -y docker-compose (.ci/run does)');
    workDir = mkdtempSync(join(tmpdir(), 'crm-compose-'));
    // Resolve with these variables only, whatever docker/.env a developer keeps.
    emptyEnvFile = join(workDir, 'empty.env');
    writeFileSync(emptyEnvFile, '');
  });

  afterAll(() => rmSync(workDir, { recursive: true, force: true }));

  function compose(vars: Record<string, string>, ...extra: string[]): { status: number | null; stdout: string; stderr: string } {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...vars };
    return spawnSync('docker-compose', ['--env-file', emptyEnvFile, '-f', COMPOSE_FILE, ...extra, 'config'], { encoding: 'utf8', env, cwd: workDir });
  }

  function config(vars: Record<string, string> = {}, ...extra: string[]): ComposeConfig {
    const result = compose({ ...REQUIRED, ...vars }, ...extra);
    if (result.status !== 0) throw new Error(`docker-compose config failed: ${result.stderr}`);
    return parseYaml(result.stdout) as ComposeConfig;
  }

  it('refuses to resolve without the secrets it has no default for', () => {
    for (const missing of Object.keys(REQUIRED)) {
      const vars: Record<string, string> = { ...REQUIRED };
      delete vars[missing];
      const result = compose(vars);
      expect(result.status).not.toBe(0);
      expect(result.stderr).toContain(`set ${missing}`);
    }
  });

  it('runs PostgreSQL, Redis and the CRM as its asterisk (ingest) and server roles of one image built from docker/Dockerfile', () => {
    const { services } = config();
    expect(Object.keys(services).sort()).toEqual(['crm-asterisk', 'crm-server', 'pbx', 'postgres', 'redis']);
    for (const name of ['crm-asterisk', 'crm-server']) {
      const service = services[name];
      expect(service.build).toEqual({ context: PROJECT_ROOT, dockerfile: 'docker/Dockerfile' });
      expect(service.image).toBe('asterisk-crm:latest');
      expect(service.profiles).toBeUndefined();
      expect(service.environment).toMatchObject({
        NODE_ENV: 'production',
        DB_HOST: 'postgres',
        DB_PASSWORD: REQUIRED.DB_PASSWORD,
        JWT_SECRET: REQUIRED.JWT_SECRET,
        REDIS_URL: 'redis://redis:6379',
        RECORDINGS_PATH: '/var/spool/asterisk/monitor',
        DEMO_MODE: 'off',
      });
      expect(service.depends_on).toEqual({ postgres: { condition: 'service_healthy' }, redis: { condition: 'service_healthy' } });
    }
    expect(services['crm-asterisk'].environment!.APP_ROLE).toBe('asterisk');
    expect(services['crm-server'].environment!.APP_ROLE).toBe('server');
    expect(services['crm-server'].ports).toEqual([{ target: 3000, published: 3000 }]);
    expect(services['crm-asterisk'].ports).toBeUndefined();
    // the image's HEALTHCHECK (HTTP) serves the server role; the ingest role has no HTTP port
    expect(services['crm-server'].healthcheck).toBeUndefined();
    expect(services['crm-asterisk'].healthcheck).toEqual({ test: ['NONE'] });
    expect(services.postgres.healthcheck!.test.join(' ')).toContain('pg_isready');
    expect(services.redis.healthcheck!.test).toEqual(['CMD', 'redis-cli', 'ping']);
    expect(services.postgres.environment).toMatchObject({ POSTGRES_DB: 'crm_calls', POSTGRES_USER: 'crm', POSTGRES_PASSWORD: REQUIRED.DB_PASSWORD });
  });

  it('passes the CRM only variables that .env.example documents', () => {
    const documented = new Set([...readFileSync(join(PROJECT_ROOT, '.env.example'), 'utf8').matchAll(/^#?\s*([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1]));
    const { services } = config();
    for (const name of ['crm-asterisk', 'crm-server']) {
      expect(Object.keys(services[name].environment!).filter((key) => !documented.has(key))).toEqual([]);
    }
  });

  it('takes deployment values from the environment (docker/.env)', () => {
    const { services } = config({ ASTERISK_HOST: 'pbx', ASTERISK_SECRET: 'ami-secret', DB_HOST: 'db.example', CRM_HTTP_PORT: '8080', LOG_LEVEL: 'debug' });
    expect(services['crm-asterisk'].environment).toMatchObject({ ASTERISK_HOST: 'pbx', ASTERISK_SECRET: 'ami-secret', DB_HOST: 'db.example', LOG_LEVEL: 'debug' });
    expect(services['crm-server'].ports).toEqual([{ target: 3000, published: 8080 }]);
  });

  it('shares the recordings read-only with the CRM; only Asterisk writes them', () => {
    const { services, volumes } = config();
    expect(Object.keys(volumes).sort()).toEqual(['postgres-data', 'recordings']);
    expect(services['crm-server'].volumes).toEqual(['recordings:/var/spool/asterisk/monitor:ro']);
    expect(services['crm-asterisk'].volumes).toEqual(['recordings:/var/spool/asterisk/monitor:ro']);
    expect(services.pbx.volumes).toContain('recordings:/var/spool/asterisk/monitor:rw');
    const onHost = config({ RECORDINGS_VOLUME: '/srv/asterisk/monitor' }).services;
    expect(onHost['crm-server'].volumes).toEqual(['/srv/asterisk/monitor:/var/spool/asterisk/monitor:ro']);
  });

  it.each(['pjsip-mixmonitor', 'chan_sip-monitor'])('profile asterisk: a PBX with the %s sample as /etc/asterisk, AMI not published', (sample) => {
    const { services } = config({ ASTERISK_SAMPLE: sample }, '--profile', 'asterisk');
    const pbx = services.pbx;
    expect(pbx.profiles).toEqual(['asterisk']);
    const etc = pbx.volumes!.find((v) => v.includes(':/etc/asterisk'))!;
    expect(etc).toBe(`${join(DOCKER_DIR, 'asterisk', sample)}:/etc/asterisk:ro`);
    expect(existsSync(join(DOCKER_DIR, 'asterisk', sample, 'manager.conf'))).toBe(true);
    expect(pbx.ports!.some((p) => p.target === 5038)).toBe(false);
    expect(pbx.ports!.some((p) => p.target === 5060 && p.protocol === 'udp')).toBe(true);
    expect(pbx.expose).toEqual(['5038']);
  });

  it('the default sample is the Asterisk 21+ one', () => {
    const etc = config({}, '--profile', 'asterisk').services.pbx.volumes!.find((v) => v.includes(':/etc/asterisk'))!;
    expect(relative(DOCKER_DIR, etc.split(':')[0])).toBe(join('asterisk', 'pjsip-mixmonitor'));
  });
});
