import { createPool } from '../readmodel/db/pool';
import { migrate } from '../readmodel/db/migrate';

/** `npm run migrate`: brings the read-model database at DATABASE_URL up to date. */
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL is not set (scripts/postgres.sh prints one for a local server)');
    process.exit(2);
  }
  const pool = createPool(url, { max: 1, applicationName: 'approvals-migrate' });
  try {
    const { applied } = await migrate(pool);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'schema up to date');
  } finally {
    await pool.end();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
