import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, join, relative } from 'node:path';
import { DockerfileParser, type Instruction } from 'dockerfile-ast';
import { parse as parseYaml } from 'yaml';
import { testRedisEnv } from './support/test-redis-env';
import { freePort } from './support/free-port';
import { cleanEnv, PROJECT_ROOT, ServerProcess } from './support/server-process';
import { eventually } from './support/calls-e2e';
import { createDatabase, dropDatabase, testDatabaseEnv, uniqueName } from './support/test-database';

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

/** Files the runtime stage copies from the build context into its WORKDIR: their name there -> their path here. */
function copiedFromContext(): Map<string, string> {
  const out = new Map<string, string>();
  for (const copy of named(runtime(), 'COPY').filter((i) => !/--from=/.test(i.getTextContent()))) {
    const [source, dest] = args(copy).split(/\s+/);
    if (source.startsWith('package')) continue;
    out.set(dest === './' ? basename(source) : dest.replace(/^\.\//, ''), join(PROJECT_ROOT, source));
  }
  return out;
}

/**
 * Runs a command as the image would in its WORKDIR (/app): `node` is this Node, a file the image
 * copied from the context is that file here, and dist/ is the one `npm run build` wrote here.
 */
function runAsImage(command: string[], env: NodeJS.ProcessEnv): number | null {
  const files = copiedFromContext();
  const [cmd, ...rest] = command.map((arg, i) => (i === 0 && arg === 'node' ? process.execPath : (files.get(arg) ?? arg)));
  return spawnSync(cmd, rest, { cwd: PROJECT_ROOT, env, timeout: 10_000 }).status;
}

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  profiles?: string[];
  command?: string[];
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

/** `docker-compose config` with these variables only (never a developer's docker/.env), run in a scratch folder. */
function compose(vars: Record<string, string>, ...extra: string[]): { status: number | null; stdout: string; stderr: string } {
  const found = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
  if (found.error) throw new Error('docker-compose is not installed: apt-get install -y docker-compose (.ci/run does)');
  const workDir = mkdtempSync(join(tmpdir(), 'crm-compose-'));
  try {
    const emptyEnvFile = join(workDir, 'empty.env');
    writeFileSync(emptyEnvFile, '');
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...vars };
    return spawnSync('docker-compose', ['--env-file', emptyEnvFile, '-f', COMPOSE_FILE, ...extra, 'config'], { encoding: 'utf8', env, cwd: workDir });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

function composeConfig(vars: Record<string, string> = {}, ...extra: string[]): ComposeConfig {
  const result = compose({ ...REQUIRED, ...vars }, ...extra);
  if (result.status !== 0) throw new Error(`docker-compose config failed: ${result.stderr}`);
  return parseYaml(result.stdout) as ComposeConfig;
}

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

  it('runtime: ffmpeg for the recordings job and nothing else from apt; the recordings mount point belongs to the unprivileged user', () => {
    const runs = named(runtime(), 'RUN').map(args).join('\n');
    const installs = [...runs.matchAll(/apt-get install ([^&]+)/g)].map((m) => m[1].trim());
    expect(installs).toEqual(['-y --no-install-recommends ffmpeg']);
    expect(runs).toContain('rm -rf /var/lib/apt/lists/*');
    expect(runs).toContain('chown node:node /var/spool/asterisk/monitor');
  });

  it('HEALTHCHECK is liveness (GET /api/health) on METRICS_PORT, else PORT, through a probe script copied from docker/', () => {
    const command = healthcheck();
    expect(command).toEqual(['node', 'http-probe.cjs', '/api/health']);
    const probe = readFileSync(copiedFromContext().get('http-probe.cjs')!, 'utf8');
    expect(probe).toContain('process.env.METRICS_PORT || process.env.PORT');
  });

  it('.dockerignore keeps local state, secrets and dependencies out of the build context', () => {
    const ignored = readFileSync(join(PROJECT_ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const entry of ['.git', 'node_modules', 'dist', '.data', '.env', 'docker/.env']) expect(ignored).toContain(entry);
  });

  describe('the image`s entry point, built here with `npm run build`', () => {
    beforeAll(() => {
      execFileSync('npm', ['run', 'build', '--silent'], { cwd: PROJECT_ROOT, stdio: 'pipe', env: process.env });
    }, 120_000);

    it('is what the build produces, as is the simulator`s command line the sim profile runs', () => {
      const [node, entry] = entryPoint();
      expect(node).toBe('node');
      expect(statSync(join(PROJECT_ROOT, entry)).isFile()).toBe(true);
      const sim = composeConfig({}, '--profile', 'sim').services['pbx-sim'].command!;
      expect(sim.slice(0, 2)).toEqual(['node', 'dist/pbx-sim.js']);
      expect(statSync(join(PROJECT_ROOT, sim[1])).isFile()).toBe(true);
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
      const probe = () => runAsImage(healthcheck(), env);
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

    it('sim profile and ingest role as Compose runs them: the simulator`s command serves AMI, the ingest`s readiness check passes once logged in and fails within 5 s of losing it', async () => {
      const { services } = composeConfig({ ASTERISK_SECRET: 'sim-secret', PBX_SIM_DIALECT: 'asterisk22' }, '--profile', 'sim');
      const amiPort = await freePort();
      const controlPort = await freePort();
      const recordings = mkdtempSync(join(tmpdir(), 'crm-sim-recordings-'));
      // This machine's ports and folders instead of the container's.
      const here: Record<string, string> = { '--port': String(amiPort), '--http-port': String(controlPort), '--recordings': recordings };
      const simCommand = services['pbx-sim'].command!.map((arg) => {
        const [name] = arg.split('=');
        return name in here ? `${name}=${here[name]}` : arg;
      });
      expect(simCommand).toContain('--dialect=asterisk22');
      const sim = ServerProcess.spawn(process.execPath, simCommand.slice(1), cleanEnv({}));
      const database = uniqueName('ops_ingest_image');
      await createDatabase(database);
      const metricsPort = await freePort();
      const ingestEnv = services['crm-asterisk'].environment!;
      const env = cleanEnv({
        ...Object.fromEntries(Object.entries(ingestEnv).filter(([, v]) => v !== '')),
        ...testDatabaseEnv(database),
        DB_PASSWORD: process.env.DB_PASSWORD || 'ignored-by-trust-auth',
        ...testRedisEnv(),
        ASTERISK_HOST: '127.0.0.1',
        ASTERISK_PORT: String(amiPort),
        METRICS_PORT: String(metricsPort),
        RECORDINGS_PATH: recordings,
      });
      expect(env.APP_ROLE).toBe('asterisk');
      const [node, ...rest] = entryPoint();
      const ingest = ServerProcess.spawn(node === 'node' ? process.execPath : node, rest, env);
      const ready = () => runAsImage(services['crm-asterisk'].healthcheck!.test.slice(1), env);
      try {
        await sim.waitFor(/AMI on 0\.0\.0\.0:\d+/, 30_000);
        const simEnv = { ...services['pbx-sim'].environment, PORT: String(controlPort) };
        expect(runAsImage(services['pbx-sim'].healthcheck!.test.slice(1), cleanEnv(simEnv))).toBe(0);
        await ingest.waitFor(/Asterisk CRM started: role asterisk/, 60_000);
        await eventually('the ingest ready', async () => ready() === 0, 20_000, 200);
        expect(runAsImage(healthcheck(), env)).toBe(0);
        sim.kill('SIGTERM');
        await sim.exit(10_000);
        const from = Date.now();
        await eventually('the ingest not ready', async () => ready() === 1, 10_000, 100);
        expect(Date.now() - from).toBeLessThan(5000);
        // Alive all the same: liveness never restarts it for a lost PBX.
        expect(runAsImage(healthcheck(), env)).toBe(0);
      } finally {
        sim.kill('SIGKILL');
        ingest.kill('SIGKILL');
        await dropDatabase(database);
        rmSync(recordings, { recursive: true, force: true });
      }
    }, 120_000);
  });
});

describe('docker/docker-compose.yml', () => {
  const config = composeConfig;

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
    expect(Object.keys(services).sort()).toEqual(['crm-asterisk', 'crm-server', 'pbx', 'pbx-sim', 'postgres', 'redis']);
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
    // readiness on METRICS_PORT (the asterisk role's only HTTP port), inside the network only
    for (const name of ['crm-asterisk', 'crm-server']) {
      expect(services[name].healthcheck).toMatchObject({ test: ['CMD', 'node', 'http-probe.cjs', '/api/ready'] });
      expect(services[name].environment).toMatchObject({ METRICS_PORT: '9464' });
      expect(services[name].expose).toEqual(['9464']);
      expect((services[name].ports ?? []).some((p) => p.target === 9464)).toBe(false);
    }
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

  it('shares the recordings read-only with the CRM; only Asterisk (or the simulator) writes them', () => {
    const { services, volumes } = config();
    expect(Object.keys(volumes).sort()).toEqual(['postgres-data', 'recordings']);
    expect(services['crm-server'].volumes).toEqual(['recordings:/var/spool/asterisk/monitor:ro']);
    expect(services['crm-asterisk'].volumes).toEqual(['recordings:/var/spool/asterisk/monitor:ro']);
    expect(services.pbx.volumes).toContain('recordings:/var/spool/asterisk/monitor:rw');
    expect(services['pbx-sim'].volumes).toEqual(['recordings:/var/spool/asterisk/monitor:rw']);
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

  it.each([
    ['asterisk20', 'lab'],
    ['asterisk22', 'freepbx'],
  ])('profile sim: pbx-sim from the CRM`s image as %s with the %s dialplan, on the CRM`s AMI credentials, AMI not published', (dialect, dialplan) => {
    const { services } = config({ PBX_SIM_DIALECT: dialect, PBX_SIM_DIALPLAN: dialplan, ASTERISK_USER: 'sim_user', ASTERISK_SECRET: 'sim-secret' }, '--profile', 'sim');
    const sim = services['pbx-sim'];
    expect(sim.profiles).toEqual(['sim']);
    expect(sim.image).toBe(services['crm-server'].image);
    expect(sim.build).toEqual(services['crm-server'].build);
    expect(sim.command).toEqual(
      expect.arrayContaining(['--host=0.0.0.0', '--port=5038', '--user=sim_user', '--secret=sim-secret', `--dialect=${dialect}`, `--dialplan=${dialplan}`, '--recordings=/var/spool/asterisk/monitor']),
    );
    expect(sim.ports).toBeUndefined();
    expect(sim.expose).toEqual(['5038', '8080']);
    expect(sim.healthcheck).toMatchObject({ test: ['CMD', 'node', 'http-probe.cjs', '/health'] });
    expect(sim.environment).toEqual({ PORT: '8080' });
  });
});
