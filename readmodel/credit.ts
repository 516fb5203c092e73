import type { Pool, PoolClient } from 'pg';
import type { EventRow } from '../domain/projection';
import type { EventKind } from '../domain/events';
import { toShanghaiIso } from '../domain/time';
import { checkLimit, decodeCursor, encodeCursor, eventCursor, type Page } from './queries';

/**
 * Applicants' credit records (失信): one per false commitment, written from the workflow's
 * `creditRecorded` events as they are projected, so a retried or rebuilt batch records each once.
 * The API refuses a new commitment where the catalogue says so (refuseAfterFalse) while one exists.
 */

export interface CreditRecord {
  applicationId: string;
  seq: number;
  applicantId: string;
  applicantName: string;
  kind: string;
  matter: string | null;
  department: string | null;
  reason: string | null;
  at: string;
}

const CREDIT_RECORDED: EventKind = 'creditRecorded';

/** Stores the credit records among these events (the matters are stored first in the transaction, for the department). */
export async function recordCredits(client: PoolClient, applicationId: string, events: EventRow[]): Promise<void> {
  const records = events.filter((e) => e.kind === CREDIT_RECORDED);
  if (records.length === 0) return;
  await client.query(
    `INSERT INTO credit_records (application_id, seq, applicant_id, applicant_name, kind, matter, department, reason, at)
     SELECT $1, r.seq, r.applicant, r."applicantName", r.kind, r.matter,
       (SELECT m.department FROM matters m WHERE m.application_id = $1 AND m.code = r.matter), r.reason, r.at
     FROM jsonb_to_recordset($2::jsonb) AS r(seq integer, applicant text, "applicantName" text, kind text, matter text, reason text, at timestamptz)
     ON CONFLICT (application_id, seq) DO NOTHING`,
    [
      applicationId,
      JSON.stringify(
        records.map((e) => ({
          seq: e.seq,
          applicant: String(e.data?.['applicant'] ?? ''),
          applicantName: String(e.data?.['applicantName'] ?? ''),
          kind: String(e.data?.['kind'] ?? 'falseCommitment'),
          matter: e.matter,
          reason: e.reason,
          at: e.at,
        })),
      ),
    ],
  );
}

/** Whether the applicant has any credit record (a false commitment on any application). */
export async function hasCreditRecord(pool: Pool, applicantId: string): Promise<boolean> {
  const { rows } = await pool.query<{ found: boolean }>('SELECT EXISTS (SELECT 1 FROM credit_records WHERE applicant_id = $1) AS found', [applicantId]);
  return rows[0]?.found ?? false;
}


/** Credit records, newest first, of one applicant or of all; a page by keyset. */
export async function creditRecords(pool: Pool, q: { applicant?: string; limit: number; after?: string }): Promise<Page<CreditRecord>> {
  checkLimit(q.limit);
  const values: unknown[] = [];
  const where: string[] = [];
  const bind = (v: unknown) => {
    values.push(v);
    return `$${values.length}`;
  };
  if (q.applicant !== undefined) where.push(`applicant_id = ${bind(q.applicant)}`);
  if (q.after !== undefined) {
    const [at, applicationId, seq] = decodeCursor(q.after, eventCursor);
    where.push(`(at, application_id, seq) < (${bind(at)}::timestamptz, ${bind(applicationId)}, ${bind(seq)}::integer)`);
  }
  const { rows } = await pool.query<{
    application_id: string;
    seq: number;
    applicant_id: string;
    applicant_name: string;
    kind: string;
    matter: string | null;
    department: string | null;
    reason: string | null;
    at: Date;
    at_key: string;
  }>(
    `SELECT application_id, seq, applicant_id, applicant_name, kind, matter, department, reason, at, to_json(at) #>> '{}' AS at_key
     FROM credit_records ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY at DESC, application_id DESC, seq DESC
     LIMIT ${bind(q.limit + 1)}`,
    values,
  );
  const shown = rows.slice(0, q.limit);
  const last = shown.at(-1);
  return {
    items: shown.map((r) => ({
      applicationId: r.application_id,
      seq: r.seq,
      applicantId: r.applicant_id,
      applicantName: r.applicant_name,
      kind: r.kind,
      matter: r.matter,
      department: r.department,
      reason: r.reason,
      at: toShanghaiIso(r.at.getTime()),
    })),
    next: rows.length > q.limit && last ? encodeCursor([last.at_key, last.application_id, last.seq]) : null,
  };
}
