import { Pool } from 'pg';

export interface PoolOptions {
  /** Connections per process; PostgreSQL's default limit is 100 for all workers and API processes together. */
  max?: number;
  /** Any statement running longer is cancelled by the server, so a bad query cannot hold a connection forever. */
  statementTimeoutMs?: number;
  /** Shown in pg_stat_activity. */
  applicationName?: string;
}

/**
 * The pool every read-model module shares in one process. Transactions here are short (one
 * projection, one claim of webhook rows), so a small pool serves a worker or an API process;
 * a statement timeout and an idle-in-transaction timeout keep a stuck client from holding
 * locks or connections.
 */
export function createPool(databaseUrl: string, options: PoolOptions = {}): Pool {
  const pool = new Pool({
    connectionString: databaseUrl,
    max: options.max ?? 10,
    idleTimeoutMillis: 30_000,
    connectionTimeoutMillis: 10_000,
    statement_timeout: options.statementTimeoutMs ?? 10_000,
    idle_in_transaction_session_timeout: 30_000,
    application_name: options.applicationName ?? 'approvals',
  });
  // An idle client losing its connection (server restart) must not crash the process; the pool
  // drops it and the next query opens a new one.
  pool.on('error', (err) => {
    console.error(`read model: idle PostgreSQL client failed: ${err.message}`);
  });
  return pool;
}
