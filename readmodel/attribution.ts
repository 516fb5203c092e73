import type { Pool } from 'pg';
import { HOLDER_KINDS, type HolderKind } from '../domain/attribution';
import { reckon, workingDaysAfter, type WorkingCalendar } from '../domain/calendar';
import { DAY_MS, dateOfDayNumber, dayNumber, endOfDay, isValidDate, shanghaiDayNumber, startOfDay } from '../domain/time';
import { InvalidQueryError } from './queries';

/**
 * Where the days went, per department and per provider, for a period (issue 13): the stretches of
 * the applications' critical paths (table attribution_segments) cut to the period. A stretch's
 * calendar days are its overlap with the period; its working days are the working days d of the
 * period with day(from) < d ≤ day(to), the view's rule, so figures of adjacent periods add up. A
 * stretch still held (the application runs) counts up to `asOf`. "Over the limit" counts the part
 * after the stretch's `over_after` date: a department's matter past its due date on the path, a
 * provider past its committed (or rework) date.
 */
export interface CriticalPathQuery {
  /** First and last date of the period (YYYY-MM-DD, Asia/Shanghai, inclusive). */
  from: string;
  to: string;
  /** The instant a stretch still held counts up to (the request's). */
  asOf: number;
  /** Narrows the departments to one (and leaves out the providers unless `provider` is given too). */
  department?: string;
  /** Narrows the providers to one (and leaves out the departments unless `department` is given too). */
  provider?: string;
}

/** One holder's figures for a period. */
export interface PathFigures {
  /** Applications whose critical path the holder held in the period. */
  applications: number;
  /** Days on the critical path: calendar days to a tenth, working days (null where a year's calendar is not published). */
  calendarDays: number;
  workingDays: number | null;
  /** Days over the limit caused: the part of those days past the limit in force. */
  overLimitCalendarDays: number;
  overLimitWorkingDays: number | null;
}

export type DepartmentPathRow = { department: string } & PathFigures;
export type ProviderPathRow = { provider: string } & PathFigures;

export interface CriticalPathScorecards {
  departments: DepartmentPathRow[];
  providers: ProviderPathRow[];
  /** Every kind of holder in the period, for shares: departments, providers, the applicant, special procedures, stage boundaries. */
  totals: ({ kind: HolderKind } & Omit<PathFigures, 'overLimitCalendarDays' | 'overLimitWorkingDays'>)[];
}

interface SegmentDbRow {
  application_id: string;
  kind: HolderKind;
  holder: string | null;
  from_at: Date;
  to_at: Date;
  over_after: string | null;
}

interface Sum {
  applications: Set<string>;
  ms: number;
  workingDays: number | null;
  overMs: number;
  overWorkingDays: number | null;
}

const add = (a: number | null, b: number | null) => (a === null || b === null ? null : a + b);

export async function criticalPathScorecards(pool: Pool, calendar: WorkingCalendar, q: CriticalPathQuery): Promise<CriticalPathScorecards> {
  for (const field of ['from', 'to'] as const) if (!isValidDate(q[field])) throw new InvalidQueryError(field, `"${q[field]}" is not a date YYYY-MM-DD`);
  const periodStart = startOfDay(q.from);
  const periodEnd = endOfDay(q.to);
  if (periodStart >= periodEnd) throw new InvalidQueryError('to', 'the period ends before it starts');
  const { rows } = await pool.query<SegmentDbRow>(
    `SELECT application_id, kind, holder, from_at, COALESCE(to_at, GREATEST(from_at, $3::timestamptz)) AS to_at, over_after::text AS over_after
       FROM attribution_segments
      WHERE COALESCE(to_at, 'infinity'::timestamptz) > $1::timestamptz AND from_at < $2::timestamptz
      ORDER BY application_id, position`,
    [new Date(periodStart), new Date(periodEnd), new Date(q.asOf)],
  );
  // Working days d of the period: dayNumber(from) ≤ d ≤ dayNumber(to).
  const firstDay = dayNumber(q.from);
  const lastDay = dayNumber(q.to);
  const workingIn = (fromDay: number, toDay: number): number | null => {
    const lo = Math.max(fromDay, firstDay - 1);
    const hi = Math.min(toDay, lastDay);
    if (hi <= lo) return 0;
    const r = reckon(() => workingDaysAfter(calendar, dateOfDayNumber(lo), dateOfDayNumber(hi)));
    return r.ok ? r.value : null;
  };
  const sums = new Map<string, Sum>();
  for (const r of rows) {
    const a = r.from_at.getTime();
    const b = r.to_at.getTime();
    const ms = Math.max(0, Math.min(b, periodEnd) - Math.max(a, periodStart));
    const fromDay = shanghaiDayNumber(a);
    const toDay = shanghaiDayNumber(b);
    const working = workingIn(fromDay, toDay);
    const overFrom = r.over_after === null ? null : Math.max(a, endOfDay(r.over_after));
    const overMs = overFrom === null ? 0 : Math.max(0, Math.min(b, periodEnd) - Math.max(overFrom, periodStart));
    const overWorking = r.over_after === null ? 0 : workingIn(Math.max(fromDay, dayNumber(r.over_after)), toDay);
    if (ms === 0 && working === 0) continue;
    const key = `${r.kind}|${r.holder ?? ''}`;
    const sum = sums.get(key) ?? { applications: new Set<string>(), ms: 0, workingDays: 0, overMs: 0, overWorkingDays: 0 };
    sum.applications.add(r.application_id);
    sum.ms += ms;
    sum.workingDays = add(sum.workingDays, working);
    sum.overMs += overMs;
    sum.overWorkingDays = add(sum.overWorkingDays, overWorking);
    sums.set(key, sum);
  }
  const tenth = (ms: number) => Math.round((ms / DAY_MS) * 10) / 10;
  const figures = (s: Sum): PathFigures => ({
    applications: s.applications.size,
    calendarDays: tenth(s.ms),
    workingDays: s.workingDays,
    overLimitCalendarDays: tenth(s.overMs),
    overLimitWorkingDays: s.overWorkingDays,
  });
  const of = (kind: HolderKind) =>
    [...sums.entries()]
      .filter(([key]) => key.startsWith(`${kind}|`))
      .map(([key, s]) => ({ holder: key.slice(kind.length + 1), s }))
      .sort((x, y) => (x.holder < y.holder ? -1 : x.holder > y.holder ? 1 : 0));
  const narrowed = q.department !== undefined || q.provider !== undefined;
  const departments = narrowed && q.department === undefined ? [] : of('department').filter((x) => q.department === undefined || x.holder === q.department);
  const providers = narrowed && q.provider === undefined ? [] : of('provider').filter((x) => q.provider === undefined || x.holder === q.provider);
  const totals = HOLDER_KINDS.map((kind) => {
    const all = of(kind);
    const apps = new Set(all.flatMap((x) => [...x.s.applications]));
    return {
      kind,
      applications: apps.size,
      calendarDays: tenth(all.reduce((n, x) => n + x.s.ms, 0)),
      workingDays: all.reduce<number | null>((n, x) => add(n, x.s.workingDays), 0),
    };
  });
  return {
    departments: departments.map((x) => ({ department: x.holder, ...figures(x.s) })),
    providers: providers.map((x) => ({ provider: x.holder, ...figures(x.s) })),
    totals,
  };
}

const CSV_COLUMNS = ['kind', 'holder', 'applications', 'critical_path_calendar_days', 'critical_path_working_days', 'over_limit_calendar_days', 'over_limit_working_days'];

const field = (v: string | number | null) => {
  if (v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** The period's departments, then its providers, as CSV (header row, CRLF line ends, calendar days to a tenth, blank where unknown). */
export function criticalPathCsv(cards: CriticalPathScorecards): string {
  const line = (kind: string, holder: string, f: PathFigures) =>
    [kind, holder, f.applications, f.calendarDays.toFixed(1), f.workingDays, f.overLimitCalendarDays.toFixed(1), f.overLimitWorkingDays].map(field).join(',');
  const lines = [CSV_COLUMNS.join(','), ...cards.departments.map((d) => line('department', d.department, d)), ...cards.providers.map((p) => line('provider', p.provider, p))];
  return lines.join('\r\n') + '\r\n';
}
