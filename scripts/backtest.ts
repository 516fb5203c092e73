import { loadCatalogue } from '../catalogue/loader';
import { buildCalendar } from '../domain/calendar';
import { createPool } from '../readmodel/db/pool';
import { completedCount, runBacktest } from '../readmodel/history-stats';
import { count, progressBar, seconds } from './progress';

/**
 * `npm run backtest [-- --from YYYY-MM-DD]`: the prediction's error over the completed applications
 * of the read model at DATABASE_URL (`npm run simulate` writes a population there). Each is replayed
 * to 25 %, 50 % and 75 % of its elapsed time and predicted from the other applications' history
 * decided before then; the table gives the median absolute error of the p50 date in calendar days,
 * how many ended by the p80 date, and the same error for the limits alone (every step its full limit).
 */
async function main(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) {
    console.error('DATABASE_URL is not set (scripts/postgres.sh prints one for a local server)');
    process.exit(2);
  }
  const i = process.argv.indexOf('--from');
  const from = i >= 0 ? process.argv[i + 1] : undefined;
  if (from !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(from)) {
    console.error('--from: a date YYYY-MM-DD');
    process.exit(2);
  }
  const started = Date.now();
  const pool = createPool(url, { max: 2, applicationName: 'approvals-backtest' });
  const bar = progressBar('backtest {bar} {value}/{total} applications');
  try {
    const cal = buildCalendar(loadCatalogue().calendars);
    bar.start(await completedCount(pool, from));
    const { rows, summary } = await runBacktest(pool, cal, { ...(from ? { from } : {}), onApplication: () => bar.increment() });
    bar.stop();
    const apps = new Set(rows.map((r) => r.applicationId)).size;
    const fmt = (n: number | null, digits = 1) => (n === null ? '—' : n.toFixed(digits));
    console.log(`backtest: ${count(apps, 'completed application')}${from ? ` started from ${from}` : ''}, ${seconds(started)}`);
    console.log('progress | applications | median |error| p50, days | ended by p80 | limits only: median |error|, days');
    for (const s of summary) {
      console.log(
        `${`${Math.round(s.share * 100)} %`.padStart(8)} | ${String(s.applications).padStart(12)} | ${fmt(s.medianAbsErrorDays).padStart(25)} | ${(s.p80Coverage === null ? '—' : `${Math.round(s.p80Coverage * 100)} %`).padStart(12)} | ${fmt(s.limitsMedianAbsErrorDays).padStart(33)}`,
      );
    }
  } finally {
    bar.stop();
    await pool.end();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
