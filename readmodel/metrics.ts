import type { Pool } from 'pg';
import { OPEN_SQL } from './queries';

/** What the read model says about the county's state, for the API's gauges (docs/operations.md). */
export interface ReadModelFigures {
  /** Open matters (still being worked on) by clock level and department. */
  openMatters: { level: string; department: string; count: number }[];
  /** Webhook deliveries neither delivered nor given up. */
  outboxDepth: number;
  /** Age of the oldest of those, in seconds; 0 when there is none. */
  outboxOldestPendingSeconds: number;
  /** Batches PostgreSQL refused (projection_refusals), repaired or not. */
  projectionRefusals: number;
}

/**
 * One round trip of aggregate SQL over the partial indexes the lists use already: cheap enough
 * for a scrape every few seconds, and the API caches it besides.
 */
export async function readModelFigures(pool: Pool): Promise<ReadModelFigures> {
  const [matters, outbox, refusals] = await Promise.all([
    pool.query<{ level: string; department: string; count: number }>(
      `SELECT m.level, m.department, count(*)::int AS count FROM matters m WHERE ${OPEN_SQL} GROUP BY m.level, m.department`,
    ),
    pool.query<{ depth: number; oldest: number | null }>(
      `SELECT count(*)::int AS depth, EXTRACT(EPOCH FROM now() - min(created_at))::float8 AS oldest
         FROM webhook_outbox WHERE delivered_at IS NULL AND dead_at IS NULL`,
    ),
    pool.query<{ count: number }>('SELECT count(*)::int AS count FROM projection_refusals'),
  ]);
  return {
    openMatters: matters.rows,
    outboxDepth: outbox.rows[0]?.depth ?? 0,
    outboxOldestPendingSeconds: Math.max(0, outbox.rows[0]?.oldest ?? 0),
    projectionRefusals: refusals.rows[0]?.count ?? 0,
  };
}
