/**
 * The bench's office in a fresh database: migrated by the app's own runner, then operators
 * owning the simulator's extensions, supervisors, and companies for the callers' numbers
 * (so each popup carries a company card, as in use). Tokens are signed as the server signs them.
 */
import { JwtService } from '@nestjs/jwt';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../apps/server/src/database/data-source-options';
import type { DatabaseConnection } from '../../apps/server/src/database/database-connection';
import { runPendingMigrations } from '../../apps/server/src/database/migration-runner';
import { STEADY_PROFILE } from '../../apps/pbx-sim/src/traffic/traffic-profile';
import type { BenchUser } from './client-fleet';
import { FIRST_EXTENSION } from './realtime-sim';

/** One of the simulator's callers stays unknown, as in the demo. */
const CALLERS_WITH_A_COMPANY = STEADY_PROFILE.externalNumbers.slice(0, -1);

export async function createOffice(connection: DatabaseConnection, database: string, counts: { operators: number; supervisors: number }, jwtSecret: string): Promise<BenchUser[]> {
  const dataSource = await new DataSource(buildDataSourceOptions(connection, database)).initialize();
  try {
    await runPendingMigrations(dataSource);
    const rows = await dataSource.query<Array<{ id: number; username: string; role: BenchUser['role'] }>>(
      `INSERT INTO users (username, email, password_hash, role)
       SELECT CASE WHEN i <= $1::int THEN 'op' || i ELSE 'sup' || (i - $1::int) END, 'user' || i || '@bench.local', 'no-login-in-the-bench',
              CASE WHEN i <= $1::int THEN 'operator' ELSE 'supervisor' END
       FROM generate_series(1, $1::int + $2::int) i ORDER BY i RETURNING id, username, role`,
      [counts.operators, counts.supervisors],
    );
    const operators = rows.filter((r) => r.role === 'operator');
    await dataSource.query(
      `INSERT INTO user_phones (user_id, phone_number, phone_type, normalized_number)
       SELECT id, ext, 'extension', ext FROM unnest($1::int[], $2::text[]) AS t(id, ext)`,
      [operators.map((r) => r.id), operators.map((_, i) => String(FIRST_EXTENSION + i))],
    );
    for (const [i, number] of CALLERS_WITH_A_COMPANY.entries()) {
      const [{ id }] = await dataSource.query<Array<{ id: number }>>(`INSERT INTO companies (name) VALUES ($1) RETURNING id`, [`Bench client ${i + 1}`]);
      await dataSource.query(`INSERT INTO company_phones (company_id, phone_number, normalized_number) VALUES ($1, $2, $2)`, [id, number]);
    }
    const jwt = new JwtService({ secret: jwtSecret, signOptions: { algorithm: 'HS256', expiresIn: 4 * 3600 } });
    return rows.map((r) => ({
      id: r.id,
      role: r.role,
      extension: r.role === 'operator' ? String(FIRST_EXTENSION + operators.indexOf(r)) : null,
      token: jwt.sign({ sub: r.id, username: r.username, role: r.role }),
    }));
  } finally {
    await dataSource.destroy();
  }
}
