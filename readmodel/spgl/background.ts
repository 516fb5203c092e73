import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { syncPending, type SyncResult } from './store';

/**
 * The SPGL export off the pull's path: every `intervalMs`, the applications whose read model moved
 * since their last export are exported (`syncPending` over all of them), so a pull finds its rows
 * stored and answers at once. A pull still syncs what moved after the last round, so it is never
 * stale. With several API processes, one runs each round (a session advisory lock, tried, never
 * waited for); the others skip it. A failing round is logged and the next one tries again.
 */

/** Held by the process running a round; not the exchange's own lock (store.ts), which serialises every sync. */
export const ROUND_LOCK = 0x5350474d;

export interface SpglSyncLoop {
  /** Stops scheduling rounds and waits for the one running, if any. */
  stop(): Promise<void>;
  /** Rounds run so far, for tests and metrics: those that exported and those another process held. */
  readonly rounds: { ran: number; skipped: number; failed: number };
}

export interface SpglSyncOptions {
  intervalMs: number;
  regionCode: string;
  logger: Pick<Logger, 'info' | 'warn' | 'debug'>;
  clock?: () => number;
  /** Called after each round that exported something. */
  onRound?: (results: SyncResult[]) => void;
}

/** One round: export what moved, unless another process is at it. Answers null when it skipped. */
export async function spglSyncRound(pool: Pool, options: Omit<SpglSyncOptions, 'intervalMs' | 'logger'>): Promise<SyncResult[] | null> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ got: boolean }>('SELECT pg_try_advisory_lock($1) AS got', [ROUND_LOCK]);
    if (!rows[0]?.got) return null;
    try {
      return await syncPending(pool, { kind: 'all' }, { regionCode: options.regionCode, clock: options.clock });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [ROUND_LOCK]);
    }
  } finally {
    client.release();
  }
}

export function startSpglSync(pool: Pool, options: SpglSyncOptions): SpglSyncLoop {
  const rounds = { ran: 0, skipped: 0, failed: 0 };
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;

  const round = async () => {
    try {
      const results = await spglSyncRound(pool, options);
      if (results === null) {
        rounds.skipped++;
        return;
      }
      rounds.ran++;
      if (results.length === 0) return;
      const sum = (k: 'sent' | 'corrected' | 'refused' | 'resent' | 'withdrawn') => results.reduce((n, r) => n + r[k], 0);
      options.logger.info(
        { applications: results.length, sent: sum('sent'), corrected: sum('corrected'), refused: sum('refused'), resent: sum('resent'), withdrawn: sum('withdrawn') },
        'SPGL rows exported',
      );
      options.onRound?.(results);
    } catch (err) {
      rounds.failed++;
      options.logger.warn({ err }, 'SPGL background export failed; the next round tries again');
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = round().finally(() => {
        running = undefined;
        schedule();
      });
    }, options.intervalMs);
    timer.unref();
  };
  schedule();
  return {
    rounds,
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
