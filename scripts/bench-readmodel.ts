import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import { migrate } from '../readmodel/db/migrate';
import { createProjectionActivities } from '../worker/activities';
import { ALERT_SQL, alerts, alertsQuery, type AlertsQuery, inbox, inboxQuery, type InboxQuery, OPEN_SQL, scorecards, type SqlQuery } from '../readmodel/queries';
import type { EventRow, MatterRow, ProjectionBatch } from '../domain/projection';
import { DAY_MS, toShanghaiIso } from '../domain/time';
import { benchDatabase } from './bench-db';
import { prng } from './prng';
import { progressBar } from './progress';

/**
 * `npm run bench:readmodel` (after `npm run build`): seeds a fresh database with APPLICATIONS
 * applications (default 8,000; ≈ 27 matters each from the published catalogue) through the real
 * projection writer, then measures the inbox and alerts queries over RUNS runs each (default
 * 300) and checks with EXPLAIN that each uses its partial index. The server is DATABASE_URL's,
 * else the local one of scripts/postgres.sh; the database is dropped afterwards unless
 * KEEP_BENCH_DB=1.
 */

// scripts/ when run from source, dist/scripts/ when built.
const ROOT = existsSync(join(__dirname, '..', 'package.json')) ? resolve(__dirname, '..') : resolve(__dirname, '..', '..');
const APPLICATIONS = Number(process.env.APPLICATIONS ?? 8000);
const RUNS = Number(process.env.RUNS ?? 300);
const NOW = Date.parse('2026-03-16T10:00:00+08:00');

const random = prng(20260316);
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
function weighted<T>(choices: [T, number][]): T {
  let r = random() * choices.reduce((s, [, w]) => s + w, 0);
  for (const [value, w] of choices) if ((r -= w) < 0) return value;
  return choices[choices.length - 1]![0];
}

interface CatalogueMatter {
  code: string;
  name: string;
  department: string;
  timeLimitDays: number;
}
interface Process {
  code: string;
  stages: { code: string; matters: string[] }[];
  alongside: string[];
}

/** Matters and processes from definitions/data, read as plain JSON (the bench needs names, departments and limits only). */
function loadCatalogue(): { matters: Map<string, CatalogueMatter>; processes: Process[] } {
  const data = join(ROOT, 'definitions', 'data');
  const codeOf = (m: unknown): string => (typeof m === 'string' ? m : (m as { code: string }).code);
  const raw = JSON.parse(readFileSync(join(data, 'matters.json'), 'utf8')) as { matters: CatalogueMatter[] };
  const matters = new Map(raw.matters.map((m) => [m.code, m]));
  const processes = ['government-investment', 'social-investment-approval'].map((file) => {
    const p = JSON.parse(readFileSync(join(data, 'processes', `${file}.json`), 'utf8')) as {
      code: string;
      stages: { code: string; matters: unknown[] }[];
      alongside?: unknown[];
    };
    return {
      code: p.code,
      stages: p.stages.map((s) => ({ code: s.code, matters: s.matters.map(codeOf).filter((c) => matters.has(c)) })),
      alongside: (p.alongside ?? []).map(codeOf).filter((c) => matters.has(c)),
    };
  });
  return { matters, processes };
}

const OPEN_LEVELS: [string, number][] = [
  ['normal', 74],
  ['warning', 12],
  ['overdue', 8],
  ['departmentHead', 3],
  ['supervisionOffice', 2],
  ['leadership', 1],
];

/** One application at a random point of its run: earlier stages decided, the current one open, later ones pending. */
function seedBatch(n: number, catalogue: ReturnType<typeof loadCatalogue>): ProjectionBatch {
  const id = `BENCH-${String(n).padStart(6, '0')}`;
  const process = pick(catalogue.processes);
  const startedAt = NOW - Math.floor(random() * 365) * DAY_MS - Math.floor(random() * 8) * 3_600_000;
  const completed = random() < 0.3;
  const current = completed ? process.stages.length : Math.floor(random() * process.stages.length);
  const events: EventRow[] = [];
  const event = (at: number, kind: string, matter: string | null, stage: string | null): void => {
    events.push({ applicationId: id, seq: events.length + 1, at: toShanghaiIso(Math.min(at, NOW)), kind, actor: 'bench', matter, stage, reason: null, data: null });
  };
  event(startedAt, 'submitted', null, null);
  const matters: MatterRow[] = [];
  const stageStart = (i: number) => startedAt + i * 20 * DAY_MS;
  const matterOf = (code: string, stage: string | null, stageIndex: number): MatterRow => {
    const def = catalogue.matters.get(code)!;
    const acceptedMs = Math.min(stageStart(stageIndex) + DAY_MS, NOW - DAY_MS);
    const dueMs = acceptedMs + Math.ceil(def.timeLimitDays * 1.4) * DAY_MS;
    const base: MatterRow = {
      applicationId: id,
      code,
      name: def.name,
      stage,
      department: def.department,
      milestone: true,
      status: 'pending',
      level: 'normal',
      receivedAt: null,
      acceptedAt: null,
      dueOn: null,
      dueAt: null,
      timeLimitDays: def.timeLimitDays,
      workingDaysUsed: null,
      decidedAt: null,
      decision: null,
      onTime: null,
      supplementCount: 0,
      specialProcedureCount: 0,
      urgeCount: 0,
      extended: false,
      overdueSince: null,
    };
    const dueFields = { receivedAt: toShanghaiIso(acceptedMs), acceptedAt: toShanghaiIso(acceptedMs), dueOn: toShanghaiIso(dueMs - DAY_MS).slice(0, 10), dueAt: toShanghaiIso(dueMs) };
    if (stageIndex < current) {
      const late = random() < 0.1;
      const used = late ? def.timeLimitDays + 1 + Math.floor(random() * 5) : Math.max(1, Math.floor(random() * (def.timeLimitDays + 1)));
      const decidedMs = Math.min(acceptedMs + Math.ceil(used * 1.4) * DAY_MS, NOW);
      const decision = weighted([['approved', 95], ['rejected', 5]]);
      return {
        ...base,
        ...dueFields,
        status: decision,
        decision,
        level: late ? 'overdue' : 'normal',
        workingDaysUsed: used,
        decidedAt: toShanghaiIso(decidedMs),
        onTime: !late,
        supplementCount: random() < 0.15 ? 1 : 0,
        overdueSince: late ? toShanghaiIso(dueMs) : null,
      };
    }
    if (stageIndex > current) return base;
    const status = weighted([['inProgress', 62], ['suspended', 10], ['intake', 10], ['waitingPrerequisites', 10], ['approved', 8]]);
    if (status === 'approved') {
      const used = Math.max(1, Math.floor(random() * def.timeLimitDays));
      return { ...base, ...dueFields, status, decision: status, workingDaysUsed: used, decidedAt: toShanghaiIso(Math.min(acceptedMs + used * DAY_MS, NOW)), onTime: true };
    }
    if (status === 'intake') return { ...base, status, receivedAt: toShanghaiIso(acceptedMs) };
    if (status === 'waitingPrerequisites') return { ...base, status, receivedAt: toShanghaiIso(acceptedMs), acceptedAt: toShanghaiIso(acceptedMs) };
    const level = weighted(OPEN_LEVELS);
    const overdue = level !== 'normal' && level !== 'warning';
    // An overdue matter's due instant lies in the past; a warning's within the next days.
    const due = overdue ? NOW - Math.floor(1 + random() * 40) * DAY_MS : level === 'warning' ? NOW + Math.floor(random() * 3) * DAY_MS : NOW + Math.floor(3 + random() * 30) * DAY_MS;
    const clockStopped = status === 'suspended';
    const urges = overdue && random() < 0.5 ? 1 + Math.floor(random() * 2) : 0;
    for (let u = 0; u < urges; u++) event(due + (u + 1) * DAY_MS, 'urged', code, stage);
    return {
      ...base,
      status,
      level,
      receivedAt: toShanghaiIso(acceptedMs),
      acceptedAt: toShanghaiIso(acceptedMs),
      dueOn: clockStopped ? null : toShanghaiIso(due - DAY_MS).slice(0, 10),
      dueAt: clockStopped ? null : toShanghaiIso(due),
      workingDaysUsed: Math.max(0, def.timeLimitDays - 2),
      supplementCount: clockStopped ? 1 : 0,
      urgeCount: urges,
      overdueSince: overdue ? toShanghaiIso(due) : null,
    };
  };
  process.stages.forEach((stage, i) => {
    for (const code of stage.matters) matters.push(matterOf(code, stage.code, i));
  });
  for (const code of process.alongside) matters.push(matterOf(code, null, Math.min(current, process.stages.length - 1)));
  return {
    application: {
      applicationId: id,
      seq: events.length,
      processCode: process.code,
      definitionHash: 'bench',
      projectName: `基准测试项目 ${n}`,
      applicantId: `applicant-${n % 900}`,
      applicantName: `建设单位 ${n % 900}`,
      startedBy: null,
      status: completed ? 'completed' : 'running',
      currentStage: completed ? null : process.stages[current]!.code,
      startedAt: toShanghaiIso(startedAt),
      endedAt: null,
      outcomeReason: null,
      governmentWorkingDays: 0,
      applicantDays: 0,
      specialProcedureDays: 0,
      calendarDays: Math.floor((NOW - startedAt) / DAY_MS),
      targetTotalDays: 100,
    },
    matters,
    services: [],
    events,
  };
}

async function seed(pool: Pool): Promise<{ matters: number; seconds: number }> {
  const catalogue = loadCatalogue();
  const { projectApplication } = createProjectionActivities(pool);
  let next = 0;
  let matters = 0;
  const started = performance.now();
  const bar = progressBar('seeding {bar} {value}/{total} applications | {matters} matters | {eta_formatted} left', { clear: true });
  bar.start(APPLICATIONS, { matters: 0 });
  // As many writers as the pool has connections, like that many workers projecting at once.
  const writer = async () => {
    while (next < APPLICATIONS) {
      const b = seedBatch(next++, catalogue);
      matters += b.matters.length;
      await projectApplication(b);
      bar.increment({ matters });
    }
  };
  await Promise.all(Array.from({ length: 16 }, writer)).finally(() => bar.stop());
  return { matters, seconds: (performance.now() - started) / 1000 };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

async function measure(label: string, run: () => Promise<unknown>): Promise<void> {
  const bar = progressBar(`{bar} {value}/{total} runs | ${label}`, { clear: true });
  bar.start(10 + RUNS);
  const times: number[] = [];
  try {
    for (let i = 0; i < 10; i++) {
      await run();
      bar.increment();
    }
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      await run();
      times.push(performance.now() - t);
      bar.increment();
    }
  } finally {
    bar.stop();
  }
  times.sort((a, b) => a - b);
  console.log(`${label.padEnd(60)} p50 ${percentile(times, 50).toFixed(2).padStart(7)} ms   p99 ${percentile(times, 99).toFixed(2).padStart(7)} ms   (${RUNS} runs)`);
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  Plans?: PlanNode[];
}

/** EXPLAIN ANALYZE of the exact query a read function runs; fails the bench if matters is read without the expected index. */
async function explain(pool: Pool, label: string, query: SqlQuery, expectedIndex: string): Promise<void> {
  const { rows } = await pool.query<{ 'QUERY PLAN': [{ Plan: PlanNode; 'Execution Time': number }] }>(
    { text: `EXPLAIN (ANALYZE, FORMAT JSON) ${query.text}`, values: query.values },
  );
  const { Plan, 'Execution Time': ms } = rows[0]!['QUERY PLAN'][0];
  const nodes: PlanNode[] = [];
  const walk = (n: PlanNode) => {
    nodes.push(n);
    n.Plans?.forEach(walk);
  };
  walk(Plan);
  const onMatters = nodes.filter((n) => n['Relation Name'] === 'matters');
  const used = onMatters.map((n) => `${n['Node Type']}${n['Index Name'] ? ` using ${n['Index Name']}` : ''}`);
  const ok = onMatters.length > 0 && onMatters.every((n) => n['Index Name'] === expectedIndex);
  console.log(`  EXPLAIN ${label.padEnd(52)} ${ok ? 'ok ' : 'BAD'} matters: ${used.join(', ')}; server ${ms.toFixed(2)} ms`);
  if (!ok) process.exitCode = 1;
}

async function main(): Promise<void> {
  const db = await benchDatabase(16);
  const pool = db.pool;
  try {
    await migrate(pool);
    const seeded = await seed(pool);
    await pool.query('VACUUM ANALYZE');
    const counts = await pool.query<{ open: number; alerts: number; departments: string[] }>(
      `SELECT count(*) FILTER (WHERE ${OPEN_SQL})::int AS open,
              count(*) FILTER (WHERE ${OPEN_SQL} AND ${ALERT_SQL})::int AS alerts,
              array_agg(DISTINCT department) AS departments
       FROM matters m`,
    );
    const { open, alerts: alertCount, departments } = counts.rows[0]!;
    console.log(
      `seeded ${APPLICATIONS} applications, ${seeded.matters} matters (${open} open, ${alertCount} at warning or above) ` +
        `in ${seeded.seconds.toFixed(1)} s through projectApplication (${(APPLICATIONS / seeded.seconds).toFixed(0)} batches/s, 16 writers)`,
    );

    // A cursor about 1,000 rows into each department's inbox, and 1,000 rows into the alerts.
    const deep = new Map<string, string>();
    for (const department of departments) {
      const a = await inbox(pool, { department, limit: 500 });
      const b = a.next ? await inbox(pool, { department, limit: 500, after: a.next }) : null;
      if (b?.next) deep.set(department, b.next);
    }
    const alertsDeep = (await alerts(pool, { limit: 500, after: (await alerts(pool, { limit: 500 })).next! })).next!;
    const deepDepartments = [...deep.keys()];
    const processes = ['GOV_INVESTMENT', 'SOCIAL_APPROVAL'];
    const stages = ['S1', 'S2', 'S3', 'S4'];
    const levels = ['warning', 'overdue', 'departmentHead'] as const;

    const inboxFirst = (): InboxQuery => ({ department: pick(departments), limit: 50 });
    const inboxDeep = (): InboxQuery => {
      const department = pick(deepDepartments);
      return { department, limit: 50, after: deep.get(department)! };
    };
    console.log(`\nlatency (client round trip, pool of 16, one query at a time):`);
    await measure('inbox: random department, first page of 50', () => inbox(pool, inboxFirst()));
    await measure('inbox: random department, page of 50 after 1,000 rows', () => inbox(pool, inboxDeep()));
    await measure('alerts: no filter, first page of 50', () => alerts(pool, { limit: 50 }));
    await measure('alerts: no filter, page of 50 after 1,000 rows', () => alerts(pool, { limit: 50, after: alertsDeep }));
    const filtered: [string, () => AlertsQuery][] = [
      ['random department', () => ({ department: pick(departments), limit: 50 })],
      ['random department and level', () => ({ department: pick(departments), level: pick(levels), limit: 50 })],
      ['random process and stage', () => ({ processCode: pick(processes), stage: pick(stages), limit: 50 })],
      ['one month', () => ({ from: '2026-02-01', to: '2026-02-28', limit: 50 })],
      ['level, process and half a month', () => ({ level: 'overdue', processCode: pick(processes), from: '2026-03-01', to: '2026-03-16', limit: 50 })],
    ];
    for (const [label, query] of filtered) await measure(`alerts: ${label}, first page of 50`, () => alerts(pool, query()));
    await measure('scorecards: one quarter, all departments', () => scorecards(pool, { from: '2026-01-01', to: '2026-03-31' }));

    console.log(`\nplans:`);
    const busiest = deepDepartments.includes('HUD') ? 'HUD' : deepDepartments[0]!;
    await explain(pool, `inbox ${busiest} first page`, inboxQuery({ department: busiest, limit: 50 }), 'matters_inbox');
    await explain(pool, `inbox ${busiest} after 1,000 rows`, inboxQuery({ department: busiest, limit: 50, after: deep.get(busiest)! }), 'matters_inbox');
    await explain(pool, 'alerts no filter', alertsQuery({ limit: 50 }), 'matters_alerts');
    await explain(pool, 'alerts after 1,000 rows', alertsQuery({ limit: 50, after: alertsDeep }), 'matters_alerts');
    await explain(pool, `alerts department ${busiest}`, alertsQuery({ department: busiest, limit: 50 }), 'matters_alerts_by_department');
    await explain(pool, `alerts department ${busiest}, level overdue`, alertsQuery({ department: busiest, level: 'overdue', limit: 50 }), 'matters_alerts_by_department');
    await explain(pool, 'alerts process + stage', alertsQuery({ processCode: 'SOCIAL_APPROVAL', stage: 'S3', limit: 50 }), 'matters_alerts');
    await explain(pool, 'alerts February', alertsQuery({ from: '2026-02-01', to: '2026-02-28', limit: 50 }), 'matters_alerts');
    await explain(pool, 'alerts overdue, process, half a month', alertsQuery({ level: 'overdue', processCode: 'GOV_INVESTMENT', from: '2026-03-01', to: '2026-03-16', limit: 50 }), 'matters_alerts');
  } finally {
    await db.drop();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
