import type { Pool, PoolClient } from 'pg';
import type { EventRow, MatterRow, ProjectionBatch, ServiceRow } from '../workflows/domain/projection';

/**
 * The writer of the read model. A workflow hands over a `ProjectionBatch` after each change; the
 * writer stores it in one short transaction. Workflows are the source of truth and activities
 * are retried, so a batch may arrive twice or after a newer one: the application row carries the
 * workflow's event count (`seq`), and only a batch with a higher seq replaces the summary,
 * matters and services. Events are immutable and keyed by (application, seq), so they are
 * inserted whatever the seq (a repeat is a no-op, a late batch fills a gap), each new one
 * queued in the webhook outbox for every active subscription to its kind.
 */

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

export interface ProjectionActivities {
  projectApplication(batch: ProjectionBatch): Promise<{ applied: boolean }>;
}

export function createProjectionActivities(pool: Pool): ProjectionActivities {
  return {
    async projectApplication(batch) {
      checkBatch(batch);
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const applied = await upsertApplication(client, batch);
        if (applied) {
          await replaceMatters(client, batch.application.applicationId, batch.application.processCode, batch.matters);
          await replaceServices(client, batch.application.applicationId, batch.services);
        }
        await insertEvents(client, batch.application.applicationId, batch.events);
        await client.query('COMMIT');
        return { applied };
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.release();
      }
    },
  };
}

/** Rows of another application or events past the batch's seq would corrupt the projection silently. */
function checkBatch(batch: ProjectionBatch): void {
  const { applicationId, seq } = batch.application;
  const foreign = [...batch.matters, ...batch.services, ...batch.events].find((r) => r.applicationId !== applicationId);
  if (foreign) throw new InvalidProjectionBatchError(applicationId, `holds a row of application ${foreign.applicationId}`);
  const ahead = batch.events.find((e) => e.seq < 1 || e.seq > seq);
  if (ahead) throw new InvalidProjectionBatchError(applicationId, `event seq ${ahead.seq} is outside 1..${seq}`);
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
       applicant_days, special_procedure_days, calendar_days, target_total_days, projected_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, now())
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
    ],
  );
  return rowCount === 1;
}

/** The batch holds every matter of the application, so the stored set is replaced, not merged. */
async function replaceMatters(client: PoolClient, applicationId: string, processCode: string, matters: MatterRow[]): Promise<void> {
  await client.query('DELETE FROM matters WHERE application_id = $1', [applicationId]);
  if (matters.length === 0) return;
  await client.query(
    `INSERT INTO matters (
       application_id, code, name, stage, department, process_code, milestone, status, level,
       received_at, accepted_at, due_on, due_at, time_limit_days, working_days_used, decided_at,
       decision, on_time, supplement_count, special_procedure_count, urge_count, extended, overdue_since)
     SELECT $1, m.code, m.name, m.stage, m.department, $2, m.milestone, m.status, m.level,
       m."receivedAt", m."acceptedAt", m."dueOn", m."dueAt", m."timeLimitDays", m."workingDaysUsed", m."decidedAt",
       m.decision, m."onTime", m."supplementCount", m."specialProcedureCount", m."urgeCount", m.extended, m."overdueSince"
     FROM jsonb_to_recordset($3::jsonb) AS m(
       code text, name text, stage text, department text, milestone boolean, status text, level text,
       "receivedAt" timestamptz, "acceptedAt" timestamptz, "dueOn" date, "dueAt" timestamptz,
       "timeLimitDays" integer, "workingDaysUsed" integer, "decidedAt" timestamptz, decision text,
       "onTime" boolean, "supplementCount" integer, "specialProcedureCount" integer, "urgeCount" integer,
       extended boolean, "overdueSince" timestamptz)`,
    [applicationId, processCode, JSON.stringify(matters)],
  );
}

async function replaceServices(client: PoolClient, applicationId: string, services: ServiceRow[]): Promise<void> {
  await client.query('DELETE FROM services WHERE application_id = $1', [applicationId]);
  if (services.length === 0) return;
  await client.query(
    `INSERT INTO services (
       application_id, contract_id, service_type, matters, provider_code, regulator, commissioned_by,
       selection, status, level, contracted_at, committed_days, day_kind, due_on, delivered_at,
       accepted_at, closed_at, rework_count, calendar_days, on_time)
     SELECT $1, s."contractId", s."serviceType", ARRAY(SELECT jsonb_array_elements_text(s.matters)),
       s."providerCode", s.regulator, s."commissionedBy", s.selection, s.status, s.level, s."contractedAt",
       s."committedDays", s."dayKind", s."dueOn", s."deliveredAt", s."acceptedAt", s."closedAt",
       s."reworkCount", s."calendarDays", s."onTime"
     FROM jsonb_to_recordset($2::jsonb) AS s(
       "contractId" text, "serviceType" text, matters jsonb, "providerCode" text, regulator text,
       "commissionedBy" text, selection text, status text, level text, "contractedAt" timestamptz,
       "committedDays" integer, "dayKind" text, "dueOn" date, "deliveredAt" timestamptz,
       "acceptedAt" timestamptz, "closedAt" timestamptz, "reworkCount" integer, "calendarDays" integer,
       "onTime" boolean)`,
    [applicationId, JSON.stringify(services)],
  );
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
 * Appends the events the table lacks and, in the same statement, queues each newly stored one
 * for the active subscriptions to its kind; an event stored before is neither stored nor
 * announced again.
 */
async function insertEvents(client: PoolClient, applicationId: string, events: EventRow[]): Promise<void> {
  if (events.length === 0) return;
  await client.query(
    `WITH batch AS (
       SELECT * FROM jsonb_to_recordset($2::jsonb) AS e(
         seq integer, at timestamptz, kind text, actor text, matter text, stage text, reason text, data jsonb, body jsonb)
     ), inserted AS (
       INSERT INTO events (application_id, seq, at, kind, actor, matter, stage, reason, data)
       SELECT $1, seq, at, kind, actor, matter, stage, reason, data FROM batch
       ON CONFLICT (application_id, seq) DO NOTHING
       RETURNING seq, kind
     )
     INSERT INTO webhook_outbox (subscription_id, event_key, body)
     SELECT s.id, $1 || ':' || i.seq, b.body
     FROM inserted i
     JOIN batch b ON b.seq = i.seq
     JOIN webhook_subscriptions s ON s.active AND (i.kind = ANY (s.event_types) OR '*' = ANY (s.event_types))
     ON CONFLICT (subscription_id, event_key) DO NOTHING`,
    [applicationId, JSON.stringify(events.map((e) => ({ ...e, body: webhookBody(e) })))],
  );
}
