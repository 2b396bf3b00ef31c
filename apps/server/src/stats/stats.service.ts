import { Injectable } from '@nestjs/common';
import type { CallDirection } from '@app/ami/tracker/call-record';
import { DataSource } from 'typeorm';
import { CALL_FROM, CALL_SELECT, filterConditions } from '../calls/history/call-history-query';
import { callListItemFromDb, type CallDbRow } from '../calls/history/call-row-view';
import { DIRECTIONS, TERMINAL_STATUSES, UNANSWERED_STATUSES, type CallStats, type TerminalStatus } from './call-stats';

export interface StatsRequest {
  from: Date;
  to: Date;
  userId?: number;
  /** IANA zone for the per-hour and per-day buckets. */
  timeZone: string;
}

/** Missed calls listed with their count; the count covers them all. */
const MISSED_LISTED = 100;

/** Call statistics computed in PostgreSQL: a few aggregate queries over the period, run side by side. */
@Injectable()
export class StatsService {
  constructor(private readonly dataSource: DataSource) {}

  async stats(request: StatsRequest): Promise<CallStats> {
    const values: unknown[] = [];
    const where = [...filterConditions({ from: request.from, to: request.to, userId: request.userId }, values), 'c.ended_at IS NOT NULL'].join(' AND ');
    const q = <T>(sql: string, extra: unknown[] = []) => this.dataSource.query<T[]>(sql, [...values, ...extra]);
    const tz = `$${values.length + 1}`;
    const answered = `c.status = 'answered'`;
    const unanswered = `c.status IN (${UNANSWERED_STATUSES.map((s) => `'${s}'`).join(', ')})`;

    const [byOutcome, [durations], perUser, perHour, perDay, missed] = await Promise.all([
      q<{ status: TerminalStatus; direction: CallDirection; calls: number }>(
        `SELECT c.status, c.direction, count(*)::int AS calls FROM calls c WHERE ${where} GROUP BY c.status, c.direction`,
      ),
      q<{ ring_avg: number | null; ring_p90: number | null; talk_avg: number | null; talk_p90: number | null; talk_total: number | null }>(
        `SELECT avg(c.ring_seconds)::float8 AS ring_avg,
                percentile_cont(0.9) WITHIN GROUP (ORDER BY c.ring_seconds) AS ring_p90,
                (avg(c.talk_seconds) FILTER (WHERE ${answered}))::float8 AS talk_avg,
                percentile_cont(0.9) WITHIN GROUP (ORDER BY c.talk_seconds) FILTER (WHERE ${answered}) AS talk_p90,
                (sum(c.talk_seconds) FILTER (WHERE ${answered}))::int AS talk_total
         FROM calls c WHERE ${where}`,
      ),
      q<{ user_id: number; user_name: string | null; calls: number; answered: number; unanswered: number; talk: number; talk_avg: number | null }>(
        `SELECT c.assigned_user_id AS user_id,
                COALESCE(NULLIF(concat_ws(' ', u.first_name, u.last_name), ''), u.username) AS user_name,
                count(*)::int AS calls,
                (count(*) FILTER (WHERE ${answered}))::int AS answered,
                (count(*) FILTER (WHERE ${unanswered}))::int AS unanswered,
                (COALESCE(sum(c.talk_seconds) FILTER (WHERE ${answered}), 0))::int AS talk,
                (avg(c.talk_seconds) FILTER (WHERE ${answered}))::float8 AS talk_avg
         FROM calls c LEFT JOIN users u ON u.id = c.assigned_user_id
         WHERE ${where} AND c.assigned_user_id IS NOT NULL
         GROUP BY c.assigned_user_id, u.username, u.first_name, u.last_name
         ORDER BY calls DESC, c.assigned_user_id`,
      ),
      q<{ hour: number; calls: number; answered: number }>(
        `SELECT extract(hour FROM c.started_at AT TIME ZONE ${tz})::int AS hour, count(*)::int AS calls,
                (count(*) FILTER (WHERE ${answered}))::int AS answered
         FROM calls c WHERE ${where} GROUP BY 1`,
        [request.timeZone],
      ),
      q<{ day: string; calls: number; answered: number }>(
        `SELECT to_char(c.started_at AT TIME ZONE ${tz}, 'YYYY-MM-DD') AS day, count(*)::int AS calls,
                (count(*) FILTER (WHERE ${answered}))::int AS answered
         FROM calls c WHERE ${where} GROUP BY 1 ORDER BY 1`,
        [request.timeZone],
      ),
      q<CallDbRow & { total: number }>(
        `SELECT ${CALL_SELECT}, (count(*) OVER ())::int AS total ${CALL_FROM}
         WHERE ${where} AND c.direction = 'inbound' AND ${unanswered} AND c.external_number IS NOT NULL
           AND NOT EXISTS (
             SELECT 1 FROM calls cb
             WHERE cb.external_number = c.external_number AND cb.started_at > c.started_at AND cb.status = 'answered')
         ORDER BY c.started_at DESC, c.id DESC
         LIMIT ${MISSED_LISTED}`,
      ),
    ]);

    const byStatus = Object.fromEntries(TERMINAL_STATUSES.map((s) => [s, 0])) as Record<TerminalStatus, number>;
    const byDirection = Object.fromEntries(DIRECTIONS.map((d) => [d, 0])) as Record<CallDirection, number>;
    let calls = 0;
    for (const row of byOutcome) {
      calls += row.calls;
      if (row.status in byStatus) byStatus[row.status] += row.calls;
      byDirection[row.direction] += row.calls;
    }
    const hours = new Map(perHour.map((h) => [h.hour, h]));
    return {
      from: request.from.toISOString(),
      to: request.to.toISOString(),
      timeZone: request.timeZone,
      userId: request.userId === undefined ? null : String(request.userId),
      totals: { calls, answered: byStatus.answered, answerRate: calls === 0 ? 0 : byStatus.answered / calls, byStatus, byDirection },
      ringSeconds: { average: durations.ring_avg, p90: durations.ring_p90 },
      talkSeconds: { average: durations.talk_avg, p90: durations.talk_p90, total: durations.talk_total ?? 0 },
      perUser: perUser.map((u) => ({
        userId: String(u.user_id),
        userName: u.user_name,
        calls: u.calls,
        answered: u.answered,
        unanswered: u.unanswered,
        talkSeconds: u.talk,
        averageTalkSeconds: u.talk_avg,
      })),
      perHour: Array.from({ length: 24 }, (_, hour) => ({ hour, calls: hours.get(hour)?.calls ?? 0, answered: hours.get(hour)?.answered ?? 0 })),
      perDay: perDay.map((d) => ({ day: d.day, calls: d.calls, answered: d.answered })),
      missedNotCalledBack: { count: missed[0]?.total ?? 0, calls: missed.map(callListItemFromDb) },
    };
  }
}
