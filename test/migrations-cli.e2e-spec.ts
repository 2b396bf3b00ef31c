import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS } from '../apps/server/src/database/migrations';
import { cleanEnv, ServerProcess } from './support/server-process';
import { createDatabase, dropDatabase, query, uniqueName } from './support/test-database';

describe('typeorm CLI through ormconfig.ts (npm run migration:*)', () => {
  const database = uniqueName('crm_cli');
  const env = cleanEnv({
    DB_HOST: process.env.DB_HOST!,
    DB_PORT: process.env.DB_PORT!,
    DB_USER: process.env.DB_USER!,
    DB_PASSWORD: process.env.DB_PASSWORD ?? '',
    DB_NAME: database,
  });
  const applied = async () => (await query<{ name: string }>(database, 'SELECT name FROM typeorm_migrations ORDER BY id')).map((row) => row.name);
  const run = async (args: string[]) => {
    const cli = ServerProcess.npm(['run', '--silent', ...args], env);
    const { code } = await cli.exit(90_000);
    return { code, output: cli.output };
  };

  beforeAll(() => createDatabase(database));
  afterAll(() => dropDatabase(database));

  it('migration:run applies all, migration:revert undoes the last, migration:generate finds no drift', async () => {
    expect((await run(['migration:run'])).code).toBe(0);
    expect(await applied()).toEqual(MIGRATIONS.map((migration) => migration.name));

    expect((await run(['migration:revert'])).code).toBe(0);
    expect(await applied()).toEqual(MIGRATIONS.slice(0, -1).map((migration) => migration.name));
    expect((await run(['migration:run'])).code).toBe(0);

    const folder = mkdtempSync(join(tmpdir(), 'crm-generate-'));
    try {
      const generate = await run(['migration:generate', '--', join(folder, 'Drift')]);
      expect(generate.output).toContain('No changes in database schema were found');
      expect(generate.code).not.toBe(0);
      expect(readdirSync(folder)).toEqual([]);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 240_000);
});
