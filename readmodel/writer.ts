import type { Pool, PoolClient } from 'pg';
import type { EventRow, MatterRow, ProjectionBatch, ServiceRow } from '../domain/projection';
import { boundedText } from '../domain/text';
import { recordCredits } from './credit';
import { recordMovedDeadlines } from './moved-deadlines';

/**
 * The writer of the read model. A workflow hands over a `ProjectionBatch` after each change; the
 * writer stores it in one short transaction. Workflows are the source of truth and activities
 * are retried, so a batch may arrive twice or after a newer one: the application row carries the
 * workflow's event count (`seq`), and only a batch with a higher seq replaces the summary,
 * matters and services. Events are immutable and keyed by (application, seq), so they are
 * inserted whatever the seq (a repeat is a no-op, a late batch fills a gap), each new one
 * queued in the webhook outbox for every active subscription to its kind. A batch that changed
 * anything announces it on PROJECTION_CHANNEL when it commits (the API's live updates listen).
 */

/** The PostgreSQL NOTIFY channel of projected changes (api/live.ts listens on it). */
export const PROJECTION_CHANNEL = 'approvals_projection';

/** The payload of one notification: which application changed and its seq as now stored; well under NOTIFY's 8,000 bytes. */
export interface ProjectionNotice {
  applicationId: string;
  seq: number;
}

/** A batch that cannot be stored as it is (rows of another application, events beyond its seq): a bug, not a retry. */
export class InvalidProjectionBatchError extends Error {
  override readonly name = 'InvalidProjectionBatchError';
  constructor(
    readonly applicationId: string,
    reason: string,
  ) {
    super(`projection batch of ${applicationId}: ${reason}`);
  }
}

/** A batch PostgreSQL refused for what it holds: recorded for repair, never retried. */
export class RefusedProjectionBatchError extends InvalidProjectionBatchError {
  constructor(
    applicationId: string,
    readonly sqlstate: string,
    reason: string,
  ) {
    super(applicationId, `refused by PostgreSQL (${sqlstate}): ${reason}`);
  }
}

/**
 * SQLSTATE classes that say the content is at fault, not the server: data exceptions (22: a NUL,
 * an impossible date, a number out of range), integrity violations (23) and limits (54).
 */
const CONTENT_FAULT = /^(22|23|54)/;

/** Every string of a batch as PostgreSQL stores it: no NUL (text and jsonb refuse it), well-formed. */
function storable<T>(value: T): T {
  if (typeof value === 'string') return boundedText(value, 100_000, 'text') as T;
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map(storable) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = storable(v);
  return out as T;
}

/**
 * Stores one batch (the worker's `projectApplication` activity calls this). A batch PostgreSQL
 * refuses for its content is recorded in projection_refusals and thrown as non-retryable.
 */
export async function writeProjection(pool: Pool, input: ProjectionBatch): Promise<{ applied: boolean }> {
  checkBatch(input);
  const batch = storable(input);
  try {
    return await writeBatch(pool, batch);
  } catch (err) {
    const sqlstate = (err as { code?: unknown }).code;
    if (typeof sqlstate !== 'string' || !CONTENT_FAULT.test(sqlstate)) throw err;
    const { applicationId, seq } = batch.application;
    const message = boundedText((err as Error).message, 500);
    await pool.query('INSERT INTO projection_refusals (application_id, seq, sqlstate, message) VALUES ($1, $2, $3, $4)', [applicationId, seq, sqlstate, message]);
    throw new RefusedProjectionBatchError(applicationId, sqlstate, message);
  }
}

async function writeBatch(pool: Pool, batch: ProjectionBatch): Promise<{ applied: boolean }> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await storeSnapshot(client, batch);
    const applied = await upsertApplication(client, batch);
    if (applied) {
      // A delta (complete: false) carries only changed rows; a complete batch replaces them all.
      const complete = batch.complete !== false;
      await replaceMatters(client, batch.application.applicationId, batch.application.processCode, batch.matters, complete);
      await replaceServices(client, batch.application.applicationId, batch.services, complete);
      await replaceTasks(client, batch, complete);
      await replaceAttribution(client, batch);
    }
    const inserted = await insertEvents(client, batch.application.applicationId, batch.events);
    await recordCredits(client, batch.application.applicationId, batch.events);
    await recordMovedDeadlines(client, batch.application.applicationId, batch.events);
    if (applied || inserted > 0) await announce(client, batch, applied);
    await client.query('COMMIT');
    return { applied };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Queues the notification of this change; PostgreSQL delivers it on COMMIT (never on ROLLBACK).
 * A late batch that only filled in events announces the seq the row already holds, the one a read answers with.
 */
async function announce(client: PoolClient, batch: ProjectionBatch, applied: boolean): Promise<void> {
  const { applicationId } = batch.application;
  const seq = applied
    ? batch.application.seq
    : (await client.query<{ seq: number }>('SELECT seq FROM applications WHERE application_id = $1', [applicationId])).rows[0]?.seq ?? batch.application.seq;
  const notice: ProjectionNotice = { applicationId, seq };
  await client.query('SELECT pg_notify($1, $2)', [PROJECTION_CHANNEL, JSON.stringify(notice)]);
}

/** Rows of another application or events past the batch's seq would corrupt the projection silently. */
function checkBatch(batch: ProjectionBatch): void {
  const { applicationId, seq } = batch.application;
  const foreign = [...batch.matters, ...batch.services, ...(batch.tasks ?? []), ...(batch.attribution ?? []), ...batch.events].find((r) => r.applicationId !== applicationId);
  if (foreign) throw new InvalidProjectionBatchError(applicationId, `holds a row of application ${foreign.applicationId}`);
  const ahead = batch.events.find((e) => e.seq < 1 || e.seq > seq);
  if (ahead) throw new InvalidProjectionBatchError(applicationId, `event seq ${ahead.seq} is outside 1..${seq}`);
  const repeated =
    firstRepeat(batch.matters.map((m) => m.code)) ??
    firstRepeat(batch.services.map((s) => s.contractId)) ??
    firstRepeat((batch.tasks ?? []).map((t) => `${t.kind} ${t.department} of ${t.matter}`));
  if (repeated !== undefined) throw new InvalidProjectionBatchError(applicationId, `holds ${repeated} twice`);
}

function firstRepeat(keys: string[]): string | undefined {
  const seen = new Set<string>();
  for (const k of keys) {
    if (seen.has(k)) return k;
    seen.add(k);
  }
  return undefined;
}

/**
 * Inserts or replaces the application's summary row, only if the stored one is older; the row
 * lock this takes serialises concurrent batches of one application. Returns whether it wrote.
 */
async function upsertApplication(client: PoolClient, batch: ProjectionBatch): Promise<boolean> {
  const a = batch.application;
  const { rowCount } = await client.query(
    `INSERT INTO applications AS a (
       application_id, seq, process_code, definition_hash, project_name, applicant_id, applicant_name,
       status, current_stage, started_at, ended_at, outcome_reason, government_working_days,
       applicant_days, special_procedure_days, calendar_days, target_total_days, started_by, state, projected_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, now())
     ON CONFLICT (application_id) DO UPDATE SET
       seq = EXCLUDED.seq,
       process_code = EXCLUDED.process_code,
       definition_hash = EXCLUDED.definition_hash,
       project_name = EXCLUDED.project_name,
       applicant_id = EXCLUDED.applicant_id,
       applicant_name = EXCLUDED.applicant_name,
       status = EXCLUDED.status,
       current_stage = EXCLUDED.current_stage,
       started_at = EXCLUDED.started_at,
       ended_at = EXCLUDED.ended_at,
       outcome_reason = EXCLUDED.outcome_reason,
       government_working_days = EXCLUDED.government_working_days,
       applicant_days = EXCLUDED.applicant_days,
       special_procedure_days = EXCLUDED.special_procedure_days,
       calendar_days = EXCLUDED.calendar_days,
       target_total_days = EXCLUDED.target_total_days,
       started_by = EXCLUDED.started_by,
       -- A delta carries the application-level state only when it changed.
       state = COALESCE(EXCLUDED.state, a.state),
       projected_at = EXCLUDED.projected_at
     WHERE a.seq < EXCLUDED.seq`,
    [
      a.applicationId,
      a.seq,
      a.processCode,
      a.definitionHash,
      a.projectName,
      a.applicantId,
      a.applicantName,
      a.status,
      a.currentStage,
      a.startedAt,
      a.endedAt,
      a.outcomeReason,
      a.governmentWorkingDays,
      a.applicantDays,
      a.specialProcedureDays,
      a.calendarDays,
      a.targetTotalDays,
      a.startedBy ?? null,
      batch.state === undefined ? null : JSON.stringify(batch.state),
    ],
  );
  return rowCount === 1;
}

/** The process snapshot applications run on, stored once per definition and process. */
async function storeSnapshot(client: PoolClient, batch: ProjectionBatch): Promise<void> {
  if (!batch.snapshot) return;
  await client.query(
    'INSERT INTO process_snapshots (definition_hash, process_code, snapshot) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
    [batch.snapshot.definitionHash, batch.snapshot.code, JSON.stringify(batch.snapshot)],
  );
}

/** A projected column: its name in the table, its key in the batch row, its SQL type. */
interface Column {
  name: string;
  key: string;
  type: string;
}

const MATTER_COLUMNS: Column[] = [
  { name: 'code', key: 'code', type: 'text' },
  { name: 'name', key: 'name', type: 'text' },
  { name: 'stage', key: 'stage', type: 'text' },
  { name: 'department', key: 'department', type: 'text' },
  { name: 'process_code', key: 'processCode', type: 'text' },
  { name: 'milestone', key: 'milestone', type: 'boolean' },
  { name: 'status', key: 'status', type: 'text' },
  { name: 'level', key: 'level', type: 'text' },
  { name: 'received_at', key: 'receivedAt', type: 'timestamptz' },
  { name: 'accepted_at', key: 'acceptedAt', type: 'timestamptz' },
  { name: 'due_on', key: 'dueOn', type: 'date' },
  { name: 'due_at', key: 'dueAt', type: 'timestamptz' },
  { name: 'time_limit_days', key: 'timeLimitDays', type: 'integer' },
  { name: 'working_days_used', key: 'workingDaysUsed', type: 'integer' },
  { name: 'decided_at', key: 'decidedAt', type: 'timestamptz' },
  { name: 'decision', key: 'decision', type: 'text' },
  { name: 'on_time', key: 'onTime', type: 'boolean' },
  { name: 'supplement_count', key: 'supplementCount', type: 'integer' },
  { name: 'special_procedure_count', key: 'specialProcedureCount', type: 'integer' },
  { name: 'urge_count', key: 'urgeCount', type: 'integer' },
  { name: 'extended', key: 'extended', type: 'boolean' },
  { name: 'overdue_since', key: 'overdueSince', type: 'timestamptz' },
  { name: 'assignee', key: 'assignee', type: 'text' },
  { name: 'provisional', key: 'provisional', type: 'boolean' },
  { name: 'state', key: 'state', type: 'jsonb' },
];

const TASK_COLUMNS: Column[] = [
  { name: 'matter', key: 'matter', type: 'text' },
  { name: 'kind', key: 'kind', type: 'text' },
  { name: 'department', key: 'department', type: 'text' },
  { name: 'matter_name', key: 'matterName', type: 'text' },
  { name: 'stage', key: 'stage', type: 'text' },
  { name: 'process_code', key: 'processCode', type: 'text' },
  { name: 'assignee', key: 'assignee', type: 'text' },
  { name: 'round', key: 'round', type: 'integer' },
  { name: 'started_at', key: 'startedAt', type: 'timestamptz' },
  { name: 'working_days', key: 'workingDays', type: 'integer' },
  { name: 'due_on', key: 'dueOn', type: 'date' },
  { name: 'due_at', key: 'dueAt', type: 'timestamptz' },
  { name: 'level', key: 'level', type: 'text' },
  { name: 'status', key: 'status', type: 'text' },
  { name: 'overdue_since', key: 'overdueSince', type: 'timestamptz' },
  { name: 'done_at', key: 'doneAt', type: 'timestamptz' },
  { name: 'outcome', key: 'outcome', type: 'text' },
  { name: 'on_time', key: 'onTime', type: 'boolean' },
  { name: 'provisional', key: 'provisional', type: 'boolean' },
];

const SERVICE_COLUMNS: Column[] = [
  { name: 'contract_id', key: 'contractId', type: 'text' },
  { name: 'service_type', key: 'serviceType', type: 'text' },
  { name: 'matters', key: 'matters', type: 'text[]' },
  { name: 'provider_code', key: 'providerCode', type: 'text' },
  { name: 'regulator', key: 'regulator', type: 'text' },
  { name: 'commissioned_by', key: 'commissionedBy', type: 'text' },
  { name: 'selection', key: 'selection', type: 'text' },
  { name: 'status', key: 'status', type: 'text' },
  { name: 'level', key: 'level', type: 'text' },
  { name: 'contracted_at', key: 'contractedAt', type: 'timestamptz' },
  { name: 'committed_days', key: 'committedDays', type: 'integer' },
  { name: 'day_kind', key: 'dayKind', type: 'text' },
  { name: 'due_on', key: 'dueOn', type: 'date' },
  { name: 'delivered_at', key: 'deliveredAt', type: 'timestamptz' },
  { name: 'accepted_at', key: 'acceptedAt', type: 'timestamptz' },
  { name: 'closed_at', key: 'closedAt', type: 'timestamptz' },
  { name: 'rework_count', key: 'reworkCount', type: 'integer' },
  { name: 'calendar_days', key: 'calendarDays', type: 'integer' },
  { name: 'on_time', key: 'onTime', type: 'boolean' },
];

/**
 * Inserts the batch's rows of one application and updates stored ones only where a value
 * changed: a batch usually changes one matter of thirty, and rewriting the other twenty-nine
 * would leave dead rows and index entries behind on every workflow step.
 */
function upsertSql(table: string, key: string, columns: Column[]): string {
  const keys = key.split(', ');
  const changing = columns.filter((c) => !keys.includes(c.name));
  return `INSERT INTO ${table} AS t (application_id, ${columns.map((c) => c.name).join(', ')})
     SELECT $1, ${columns.map((c) => `r."${c.key}"`).join(', ')}
     FROM jsonb_to_recordset($2::jsonb) AS r(${columns.map((c) => `"${c.key}" ${c.type}`).join(', ')})
     ON CONFLICT (application_id, ${key}) DO UPDATE SET ${changing.map((c) => `${c.name} = EXCLUDED.${c.name}`).join(', ')}
     WHERE (${changing.map((c) => `t.${c.name}`).join(', ')}) IS DISTINCT FROM (${changing.map((c) => `EXCLUDED.${c.name}`).join(', ')})`;
}

const ATTRIBUTION_COLUMNS: Column[] = [
  { name: 'position', key: 'position', type: 'integer' },
  { name: 'kind', key: 'kind', type: 'text' },
  { name: 'holder', key: 'holder', type: 'text' },
  { name: 'reason', key: 'reason', type: 'text' },
  { name: 'matter', key: 'matter', type: 'text' },
  { name: 'stage', key: 'stage', type: 'text' },
  { name: 'service_type', key: 'serviceType', type: 'text' },
  { name: 'contract_id', key: 'contractId', type: 'text' },
  { name: 'from_at', key: 'fromAt', type: 'timestamptz' },
  { name: 'to_at', key: 'toAt', type: 'timestamptz' },
  { name: 'over_after', key: 'overAfter', type: 'date' },
];

const UPSERT_MATTERS = upsertSql('matters', 'code', MATTER_COLUMNS);
const UPSERT_SERVICES = upsertSql('services', 'contract_id', SERVICE_COLUMNS);
const UPSERT_TASKS = upsertSql('tasks', 'matter, kind, department', TASK_COLUMNS);
const UPSERT_ATTRIBUTION = upsertSql('attribution_segments', 'position', ATTRIBUTION_COLUMNS);

/** The batch holds every matter of the application, so a stored matter it lacks is deleted. */
async function replaceMatters(client: PoolClient, applicationId: string, processCode: string, matters: MatterRow[], complete: boolean): Promise<void> {
  if (complete) await client.query('DELETE FROM matters WHERE application_id = $1 AND code <> ALL ($2::text[])', [applicationId, matters.map((m) => m.code)]);
  if (matters.length === 0) return;
  await client.query(UPSERT_MATTERS, [applicationId, JSON.stringify(matters.map((m) => ({ ...m, processCode })))]);
}

async function replaceServices(client: PoolClient, applicationId: string, services: ServiceRow[], complete: boolean): Promise<void> {
  if (complete) {
    await client.query('DELETE FROM services WHERE application_id = $1 AND contract_id <> ALL ($2::text[])', [applicationId, services.map((s) => s.contractId)]);
  }
  if (services.length === 0) return;
  await client.query(UPSERT_SERVICES, [applicationId, JSON.stringify(services)]);
}

/**
 * A complete batch holds every task of the application, a delta every task of its `taskMatters`:
 * a stored task of those it lacks is gone (a participant with no opinion to give in the
 * re-inspection). A batch without tasks (from before they existed) leaves them as they are.
 */
async function replaceTasks(client: PoolClient, batch: ProjectionBatch, complete: boolean): Promise<void> {
  const { applicationId, processCode } = batch.application;
  const tasks = batch.tasks;
  if (tasks === undefined) return;
  const keys = tasks.map((t) => `${t.matter}|${t.kind}|${t.department}`);
  if (complete) {
    await client.query(`DELETE FROM tasks WHERE application_id = $1 AND matter || '|' || kind || '|' || department <> ALL ($2::text[])`, [applicationId, keys]);
  } else if (batch.taskMatters?.length) {
    await client.query(
      `DELETE FROM tasks WHERE application_id = $1 AND matter = ANY ($2::text[]) AND matter || '|' || kind || '|' || department <> ALL ($3::text[])`,
      [applicationId, batch.taskMatters, keys],
    );
  }
  if (tasks.length === 0) return;
  await client.query(UPSERT_TASKS, [applicationId, JSON.stringify(tasks.map((t) => ({ ...t, processCode })))]);
}

/**
 * Every batch holds the whole critical path: stretches past its length are gone, the others are
 * rewritten where they changed (the path's head rarely does). A batch without it (from before
 * issue 13) leaves the stored path as it is.
 */
async function replaceAttribution(client: PoolClient, batch: ProjectionBatch): Promise<void> {
  const rows = batch.attribution;
  if (rows === undefined) return;
  const { applicationId } = batch.application;
  await client.query('DELETE FROM attribution_segments WHERE application_id = $1 AND position > $2', [applicationId, rows.length]);
  if (rows.length) await client.query(UPSERT_ATTRIBUTION, [applicationId, JSON.stringify(rows)]);
}

/** What a webhook receiver gets for one event; `id` is also the X-Event-Id header. */
export interface WebhookEventBody {
  id: string;
  type: string;
  applicationId: string;
  seq: number;
  at: string;
  actor: string;
  matter: string | null;
  stage: string | null;
  reason: string | null;
  data: Record<string, unknown> | null;
}

export function eventKey(applicationId: string, seq: number): string {
  return `${applicationId}:${seq}`;
}

function webhookBody(e: EventRow): WebhookEventBody {
  return {
    id: eventKey(e.applicationId, e.seq),
    type: e.kind,
    applicationId: e.applicationId,
    seq: e.seq,
    at: e.at,
    actor: e.actor,
    matter: e.matter,
    stage: e.stage,
    reason: e.reason,
    data: e.data,
  };
}

/**
 * Appends the events the table lacks, each with its matter's department (matters are stored
 * first in the transaction), and, in the same statement, queues each newly stored one for the
 * active subscriptions to its kind that may see the application (api/authz.ts's rule for
 * integrators: an admin's subscription sees all, an integrator's the applications it started or
 * whose applicant authorised it; the application row is upserted first in the transaction). An
 * event stored before is neither stored nor announced again. Returns how many were new.
 */
async function insertEvents(client: PoolClient, applicationId: string, events: EventRow[]): Promise<number> {
  if (events.length === 0) return 0;
  const { rows } = await client.query<{ inserted: number }>(
    `WITH batch AS (
       SELECT * FROM jsonb_to_recordset($2::jsonb) AS e(
         seq integer, at timestamptz, kind text, actor text, matter text, stage text, reason text, data jsonb, body jsonb)
     ), inserted AS (
       INSERT INTO events (application_id, seq, at, kind, actor, matter, stage, reason, data, department)
       SELECT $1, b.seq, b.at, b.kind, b.actor, b.matter, b.stage, b.reason, b.data,
         (SELECT m.department FROM matters m WHERE m.application_id = $1 AND m.code = b.matter)
       FROM batch b
       ON CONFLICT (application_id, seq) DO NOTHING
       RETURNING seq, kind
     ), queued AS (
       INSERT INTO webhook_outbox (subscription_id, event_key, body)
       SELECT s.id, $1 || ':' || i.seq, b.body
       FROM inserted i
       JOIN batch b ON b.seq = i.seq
       JOIN applications a ON a.application_id = $1
       JOIN webhook_subscriptions s ON s.active AND (i.kind = ANY (s.event_types) OR '*' = ANY (s.event_types))
         AND (s.scope_all OR a.started_by = s.client_id OR a.applicant_id = ANY (s.applicants))
       ON CONFLICT (subscription_id, event_key) DO NOTHING
     )
     -- A data-modifying WITH runs to completion whether or not the final SELECT reads it.
     SELECT count(*)::int AS inserted FROM inserted`,
    [applicationId, JSON.stringify(events.map((e) => ({ ...e, body: webhookBody(e) })))],
  );
  return rows[0]?.inserted ?? 0;
}
