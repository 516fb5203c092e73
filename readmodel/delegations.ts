import type { Pool } from 'pg';
import { toShanghaiIso } from '../domain/time';

/**
 * Out-of-office delegations (代岗): an officer names a colleague of the same department to act on
 * the officer's assigned matters for a span of dates (Asia/Shanghai, both inclusive). The API
 * sets the actor's `delegateFor` from these, and "my" inbox lists the delegating officer's
 * matters too. A delegation is revoked, never deleted: its row is the audit of who could act.
 */

export interface Delegation {
  id: string;
  officer: string;
  delegate: string;
  department: string;
  /** First and last day (YYYY-MM-DD, inclusive). */
  from: string;
  until: string;
  reason: string;
  createdAt: string;
  revokedAt: string | null;
}

interface DelegationDbRow {
  id: string;
  officer: string;
  delegate: string;
  department: string;
  from_on: string;
  until_on: string;
  reason: string;
  created_at: Date;
  revoked_at: Date | null;
}

const COLUMNS = 'id::text AS id, officer, delegate, department, from_on::text AS from_on, until_on::text AS until_on, reason, created_at, revoked_at';

function delegationOf(r: DelegationDbRow): Delegation {
  return {
    id: r.id,
    officer: r.officer,
    delegate: r.delegate,
    department: r.department,
    from: r.from_on,
    until: r.until_on,
    reason: r.reason,
    createdAt: toShanghaiIso(r.created_at.getTime()),
    revokedAt: r.revoked_at ? toShanghaiIso(r.revoked_at.getTime()) : null,
  };
}

/** Whether `delegate` may act for `officer` on `on` (YYYY-MM-DD): an unrevoked delegation covering that day. */
export async function isDelegateFor(pool: Pool, delegate: string, officer: string, on: string): Promise<boolean> {
  const { rows } = await pool.query<{ found: boolean }>(
    `SELECT EXISTS (
       SELECT 1 FROM delegations
       WHERE delegate = $1 AND officer = $2 AND revoked_at IS NULL AND from_on <= $3::date AND until_on >= $3::date
     ) AS found`,
    [delegate, officer, on],
  );
  return rows[0]?.found ?? false;
}

/** The officers whose unrevoked delegation names `delegate` on `on`: whose matters `delegate` may act on that day. */
export async function delegatingTo(pool: Pool, delegate: string, on: string): Promise<string[]> {
  const { rows } = await pool.query<{ officer: string }>(
    `SELECT DISTINCT officer FROM delegations
     WHERE delegate = $1 AND revoked_at IS NULL AND from_on <= $2::date AND until_on >= $2::date
     ORDER BY officer`,
    [delegate, on],
  );
  return rows.map((r) => r.officer);
}

export interface NewDelegation {
  officer: string;
  delegate: string;
  department: string;
  from: string;
  until: string;
  reason?: string;
  /** When it is given (epoch ms): the API's clock; now by default. */
  at?: number;
}

/** Records a delegation (the caller checked that both are officers of `department` and from ≤ until). */
export async function createDelegation(pool: Pool, d: NewDelegation): Promise<Delegation> {
  const { rows } = await pool.query<DelegationDbRow>(
    `INSERT INTO delegations (officer, delegate, department, from_on, until_on, reason, created_at)
     VALUES ($1, $2, $3, $4::date, $5::date, $6, COALESCE($7::timestamptz, now()))
     RETURNING ${COLUMNS}`,
    [d.officer, d.delegate, d.department, d.from, d.until, d.reason ?? '', d.at === undefined ? null : new Date(d.at).toISOString()],
  );
  return delegationOf(rows[0]!);
}

/** At most this many of each list, newest first. */
export const DELEGATIONS_LISTED = 100;

/** The delegations an officer gave and received, revoked ones included, newest first. */
export async function delegationsOf(pool: Pool, officer: string): Promise<{ given: Delegation[]; received: Delegation[] }> {
  const [given, received] = await Promise.all([
    pool.query<DelegationDbRow>(`SELECT ${COLUMNS} FROM delegations WHERE officer = $1 ORDER BY created_at DESC, id DESC LIMIT ${DELEGATIONS_LISTED}`, [officer]),
    pool.query<DelegationDbRow>(`SELECT ${COLUMNS} FROM delegations WHERE delegate = $1 ORDER BY created_at DESC, id DESC LIMIT ${DELEGATIONS_LISTED}`, [officer]),
  ]);
  return { given: given.rows.map(delegationOf), received: received.rows.map(delegationOf) };
}

/**
 * Revokes the officer's own delegation at `at` (epoch ms; now by default): 'revoked' (now or
 * before: a repeat is harmless and keeps the first instant), 'notFound' (no such id), or 'notOwn'
 * (another officer's).
 */
export async function revokeDelegation(pool: Pool, officer: string, id: string, at?: number): Promise<'revoked' | 'notFound' | 'notOwn'> {
  if (!/^\d{1,18}$/.test(id)) return 'notFound';
  const { rows } = await pool.query<{ officer: string }>(
    `UPDATE delegations SET revoked_at = COALESCE(revoked_at, $3::timestamptz, now()) WHERE id = $1::bigint AND officer = $2
     RETURNING officer`,
    [id, officer, at === undefined ? null : new Date(at).toISOString()],
  );
  if (rows.length) return 'revoked';
  const exists = await pool.query('SELECT 1 FROM delegations WHERE id = $1::bigint', [id]);
  return exists.rowCount ? 'notOwn' : 'notFound';
}
