import type { Pool } from 'pg';
import type { ContractState } from '../domain/types';
import { sqlLiterals } from './queries';

const TERMINATED = sqlLiterals(['terminated'] satisfies ContractState['status'][]);
const ACCEPTED = sqlLiterals(['accepted'] satisfies ContractState['status'][]);

/** One provider's record for one service type (中介服务评价): what supervision and applicants choose by. */
export interface ProviderStats {
  provider: string;
  serviceType: string;
  /** Contracts signed, replaced ones included. */
  contracts: number;
  /** Contracts whose first delivery is known; onTime of them came by the committed date. */
  delivered: number;
  onTime: number;
  /** onTime ÷ delivered; null before any delivery. */
  onTimeRate: number | null;
  /** Contracts closed as terminated (the applicant replaced a late provider). */
  terminated: number;
  /** Mean calendar days from contract to acceptance, over accepted contracts. */
  avgCalendarDays: number | null;
  /** Mean committed days over the same contracts, in `dayKind` units. */
  avgCommittedDays: number | null;
  dayKind: string | null;
  /** Deliverables returned for rework (退回修改). */
  reworks: number;
}

/** Provider statistics from the read model's services rows, optionally for contracts signed in [from, to] (Asia/Shanghai dates). */
export async function providerStats(pool: Pool, q: { from?: string; to?: string; provider?: string } = {}): Promise<ProviderStats[]> {
  const values: unknown[] = [];
  const where = ['provider_code IS NOT NULL'];
  if (q.from) {
    values.push(q.from);
    where.push(`contracted_at >= ($${values.length}::date::timestamp AT TIME ZONE 'Asia/Shanghai')`);
  }
  if (q.to) {
    values.push(q.to);
    where.push(`contracted_at < (($${values.length}::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')`);
  }
  if (q.provider) {
    values.push(q.provider);
    where.push(`provider_code = $${values.length}`);
  }
  const { rows } = await pool.query(
    `SELECT provider_code, service_type,
       count(*)::int AS contracts,
       count(*) FILTER (WHERE on_time IS NOT NULL)::int AS delivered,
       count(*) FILTER (WHERE on_time)::int AS on_time,
       count(*) FILTER (WHERE status = ${TERMINATED})::int AS terminated,
       avg(calendar_days) FILTER (WHERE status = ${ACCEPTED})::float8 AS avg_days,
       avg(committed_days) FILTER (WHERE status = ${ACCEPTED})::float8 AS avg_committed,
       min(day_kind) AS day_kind,
       coalesce(sum(rework_count), 0)::int AS reworks
     FROM services WHERE ${where.join(' AND ')}
     GROUP BY provider_code, service_type
     ORDER BY provider_code, service_type`,
    values,
  );
  return rows.map((r) => ({
    provider: r.provider_code,
    serviceType: r.service_type,
    contracts: r.contracts,
    delivered: r.delivered,
    onTime: r.on_time,
    onTimeRate: r.delivered ? r.on_time / r.delivered : null,
    terminated: r.terminated,
    avgCalendarDays: r.avg_days,
    avgCommittedDays: r.avg_committed,
    dayKind: r.day_kind,
    reworks: r.reworks,
  }));
}
