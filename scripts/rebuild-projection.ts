import { Client, Connection } from '@temporalio/client';
import { createPool } from '../readmodel/db/pool';
import { migrate } from '../readmodel/db/migrate';
import { rebuildProjection } from '../readmodel/rebuild';
import { loadConfig } from '../config/environment';
import { count, progressBar, seconds } from './progress';

/**
 * `npm run rebuild-projection [-- --force] [--refused] [application ids…]`: rewrites the read model
 * of the given applications, of those with a refused batch, or of all of them, from their workflows;
 * with a bar on a terminal and one summary line:
 * `rebuild-projection: 412 applications rewritten, 3 unchanged, 0 failed in 12.4 s`.
 */
async function main() {
  const started = Date.now();
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
    const bar = progressBar('rebuild-projection {bar} {value}/{total} applications | {id}');
    let failed = 0;
    const r = await rebuildProjection(client, pool, {
      ids: ids.length ? ids : undefined,
      force,
      refused,
      onProgress: (p) => {
        if (p.id === null) return bar.start(p.total, { id: '' });
        if (p.outcome === 'failed') failed++;
        bar.update(p.done, { id: failed ? `${p.id} (${failed} failed)` : p.id });
      },
    }).finally(() => bar.stop());
    console.log(`rebuild-projection: ${count(r.rebuilt, 'application')} rewritten, ${r.unchanged} unchanged, ${r.failed.length} failed in ${seconds(started)}`);
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
