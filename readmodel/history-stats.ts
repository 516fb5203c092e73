import type { Pool } from 'pg';
import { reckon, workingDaysAfter, type WorkingCalendar } from '../domain/calendar';
import { backtestApplication, summariseBacktest, type BacktestRow, type BacktestSummary, type ContractSample, type History, type MatterSample } from '../domain/prediction';
import { applicationFromStore } from '../domain/projection';
import { projectedApplication } from './queries';
import { dayNumber, shanghaiDate } from '../domain/time';
import type { ClockStop } from '../domain/types';

/**
 * The history the prediction learns from (domain/prediction.ts), read from the read model: every
 * matter a department decided (办结 or 不予许可) with the working days its clock used and the
 * stops of its clock, and every intermediary contract that ran to acceptance. A matter decided on
 * commitment (告知承诺制, one working day) is left out: it says nothing of the code's usual time.
 * Working days are counted on `cal` (the catalogue's calendars); a span it does not cover counts
 * as unknown (null), never guessed.
 */
export interface HistoryQuery {
  /** Only what was decided / accepted before this instant (a backtest replaying an earlier day). */
  before?: number;
  /** The most recent samples per matter code and per service type (the API bounds its reads with it). */
  perCode?: number;
}

interface MatterDbRow {
  application_id: string;
  code: string;
  time_limit_days: number;
  decided_at: Date;
  working_days_used: number;
  supplement_count: number;
  special_procedure_count: number;
  received_at: Date | null;
  intake_passed_at: string | null;
  stops: Pick<ClockStop, 'kind' | 'from' | 'to'>[] | null;
}

interface ContractDbRow {
  application_id: string;
  service_type: string;
  provider_code: string;
  day_kind: 'working' | 'calendar';
  committed_days: number;
  contracted_at: Date;
  accepted_at: Date;
}

/** Working days after the day of `from` through the day of `to`; null where the calendar has a gap. */
function workingDays(cal: WorkingCalendar, from: number, to: number): number | null {
  const r = reckon(() => workingDaysAfter(cal, shanghaiDate(from), shanghaiDate(to)));
  return r.ok ? r.value : null;
}

/** The working days the stops of one kind held the clock; null when the state (and so the stops) is not stored, or a stop is open. */
function stopDays(cal: WorkingCalendar, stops: MatterDbRow['stops'], kind: ClockStop['kind']): number | null {
  if (!stops) return null;
  let sum = 0;
  for (const s of stops.filter((x) => x.kind === kind)) {
    if (s.to === null) return null;
    const d = workingDays(cal, s.from, s.to);
    if (d === null) return null;
    sum += d;
  }
  return sum;
}

export async function readHistory(pool: Pool, cal: WorkingCalendar, q: HistoryQuery = {}): Promise<History> {
  const values: unknown[] = [];
  let before = '';
  if (q.before !== undefined) {
    values.push(new Date(q.before));
    before = `AND decided_at < $${values.length}`;
  }
  let recent = '';
  if (q.perCode !== undefined) {
    values.push(q.perCode);
    recent = `WHERE rank <= $${values.length}`;
  }
  const matters = await pool.query<MatterDbRow>(
    `SELECT application_id, code, time_limit_days, decided_at, working_days_used, supplement_count, special_procedure_count,
            received_at, intake_passed_at, stops
     FROM (SELECT m.application_id, m.code, m.time_limit_days, m.decided_at, m.working_days_used, m.supplement_count,
             m.special_procedure_count, m.received_at, m.state->>'intakePassedAt' AS intake_passed_at,
             CASE WHEN jsonb_typeof(m.state->'stops') = 'array' THEN m.state->'stops' END AS stops,
             row_number() OVER (PARTITION BY m.code ORDER BY m.decided_at DESC, m.application_id) AS rank
           FROM matters m
           WHERE m.decision IN ('approved', 'rejected') AND m.decided_at IS NOT NULL AND m.accepted_at IS NOT NULL
             AND m.working_days_used IS NOT NULL AND m.time_limit_days > 0
             AND COALESCE(jsonb_typeof(m.state->'commitment'), 'null') = 'null' ${before}) d
     ${recent}
     ORDER BY decided_at, application_id, code`,
    values,
  );
  const contracts = await pool.query<ContractDbRow>(
    `SELECT application_id, service_type, provider_code, day_kind, committed_days, contracted_at, accepted_at
     FROM (SELECT s.*, row_number() OVER (PARTITION BY s.service_type ORDER BY s.accepted_at DESC, s.application_id) AS rank
           FROM services s
           WHERE s.status = 'accepted' AND s.provider_code IS NOT NULL AND s.contracted_at IS NOT NULL AND s.accepted_at IS NOT NULL
             AND s.committed_days > 0 AND s.day_kind IS NOT NULL ${before.replace('decided_at', 's.accepted_at')}) d
     ${recent}
     ORDER BY accepted_at, application_id, service_type`,
    values,
  );
  const matterSamples: MatterSample[] = matters.rows.map((r) => ({
    applicationId: r.application_id,
    code: r.code,
    timeLimitDays: r.time_limit_days,
    decidedAt: r.decided_at.getTime(),
    usedDays: r.working_days_used,
    supplements: r.supplement_count,
    supplementDays: r.supplement_count > 0 ? stopDays(cal, r.stops, 'supplement') : 0,
    specialProcedures: r.special_procedure_count,
    specialProcedureDays: r.special_procedure_count > 0 ? stopDays(cal, r.stops, 'specialProcedure') : 0,
    intakeDays: r.received_at && r.intake_passed_at ? workingDays(cal, r.received_at.getTime(), Number(r.intake_passed_at)) : null,
  }));
  const contractSamples: ContractSample[] = contracts.rows.flatMap((r) => {
    const from = r.contracted_at.getTime();
    const to = r.accepted_at.getTime();
    const days = r.day_kind === 'calendar' ? dayNumber(shanghaiDate(to)) - dayNumber(shanghaiDate(from)) : workingDays(cal, from, to);
    if (days === null) return [];
    return [{ applicationId: r.application_id, serviceType: r.service_type, provider: r.provider_code, dayKind: r.day_kind, committedDays: r.committed_days, acceptedAt: to, days }];
  });
  return { matters: matterSamples, contracts: contractSamples };
}

/**
 * The backtest over the read model's completed applications (those started on or after `from`, a
 * date, when given): each is rebuilt from its stored state and replayed to 25 %, 50 % and 75 % of
 * its elapsed time against the history of the other applications decided before that instant.
 */
export async function runBacktest(pool: Pool, cal: WorkingCalendar, q: { from?: string; onApplication?: () => void } = {}): Promise<{ rows: BacktestRow[]; summary: BacktestSummary[] }> {
  const values: unknown[] = [];
  let from = '';
  if (q.from !== undefined) {
    values.push(q.from);
    from = `AND started_at >= ($1::date::timestamp AT TIME ZONE 'Asia/Shanghai')`;
  }
  const ids = await pool.query<{ application_id: string }>(`SELECT application_id FROM applications WHERE status = 'completed' ${from} ORDER BY started_at, application_id`, values);
  const history = await readHistory(pool, cal);
  const rows: BacktestRow[] = [];
  for (const { application_id } of ids.rows) {
    const stored = await projectedApplication(pool, application_id);
    if (stored) rows.push(...backtestApplication(applicationFromStore(stored.stored), history));
    q.onApplication?.();
  }
  return { rows, summary: summariseBacktest(rows) };
}

/** How many completed applications the read model holds (the backtest's progress bar total). */
export async function completedCount(pool: Pool, from?: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM applications WHERE status = 'completed' ${from ? `AND started_at >= ($1::date::timestamp AT TIME ZONE 'Asia/Shanghai')` : ''}`,
    from ? [from] : [],
  );
  return rows[0]!.n;
}
