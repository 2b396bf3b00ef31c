import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `users.token_version`: every access token carries the version it was issued at (`ver`), and
 * a token whose version is behind the user's is refused. A password change and a logout raise
 * it, so the tokens issued before (stolen ones included) stop working at once.
 */
export class UserTokenVersion1795656500000 implements MigrationInterface {
  name = 'UserTokenVersion1795656500000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE users ADD COLUMN token_version integer NOT NULL DEFAULT 0`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE users DROP COLUMN token_version`);
  }
}
