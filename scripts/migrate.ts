import { createPool } from '../readmodel/db/pool';
import { migrate } from '../readmodel/db/migrate';
import { count, progressBar, seconds } from './progress';

/**
 * `npm run migrate`: brings the read-model database at DATABASE_URL up to date, with a bar on a
 * terminal and one summary line: `migrate: 2 migrations applied (005, 006), 4 already applied, 0.3 s`.
 */
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL is not set (scripts/postgres.sh prints one for a local server)');
    process.exit(2);
  }
  const started = Date.now();
  const pool = createPool(url, { max: 1, applicationName: 'approvals-migrate' });
  const bar = progressBar('migrate {bar} {value}/{total} migrations | {name}');
  let already = 0;
  try {
    const { applied } = await migrate(pool, {
      onProgress: (p) => {
        if (p.name === null) return bar.start(p.total, { name: 'checked the applied ones' });
        if (p.outcome === 'alreadyApplied') already++;
        bar.update(p.done, { name: `${p.name} ${p.outcome === 'applied' ? 'applied' : 'already applied'}` });
      },
    });
    bar.stop();
    const numbers = applied.map((name) => name.slice(0, 3));
    console.log(`migrate: ${count(applied.length, 'migration')} applied${numbers.length ? ` (${numbers.join(', ')})` : ''}, ${already} already applied, ${seconds(started)}`);
  } finally {
    bar.stop();
    await pool.end();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
