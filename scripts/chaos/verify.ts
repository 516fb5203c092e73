import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { Pool } from 'pg';
import type { ProjectionBatch } from '../../domain/projection';
import { projectionQuery } from '../../workflows/messages';
import type { WebhookReceiver } from './receiver';
import { sleep } from './system';

/** One application the run started, with the outcome it was driven to. */
export interface Started {
  applicationId: string;
  /** What the plan meant it to end as. */
  expected: string;
}

export interface Mismatch {
  applicationId: string;
  /** `application.status`, `matters.LY01.dueOn`, `services.EIA_REPORT.level`, `events`… */
  field: string;
  workflow: unknown;
  readModel: unknown;
}

export interface Verdict {
  started: number;
  lost: string[];
  /** Not closed, or closed at another outcome than planned, by the end of the settle time. */
  stuck: { applicationId: string; expected: string; actual: string }[];
  /** Applications whose read-model rows differ from the workflow's projection. */
  mismatched: string[];
  mismatches: Mismatch[];
  /**
   * Applications whose webhook deliveries miss a seq of 1..last (last: the workflow's final event
   * count) that is not queued for delivery either: never queued, dead, or marked delivered
   * although the receiver never got it. Events still queued at the end are the backlog (undelivered), counted apart.
   */
  gaps: { applicationId: string; last: number; missing: { seq: number; outbox: 'none' | 'dead' | 'delivered' }[] }[];
  /** Events not received yet but still queued in the outbox (pending or leased), and how many applications they belong to. */
  backlog: { events: number; applications: number };
  duplicates: number;
  deliveries: number;
  badSignatures: number;
  outcomes: Record<string, number>;
  settleMs: number;
}

type Kind = 'value' | 'instant' | 'date' | 'json';
type Field = [key: string, column: string, kind: Kind];

const APPLICATION_FIELDS: Field[] = [
  ['seq', 'seq', 'value'],
  ['processCode', 'process_code', 'value'],
  ['definitionHash', 'definition_hash', 'value'],
  ['projectName', 'project_name', 'value'],
  ['applicantId', 'applicant_id', 'value'],
  ['applicantName', 'applicant_name', 'value'],
  ['startedBy', 'started_by', 'value'],
  ['status', 'status', 'value'],
  ['currentStage', 'current_stage', 'value'],
  ['startedAt', 'started_at', 'instant'],
  ['endedAt', 'ended_at', 'instant'],
  ['outcomeReason', 'outcome_reason', 'value'],
  ['governmentWorkingDays', 'government_working_days', 'value'],
  ['applicantDays', 'applicant_days', 'value'],
  ['specialProcedureDays', 'special_procedure_days', 'value'],
  ['calendarDays', 'calendar_days', 'value'],
  ['targetTotalDays', 'target_total_days', 'value'],
];

const MATTER_FIELDS: Field[] = [
  ['name', 'name', 'value'],
  ['stage', 'stage', 'value'],
  ['department', 'department', 'value'],
  ['milestone', 'milestone', 'value'],
  ['status', 'status', 'value'],
  ['level', 'level', 'value'],
  ['receivedAt', 'received_at', 'instant'],
  ['acceptedAt', 'accepted_at', 'instant'],
  ['dueOn', 'due_on', 'date'],
  ['dueAt', 'due_at', 'instant'],
  ['timeLimitDays', 'time_limit_days', 'value'],
  ['workingDaysUsed', 'working_days_used', 'value'],
  ['decidedAt', 'decided_at', 'instant'],
  ['decision', 'decision', 'value'],
  ['onTime', 'on_time', 'value'],
  ['supplementCount', 'supplement_count', 'value'],
  ['specialProcedureCount', 'special_procedure_count', 'value'],
  ['urgeCount', 'urge_count', 'value'],
  ['extended', 'extended', 'value'],
  ['overdueSince', 'overdue_since', 'instant'],
  ['state', 'state', 'json'],
];

const SERVICE_FIELDS: Field[] = [
  ['serviceType', 'service_type', 'value'],
  ['matters', 'matters', 'json'],
  ['providerCode', 'provider_code', 'value'],
  ['regulator', 'regulator', 'value'],
  ['commissionedBy', 'commissioned_by', 'value'],
  ['selection', 'selection', 'value'],
  ['status', 'status', 'value'],
  ['level', 'level', 'value'],
  ['contractedAt', 'contracted_at', 'instant'],
  ['committedDays', 'committed_days', 'value'],
  ['dayKind', 'day_kind', 'value'],
  ['dueOn', 'due_on', 'date'],
  ['deliveredAt', 'delivered_at', 'instant'],
  ['acceptedAt', 'accepted_at', 'instant'],
  ['closedAt', 'closed_at', 'instant'],
  ['reworkCount', 'rework_count', 'value'],
  ['calendarDays', 'calendar_days', 'value'],
  ['onTime', 'on_time', 'value'],
];

/** The columns as comparable values: instants as epoch ms, dates as YYYY-MM-DD text. */
function select(fields: Field[]): string {
  return fields
    .map(([key, column, kind]) => {
      if (kind === 'instant') return `(extract(epoch from ${column}) * 1000)::float8 AS "${key}"`;
      if (kind === 'date') return `${column}::text AS "${key}"`;
      return `${column} AS "${key}"`;
    })
    .join(', ');
}

/** JSON with keys sorted: jsonb does not keep key order. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  return `{${entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
}

function compare(applicationId: string, prefix: string, fields: Field[], expected: Record<string, unknown>, actual: Record<string, unknown>, out: Mismatch[]): void {
  for (const [key, , kind] of fields) {
    const w = expected[key] ?? null;
    const r = actual[key] ?? null;
    let equal: boolean;
    if (kind === 'instant') equal = w === null ? r === null : r !== null && Date.parse(String(w)) === Number(r);
    else if (kind === 'json') equal = canonical(w) === canonical(r);
    else equal = w === r;
    if (!equal) out.push({ applicationId, field: `${prefix}${key}`, workflow: w, readModel: r });
  }
}

/**
 * The read model of one closed application against the workflow's own projection of itself
 * (`projectionQuery`): the application row (and its stored state), every matter and service
 * row field by field, and the audit events 1..seq.
 */
async function compareApplication(pool: Pool, batch: ProjectionBatch): Promise<Mismatch[]> {
  const id = batch.application.applicationId;
  const out: Mismatch[] = [];
  const app = await pool.query(`SELECT ${select(APPLICATION_FIELDS)}, state FROM applications WHERE application_id = $1`, [id]);
  if (!app.rows[0]) return [{ applicationId: id, field: 'application', workflow: 'present', readModel: 'missing' }];
  compare(id, 'application.', APPLICATION_FIELDS, batch.application as unknown as Record<string, unknown>, app.rows[0], out);
  compare(id, 'application.', [['state', 'state', 'json']], { state: batch.state }, app.rows[0], out);

  const matters = await pool.query(`SELECT code, ${select(MATTER_FIELDS)} FROM matters WHERE application_id = $1`, [id]);
  const storedMatters = new Map(matters.rows.map((r) => [r.code as string, r]));
  for (const m of batch.matters) {
    const row = storedMatters.get(m.code);
    if (!row) out.push({ applicationId: id, field: `matters.${m.code}`, workflow: 'present', readModel: 'missing' });
    else compare(id, `matters.${m.code}.`, MATTER_FIELDS, m as unknown as Record<string, unknown>, row, out);
    storedMatters.delete(m.code);
  }
  for (const code of storedMatters.keys()) out.push({ applicationId: id, field: `matters.${code}`, workflow: 'missing', readModel: 'present' });

  const services = await pool.query(`SELECT contract_id, ${select(SERVICE_FIELDS)} FROM services WHERE application_id = $1`, [id]);
  const storedServices = new Map(services.rows.map((r) => [r.contract_id as string, r]));
  for (const s of batch.services) {
    const row = storedServices.get(s.contractId);
    if (!row) out.push({ applicationId: id, field: `services.${s.contractId}`, workflow: 'present', readModel: 'missing' });
    else compare(id, `services.${s.contractId}.`, SERVICE_FIELDS, s as unknown as Record<string, unknown>, row, out);
    storedServices.delete(s.contractId);
  }
  for (const c of storedServices.keys()) out.push({ applicationId: id, field: `services.${c}`, workflow: 'missing', readModel: 'present' });

  const events = await pool.query<{ n: number; max: number | null }>('SELECT count(DISTINCT seq)::int AS n, max(seq) AS max FROM events WHERE application_id = $1', [id]);
  const { n, max } = events.rows[0]!;
  if (n !== batch.application.seq || (max ?? 0) !== batch.application.seq) out.push({ applicationId: id, field: 'events', workflow: `1..${batch.application.seq}`, readModel: `${n} events, last ${max}` });
  return out;
}

/** Each outbox row of the subscription by event key (`<applicationId>:<seq>`): delivered, dead, or still queued. */
async function outboxStates(pool: Pool, subscriptionId: string): Promise<Map<string, 'delivered' | 'dead' | 'queued'>> {
  const { rows } = await pool.query<{ event_key: string; state: 'delivered' | 'dead' | 'queued' }>(
    `SELECT event_key, CASE WHEN delivered_at IS NOT NULL THEN 'delivered' WHEN dead_at IS NOT NULL THEN 'dead' ELSE 'queued' END AS state
     FROM webhook_outbox WHERE subscription_id = $1`,
    [subscriptionId],
  );
  return new Map(rows.map((r) => [r.event_key, r.state]));
}

export interface VerifyOptions {
  temporalAddress: string;
  databaseUrl: string;
  receiver: WebhookReceiver;
  /** The admin's subscription to every event ('*'). */
  subscriptionId: string;
  /** Bound on the wait for Temporal and the read model. */
  settleMs: number;
  /** Then, bound on the wait for the webhook receiver to get every event. */
  webhookSettleMs: number;
  onStatus?: (text: string) => void;
}

/**
 * Waits, at most `settleMs`, until every application is closed in Temporal and the read model
 * holds its last seq, then at most `webhookSettleMs` until the receiver has every event; then
 * counts what is lost, stuck, mismatched and missing. Time-dependent fields (working days used, levels, calendar days) are compared too:
 * every application is closed by then, so they no longer change with the clock.
 */
export async function verify(started: Started[], options: VerifyOptions): Promise<Verdict> {
  const connection = await Connection.connect({ address: options.temporalAddress });
  const client = new Client({ connection });
  const pool = new Pool({ connectionString: options.databaseUrl, max: 4 });
  const t0 = Date.now();
  try {
    const lost = new Set<string>();
    const closed = new Map<string, ProjectionBatch>();
    const status = async () => {
      for (const { applicationId } of started) {
        if (closed.has(applicationId) || lost.has(applicationId)) continue;
        try {
          const d = await client.workflow.getHandle(applicationId).describe();
          if (d.status.name === 'RUNNING') continue;
          closed.set(applicationId, await client.workflow.getHandle(applicationId).query(projectionQuery));
        } catch (err) {
          if (err instanceof WorkflowNotFoundError) lost.add(applicationId);
        }
      }
    };
    const settled = async (): Promise<boolean> => {
      await status();
      if (closed.size + lost.size < started.length) return false;
      const { rows } = await pool.query<{ application_id: string; seq: number }>('SELECT application_id, seq FROM applications');
      const seqs = new Map(rows.map((r) => [r.application_id, r.seq]));
      return [...closed].every(([id, batch]) => seqs.get(id) === batch.application.seq);
    };
    const undelivered = () => [...closed].reduce((n, [id, batch]) => n + options.receiver.missing(id, batch.application.seq).length, 0);
    let lastStatus = 0;
    const tell = (text: string) => {
      if (Date.now() - lastStatus < 10_000) return;
      lastStatus = Date.now();
      options.onStatus?.(`${text} (${Math.round((Date.now() - t0) / 1000)} s)`);
    };
    while (!(await settled().catch(() => false)) && Date.now() - t0 < options.settleMs) {
      tell(`settling: ${started.length - closed.size - lost.size} application(s) still running, or the read model behind`);
      await sleep(2_000);
    }
    await status();
    const webhooksFrom = Date.now();
    while (undelivered() > 0 && Date.now() - webhooksFrom < options.webhookSettleMs) {
      tell(`settling: ${undelivered()} webhook event(s) not received yet, ${options.receiver.deliveries} deliveries so far`);
      await sleep(2_000);
    }

    const verdict: Verdict = {
      started: started.length,
      lost: [...lost],
      stuck: [],
      mismatched: [],
      mismatches: [],
      gaps: [],
      backlog: { events: 0, applications: 0 },
      duplicates: 0,
      deliveries: options.receiver.deliveries,
      badSignatures: options.receiver.badSignatures,
      outcomes: {},
      settleMs: Date.now() - t0,
    };
    const outbox = await outboxStates(pool, options.subscriptionId);
    for (const { applicationId, expected } of started) {
      if (lost.has(applicationId)) continue;
      const batch = closed.get(applicationId);
      const actual = batch?.application.status ?? 'running';
      verdict.outcomes[actual] = (verdict.outcomes[actual] ?? 0) + 1;
      if (actual !== expected) verdict.stuck.push({ applicationId, expected, actual });
      verdict.duplicates += options.receiver.duplicates(applicationId);
      if (!batch) continue;
      const mismatches = await compareApplication(pool, batch);
      if (mismatches.length) {
        verdict.mismatched.push(applicationId);
        verdict.mismatches.push(...mismatches);
      }
      const missing = options.receiver.missing(applicationId, batch.application.seq);
      const queued = missing.filter((seq) => outbox.get(`${applicationId}:${seq}`) === 'queued');
      const lostEvents = missing.flatMap((seq) => {
        const state = outbox.get(`${applicationId}:${seq}`) ?? 'none';
        return state === 'queued' ? [] : [{ seq, outbox: state as 'none' | 'dead' | 'delivered' }];
      });
      if (lostEvents.length) verdict.gaps.push({ applicationId, last: batch.application.seq, missing: lostEvents });
      if (queued.length) {
        verdict.backlog.events += queued.length;
        verdict.backlog.applications++;
      }
    }
    return verdict;
  } finally {
    await pool.end().catch(() => undefined);
    await connection.close().catch(() => undefined);
  }
}
