import { readdirSync } from 'node:fs';
import { MIGRATIONS } from '.';

describe('MIGRATIONS', () => {
  const files = readdirSync(__dirname).filter((file) => /^\d{13}-.+\.ts$/.test(file) && !file.endsWith('.spec.ts'));

  it('lists every migration file of this folder, oldest first', () => {
    const timestampsOfFiles = files.map((file) => Number(file.slice(0, 13))).sort((a, b) => a - b);
    const timestampsListed = MIGRATIONS.map((migration) => Number(/(\d{13})$/.exec(migration.name)![1]));
    expect(timestampsListed).toEqual(timestampsOfFiles);
  });

  it('gives each migration a unique name ending with its timestamp (TypeORM orders and records them by it)', () => {
    const names = MIGRATIONS.map((migration) => new migration().name);
    expect(names).toEqual(MIGRATIONS.map((migration) => migration.name));
    expect(new Set(names).size).toBe(names.length);
  });
});
