import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Client, type Pool } from 'pg';
import { createPool } from '../readmodel/db/pool';

const ROOT = path.resolve(__dirname, '..', '..');

/** The PostgreSQL server of a benchmark: DATABASE_URL's, else the local one of scripts/postgres.sh. */
function serverUrl(): string {
  if (process.env.DATABASE_URL) return process.env.DATABASE_URL;
  return execFileSync('bash', [path.join(ROOT, 'scripts', 'postgres.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
}

async function admin(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

export interface BenchDatabase {
  url: string;
  pool: Pool;
  /** Drops the database (unless KEEP_BENCH_DB=1). */
  drop(): Promise<void>;
}

/** A fresh database of its own for one benchmark run, so runs never see each other's rows. */
export async function benchDatabase(poolSize = 16): Promise<BenchDatabase> {
  const server = serverUrl();
  const name = `bench_${randomBytes(4).toString('hex')}`;
  const url = new URL(server);
  url.pathname = `/${name}`;
  await admin(server, `CREATE DATABASE ${name}`);
  const pool = createPool(url.toString(), { max: poolSize, applicationName: 'approvals-bench' });
  return {
    url: url.toString(),
    pool,
    async drop() {
      await pool.end();
      if (process.env.KEEP_BENCH_DB === '1') console.log(`kept database ${url}`);
      else await admin(server, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}
