import { loadConfig } from '../config/environment';
import { createPool } from '../readmodel/db/pool';
import { migrate } from '../readmodel/db/migrate';
import { writeSpglFiles } from '../readmodel/spgl/files';

/**
 * `npm run spgl-export -- --out DIR [--since ISO]`: exports the applications whose read model moved,
 * then writes each SPGL table's offered rows (changed after `since`, all without it) to DIR as
 * `SPGL_<table>.jsonl` and `SPGL_<table>.csv`, and prints the rows per table.
 */
async function main() {
  const args = process.argv.slice(2);
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const out = value('--out');
  const since = value('--since');
  if (!out) throw new Error('usage: npm run spgl-export -- --out DIR [--since 2026-03-01T00:00:00+08:00]');
  if (since !== undefined && Number.isNaN(Date.parse(since))) throw new Error(`--since ${since} is not an ISO-8601 instant`);
  const config = loadConfig();
  const pool = createPool(config.DATABASE_URL, { applicationName: 'approvals-spgl-export' });
  try {
    await migrate(pool);
    const written = await writeSpglFiles(pool, out, { since: since === undefined ? undefined : Date.parse(since), regionCode: config.SPGL_REGION_CODE });
    for (const [table, n] of Object.entries(written)) console.log(`SPGL_${table}: ${n} rows`);
  } finally {
    await pool.end();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
