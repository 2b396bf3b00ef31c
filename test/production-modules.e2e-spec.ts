import { spawnSync } from 'node:child_process';
import { DIALECT_NAMES } from '../apps/pbx-sim/src/engine/dialect';
import { DIALPLAN_NAMES } from '../apps/pbx-sim/src/demo-defaults';
import { DEMO_DIALECTS, DEMO_DIALPLANS } from '../apps/server/src/config/app-config';
import { PROJECT_ROOT } from './support/server-process';

/**
 * A real deployment never loads the PBX simulator: with the demo off, building the application
 * (every module of every role) must not load a single file of apps/pbx-sim.
 */
describe('what a deployment loads', () => {
  const LOADED_FILES = `
    const { loadConfig } = require('./apps/server/src/config/load-config');
    const { AppModule } = require('./apps/server/src/app.module');
    const result = loadConfig({ NODE_ENV: 'production', DEMO_MODE: 'off', DB_HOST: 'db', DB_NAME: 'crm', DB_USER: 'crm', DB_PASSWORD: 'pw',
      JWT_SECRET: 'x'.repeat(32), ASTERISK_HOST: '10.0.0.20', ASTERISK_SECRET: 's' });
    if ('problems' in result) throw new Error(JSON.stringify(result.problems));
    AppModule.forRoot(result.config).then(() => process.stdout.write(JSON.stringify(Object.keys(require.cache))));
  `;

  it('builds the production application without loading apps/pbx-sim', () => {
    const run = spawnSync(process.execPath, ['-r', '@swc-node/register', '-e', LOADED_FILES], {
      cwd: PROJECT_ROOT,
      env: { PATH: process.env.PATH, SWC_NODE_PROJECT: `${PROJECT_ROOT}/tsconfig.json` },
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(run.stderr).not.toMatch(/Error/);
    const files = JSON.parse(run.stdout) as string[];
    expect(files.some((file) => file.includes('/apps/server/src/app.module'))).toBe(true);
    expect(files.filter((file) => file.includes('/apps/pbx-sim/'))).toEqual([]);
  });

  it('knows the same demo dialects and dialplans as the simulator', () => {
    expect([...DEMO_DIALECTS]).toEqual([...DIALECT_NAMES]);
    expect([...DEMO_DIALPLANS]).toEqual([...DIALPLAN_NAMES]);
  });
});
