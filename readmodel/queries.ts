import type { Pool } from 'pg';
import { z } from 'zod';
import type { ApplicationRow, EventRow, MatterRow, StoredApplication } from '../domain/projection';
import { WORKING_STATUSES, type MatterDecision, type MatterState } from '../domain/types';
import type { EventKind } from '../domain/events';
import { endOfDay, isValidDate, startOfDay, toShanghaiIso } from '../domain/time';

/**
 * Queries of the read model for the API: an officer's inbox, the supervision office's list of
 * warnings and overdue matters, departments' scorecards, an applicant's applications and an
 * application's audit trail. Lists page by keyset (an opaque cursor of the last row's sort key),
 * so a deep page costs what the first does and rows written meanwhile neither repeat nor vanish.
 */

/** A query the caller got wrong (limit, cursor, date, level); the API maps it to 400. */
export class InvalidQueryError extends Error {
  override readonly name = 'InvalidQueryError';
  constructor(
    readonly field: string,
    readonly reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

export interface Page<T> {
  items: T[];
  /** Cursor of the next page (pass it as `after`), or null when this page is the last. */
  next: string | null;
}

export const MAX_PAGE_SIZE = 500;

/** Clock levels the supervision office watches, least severe first (预警, 超期, and the escalation ladder). */
export const ALERT_LEVELS = ['warning', 'overdue', 'departmentHead', 'supervisionOffice', 'leadership'] as const;
export type AlertLevel = (typeof ALERT_LEVELS)[number];

/** matters.severity of each alert level, as the migration's generated column computes it (1 = most severe). */
const SEVERITY: Record<AlertLevel, number> = { leadership: 1, supervisionOffice: 2, departmentHead: 3, overdue: 4, warning: 5 };

/** Constant identifiers as SQL string literals, for predicates that must stay literal. */
export function sqlLiterals(values: readonly string[]): string {
  return values.map((v) => `'${v.replaceAll("'", "''")}'`).join(', ');
}

// The partial indexes of 001_read_model.sql are used only when a query repeats their predicate
// as literal SQL (a bound parameter cannot prove it), so these are literals written from the
// domain's lists, in the migration's order (test/unit/readmodel-predicates.test.ts compares them).
export const OPEN_SQL = `m.status IN (${sqlLiterals(WORKING_STATUSES)})`;
export const ALERT_SQL = `m.level IN (${sqlLiterals(ALERT_LEVELS)})`;
export const URGED_SQL = `kind = ${sqlLiterals(['urged' satisfies EventKind])}`;
/** The predicates of 006_reform.sql's task indexes: open tasks, and open tasks at warning or above. */
export const OPEN_TASK_SQL = `t.status = 'open'`;
export const TASK_ALERT_SQL = `t.level IN (${sqlLiterals(ALERT_LEVELS)})`;
export const REVOKED_SQL = `kind = ${sqlLiterals(['resultRevoked' satisfies EventKind])}`;

/** Decisions a department makes itself (办结 / 不予许可); termination and cancellation are not its performance. */
const DEPARTMENT_DECISIONS_SQL = `decision IN (${sqlLiterals(['approved', 'rejected'] satisfies MatterDecision['kind'][])})`;

export interface SqlQuery {
  text: string;
  values: unknown[];
}

/** Refuses a page size outside 1…MAX_PAGE_SIZE. */
export function checkLimit(limit: number): void {
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new InvalidQueryError('limit', `must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
}

/** A keyset page's cursor: its sort key as base64url JSON. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** The sort key of a cursor this list returned, checked against its shape; anything else is a 400 naming `after`. */
export function decodeCursor<T extends z.ZodType>(cursor: string, shape: T, maxLength = 512): z.infer<T> {
  if (cursor.length > maxLength || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidQueryError('after', 'not a cursor returned by this list');
  try {
    return shape.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch {
    throw new InvalidQueryError('after', 'not a cursor returned by this list');
  }
}

/** The cursor of a list of recorded events, newest first: [instant, application id, seq]. */
export const eventCursor = z.tuple([z.string().regex(/^\d{4}-\d{2}-\d{2}T[\d:.]+([+-]\d{2}(:\d{2})?|Z)$/).max(40), z.string().regex(/^[A-Za-z0-9_-]{1,64}$/), z.number().int().min(1)]);

/** 00:00 Asia/Shanghai of a date, as an ISO instant. */
function dayStart(field: string, date: string): string {
  if (!isValidDate(date)) throw new InvalidQueryError(field, `"${date}" is not a date YYYY-MM-DD`);
  return toShanghaiIso(startOfDay(date));
}

/** The first instant after a date (inclusive upper bound of a period). */
function dayEnd(field: string, date: string): string {
  if (!isValidDate(date)) throw new InvalidQueryError(field, `"${date}" is not a date YYYY-MM-DD`);
  return toShanghaiIso(endOfDay(date));
}

function iso(value: Date | null): string | null {
  return value === null ? null : toShanghaiIso(value.getTime());
}

/** Sort keys travel in cursors as PostgreSQL's JSON text of the timestamp: exact to the microsecond, and 'infinity' survives. */
const timestampKey = z.union([
  z.literal('infinity'),
  z.literal('-infinity'),
  z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:\d{2})?|Z)$/)
    .refine((t) => !Number.isNaN(Date.parse(t)) && t >= '1900' && t < '2200'),
]);
/** Ids and codes in cursors have the shapes of the rows they come from; anything else is not ours. */
const keyPart = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

export interface InboxQuery {
  department: string;
  limit: number;
  after?: string;
  /** department (default): the department's open work; mine: the work assigned to one of `officers`. */
  view?: 'department' | 'mine';
  /** For `mine`: the officer and the officers whose active delegation names the officer today. */
  officers?: string[];
}

/** The matter columns both lists show, with the project they belong to. */
type ListedMatter = Pick<MatterRow, 'applicationId' | 'code' | 'name' | 'stage' | 'status' | 'dueOn' | 'dueAt' | 'urgeCount'> & {
  projectName: string;
  processCode: string;
  /** 暂定: the due date is counted through a provisional calendar year and may move with the official one. */
  provisional: boolean;
};

/**
 * What an inbox or alert row is: the matter itself, the verification (核查) of its commitment, or a
 * department's opinion on a joint matter. A task row names its matter (`code`, `name`); its
 * status is open, its level, due date and instants are its own clock's.
 */
export type ItemKind = 'matter' | 'verification' | 'opinion';

export type InboxItem = ListedMatter &
  Pick<MatterRow, 'level' | 'acceptedAt' | 'supplementCount'> & {
    kind: ItemKind;
    /** The officer the matter is assigned to (a verification: the matter's); null in the pool, and for an opinion. */
    assignee: string | null;
  };

// A matter's own key sorts before its tasks' ('opinion:…', 'verification:…'); an older cursor of three parts is a matter's.
const inboxCursor = z.union([z.tuple([timestampKey, keyPart, keyPart]), z.tuple([timestampKey, keyPart, keyPart, z.string().regex(/^(|(opinion|verification):[A-Z][A-Z0-9_]{1,31})$/)])]);

/**
 * The inbox SQL: one department's open matters and the open tasks it owes (or, `mine`, those
 * assigned to the officers named), soonest due instant first, those without one (clock stopped or
 * not started) last, then by application, matter and task. Each half is served by its own index
 * (`matters_inbox` / `matters_mine`, `tasks_inbox` / `tasks_mine`) and read only as far as the page;
 * the two are merged in order. Exported so the benchmark can EXPLAIN exactly what `inbox` runs.
 */
export function inboxQuery(q: InboxQuery): SqlQuery {
  checkLimit(q.limit);
  const mine = q.view === 'mine';
  if (mine && !q.officers?.length) throw new InvalidQueryError('view', 'mine needs the officer');
  const values: unknown[] = [mine ? q.officers : q.department];
  let matterKeyset = '';
  let taskKeyset = '';
  if (q.after !== undefined) {
    const [due, applicationId, code, item = ''] = decodeCursor(q.after, inboxCursor);
    values.push(due, applicationId, code, item);
    // A matter sorts before its own tasks, so after any item of (due, application, code) only later matters follow.
    matterKeyset = 'AND (m.due_sort, m.application_id, m.code) > ($2::timestamptz, $3, $4)';
    taskKeyset = 'AND (t.due_sort, t.application_id, t.matter, t.item_key) > ($2::timestamptz, $3, $4, $5)';
  }
  values.push(q.limit + 1);
  const limit = `$${values.length}`;
  const matterWhere = mine ? `m.assignee = ANY ($1::text[]) AND m.assignee IS NOT NULL` : 'm.department = $1';
  const taskWhere = mine ? `t.assignee = ANY ($1::text[]) AND t.assignee IS NOT NULL` : 't.department = $1';
  return {
    text: `SELECT i.*, a.project_name, to_json(i.due_sort) #>> '{}' AS due_key FROM (
         (SELECT 'matter' AS kind, m.application_id, m.process_code, m.code, m.name, m.stage, m.status, m.level,
            m.due_on::text AS due_on, m.due_at, COALESCE(m.provisional, false) AS provisional, m.accepted_at, m.supplement_count, m.urge_count, m.assignee,
            m.due_sort, '' AS item_key
          FROM matters m
          WHERE ${matterWhere} AND ${OPEN_SQL} ${matterKeyset}
          ORDER BY m.due_sort, m.application_id, m.code
          LIMIT ${limit})
         UNION ALL
         (SELECT t.kind, t.application_id, t.process_code, t.matter, t.matter_name, t.stage, t.status, t.level,
            t.due_on::text, t.due_at, COALESCE(t.provisional, false), t.started_at, 0, 0, t.assignee,
            t.due_sort, t.item_key
          FROM tasks t
          WHERE ${taskWhere} AND ${OPEN_TASK_SQL} ${taskKeyset}
          ORDER BY t.due_sort, t.application_id, t.matter, t.item_key
          LIMIT ${limit})
       ) i
       JOIN applications a ON a.application_id = i.application_id
       ORDER BY i.due_sort, i.application_id, i.code, i.item_key
       LIMIT ${limit}`,
    values,
  };
}

/** The columns of ListedMatter as both lists select them. */
interface ListedMatterDbRow {
  application_id: string;
  project_name: string;
  process_code: string;
  code: string;
  name: string;
  stage: string | null;
  status: string;
  due_on: string | null;
  due_at: Date | null;
  provisional: boolean;
  urge_count: number;
}

function listedMatter(r: ListedMatterDbRow): ListedMatter {
  return {
    applicationId: r.application_id,
    projectName: r.project_name,
    processCode: r.process_code,
    code: r.code,
    name: r.name,
    stage: r.stage,
    status: r.status,
    dueOn: r.due_on,
    dueAt: iso(r.due_at),
    provisional: r.provisional,
    urgeCount: r.urge_count,
  };
}

interface InboxDbRow extends ListedMatterDbRow {
  kind: ItemKind;
  level: string;
  accepted_at: Date | null;
  supplement_count: number;
  assignee: string | null;
  due_key: string;
  item_key: string;
}

export async function inbox(pool: Pool, q: InboxQuery): Promise<Page<InboxItem>> {
  const { rows } = await pool.query<InboxDbRow>(inboxQuery(q));
  return page(rows, q.limit, (r) => [r.due_key, r.application_id, r.code, r.item_key], (r) => ({
    ...listedMatter(r),
    kind: r.kind,
    level: r.level,
    acceptedAt: iso(r.accepted_at),
    supplementCount: r.supplement_count,
    assignee: r.assignee,
  }));
}

/** Queries fetch one row more than the page: its presence says a next page exists. */
function page<R, T>(rows: R[], limit: number, key: (row: R) => unknown[], map: (row: R) => T): Page<T> {
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return { items: shown.map(map), next: rows.length > limit && last !== undefined ? encodeCursor(key(last)) : null };
}

export interface AlertsQuery {
  department?: string;
  stage?: string;
  level?: AlertLevel;
  processCode?: string;
  /** First and last date (YYYY-MM-DD, Asia/Shanghai, inclusive) of the instant the matter became a concern. */
  from?: string;
  to?: string;
  limit: number;
  after?: string;
}

export type AlertItem = ListedMatter & Pick<MatterRow, 'department' | 'overdueSince'> & { level: AlertLevel; kind: ItemKind };

// A matter's key ('') sorts before its tasks'; an older cursor of four parts is a matter's.
const alertsCursor = z.union([
  z.tuple([z.number().int().min(1).max(5), timestampKey, keyPart, keyPart]),
  z.tuple([z.number().int().min(1).max(5), timestampKey, keyPart, keyPart, z.string().regex(/^(|(opinion|verification):[A-Z][A-Z0-9_]{1,31})$/)]),
]);

/**
 * The WHERE terms the alerts list and its summary share: open matters (alias m) or open tasks
 * (alias t) at warning or above, narrowed by the filters.
 */
function alertFilters(q: Omit<AlertsQuery, 'limit' | 'after'>, bind: (value: unknown) => string, alias: 'm' | 't' = 'm'): string[] {
  if (q.level !== undefined && !(ALERT_LEVELS as readonly string[]).includes(q.level)) {
    throw new InvalidQueryError('level', `must be one of ${ALERT_LEVELS.join(', ')}`);
  }
  const where = alias === 'm' ? [OPEN_SQL, ALERT_SQL] : [OPEN_TASK_SQL, TASK_ALERT_SQL];
  if (q.department !== undefined) where.push(`${alias}.department = ${bind(q.department)}`);
  if (q.stage !== undefined) where.push(`${alias}.stage = ${bind(q.stage)}`);
  // By severity rather than level: the same rows, but an equality on the alert indexes' leading sort column.
  if (q.level !== undefined) where.push(`${alias}.severity = ${bind(SEVERITY[q.level])}::smallint`);
  if (q.processCode !== undefined) where.push(`${alias}.process_code = ${bind(q.processCode)}`);
  if (q.from !== undefined) where.push(`${alias}.alert_at >= ${bind(dayStart('from', q.from))}::timestamptz`);
  if (q.to !== undefined) where.push(`${alias}.alert_at < ${bind(dayEnd('to', q.to))}::timestamptz`);
  return where;
}

/**
 * The alerts SQL: open matters, and open verifications and opinions, at warning or above across
 * applications, most severe level first (leadership → supervision office → department head →
 * overdue → warning), then the oldest concern first: when it turned overdue, or for a warning its
 * due instant. The period filter applies to that same instant. Matters are served by
 * `matters_alerts` (with a department, `matters_alerts_by_department`), tasks by `tasks_alerts`;
 * each read only as far as the page, then merged in order.
 */
export function alertsQuery(q: AlertsQuery): SqlQuery {
  checkLimit(q.limit);
  const values: unknown[] = [];
  const bind = (value: unknown): string => {
    values.push(value);
    return `$${values.length}`;
  };
  const matterWhere = alertFilters(q, bind, 'm');
  const taskWhere = alertFilters(q, bind, 't');
  if (q.after !== undefined) {
    const [severity, at, applicationId, code, item = ''] = decodeCursor(q.after, alertsCursor);
    const key = [bind(severity), bind(at), bind(applicationId), bind(code)];
    // A matter sorts before its own tasks, so after any item of (severity, instant, application, code) only later matters follow.
    matterWhere.push(`(m.severity, m.alert_at, m.application_id, m.code) > (${key[0]}::smallint, ${key[1]}::timestamptz, ${key[2]}, ${key[3]})`);
    taskWhere.push(`(t.severity, t.alert_at, t.application_id, t.matter, t.item_key) > (${key[0]}::smallint, ${key[1]}::timestamptz, ${key[2]}, ${key[3]}, ${bind(item)})`);
  }
  const limit = bind(q.limit + 1);
  return {
    text: `SELECT i.*, a.project_name, to_json(i.alert_at) #>> '{}' AS alert_key FROM (
         (SELECT 'matter' AS kind, m.application_id, m.process_code, m.code, m.name, m.stage, m.department,
            m.status, m.level, m.due_on::text AS due_on, m.due_at, COALESCE(m.provisional, false) AS provisional, m.overdue_since, m.urge_count,
            m.severity, m.alert_at, '' AS item_key
          FROM matters m
          WHERE ${matterWhere.join(' AND ')}
          ORDER BY m.severity, m.alert_at, m.application_id, m.code
          LIMIT ${limit})
         UNION ALL
         (SELECT t.kind, t.application_id, t.process_code, t.matter, t.matter_name, t.stage, t.department,
            t.status, t.level, t.due_on::text, t.due_at, COALESCE(t.provisional, false), t.overdue_since, 0,
            t.severity, t.alert_at, t.item_key
          FROM tasks t
          WHERE ${taskWhere.join(' AND ')}
          ORDER BY t.severity, t.alert_at, t.application_id, t.matter, t.item_key
          LIMIT ${limit})
       ) i
       JOIN applications a ON a.application_id = i.application_id
       ORDER BY i.severity, i.alert_at, i.application_id, i.code, i.item_key
       LIMIT ${limit}`,
    values,
  };
}

interface AlertDbRow extends ListedMatterDbRow {
  kind: ItemKind;
  department: string;
  level: AlertLevel;
  overdue_since: Date | null;
  severity: number;
  alert_key: string;
  item_key: string;
}

export async function alerts(pool: Pool, q: AlertsQuery): Promise<Page<AlertItem>> {
  const { rows } = await pool.query<AlertDbRow>(alertsQuery(q));
  return page(rows, q.limit, (r) => [r.severity, r.alert_key, r.application_id, r.code, r.item_key], (r) => ({
    ...listedMatter(r),
    kind: r.kind,
    department: r.department,
    level: r.level,
    overdueSince: iso(r.overdue_since),
  }));
}

/** One cell of the department × stage view: how many open matters of a department and stage are at a level. */
export interface AlertCount {
  department: string;
  /** null for matters beside the stages (并行推进). */
  stage: string | null;
  level: AlertLevel;
  count: number;
}

/**
 * Open alerts (matters and their late verifications and opinions) counted by department, stage
 * and level (督查室's department × stage view), with the filters of the alerts list, so each cell
 * is the length of the list it stands for. Ordered by department, stage (alongside last), most
 * severe level first.
 */
export async function alertsSummary(pool: Pool, q: Omit<AlertsQuery, 'limit' | 'after'>): Promise<AlertCount[]> {
  const values: unknown[] = [];
  const bind = (value: unknown): string => {
    values.push(value);
    return `$${values.length}`;
  };
  const matterWhere = alertFilters(q, bind, 'm');
  const taskWhere = alertFilters(q, bind, 't');
  const { rows } = await pool.query<{ department: string; stage: string | null; level: AlertLevel; count: number }>(
    `SELECT department, stage, level, count(*)::int AS count
       FROM (
         SELECT m.department, m.stage, m.level, m.severity FROM matters m WHERE ${matterWhere.join(' AND ')}
         UNION ALL
         SELECT t.department, t.stage, t.level, t.severity FROM tasks t WHERE ${taskWhere.join(' AND ')}
       ) x
       GROUP BY department, stage, level, severity
       ORDER BY department, stage NULLS LAST, severity`,
    values,
  );
  return rows.map((r) => ({ department: r.department, stage: r.stage, level: r.level, count: r.count }));
}

export interface ScorecardQuery {
  /** First and last date of the period (YYYY-MM-DD, Asia/Shanghai, inclusive). */
  from: string;
  to: string;
  department?: string;
}

/**
 * One department's figures for a period. "Decided" means a matter the department approved or
 * rejected (办结 / 不予许可) with its decision instant in the period; terminated and cancelled
 * matters are the applicant's doing, not the department's.
 */
export interface ScorecardRow {
  department: string;
  /** Matters decided in the period. */
  decided: number;
  /** Decided matters that had a running deadline when decided (on_time is set). */
  decidedWithDue: number;
  /** Decided before the end of their due day. */
  onTime: number;
  /** Decided on time with at least one working day of the limit left: time_limit_days − working_days_used ≥ 1. */
  early: number;
  /** onTime ÷ decidedWithDue; null when nothing with a deadline was decided. */
  onTimeRate: number | null;
  /** early ÷ decidedWithDue; null when nothing with a deadline was decided. */
  earlyRate: number | null;
  /** Matters of the department whose overdue_since (first turned red) falls in the period, decided or not. */
  overdue: number;
  /** Mean working_days_used over decided matters that report it; null if none. */
  avgWorkingDaysUsed: number | null;
  /** Mean of working_days_used ÷ time_limit_days over decided matters with a limit; null if none. */
  avgUsedRatio: number | null;
  /** Decided matters with at least one supplement request (补正). */
  withSupplement: number;
  /** withSupplement ÷ decided; null when nothing was decided. */
  supplementRate: number | null;
  /** Events of kind 'urged' (督办) in the period on the department's matters (events.department, copied from the matter). */
  urges: number;
  /** Verifications of commitments (核查) the department concluded in the period before they turned overdue. */
  verificationsOnTime: number;
  /** Verifications the department concluded in the period after they turned overdue. */
  verificationsLate: number;
  /** Results of the department's matters revoked in the period because the commitment was false (events of kind resultRevoked). */
  revocations: number;
}

interface ScorecardDbRow {
  department: string;
  decided: number;
  decided_with_due: number;
  on_time: number;
  early: number;
  overdue: number;
  avg_used: number | null;
  avg_ratio: number | null;
  with_supplement: number;
  urges: number;
  verifications_on_time: number;
  verifications_late: number;
  revocations: number;
}

/**
 * Scorecards for a period, one row per department with any decision, overdue turn or urge in
 * it, ordered by department. Formulas are in `ScorecardRow`'s doc comments; every figure is
 * computed from the stored rows, so a scorecard can be recomputed for any past period.
 */
export async function scorecards(pool: Pool, q: ScorecardQuery): Promise<ScorecardRow[]> {
  const from = dayStart('from', q.from);
  const to = dayEnd('to', q.to);
  if (from >= to) throw new InvalidQueryError('to', 'the period ends before it starts');
  const { rows } = await pool.query<ScorecardDbRow>(
    `WITH decided AS (
       SELECT department,
         count(*)::int AS decided,
         count(*) FILTER (WHERE on_time IS NOT NULL)::int AS decided_with_due,
         count(*) FILTER (WHERE on_time)::int AS on_time,
         count(*) FILTER (WHERE on_time AND time_limit_days - working_days_used >= 1)::int AS early,
         avg(working_days_used)::float8 AS avg_used,
         avg(working_days_used::float8 / time_limit_days) FILTER (WHERE time_limit_days > 0) AS avg_ratio,
         count(*) FILTER (WHERE supplement_count > 0)::int AS with_supplement
       FROM matters
       WHERE decided_at >= $1::timestamptz AND decided_at < $2::timestamptz AND ${DEPARTMENT_DECISIONS_SQL}
         AND ($3::text IS NULL OR department = $3)
       GROUP BY department
     ), overdue AS (
       SELECT department, count(*)::int AS overdue
       FROM matters
       WHERE overdue_since >= $1::timestamptz AND overdue_since < $2::timestamptz
         AND ($3::text IS NULL OR department = $3)
       GROUP BY department
     ), urges AS (
       SELECT department, count(*)::int AS urges
       FROM events
       WHERE ${URGED_SQL} AND at >= $1::timestamptz AND at < $2::timestamptz AND department IS NOT NULL
         AND ($3::text IS NULL OR department = $3)
       GROUP BY department
     ), verifications AS (
       SELECT department,
         count(*) FILTER (WHERE on_time)::int AS verifications_on_time,
         count(*) FILTER (WHERE NOT on_time)::int AS verifications_late
       FROM tasks
       WHERE done_at >= $1::timestamptz AND done_at < $2::timestamptz AND kind = 'verification'
         AND ($3::text IS NULL OR department = $3)
       GROUP BY department
     ), revocations AS (
       SELECT department, count(*)::int AS revocations
       FROM events
       WHERE ${REVOKED_SQL} AND at >= $1::timestamptz AND at < $2::timestamptz AND department IS NOT NULL
         AND ($3::text IS NULL OR department = $3)
       GROUP BY department
     )
     SELECT department,
       COALESCE(d.decided, 0) AS decided, COALESCE(d.decided_with_due, 0) AS decided_with_due,
       COALESCE(d.on_time, 0) AS on_time, COALESCE(d.early, 0) AS early, COALESCE(o.overdue, 0) AS overdue,
       d.avg_used, d.avg_ratio, COALESCE(d.with_supplement, 0) AS with_supplement, COALESCE(u.urges, 0) AS urges,
       COALESCE(v.verifications_on_time, 0) AS verifications_on_time, COALESCE(v.verifications_late, 0) AS verifications_late,
       COALESCE(r.revocations, 0) AS revocations
     FROM decided d
     FULL JOIN overdue o USING (department)
     FULL JOIN urges u USING (department)
     FULL JOIN verifications v USING (department)
     FULL JOIN revocations r USING (department)
     ORDER BY department`,
    [from, to, q.department ?? null],
  );
  return rows.map(scorecardRow);
}

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

function scorecardRow(r: ScorecardDbRow): ScorecardRow {
  return {
    department: r.department,
    decided: r.decided,
    decidedWithDue: r.decided_with_due,
    onTime: r.on_time,
    early: r.early,
    onTimeRate: ratio(r.on_time, r.decided_with_due),
    earlyRate: ratio(r.early, r.decided_with_due),
    overdue: r.overdue,
    avgWorkingDaysUsed: r.avg_used,
    avgUsedRatio: r.avg_ratio,
    withSupplement: r.with_supplement,
    supplementRate: ratio(r.with_supplement, r.decided),
    urges: r.urges,
    verificationsOnTime: r.verifications_on_time,
    verificationsLate: r.verifications_late,
    revocations: r.revocations,
  };
}

const CSV_COLUMNS: [string, (r: ScorecardRow) => string | number | null][] = [
  ['department', (r) => r.department],
  ['decided', (r) => r.decided],
  ['decided_with_due', (r) => r.decidedWithDue],
  ['on_time', (r) => r.onTime],
  ['early', (r) => r.early],
  ['on_time_rate', (r) => fixed(r.onTimeRate, 4)],
  ['early_rate', (r) => fixed(r.earlyRate, 4)],
  ['overdue', (r) => r.overdue],
  ['avg_working_days_used', (r) => fixed(r.avgWorkingDaysUsed, 2)],
  ['avg_used_ratio', (r) => fixed(r.avgUsedRatio, 4)],
  ['with_supplement', (r) => r.withSupplement],
  ['supplement_rate', (r) => fixed(r.supplementRate, 4)],
  ['urges', (r) => r.urges],
  ['verifications_on_time', (r) => r.verificationsOnTime],
  ['verifications_late', (r) => r.verificationsLate],
  ['revocations', (r) => r.revocations],
];

function fixed(value: number | null, digits: number): string | null {
  return value === null ? null : value.toFixed(digits);
}

/** RFC 4180: quote a field holding a comma, quote or line break; an empty field for no value. */
function csvField(value: string | number | null): string {
  if (value === null) return '';
  const s = String(value);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Scorecards as CSV (header row, CRLF line ends, rates as fractions to 4 places, blank where undefined). */
export function scorecardsCsv(rows: ScorecardRow[]): string {
  const lines = [CSV_COLUMNS.map(([name]) => name).join(',')];
  for (const row of rows) lines.push(CSV_COLUMNS.map(([, get]) => csvField(get(row))).join(','));
  return lines.join('\r\n') + '\r\n';
}

/** An application as the read model lists it: the projected row without its definition hash. */
export type ApplicationSummary = Omit<ApplicationRow, 'definitionHash' | 'startedBy'>;

interface ApplicationDbRow {
  application_id: string;
  seq: number;
  process_code: string;
  project_name: string;
  applicant_id: string;
  applicant_name: string;
  status: string;
  current_stage: string | null;
  started_at: Date;
  ended_at: Date | null;
  outcome_reason: string | null;
  government_working_days: number;
  applicant_days: number;
  special_procedure_days: number;
  calendar_days: number;
  target_total_days: number;
  started_key: string;
}

const applicationsCursor = z.tuple([timestampKey, keyPart]);

/** An applicant's applications, newest first (`applications_by_applicant`). */
export async function applicationsOf(
  pool: Pool,
  applicantId: string,
  q: { limit: number; after?: string },
): Promise<Page<ApplicationSummary>> {
  checkLimit(q.limit);
  const values: unknown[] = [applicantId];
  let keyset = '';
  if (q.after !== undefined) {
    const [startedAt, applicationId] = decodeCursor(q.after, applicationsCursor);
    values.push(startedAt, applicationId);
    keyset = 'AND (started_at, application_id) < ($2::timestamptz, $3)';
  }
  values.push(q.limit + 1);
  const { rows } = await pool.query<ApplicationDbRow>(
    `SELECT application_id, seq, process_code, project_name, applicant_id, applicant_name, status, current_stage,
       started_at, ended_at, outcome_reason, government_working_days, applicant_days, special_procedure_days,
       calendar_days, target_total_days, to_json(started_at) #>> '{}' AS started_key
     FROM applications
     WHERE applicant_id = $1 ${keyset}
     ORDER BY started_at DESC, application_id DESC
     LIMIT $${values.length}`,
    values,
  );
  return page(rows, q.limit, (r) => [r.started_key, r.application_id], (r) => ({
    applicationId: r.application_id,
    seq: r.seq,
    processCode: r.process_code,
    projectName: r.project_name,
    applicantId: r.applicant_id,
    applicantName: r.applicant_name,
    status: r.status,
    currentStage: r.current_stage,
    startedAt: toShanghaiIso(r.started_at.getTime()),
    endedAt: iso(r.ended_at),
    outcomeReason: r.outcome_reason,
    governmentWorkingDays: r.government_working_days,
    applicantDays: r.applicant_days,
    specialProcedureDays: r.special_procedure_days,
    calendarDays: r.calendar_days,
    targetTotalDays: r.target_total_days,
  }));
}

/** An `events` row as pg returns it: EventRow's columns, with the application's id in snake case and the instant a Date. */
type EventDbRow = Omit<EventRow, 'applicationId' | 'at'> & { application_id: string; at: Date };

/** Every stored event of an application, in order (empty for an unknown application). */
export async function auditTrail(pool: Pool, applicationId: string): Promise<EventRow[]> {
  const { rows } = await pool.query<EventDbRow>(
    `SELECT application_id, seq, at, kind, actor, matter, stage, reason, data
     FROM events WHERE application_id = $1 ORDER BY seq`,
    [applicationId],
  );
  return rows.map(({ application_id, seq, at, ...rest }) => ({ applicationId: application_id, seq, at: toShanghaiIso(at.getTime()), ...rest }));
}

/** One application as the read model holds it, with how fresh that is. */
export interface ProjectedApplication {
  /** The workflow's event count when this was projected. */
  seq: number;
  projectedAt: string;
  stored: StoredApplication;
}

/**
 * What the read model holds of one application, to compute its view without the workflow; null
 * when it holds nothing yet (or rows projected before the state was, until a rebuild).
 */
export async function projectedApplication(pool: Pool, applicationId: string): Promise<ProjectedApplication | null> {
  const { rows } = await pool.query<{ seq: number; projected_at: Date; state: StoredApplication['state'] | null; snapshot: StoredApplication['snapshot'] | null }>(
    `SELECT a.seq, a.projected_at, a.state, s.snapshot
     FROM applications a
     LEFT JOIN process_snapshots s ON s.definition_hash = a.definition_hash AND s.process_code = a.process_code
     WHERE a.application_id = $1`,
    [applicationId],
  );
  const row = rows[0];
  if (!row || !row.state || !row.snapshot) return null;
  const [matters, events] = await Promise.all([
    pool.query<{ state: MatterState | null }>('SELECT state FROM matters WHERE application_id = $1', [applicationId]),
    auditTrail(pool, applicationId),
  ]);
  if (matters.rows.some((m) => m.state === null)) return null;
  return {
    seq: row.seq,
    projectedAt: toShanghaiIso(row.projected_at.getTime()),
    stored: { snapshot: row.snapshot, state: row.state, matters: matters.rows.map((m) => m.state!), events },
  };
}

/**
 * An application's parties as the read model holds them (api/authz.ts decides on these): its
 * applicant, who started it, the departments of its matters and the providers of its live
 * contracts, with each matter's department for a utility officer's share of the audit trail.
 */
export interface ProjectedParties {
  applicantId: string;
  startedBy: string | null;
  departments: string[];
  providers: string[];
  /** Matter code → department. */
  departmentOf: Record<string, string>;
}

/** The parties of each of these applications the read model holds (one query; an unknown id is absent). */
export async function projectedParties(pool: Pool, applicationIds: readonly string[]): Promise<Map<string, ProjectedParties>> {
  if (applicationIds.length === 0) return new Map();
  const { rows } = await pool.query<{ application_id: string; applicant_id: string; started_by: string | null; matters: Record<string, string>; participants: string[]; providers: string[] }>(
    `SELECT a.application_id, a.applicant_id, a.started_by,
            COALESCE((SELECT json_object_agg(m.code, m.department) FROM matters m WHERE m.application_id = a.application_id), '{}') AS matters,
            -- A joint matter's participating departments are parties once it is accepted, as in the view (api/authz.ts).
            ARRAY(SELECT DISTINCT p->>'department' FROM matters m, jsonb_array_elements(m.state->'joint'->'participants') p
                  WHERE m.application_id = a.application_id AND jsonb_typeof(m.state->'joint') = 'object') AS participants,
            ARRAY(SELECT DISTINCT s.provider_code FROM services s
                  WHERE s.application_id = a.application_id AND s.provider_code IS NOT NULL AND s.status <> 'terminated') AS providers
     FROM applications a WHERE a.application_id = ANY ($1::text[])`,
    [applicationIds],
  );
  return new Map(
    rows.map((r) => [
      r.application_id,
      { applicantId: r.applicant_id, startedBy: r.started_by, departments: [...new Set([...Object.values(r.matters), ...r.participants])], providers: r.providers, departmentOf: r.matters },
    ]),
  );
}
