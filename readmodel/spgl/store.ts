import { createHash, randomUUID } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { z } from 'zod';
import { configSchema } from '../../config/environment';
import { applicationFromStore } from '../../domain/projection';
import { checkLimit, decodeCursor, encodeCursor, InvalidQueryError, projectedApplication, type Page } from '../queries';
import { checkTables, REFERENCES, type Finding } from './check';
import { exportApplication, type SpglExportOptions } from './export';
import { spglDatetime, TABLES, type SpglRow, type SpglTableName, type SpglTables } from './standard';

/**
 * The rows offered to the provincial platform, kept in `spgl_rows` (migration 009), and the
 * exchange log. `syncApplication` exports one application and stores only what changed: a new
 * row is offered with GXSJ now; a changed row is a correction (更正): the earlier row is offered
 * again with SJYXBS 0 and SJWXYY, the new content under a new key `<key>~<version>`; a row the
 * checker refuses is logged and not offered until it passes ("resent"), and so are the handling-step and
 * special-procedure rows of a matter whose row it refuses. `changesSince` is the
 * platform's pull, by GXSJ and key. docs/spgl.md says when sync runs and why keys change.
 */

export const SPGL_TABLE_NAMES = Object.keys(TABLES) as SpglTableName[];

/** The process version's tables: shared by every application on a snapshot, stored once. */
const PROCESS_TABLES: ReadonlySet<SpglTableName> = new Set(['DFXMSPLCXXB', 'DFXMSPLCJDXXB', 'DFXMSPLCJDSXXXB']);

/** The reason logged for a row held back with a row it names (its project, its matter, its contract…). */
export const heldBackReason = (table: SpglTableName) => (table === 'XMSPSXBLXXB' ? 'its matter row was refused' : `its ${table} row was refused`);
/** The reason logged for a step, special procedure or approval document held back with its matter's row. */
export const MATTER_REFUSED_REASON = heldBackReason('XMSPSXBLXXB');

/** SJWXYY of a row invalidated because its content changed. */
export const CORRECTION_REASON = '更正';
/** SJWXYY of a row invalidated because the exporter no longer produces it. */
export const WITHDRAWN_REASON = '撤销：本系统不再报告此行';

/** 行政区划代码 when none is given: SPGL_REGION_CODE's default (浏阳市); processes pass the configured one. */
export const DEFAULT_REGION_CODE: string = configSchema.shape.SPGL_REGION_CODE.parse(undefined);

/** All syncs and receipts take this lock, so GXSJ only grows in commit order and a pull's cursor never skips a row. */
const SYNC_LOCK = 0x5350474c;

/** Fields that say when and whether, not what: a change in them alone is no correction. */
const VOLATILE = new Set(['DFSJZJ', 'GXSJ', 'SJYXBS', 'SJWXYY', 'SBYY']);

/**
 * A row that names a row the checker refused (its project XMJBXXB, its matter XMSPSXBLXXB, its
 * contract ZJFWSXBLXXB, the process…) waits for it, however deep: the platform would find nothing to
 * put it under. `problems` gains the held rows, keyed by table and DFSJZJ.
 */
function holdBackDependents(tables: SpglTables, problems: Map<string, string[]>): void {
  for (let changed = true; changed; ) {
    changed = false;
    for (const [table, refs] of Object.entries(REFERENCES) as [SpglTableName, [string, SpglTableName, string][]][])
      for (const [field, target, targetField] of refs) {
        const refused = new Set(tables[target].filter((r) => problems.has(slot(target, String(r.DFSJZJ)))).map((r) => r[targetField]));
        if (refused.size === 0) continue;
        for (const row of tables[table]) {
          const at = slot(table, String(row.DFSJZJ));
          if (row[field] === null || row[field] === undefined || !refused.has(row[field]) || problems.has(at)) continue;
          problems.set(at, [heldBackReason(target)]);
          changed = true;
        }
      }
  }
}

/** What decides whether a row changed: its content without key, update time and validity. */
export function contentHash(row: SpglRow): string {
  const content = Object.keys(row)
    .filter((k) => !VOLATILE.has(k))
    .sort()
    .map((k) => [k, row[k] ?? null]);
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}

/** Which applications' rows a caller reads: all, or an integrator's (those started by it or by an applicant that authorised it). */
export type SpglScope = { kind: 'all' } | { kind: 'integrator'; id: string; applicants: readonly string[] };

export interface SyncResult {
  batchId: string;
  applicationId: string;
  seq: number;
  sent: number;
  corrected: number;
  withdrawn: number;
  refused: number;
  resent: number;
  unchanged: number;
  /** What the checker found in the application's export (refused rows are among these). */
  findings: Finding[];
}

interface StoredRow {
  table_name: SpglTableName;
  row_key: string;
  base_key: string;
  version: number;
  application_id: string | null;
  row: SpglRow;
  content_hash: string;
  sjyxbs: number;
  status: 'offered' | 'refused';
  refused_by: 'checker' | 'receiver' | null;
}

const versionKey = (base: string, version: number) => (version === 1 ? base : `${base}~${version}`);
const slot = (table: string, base: string) => `${table}|${base}`;

/** Takes the exchange lock and answers the instant to stamp rows with: the clock, but never at or before a GXSJ already stored. */
async function lockAndStamp(client: PoolClient, clock: () => number): Promise<number> {
  await client.query('SELECT pg_advisory_xact_lock($1)', [SYNC_LOCK]);
  const { rows } = await client.query<{ last: Date | null }>('SELECT max(gxsj) AS last FROM spgl_rows');
  const last = rows[0]?.last?.getTime() ?? -Infinity;
  return Math.max(clock(), last + 1);
}

async function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/**
 * Exports one application from the read model and stores what changed since its last export;
 * null when the read model holds nothing of it yet.
 */
export async function syncApplication(pool: Pool, applicationId: string, options: Partial<SpglExportOptions> & { clock?: () => number } = {}): Promise<SyncResult | null> {
  const projected = await projectedApplication(pool, applicationId);
  if (!projected) return null;
  const { tables, stops, contracts } = exportApplication(applicationFromStore(projected.stored), { regionCode: options.regionCode ?? DEFAULT_REGION_CODE });
  const findings = checkTables(tables, { stops, contracts });
  const problems = new Map<string, string[]>();
  const refuse = (table: SpglTableName, key: string, reason: string) => problems.set(slot(table, key), [...(problems.get(slot(table, key)) ?? []), reason]);
  for (const f of findings) refuse(f.table, f.key, `${f.rule}: ${f.message}`);
  holdBackDependents(tables, problems);
  const clock = options.clock ?? Date.now;
  const batchId = randomUUID();
  const result: SyncResult = { batchId, applicationId, seq: projected.seq, sent: 0, corrected: 0, withdrawn: 0, refused: 0, resent: 0, unchanged: 0, findings };

  await inTransaction(pool, async (client) => {
    const at = await lockAndStamp(client, clock);
    const stamp = new Date(at);
    const gxsj = spglDatetime(at);
    // New rows and log lines are written once, at the end, in one statement each (in the order made): an application's first export is ~140 rows.
    const newRows: Record<string, unknown>[] = [];
    const logLines: Record<string, unknown>[] = [];
    const log = (table: string, key: string, action: 'sent' | 'refused' | 'resent' | 'invalidated', by: 'checker' | 'receiver' | null, reason: string | null) =>
      void logLines.push({ n: logLines.length, table_name: table, row_key: key, action, by, reason });

    const processKeys = SPGL_TABLE_NAMES.filter((t) => PROCESS_TABLES.has(t)).flatMap((t) => tables[t].map((r) => slot(t, String(r.DFSJZJ))));
    const { rows: stored } = await client.query<StoredRow>(
      `SELECT table_name, row_key, base_key, version, application_id, row, content_hash, sjyxbs, status, refused_by
       FROM spgl_rows
       WHERE application_id = $1 OR (application_id IS NULL AND table_name || '|' || base_key = ANY($2::text[]))
       ORDER BY version`,
      [applicationId, processKeys],
    );
    /** The latest version of each row the exporter produced before. */
    const latest = new Map<string, StoredRow>();
    /** The valid row the platform holds of each: the latest offered one, older than `latest` while a correction of it is refused. */
    const standing = new Map<string, StoredRow>();
    for (const r of stored) {
      latest.set(slot(r.table_name, r.base_key), r);
      if (r.status === 'offered' && r.sjyxbs === 1) standing.set(slot(r.table_name, r.base_key), r);
    }

    const insert = (table: SpglTableName, base: string, version: number, row: SpglRow, hash: string, refusal: string[] | undefined) => {
      const key = versionKey(base, version);
      const offered: SpglRow = { ...row, DFSJZJ: key, SJYXBS: 1, SJWXYY: null, SBYY: null, GXSJ: gxsj };
      newRows.push({
        table_name: table,
        row_key: key,
        base_key: base,
        version,
        application_id: PROCESS_TABLES.has(table) ? null : applicationId,
        row: offered,
        content_hash: hash,
        status: refusal ? 'refused' : 'offered',
        refused_by: refusal ? 'checker' : null,
      });
      if (refusal) {
        result.refused++;
        log(table, key, 'refused', 'checker', refusal.join('; '));
      } else {
        log(table, key, 'sent', null, null);
      }
    };
    const invalidate = async (r: StoredRow, reason: string) => {
      await client.query(`UPDATE spgl_rows SET row = $3, sjyxbs = 0, gxsj = $4 WHERE table_name = $1 AND row_key = $2`, [
        r.table_name,
        r.row_key,
        { ...r.row, SJYXBS: 0, SJWXYY: reason, GXSJ: gxsj },
        stamp,
      ]);
      log(r.table_name, r.row_key, 'invalidated', null, reason);
    };

    const produced = new Set<string>();
    for (const table of SPGL_TABLE_NAMES) {
      for (const row of tables[table]) {
        const base = String(row.DFSJZJ);
        produced.add(slot(table, base));
        const hash = contentHash(row);
        const refusal = problems.get(slot(table, base));
        const cur = latest.get(slot(table, base));
        if (!cur) {
          insert(table, base, 1, row, hash, refusal);
          if (!refusal) result.sent++;
        } else if (cur.sjyxbs === 0) {
          // Withdrawn before, produced again: a new row.
          insert(table, base, cur.version + 1, row, hash, refusal);
          if (!refusal) result.sent++;
        } else if (cur.status === 'offered') {
          if (cur.content_hash === hash) {
            result.unchanged++;
            continue;
          }
          // The process version's rows are keyed by its content hash: the same key is the same content.
          if (PROCESS_TABLES.has(table)) continue;
          // A correction the checker refuses waits with the row it corrects still valid: the platform keeps a row to put the others under.
          if (!refusal) await invalidate(cur, CORRECTION_REASON);
          insert(table, base, cur.version + 1, row, hash, refusal);
          if (!refusal) result.corrected++;
        } else if (refusal) {
          // Still refused: the platform never had it. Keep the latest content and say why again only when it changed.
          if (cur.content_hash === hash) continue;
          await client.query('UPDATE spgl_rows SET row = $3, content_hash = $4 WHERE table_name = $1 AND row_key = $2', [table, cur.row_key, { ...row, DFSJZJ: cur.row_key, GXSJ: gxsj }, hash]);
          result.refused++;
          log(table, cur.row_key, 'refused', 'checker', refusal.join('; '));
        } else if (cur.refused_by === 'receiver' && cur.content_hash === hash) {
          // The receiver refused this very content: sending it again would be refused again.
          result.unchanged++;
        } else {
          // Refused before, passing now: offered under its key (the platform never held this version); a correction now replaces the row it corrects.
          const previous = standing.get(slot(table, base));
          if (previous && previous.row_key !== cur.row_key) {
            await invalidate(previous, CORRECTION_REASON);
            result.corrected++;
          }
          await client.query(
            `UPDATE spgl_rows SET row = $3, content_hash = $4, gxsj = $5, status = 'offered', refused_by = NULL, first_sent_at = coalesce(first_sent_at, $5)
             WHERE table_name = $1 AND row_key = $2`,
            [table, cur.row_key, { ...row, DFSJZJ: cur.row_key, SJYXBS: 1, SJWXYY: null, SBYY: null, GXSJ: gxsj }, hash, stamp],
          );
          result.resent++;
          log(table, cur.row_key, 'resent', null, null);
        }
      }
    }
    for (const [k, r] of latest) {
      if (produced.has(k) || r.application_id === null || r.sjyxbs === 0) continue;
      if (r.status === 'offered') {
        await invalidate(r, WITHDRAWN_REASON);
        result.withdrawn++;
      } else {
        await client.query('DELETE FROM spgl_rows WHERE table_name = $1 AND row_key = $2', [r.table_name, r.row_key]);
        // A refused correction of a row the platform still holds: that row goes too.
        const previous = standing.get(k);
        if (previous && previous.row_key !== r.row_key) {
          await invalidate(previous, WITHDRAWN_REASON);
          result.withdrawn++;
        }
      }
    }
    if (newRows.length)
      await client.query(
        `INSERT INTO spgl_rows (table_name, row_key, base_key, version, application_id, row, content_hash, gxsj, sjyxbs, status, refused_by, first_sent_at)
         SELECT x.table_name, x.row_key, x.base_key, x.version, x.application_id, x.row, x.content_hash, $2, 1, x.status, x.refused_by, CASE WHEN x.status = 'offered' THEN $2::timestamptz END
         FROM jsonb_to_recordset($1::jsonb) AS x(table_name text, row_key text, base_key text, version integer, application_id text, row jsonb, content_hash text, status text, refused_by text)`,
        [JSON.stringify(newRows), stamp],
      );
    if (logLines.length)
      await client.query(
        `INSERT INTO spgl_exchange_log (batch_id, table_name, row_key, action, by, reason, at)
         SELECT $2, x.table_name, x.row_key, x.action, x.by, x.reason, $3
         FROM jsonb_to_recordset($1::jsonb) AS x(n integer, table_name text, row_key text, action text, by text, reason text) ORDER BY x.n`,
        [JSON.stringify(logLines), batchId, stamp],
      );
    await client.query(
      `INSERT INTO spgl_synced (application_id, seq, synced_at) VALUES ($1, $2, $3)
       ON CONFLICT (application_id) DO UPDATE SET seq = excluded.seq, synced_at = excluded.synced_at`,
      [applicationId, projected.seq, stamp],
    );
  });
  return result;
}

/** SQL for "the application is in the caller's scope", over a column holding the application id; `values` gets the parameters. */
function scopeSql(scope: SpglScope, column: string, values: unknown[]): string {
  if (scope.kind === 'all') return 'TRUE';
  values.push(scope.id, [...scope.applicants]);
  return `${column} IN (SELECT application_id FROM applications WHERE started_by = $${values.length - 1} OR applicant_id = ANY($${values.length}::text[]))`;
}

/** Exports every application in scope whose read-model seq moved since its last export; answers their results. */
export async function syncPending(pool: Pool, scope: SpglScope, options: Partial<SpglExportOptions> & { clock?: () => number } = {}): Promise<SyncResult[]> {
  const values: unknown[] = [];
  const { rows } = await pool.query<{ application_id: string }>(
    `SELECT a.application_id FROM applications a LEFT JOIN spgl_synced s USING (application_id)
     WHERE (s.seq IS NULL OR a.seq > s.seq) AND a.state IS NOT NULL AND ${scopeSql(scope, 'a.application_id', values)}
     ORDER BY a.application_id`,
    values,
  );
  const results: SyncResult[] = [];
  for (const r of rows) {
    const synced = await syncApplication(pool, r.application_id, options);
    if (synced) results.push(synced);
  }
  return results;
}

const rowCursor = z.tuple([z.string().max(40), z.string().max(400)]);
const logCursor = z.tuple([z.number().int().min(0)]);

/** A row key runs to 400 characters, so its cursors are longer than other lists'. */
const ROW_CURSOR_MAX = 1024;

/**
 * The offered rows of a table changed after `since` (GXSJ), in GXSJ and key order, after a cursor.
 * The process version's rows are the catalogue's, open to every caller; the others only in scope.
 */
export async function changesSince(pool: Pool, table: SpglTableName, q: { since?: number; after?: string; limit: number }, scope: SpglScope): Promise<Page<SpglRow>> {
  checkLimit(q.limit);
  const values: unknown[] = [table];
  const where = [`table_name = $1`, `status = 'offered'`];
  if (q.since !== undefined) {
    values.push(new Date(q.since));
    where.push(`gxsj > $${values.length}`);
  }
  if (q.after !== undefined) {
    const [gxsj, key] = decodeCursor(q.after, rowCursor, ROW_CURSOR_MAX);
    if (Number.isNaN(Date.parse(gxsj))) throw new InvalidQueryError('after', 'not a cursor returned by this list');
    values.push(gxsj, key);
    where.push(`(gxsj, row_key) > ($${values.length - 1}::timestamptz, $${values.length})`);
  }
  if (!PROCESS_TABLES.has(table)) where.push(scopeSql(scope, 'application_id', values));
  values.push(q.limit + 1);
  const { rows } = await pool.query<{ row: SpglRow; row_key: string; gxsj_key: string }>(
    `SELECT row, row_key, to_json(gxsj) #>> '{}' AS gxsj_key FROM spgl_rows WHERE ${where.join(' AND ')} ORDER BY gxsj, row_key LIMIT $${values.length}`,
    values,
  );
  const shown = rows.slice(0, q.limit);
  const last = shown[shown.length - 1];
  return { items: shown.map((r) => r.row), next: rows.length > q.limit && last ? encodeCursor([last.gxsj_key, last.row_key]) : null };
}

export interface Receipt {
  key: string;
  reason: string;
}

/**
 * The platform's refusals of rows it pulled: each offered row in scope is marked refused by the
 * receiver (no longer offered) and logged; a later export that changes it re-sends it. Answers the keys it did not know.
 */
export async function recordReceipts(pool: Pool, table: SpglTableName, receipts: readonly Receipt[], scope: SpglScope, clock: () => number = Date.now): Promise<{ refused: number; unknown: string[] }> {
  const batchId = randomUUID();
  return inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [SYNC_LOCK]);
    const stamp = new Date(clock());
    const unknown: string[] = [];
    let refused = 0;
    for (const { key, reason } of receipts) {
      const values: unknown[] = [table, key, reason];
      const { rowCount } = await client.query(
        `UPDATE spgl_rows SET status = 'refused', refused_by = 'receiver', row = jsonb_set(row, '{SBYY}', to_jsonb($3::text))
         WHERE table_name = $1 AND row_key = $2 AND status = 'offered' AND sjyxbs = 1
           AND (application_id IS NULL OR ${scopeSql(scope, 'application_id', values)})`,
        values,
      );
      if (!rowCount) {
        unknown.push(key);
        continue;
      }
      refused++;
      await client.query('INSERT INTO spgl_exchange_log (batch_id, table_name, row_key, action, by, reason, at) VALUES ($1, $2, $3, $4, $5, $6, $7)', [batchId, table, key, 'refused', 'receiver', reason, stamp]);
    }
    return { refused, unknown };
  });
}

export interface ExchangeLogEntry {
  id: number;
  batchId: string;
  table: string;
  key: string;
  action: 'sent' | 'refused' | 'resent' | 'invalidated';
  by: 'checker' | 'receiver' | null;
  reason: string | null;
  at: string;
}

/** The exchange log, newest first. */
export async function exchangeLog(pool: Pool, q: { limit: number; after?: string; table?: SpglTableName; key?: string }): Promise<Page<ExchangeLogEntry>> {
  checkLimit(q.limit);
  const values: unknown[] = [];
  const where: string[] = ['TRUE'];
  if (q.after !== undefined) {
    const [id] = decodeCursor(q.after, logCursor, ROW_CURSOR_MAX);
    values.push(id);
    where.push(`id < $${values.length}`);
  }
  if (q.table !== undefined) {
    values.push(q.table);
    where.push(`table_name = $${values.length}`);
  }
  if (q.key !== undefined) {
    values.push(q.key);
    where.push(`row_key = $${values.length}`);
  }
  values.push(q.limit + 1);
  const { rows } = await pool.query<{ id: string; batch_id: string; table_name: string; row_key: string; action: ExchangeLogEntry['action']; by: ExchangeLogEntry['by']; reason: string | null; at: Date }>(
    `SELECT id, batch_id, table_name, row_key, action, by, reason, at FROM spgl_exchange_log WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT $${values.length}`,
    values,
  );
  const shown = rows.slice(0, q.limit);
  const last = shown[shown.length - 1];
  return {
    items: shown.map((r) => ({ id: Number(r.id), batchId: r.batch_id, table: r.table_name, key: r.row_key, action: r.action, by: r.by, reason: r.reason, at: r.at.toISOString() })),
    next: rows.length > q.limit && last ? encodeCursor([Number(last.id)]) : null,
  };
}
