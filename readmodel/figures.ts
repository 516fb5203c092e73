import type { Pool } from 'pg';
import { endOfDay, isValidDate, startOfDay, toShanghaiIso } from '../domain/time';
import { InvalidQueryError, OPEN_SQL } from './queries';

/**
 * A department head's view of the department's officers (科室负责人): each officer's open work
 * and decisions in a period, from the matters' assignee column. A matter keeps its assignee once
 * decided, so "decided" is the officer's own work whoever claimed or assigned it.
 */
export interface OfficerFigures {
  officer: string;
  name: string | null;
  /** Open matters assigned to the officer now. */
  assignedOpen: number;
  /** Matters assigned to the officer that the department approved or rejected in the period. */
  decided: number;
  /** Of those, decided before the end of their due day. */
  decidedOnTime: number;
  /** Open matters assigned to the officer that are overdue now (overdue or escalated). */
  overdueOpen: number;
  /** Median working days used over the decided matters that report it; null if none. */
  medianWorkingDaysUsed: number | null;
}

/** One row per officer named (in that order), zeros for an officer with no work. */
export async function officerFigures(
  pool: Pool,
  q: { department: string; officers: { id: string; name?: string }[]; from: string; to: string },
): Promise<OfficerFigures[]> {
  for (const field of ['from', 'to'] as const) if (!isValidDate(q[field])) throw new InvalidQueryError(field, `"${q[field]}" is not a date YYYY-MM-DD`);
  if (q.from > q.to) throw new InvalidQueryError('to', 'the period ends before it starts');
  if (q.officers.length === 0) return [];
  const { rows } = await pool.query<{
    officer: string;
    assigned_open: number;
    decided: number;
    decided_on_time: number;
    overdue_open: number;
    median_used: number | null;
  }>(
    `WITH mine AS (
       SELECT m.assignee, m.status, m.level, m.decided_at, m.decision, m.on_time, m.working_days_used
       FROM matters m
       WHERE m.department = $1 AND m.assignee = ANY ($2::text[])
     )
     SELECT o.officer,
       count(x.assignee) FILTER (WHERE ${OPEN_SQL.replace('m.', 'x.')})::int AS assigned_open,
       count(x.assignee) FILTER (WHERE x.decided_at >= $3::timestamptz AND x.decided_at < $4::timestamptz AND x.decision IN ('approved', 'rejected'))::int AS decided,
       count(x.assignee) FILTER (WHERE x.decided_at >= $3::timestamptz AND x.decided_at < $4::timestamptz AND x.decision IN ('approved', 'rejected') AND x.on_time)::int AS decided_on_time,
       count(x.assignee) FILTER (WHERE ${OPEN_SQL.replace('m.', 'x.')} AND x.level IN ('overdue', 'departmentHead', 'supervisionOffice', 'leadership'))::int AS overdue_open,
       percentile_cont(0.5) WITHIN GROUP (ORDER BY x.working_days_used)
         FILTER (WHERE x.decided_at >= $3::timestamptz AND x.decided_at < $4::timestamptz AND x.decision IN ('approved', 'rejected') AND x.working_days_used IS NOT NULL) AS median_used
     FROM unnest($2::text[]) WITH ORDINALITY AS o(officer, n)
     LEFT JOIN mine x ON x.assignee = o.officer
     GROUP BY o.officer, o.n
     ORDER BY o.n`,
    [q.department, q.officers.map((o) => o.id), toShanghaiIso(startOfDay(q.from)), toShanghaiIso(endOfDay(q.to))],
  );
  const names = new Map(q.officers.map((o) => [o.id, o.name ?? null]));
  return rows.map((r) => ({
    officer: r.officer,
    name: names.get(r.officer) ?? null,
    assignedOpen: r.assigned_open,
    decided: r.decided,
    decidedOnTime: r.decided_on_time,
    overdueOpen: r.overdue_open,
    medianWorkingDaysUsed: r.median_used,
  }));
}
