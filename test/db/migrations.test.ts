import { appendFile, cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultMigrationsDir, loadMigrations, migrate, MigrationChecksumError } from '../../readmodel/db/migrate';
import { createPool } from '../../readmodel/db/pool';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres';

const databases: TestDatabase[] = [];
async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  databases.push(db);
  return db;
}

afterAll(async () => {
  for (const db of databases) await db.drop();
});

/** A fresh database migrated from a temporary copy of the migrations, for a test that edits or adds files; the copy is removed afterwards. */
async function withMigratedCopy(work: (db: TestDatabase, dir: string) => Promise<void>): Promise<void> {
  const db = await database();
  const dir = await mkdtemp(join(tmpdir(), 'migrations-'));
  try {
    await cp(defaultMigrationsDir(), dir, { recursive: true });
    await migrate(db.pool, { dir });
    await work(db, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('migrations', () => {
  it('applies every migration once, in order, and records its checksum', async () => {
    const db = await database();
    const files = loadMigrations();
    expect(files.map((m) => m.name)).toEqual(['001_read_model.sql', '002_webhooks.sql', '003_webhook_scope.sql', '004_projection_refusals.sql', '005_application_state.sql', '006_reform.sql', '007_attribution.sql', '008_provisional_calendars.sql', '009_spgl.sql']);

    expect(await migrate(db.pool)).toEqual({ applied: ['001_read_model.sql', '002_webhooks.sql', '003_webhook_scope.sql', '004_projection_refusals.sql', '005_application_state.sql', '006_reform.sql', '007_attribution.sql', '008_provisional_calendars.sql', '009_spgl.sql'] });
    const { rows } = await db.pool.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations ORDER BY name');
    expect(rows).toEqual(files.map((m) => ({ name: m.name, checksum: m.checksum })));

    expect(await migrate(db.pool)).toEqual({ applied: [] });
    const tables = await db.pool.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(tables.rows.map((r) => r.table_name)).toEqual([
      'applications',
      'attribution_segments',
      'credit_records',
      'delegations',
      'events',
      'matters',
      'moved_deadlines',
      'process_snapshots',
      'projection_refusals',
      'schema_migrations',
      'services',
      'spgl_exchange_log',
      'spgl_rows',
      'spgl_synced',
      'tasks',
      'webhook_deliveries',
      'webhook_outbox',
      'webhook_subscriptions',
    ]);
  });

  it('refuses to go on when an applied migration file was edited, naming the file', () =>
    withMigratedCopy(async (db, dir) => {
      await appendFile(join(dir, '001_read_model.sql'), '\n-- edited in place\n');

      const attempt = migrate(db.pool, { dir });
      await expect(attempt).rejects.toBeInstanceOf(MigrationChecksumError);
      await expect(migrate(db.pool, { dir })).rejects.toThrow(/001_read_model\.sql/);
    }));

  it('applies a new migration added after the others without touching them', () =>
    withMigratedCopy(async (db, dir) => {
      await appendFile(join(dir, '900_extra.sql'), 'CREATE TABLE extra (id int);\n');
      expect(await migrate(db.pool, { dir })).toEqual({ applied: ['900_extra.sql'] });
    }));

  it('lets two processes migrate at once and applies each migration exactly once', async () => {
    const db = await database();
    // A second pool on the same database: another process, as far as PostgreSQL can tell.
    const other = createPool(db.url, { max: 2 });
    try {
      const [a, b] = await Promise.all([migrate(db.pool), migrate(other)]);
      expect([...a.applied, ...b.applied].sort()).toEqual(['001_read_model.sql', '002_webhooks.sql', '003_webhook_scope.sql', '004_projection_refusals.sql', '005_application_state.sql', '006_reform.sql', '007_attribution.sql', '008_provisional_calendars.sql', '009_spgl.sql']);
      const { rows } = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM schema_migrations');
      expect(rows[0]!.n).toBe(9);
    } finally {
      await other.end();
    }
  });
});

