import { query } from './test-database';

let next = 0;

/** A finished call row as the ingest would have stored it, with the users who took part. */
export async function insertCall(
  database: string,
  fields: { participants?: number[]; assigned?: number | null; startedAt?: string; caller?: string; receiver?: string } = {},
): Promise<number> {
  next += 1;
  const startedAt = fields.startedAt ?? '2026-11-26T12:37:15Z';
  const [row] = await query<{ id: number }>(
    database,
    `INSERT INTO calls (pbx_id, linkedid, call_uid, direction, status, caller_number, receiver_number, started_at, answered_at, ended_at,
       assigned_user_id, participant_user_ids)
     VALUES ('rec-test', $1, $1, 'inbound', 'answered', $2, $3, $4, $4, $4::timestamptz + interval '30 seconds', $5, $6)
     RETURNING id`,
    [`rec-${process.pid}-${next}`, fields.caller ?? '+74951234567', fields.receiver ?? '74959876543', startedAt, fields.assigned ?? null, fields.participants ?? []],
  );
  return row.id;
}

/** A recording row in a given state (what readiness would have stored). */
export async function insertRecording(
  database: string,
  callId: number,
  fields: { key: string | null; status?: string; reason?: string | null; format?: string; size?: number | null; duration?: number | null; startedAt?: string; storage?: string },
): Promise<number> {
  next += 1;
  const [row] = await query<{ id: number }>(
    database,
    `INSERT INTO recordings (call_id, file_name, source, status, status_reason, storage, storage_key, size_bytes, duration_seconds, format, started_at, stopped_at, ready_at)
     VALUES ($1, $2, 'mixmonitor', $3, $4, $5, $6, $7, $8, $9, $10, $10::timestamptz + interval '30 seconds', now()) RETURNING id`,
    [
      callId,
      `file-${next}.wav`,
      fields.status ?? 'ready',
      fields.reason ?? null,
      fields.storage ?? 'local',
      fields.key,
      fields.size ?? null,
      fields.duration ?? null,
      fields.format ?? 'wav',
      fields.startedAt ?? '2026-11-26T12:37:15Z',
    ],
  );
  return row.id;
}
