import { Client, Connection } from '@temporalio/client';
import { createPool } from '../readmodel/db/pool';
import { migrate } from '../readmodel/db/migrate';
import { rebuildProjection } from '../readmodel/rebuild';
import { loadConfig } from '../config/environment';

/**
 * `npm run rebuild-projection [-- --force] [--refused] [application ids…]`: rewrites the read model
 * of the given applications, of those with a refused batch, or of all of them, from their workflows.
 */
async function main() {
  const config = loadConfig();
  const args = process.argv.slice(2);
  const force = args.includes('--force');
  const refused = args.includes('--refused');
  const ids = args.filter((a) => a !== '--force' && a !== '--refused');
  const pool = createPool(config.DATABASE_URL, { applicationName: 'approvals-rebuild' });
  const connection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    await migrate(pool);
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    const r = await rebuildProjection(client, pool, { ids: ids.length ? ids : undefined, force, refused });
    console.log(`rebuilt ${r.rebuilt}, unchanged ${r.unchanged}, failed ${r.failed.length}`);
    for (const f of r.failed) console.error(`  ${f.id}: ${f.error}`);
    if (r.failed.length) process.exitCode = 1;
  } finally {
    await connection.close();
    await pool.end();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
