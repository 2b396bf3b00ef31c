import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `calls.participant_user_ids`: the users whose phones took part in a call (placed it, rang,
 * answered, were transferred to or from it), so an operator's "own calls" are the calls they
 * took part in, not only the ones finally assigned to them (CallAccess). Existing rows are
 * filled from what they recorded: the assigned user, the users owning the caller, receiver and
 * answering extensions, and the users named by their timeline steps.
 */
export class CallParticipants1795652000000 implements MigrationInterface {
  name = 'CallParticipants1795652000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE calls ADD COLUMN participant_user_ids integer[] NOT NULL DEFAULT '{}'`);
    await db.query(`
      UPDATE calls c SET participant_user_ids = ARRAY(
        SELECT DISTINCT u FROM (
          SELECT c.assigned_user_id AS u
          UNION ALL
          SELECT p.user_id FROM user_phones p
          WHERE p.normalized_number IN (c.caller_number, c.receiver_number, c.answered_by_extension)
          UNION ALL
          SELECT (e.data->>k)::integer FROM call_events e, unnest(ARRAY['userId', 'fromUserId', 'toUserId']) k
          WHERE e.call_id = c.id AND e.type IN ('ringing', 'answered', 'transferred') AND e.data->>k ~ '^[0-9]+$'
        ) x WHERE u IS NOT NULL ORDER BY u)`);
    await db.query(`CREATE INDEX ix_calls_participants ON calls USING gin (participant_user_ids)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX ix_calls_participants`);
    await db.query(`ALTER TABLE calls DROP COLUMN participant_user_ids`);
  }
}
