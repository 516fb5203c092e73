import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Client, type Pool } from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { migrate } from '../../readmodel/db/migrate';
import { createPool } from '../../readmodel/db/pool';
import { createProjectionActivities, type ProjectionActivities } from '../../worker/activities';

/**
 * A real PostgreSQL for read-model tests. With DATABASE_URL set (CI, a developer's server) its
 * server is used; otherwise a throwaway server is started with scripts/postgres.sh in a temp
 * dir on a free port, once per test file (vitest runs each file in its own process), and
 * stopped when the file's last database is dropped. Each `createTestDatabase` is a new
 * database with a random name, dropped afterwards, so tests never see each other's rows.
 */

const run = promisify(execFile);
const ROOT = resolve(__dirname, '..', '..');

interface Server {
  url: string;
  stop(): Promise<void>;
}

let server: Promise<Server> | null = null;
let openDatabases = 0;

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolvePort(port));
    });
  });
}

async function startThrowawayServer(): Promise<Server> {
  const dir = await mkdtemp(join(tmpdir(), 'approvals-pg-'));
  // The server runs as the postgres user, which must be able to reach the data dir inside.
  await chmod(dir, 0o755);
  const dataDir = join(dir, 'pg');
  const port = await freePort();
  const { stdout } = await run('bash', [join(ROOT, 'scripts', 'postgres.sh'), dataDir], {
    env: { ...process.env, PGPORT: String(port) },
  });
  const url = stdout.trim().split('\n').at(-1)!;
  // If the file dies before dropping its databases, the server must not outlive the test process.
  const stopOnExit = () => {
    try {
      execFileSync('bash', [join(ROOT, 'scripts', 'postgres.sh'), 'stop', dataDir], { stdio: 'ignore' });
    } catch {
      // Best effort: the process is exiting anyway.
    }
  };
  process.once('exit', stopOnExit);
  // Durability is pointless for a server that is deleted after the file; skipping fsync makes the suite faster.
  await withClient(url, async (c) => {
    await c.query('ALTER SYSTEM SET fsync = off');
    await c.query('ALTER SYSTEM SET synchronous_commit = off');
    await c.query('SELECT pg_reload_conf()');
  });
  return {
    url,
    async stop() {
      process.removeListener('exit', stopOnExit);
      await run('bash', [join(ROOT, 'scripts', 'postgres.sh'), 'stop', dataDir]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function serverOnce(): Promise<Server> {
  if (!server) {
    const external = process.env.DATABASE_URL;
    server = external ? Promise.resolve({ url: external, stop: async () => undefined }) : startThrowawayServer();
  }
  return server;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function withClient<T>(url: string, work: (c: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  url: string;
  pool: Pool;
  /** Closes the pool, drops the database, and stops a throwaway server after its last database. */
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const { url: serverUrl, stop } = await serverOnce();
  const name = `test_${randomBytes(6).toString('hex')}`;
  await withClient(serverUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  openDatabases += 1;
  const url = withDatabase(serverUrl, name);
  const pool = createPool(url, { max: 10, applicationName: 'approvals-test' });
  return {
    url,
    pool,
    async drop() {
      await pool.end();
      await withClient(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      openDatabases -= 1;
      if (openDatabases === 0) {
        server = null;
        await stop();
      }
    },
  };
}

/**
 * For one test file: a fresh migrated database and the projection writer on it, created before
 * the file's tests and dropped after them.
 */
export function writerDatabase(): { readonly db: TestDatabase; readonly project: ProjectionActivities['projectApplication'] } {
  let db: TestDatabase | undefined;
  let project: ProjectionActivities['projectApplication'] | undefined;
  beforeAll(async () => {
    db = await createTestDatabase();
    await migrate(db.pool);
    project = createProjectionActivities(db.pool).projectApplication;
  });
  afterAll(async () => {
    await db?.drop();
  });
  return {
    get db() {
      if (!db) throw new Error('the database is not ready');
      return db;
    },
    get project() {
      if (!project) throw new Error('the database is not ready');
      return project;
    },
  };
}
