import { performance } from 'node:perf_hooks';
import { loadCatalogue, snapshotFor } from '../catalogue/loader';
import { allMatters } from '../catalogue/snapshot';
import { Application } from '../domain/application/core';
import { commands, type CommandInput, type CommandName } from '../domain/application/commands';
import { projectionBatch, type ProjectionBatch } from '../domain/projection';
import { DAY_MS } from '../domain/time';
import type { Actor } from '../domain/types';
import { migrate } from '../readmodel/db/migrate';
import { spglSyncRound } from '../readmodel/spgl/background';
import { changesSince, syncApplication } from '../readmodel/spgl/store';
import { writeProjection } from '../readmodel/writer';
import { benchDatabase } from './bench-db';
import { mergeBenchSummary } from './bench-summary';
import { progressBar } from './progress';
import { median, percentile } from './stats';

/**
 * `npm run bench:spgl` (after `npm run build`): the SPGL export over APPLICATIONS applications
 * (default 500), each a completed government-investment application with a supplement and an
 * expert review (≈ 140 SPGL rows), written to a fresh database through the projection writer. It
 * measures the first export of every application (one `syncApplication` each), the background
 * round when nothing moved and when one application moved, and the platform's pull of 500 rows
 * (first page and deep in the table), RUNS times each (default 50).
 */

const APPLICATIONS = Number(process.env.APPLICATIONS ?? 500);
const RUNS = Number(process.env.RUNS ?? 50);
const REGION = '430181';
const catalogue = loadCatalogue();
const applicant: Actor = { id: 'ent-bench', role: 'applicant' };
const officer = (department: string): Actor => ({ id: `officer-${department.toLowerCase()}`, role: 'officer', department });

/** One completed application driven through the engine in memory: its complete read-model batch. */
function completedApplication(applicationId: string): ProjectionBatch {
  const snapshot = snapshotFor(catalogue, 'GOV_INVESTMENT')!;
  const materials = [...new Set(allMatters(snapshot).flatMap((m) => m.materials.map((x) => x.code)))];
  let now = Date.parse('2026-03-02T09:00:00+08:00');
  const app = new Application({ applicationId, projectName: 'SPGL 基准项目', applicant: { id: applicant.id, name: '基准测试企业' }, snapshot, materials }, now);
  app.advance(now);
  const act = <N extends CommandName>(name: N, input: CommandInput<N>) => {
    const command = commands[name] as unknown as { check(a: Application, i: unknown, n: number): void; apply(a: Application, i: unknown, n: number): void };
    command.check(app, input, now);
    command.apply(app, input, now);
    app.advance(now);
  };
  const running = () => Object.values(app.state.matters).filter((m) => m.status === 'inProgress');
  const ly07 = officer(snapshot.stages[0]!.matters.find((m) => m.code === 'LY07')!.department);
  act('requestSupplement', { actor: ly07, matter: 'LY07', items: ['M_EIA_DOCUMENT'], reason: '环评报告书缺少章节' });
  now += 7 * DAY_MS;
  act('supplyMaterials', { actor: applicant, items: ['M_EIA_DOCUMENT'] });
  act('startSpecialProcedure', { actor: ly07, matter: 'LY07', kind: 'expertReview', expectedWorkingDays: 10, reason: '组织专家技术评审' });
  now += 10 * DAY_MS;
  act('endSpecialProcedure', { actor: ly07, matter: 'LY07', reason: '专家评审通过' });
  for (let round = 0; round < 60 && app.state.status === 'running'; round++) {
    now += DAY_MS;
    app.advance(now);
    for (const m of running()) act('approve', { actor: officer(m.department), matter: m.code, result: { number: `浏审〔2026〕${m.code}号` }, reason: '' });
  }
  if (app.state.status !== 'completed') throw new Error(`the bench application did not complete: ${app.state.status}`);
  return projectionBatch(app, now, 0);
}

async function timed<T>(run: () => Promise<T>): Promise<[number, T]> {
  const t = performance.now();
  const value = await run();
  return [performance.now() - t, value];
}

async function main() {
  const seed = completedApplication('app-bench-spgl-0');
  const text = JSON.stringify(seed);
  const db = await benchDatabase();
  const { pool } = db;
  try {
    await migrate(pool);
    const ids = Array.from({ length: APPLICATIONS }, (_, i) => `app-bench-spgl-${i}`);
    const seedBar = progressBar('{bar} {value}/{total} applications written', { clear: true });
    seedBar.start(APPLICATIONS);
    for (const id of ids) {
      await writeProjection(pool, JSON.parse(text.replaceAll('app-bench-spgl-0', id)) as ProjectionBatch);
      seedBar.increment();
    }
    seedBar.stop();

    // The first export of each application, one at a time, as a background round does it.
    const first: number[] = [];
    let rows = 0;
    const bar = progressBar('{bar} {value}/{total} applications exported', { clear: true });
    bar.start(APPLICATIONS);
    const t0 = performance.now();
    for (const id of ids) {
      const [ms, result] = await timed(() => syncApplication(pool, id, { regionCode: REGION }));
      first.push(ms);
      rows += result!.sent + result!.refused;
      bar.increment();
    }
    const firstSeconds = (performance.now() - t0) / 1000;
    bar.stop();
    first.sort((a, b) => a - b);
    const perApplication = rows / APPLICATIONS;

    const idle: number[] = [];
    const oneMoved: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      idle.push((await timed(() => spglSyncRound(pool, { regionCode: REGION })))[0]);
      await pool.query('UPDATE applications SET seq = seq + 1 WHERE application_id = $1', [ids[i % ids.length]]);
      oneMoved.push((await timed(() => spglSyncRound(pool, { regionCode: REGION })))[0]);
    }

    const scope = { kind: 'all' } as const;
    const firstPage = await changesSince(pool, 'XMSPSXBLXXXXB', { limit: 500 }, scope);
    let deepCursor = firstPage.next!;
    for (let i = 0; i < 20 && deepCursor; i++) deepCursor = (await changesSince(pool, 'XMSPSXBLXXXXB', { limit: 500, after: deepCursor }, scope)).next ?? deepCursor;
    const pullFirst: number[] = [];
    const pullDeep: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      pullFirst.push((await timed(() => changesSince(pool, 'XMSPSXBLXXXXB', { limit: 500 }, scope)))[0]);
      pullDeep.push((await timed(() => changesSince(pool, 'XMSPSXBLXXXXB', { limit: 500, after: deepCursor }, scope)))[0]);
    }
    const stored = (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM spgl_rows')).rows[0]!.n;

    const line = (label: string, times: number[]) => console.log(`${label.padEnd(58)} median ${median(times).toFixed(2).padStart(8)} ms   p99 ${percentile([...times].sort((a, b) => a - b), 99).toFixed(2).padStart(8)} ms`);
    console.log(`SPGL export: ${APPLICATIONS} completed applications, ${perApplication.toFixed(0)} rows each (${stored} stored rows with the process version's)`);
    console.log(`first export of all: ${firstSeconds.toFixed(1)} s, ${(rows / firstSeconds).toFixed(0)} rows/s`);
    line('first export of one application', first);
    line(`background round, nothing moved (${RUNS} runs)`, idle);
    line(`background round, one application moved (${RUNS} runs)`, oneMoved);
    line(`pull of 500 handling steps, first page (${RUNS} runs)`, pullFirst);
    line(`pull of 500 handling steps, ~10,000 rows in (${RUNS} runs)`, pullDeep);
    mergeBenchSummary({
      spgl: {
        applications: APPLICATIONS,
        rowsPerApplication: Math.round(perApplication),
        firstExportRowsPerSecond: Math.round(rows / firstSeconds),
        firstExportMedianMs: Number(median(first).toFixed(2)),
        idleRoundMedianMs: Number(median(idle).toFixed(2)),
        oneMovedRoundMedianMs: Number(median(oneMoved).toFixed(2)),
        pull500FirstMedianMs: Number(median(pullFirst).toFixed(2)),
        pull500DeepMedianMs: Number(median(pullDeep).toFixed(2)),
      },
    });
  } finally {
    await db.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
