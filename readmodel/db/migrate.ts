import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool, PoolClient } from 'pg';

/**
 * Schema migrations: numbered SQL files in `readmodel/db/migrations`, applied in order, each in
 * its own transaction, recorded in `schema_migrations` with a checksum. An applied file is never
 * edited: a changed checksum stops every later migration, so two databases cannot silently end
 * up with different schemas under the same name. A change is a new file.
 */

export interface Migration {
  name: string;
  sql: string;
  checksum: string;
}

/** An applied migration's file no longer matches what was applied. */
export class MigrationChecksumError extends Error {
  override readonly name = 'MigrationChecksumError';
  constructor(
    readonly file: string,
    readonly appliedChecksum: string,
    readonly currentChecksum: string,
  ) {
    super(
      `migration ${file} was changed after it was applied (applied checksum ${appliedChecksum.slice(0, 12)}…, ` +
        `file now ${currentChecksum.slice(0, 12)}…); add a new migration instead of editing an applied one`,
    );
  }
}

/** A file in the migrations folder that does not follow the `NNN_name.sql` scheme, or a repeated number. */
export class MigrationNameError extends Error {
  override readonly name = 'MigrationNameError';
  constructor(
    readonly file: string,
    reason: string,
  ) {
    super(`migration ${file}: ${reason}`);
  }
}

const NAME_RE = /^(\d{3})_[a-z0-9_]+\.sql$/;

// One lock for every process migrating this database; held until each transaction ends.
const MIGRATION_LOCK_KEY = 7_216_202_601;

/**
 * The folder of the .sql files. `tsc` does not copy them into dist/, so compiled code
 * (dist/readmodel/db) reads them from the source tree it was built from.
 */
export function defaultMigrationsDir(): string {
  const beside = join(__dirname, 'migrations');
  if (existsSync(beside)) return beside;
  return join(__dirname, '..', '..', '..', 'readmodel', 'db', 'migrations');
}

export function checksumOf(sql: string): string {
  return createHash('sha256').update(sql, 'utf8').digest('hex');
}

/** The migrations of a folder, in order of their number. */
export function loadMigrations(dir: string = defaultMigrationsDir()): Migration[] {
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();
  const numbers = new Set<string>();
  return files.map((file) => {
    const m = NAME_RE.exec(file);
    if (!m) throw new MigrationNameError(file, 'name must be NNN_lowercase_words.sql');
    if (numbers.has(m[1]!)) throw new MigrationNameError(file, `number ${m[1]} is used twice`);
    numbers.add(m[1]!);
    const sql = readFileSync(join(dir, file), 'utf8');
    return { name: file, sql, checksum: checksumOf(sql) };
  });
}

/**
 * One migration dealt with: applied now, or found applied already (earlier, or by another process
 * meanwhile); or (`name` null, `done` 0) the applied ones checked and the work about to start.
 */
export interface MigrationProgress {
  name: string | null;
  outcome: 'applied' | 'alreadyApplied' | null;
  /** Migrations dealt with so far, this one included, of `total` in the folder. */
  done: number;
  total: number;
}

/**
 * Applies the migrations the database lacks, in order, and returns their names. Checks every
 * applied one first, so a tampered file is refused before anything changes. `onProgress` hears
 * of each migration of the folder, in order, once it is dealt with (for a command's progress bar).
 */
export async function migrate(pool: Pool, options: { dir?: string; onProgress?: (p: MigrationProgress) => void } = {}): Promise<{ applied: string[] }> {
  const migrations = loadMigrations(options.dir);
  const applied: string[] = [];
  const client = await pool.connect();
  try {
    const recorded = await inLockedTransaction(client, async () => {
      await client.query(`
        CREATE TABLE IF NOT EXISTS schema_migrations (
          name        text PRIMARY KEY,
          checksum    text NOT NULL,
          applied_at  timestamptz NOT NULL DEFAULT now()
        )`);
      return appliedChecksums(client);
    });
    verifyApplied(migrations, recorded);
    options.onProgress?.({ name: null, outcome: null, done: 0, total: migrations.length });
    for (const [i, migration] of migrations.entries()) {
      const didApply = !recorded.has(migration.name) && (await inLockedTransaction(client, () => applyOne(client, migration)));
      if (didApply) applied.push(migration.name);
      options.onProgress?.({ name: migration.name, outcome: didApply ? 'applied' : 'alreadyApplied', done: i + 1, total: migrations.length });
    }
  } finally {
    client.release();
  }
  return { applied };
}

/** Every migration recorded in the database must match its file. */
function verifyApplied(migrations: Migration[], recorded: Map<string, string>): void {
  for (const migration of migrations) {
    const checksum = recorded.get(migration.name);
    if (checksum !== undefined && checksum !== migration.checksum) {
      throw new MigrationChecksumError(migration.name, checksum, migration.checksum);
    }
  }
}

/** Applies one migration unless another process did while we waited for the lock. */
async function applyOne(client: PoolClient, migration: Migration): Promise<boolean> {
  const current = await appliedChecksums(client);
  const checksum = current.get(migration.name);
  if (checksum !== undefined) {
    if (checksum !== migration.checksum) throw new MigrationChecksumError(migration.name, checksum, migration.checksum);
    return false;
  }
  // A migration may rewrite a large table; the pool's statement timeout is for queries.
  await client.query('SET LOCAL statement_timeout = 0');
  await client.query(migration.sql);
  await client.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [migration.name, migration.checksum]);
  return true;
}

async function appliedChecksums(client: PoolClient): Promise<Map<string, string>> {
  const { rows } = await client.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations');
  return new Map(rows.map((r) => [r.name, r.checksum]));
}

async function inLockedTransaction<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK_KEY]);
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}
