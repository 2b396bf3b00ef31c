import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `users.active`: an admin can switch an account off without deleting it (its calls keep their
 * user). An inactive user cannot log in, their tokens stop working at once, and their live
 * Socket.IO connections are closed.
 */
export class UserActive1795656000000 implements MigrationInterface {
  name = 'UserActive1795656000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE users ADD COLUMN active boolean NOT NULL DEFAULT true`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE users DROP COLUMN active`);
  }
}
