import type { Pool, PoolClient } from 'pg';
import type { EventKind } from '../domain/events';
import type { EventRow } from '../domain/projection';
import { toShanghaiIso } from '../domain/time';
import { checkLimit, decodeCursor, encodeCursor, eventCursor, type Page } from './queries';

/**
 * Deadlines the official calendar year moved (暂定 → 正式): one row per `deadlineMoved` event,
 * written as the events are projected (a retried or rebuilt batch writes each once), for the
 * supervision office's list.
 */

/** Which clock moved: a matter's own, a 容缺 item's, the window's notice, a contract's, a verification's, an opinion's, a deemed withdrawal's. */
export const MOVED_CLOCKS = ['matter', 'deferred', 'notice', 'contract', 'verification', 'opinion', 'withdrawal'] as const;
export type MovedClock = (typeof MOVED_CLOCKS)[number];

export interface MovedDeadline {
  applicationId: string;
  projectName: string;
  seq: number;
  /** When the calendar that moved it was published to the application. */
  at: string;
  clock: MovedClock;
  matter: string | null;
  matterName: string | null;
  /** The department that owes it (an opinion: the participant); null for a contract or a stage's notice. */
  department: string | null;
  /** The material, participant, service type or stage the clock is of, where the matter alone does not say. */
  of: string | null;
  contractId: string | null;
  from: string;
  to: string;
  /** Whole days later (positive) or earlier (negative). */
  days: number;
  year: number;
  notice: string;
}

const DEADLINE_MOVED: EventKind = 'deadlineMoved';

/** Stores the moved deadlines among these events (the matters are stored first in the transaction, for the department). */
export async function recordMovedDeadlines(client: PoolClient, applicationId: string, events: EventRow[]): Promise<void> {
  const moved = events.filter((e) => e.kind === DEADLINE_MOVED);
  if (moved.length === 0) return;
  await client.query(
    `INSERT INTO moved_deadlines (application_id, seq, at, clock, matter, department, of, contract_id, from_on, to_on, year, notice)
     SELECT $1, r.seq, r.at, r.clock, r.matter,
       CASE WHEN r.clock = 'opinion' THEN r.of ELSE (SELECT m.department FROM matters m WHERE m.application_id = $1 AND m.code = r.matter) END,
       r.of, r."contractId", r."from", r."to", r.year, r.notice
     FROM jsonb_to_recordset($2::jsonb) AS r(seq integer, at timestamptz, clock text, matter text, of text, "contractId" text, "from" date, "to" date, year integer, notice text)
     ON CONFLICT (application_id, seq) DO NOTHING`,
    [
      applicationId,
      JSON.stringify(
        moved.map((e) => ({
          seq: e.seq,
          at: e.at,
          clock: e.data?.['clock'],
          matter: e.matter,
          of: e.data?.['of'] ?? null,
          contractId: e.data?.['contractId'] ?? null,
          from: e.data?.['from'],
          to: e.data?.['to'],
          year: e.data?.['year'],
          notice: e.data?.['notice'],
        })),
      ),
    ],
  );
}


export interface MovedDeadlinesQuery {
  department?: string;
  year?: number;
  limit: number;
  after?: string;
}

/** Moved deadlines, newest first, of one department or all, optionally of one calendar year; a page by keyset. */
export async function movedDeadlines(pool: Pool, q: MovedDeadlinesQuery): Promise<Page<MovedDeadline>> {
  checkLimit(q.limit);
  const values: unknown[] = [];
  const where: string[] = [];
  const bind = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  if (q.department !== undefined) where.push(`d.department = ${bind(q.department)}`);
  if (q.year !== undefined) where.push(`d.year = ${bind(q.year)}::integer`);
  if (q.after !== undefined) {
    const [at, applicationId, seq] = decodeCursor(q.after, eventCursor);
    where.push(`(d.at, d.application_id, d.seq) < (${bind(at)}::timestamptz, ${bind(applicationId)}, ${bind(seq)}::integer)`);
  }
  const { rows } = await pool.query<{
    application_id: string;
    project_name: string;
    seq: number;
    at: Date;
    clock: MovedClock;
    matter: string | null;
    matter_name: string | null;
    department: string | null;
    of: string | null;
    contract_id: string | null;
    from_on: string;
    to_on: string;
    days: number;
    year: number;
    notice: string;
    at_key: string;
  }>(
    `SELECT d.application_id, a.project_name, d.seq, d.at, d.clock, d.matter, m.name AS matter_name, d.department, d.of, d.contract_id,
       d.from_on::text AS from_on, d.to_on::text AS to_on, (d.to_on - d.from_on) AS days, d.year, d.notice, to_json(d.at) #>> '{}' AS at_key
     FROM moved_deadlines d
     JOIN applications a ON a.application_id = d.application_id
     LEFT JOIN matters m ON m.application_id = d.application_id AND m.code = d.matter
     ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY d.at DESC, d.application_id DESC, d.seq DESC
     LIMIT ${bind(q.limit + 1)}`,
    values,
  );
  const shown = rows.slice(0, q.limit);
  const last = shown.at(-1);
  return {
    items: shown.map((r) => ({
      applicationId: r.application_id,
      projectName: r.project_name,
      seq: r.seq,
      at: toShanghaiIso(r.at.getTime()),
      clock: r.clock,
      matter: r.matter,
      matterName: r.matter_name,
      department: r.department,
      of: r.of,
      contractId: r.contract_id,
      from: r.from_on,
      to: r.to_on,
      days: r.days,
      year: r.year,
      notice: r.notice,
    })),
    next: rows.length > q.limit && last ? encodeCursor([last.at_key, last.application_id, last.seq]) : null,
  };
}
