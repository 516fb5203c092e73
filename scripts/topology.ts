import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Connection, WorkflowClient } from '@temporalio/client';
import { Client } from 'pg';
import { projectionQuery } from '../workflows/messages';
import { processRunning, ROOT } from './chaos/system';
import { anyRunning, dataDirOf, down, isUp, readTopology, systemFileOf, TOPOLOGY_DIR, up, VARIANTS, type Variant } from './topology/system';
import { median } from './stats';
import type { HttpRun } from './bench-reads';

const USAGE = `npm run topology -- <up|down|status|chaos|bench|sizes> [options]

The production topology on 127.0.0.1, under .data/topology/<variant>/: the Temporal server
(go.temporal.io/server v1.32.1, built into .tools/bin when missing) with PostgreSQL persistence
and visibility set up by Temporal's SQL tool, the read model in the same PostgreSQL instance,
two workers and two APIs. --dev runs the same with the CLI's dev server (SQLite) instead.

  up [--dev] [--fresh]      start whatever is not running (idempotent); --fresh: new data first
  down [--dev]              stop everything of the variant
  status [--dev]            what runs
  chaos [--dev]             the short chaos run against it (npm run chaos -- --external): both APIs
                            alternating, one worker of the two killed -9 mid-run and started again
                            --worker-down-for S later, then nothing lost or stuck, read model =
                            workflows, webhooks complete
      --applications N      (default 40)
      --worker-kill-at S    seconds into the drive (default 20)
      --worker-down-for S   (default 30)
  bench                     the topology and the dev variant side by side (both up, each figure
                            taken on one then the other): throughput (applications driven to
                            their end per minute through both APIs, the chaos driver without
                            faults) and the HTTP figures of bench:reads; writes
                            .data/bench/topology.json
      --applications N      throughput run (default 40)
      --concurrency N       applications driven at once (default 8)
      --rounds N            measure N times, alternating which variant goes first; medians (default 1)
      --rate R --seconds S  HTTP load (default 100 req/s, 15 s a scenario)
      --only cluster|dev    one variant only
  sizes [--dev] [--vacuum-full] [--since REPORT]
                            the running variant's applications: each one's history (events, bytes)
                            as Temporal describes it, by outcome; pg_total_relation_size and rows of
                            each table of the read model (and Temporal's two databases), after
                            VACUUM FULL when asked; with --since an earlier report, the growth per
                            application added; writes .data/topology/reports/<variant>-sizes-<time>.json

chaos and bench use a running variant as it is (starting again any program of it that is down),
else start it fresh and stop it at the end.
`;

const say = (text: string) => console.log(`[topology] ${text}`);
/** Chaos and sizes reports, kept when a variant's data is started fresh. */
const REPORTS = path.join(TOPOLOGY_DIR, 'reports');

let current: ChildProcess | undefined;
let interrupted = false;

/** Runs a compiled script of this repository with the same Node, its output through; resolves with its exit code. */
function runScript(script: string, args: string[]): Promise<number> {
  if (interrupted) return Promise.resolve(130);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'scripts', script), ...args], { cwd: ROOT, stdio: 'inherit' });
    current = child;
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      current = undefined;
      resolve(code ?? (signal ? 128 : 1));
    });
  });
}

/** Runs `body` against the variants: those running as they are (any program down started again), the others started fresh and stopped at the end. */
async function against<T>(variants: Variant[], body: () => Promise<T>): Promise<T> {
  const started: Variant[] = [];
  try {
    for (const variant of variants) {
      if (isUp(variant)) continue;
      if (anyRunning(variant)) {
        // Someone's system with a program down: brought back as it was, and left running.
        await up(variant, { say });
        continue;
      }
      started.push(variant);
      await up(variant, { fresh: true, say });
    }
    if (interrupted) throw new Error('interrupted');
    return await body();
  } finally {
    for (const variant of started) await down(variant, say);
  }
}

interface ChaosReport {
  passed: boolean;
  driveMs: number;
  applications: { planned: number; actions: number };
  figures: Record<string, number> | null;
  requests?: { retries: number };
}

async function chaos(variant: Variant, values: Record<string, string | boolean | undefined>): Promise<number> {
  const report = path.join(REPORTS, `${variant}-chaos-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  return against([variant], () =>
    runScript('chaos.js', [
      '--external', systemFileOf(variant),
      '--applications', String(values.applications ?? '40'),
      '--worker-kill-every', String(values['worker-kill-at'] ?? '20'),
      '--worker-kills', '1',
      '--worker-down-for', String(values['worker-down-for'] ?? '30'),
      '--report', report,
    ]),
  );
}

const loadAverage = () => os.loadavg().map((x) => Math.round(x * 100) / 100);

/** Applications driven to their end through the variant's APIs in turn: the chaos driver with no fault, verified as ever. */
async function throughput(variant: Variant, applications: string, concurrency: string) {
  const report = path.join(dataDirOf(variant), 'bench-throughput.json');
  const system = readTopology(variant)!;
  say(`${variant}: throughput, ${applications} applications driven to their end, ${concurrency} at a time, through ${system.apiUrls.length} APIs (load average ${loadAverage().join(' ')})`);
  const loadBefore = loadAverage();
  const code = await runScript('chaos.js', ['--external', systemFileOf(variant), '--applications', applications, '--concurrency', concurrency, '--worker-kill-every', '0', '--report', report]);
  const t = JSON.parse(readFileSync(report, 'utf8')) as ChaosReport;
  return {
    passed: t.passed && code === 0,
    applications: t.applications.planned,
    concurrency: Number(concurrency),
    actions: t.applications.actions,
    driveMs: t.driveMs,
    applicationsPerMin: Math.round((t.applications.planned / (t.driveMs / 60_000)) * 10) / 10,
    actionsPerS: Math.round((t.applications.actions / (t.driveMs / 1000)) * 10) / 10,
    retries: t.requests?.retries ?? null,
    figures: t.figures,
    loadAverage: { before: loadBefore, after: loadAverage() },
  };
}

/** bench:reads' HTTP scenarios (worker up) against the variant's APIs in turn. */
async function http(variant: Variant, values: Record<string, string | boolean | undefined>) {
  const out = path.join(dataDirOf(variant), 'bench-reads.json');
  say(`${variant}: HTTP at ${values.rate ?? 100} req/s (load average ${loadAverage().join(' ')})`);
  const loadBefore = loadAverage();
  const code = await runScript('bench-reads.js', ['--external', systemFileOf(variant), '--out', out, String(values.rate ?? '100'), String(values.seconds ?? '15')]);
  if (code !== 0) throw new Error(`bench-reads on ${variant} failed (exit ${code})`);
  return { runs: (JSON.parse(readFileSync(out, 'utf8')) as { runs: HttpRun[] }).runs, loadAverage: { before: loadBefore, after: loadAverage() } };
}

const DESCRIPTION: Record<Variant, string> = {
  cluster: 'temporal-server v1.32.1 (all four services in one process, 4 history shards), PostgreSQL persistence + visibility',
  dev: 'temporal server start-dev (CLI v1.5.1), SQLite file (WAL)',
};

/**
 * Both variants up at once (idle, they cost little), and each measurement taken on one and then
 * the other, so that the other load on the machine meets both alike.
 */
const round1 = (n: number) => Math.round(n * 10) / 10;

async function bench(values: Record<string, string | boolean | undefined>): Promise<number> {
  const only = values.only as Variant | undefined;
  if (only && !VARIANTS.includes(only)) throw new Error(`--only must be cluster or dev, not ${only}`);
  const variants = only ? [only] : VARIANTS;
  const applications = String(values.applications ?? '40');
  const rounds = Number(values.rounds ?? 1);
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a whole number ≥ 1, not ${values.rounds}`);
  type Round = { round: number; throughput: Awaited<ReturnType<typeof throughput>>; http: Awaited<ReturnType<typeof http>> };
  const measured = await against(variants, async () => {
    const byVariant = new Map<Variant, Round[]>(variants.map((v) => [v, []]));
    for (let round = 1; round <= rounds; round++) {
      // Which goes first alternates, so that neither always meets the other's after-effects.
      const order = round % 2 ? variants : [...variants].reverse();
      const t = new Map<Variant, Round['throughput']>();
      for (const variant of order) t.set(variant, await throughput(variant, applications, String(values.concurrency ?? '8')));
      for (const variant of order) byVariant.get(variant)!.push({ round, throughput: t.get(variant)!, http: await http(variant, values) });
    }
    return variants.map((variant) => {
      const system = readTopology(variant)!;
      return { variant, temporal: DESCRIPTION[variant], workers: system.processes.filter((p) => p.role === 'worker').length, apis: system.apiUrls.length, rounds: byVariant.get(variant)! };
    });
  });
  // Medians over the rounds: the machine's other load varies from one minute to the next.
  const results = measured.map((m) => {
    const scenarios = m.rounds[0]!.http.runs.map((r) => r.scenario);
    return {
      ...m,
      median: {
        applicationsPerMin: round1(median(m.rounds.map((r) => r.throughput.applicationsPerMin))),
        actionsPerS: round1(median(m.rounds.map((r) => r.throughput.actionsPerS))),
        verified: m.rounds.every((r) => r.throughput.passed),
        http: scenarios.map((scenario) => {
          const runs = m.rounds.map((r) => r.http.runs.find((x) => x.scenario === scenario)!);
          return { scenario, p50: round1(median(runs.map((x) => x.p50))), p99: round1(median(runs.map((x) => x.p99))), failed: runs.reduce((n, x) => n + x.failed, 0), sent: runs.reduce((n, x) => n + x.sent, 0) };
        }),
        loadAverage: round1(median(m.rounds.flatMap((r) => [r.throughput.loadAverage.before[0]!, r.http.loadAverage.before[0]!]))),
      },
    };
  });
  const out = path.join(ROOT, '.data', 'bench', 'topology.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ measuredAt: new Date().toISOString(), cpus: os.cpus().length, rounds, applications: Number(applications), rate: Number(values.rate ?? 100), seconds: Number(values.seconds ?? 15), variants: results }, null, 2)}\n`);

  const heads = results.map((r) => r.variant);
  console.log(`\nmedians of ${rounds} round(s)\n| figure | ${heads.join(' | ')} |\n|---|${heads.map(() => '---|').join('')}`);
  const row = (label: string, cell: (r: (typeof results)[number]) => string) => console.log(`| ${label} | ${results.map(cell).join(' | ')} |`);
  row('applications driven to their end / min', (r) => `${r.median.applicationsPerMin} (rounds: ${r.rounds.map((x) => x.throughput.applicationsPerMin).join(', ')}; ${r.median.verified ? 'all verified' : 'NOT ALL VERIFIED'})`);
  row('actions / s', (r) => String(r.median.actionsPerS));
  for (const [i, scenario] of results[0]!.median.http.map((x) => x.scenario).entries()) {
    row(`${scenario}: p50 / p99 ms (failed of sent)`, (r) => {
      const x = r.median.http[i]!;
      return `${x.p50.toFixed(1)} / ${x.p99.toFixed(1)} (${x.failed} of ${x.sent})`;
    });
  }
  row('load average (1 min) at the start of each measurement, median', (r) => String(r.median.loadAverage));
  console.log(`\nwrote ${path.relative(ROOT, out)}`);
  return results.every((r) => r.median.verified) ? 0 : 1;
}

/**
 * What the running variant holds: each application's history (events and bytes, as Temporal's
 * describe reports them) by outcome, and each PostgreSQL table's pg_total_relation_size (heap,
 * TOAST and indexes) and rows, per database, with the read model's application count.
 */
async function sizes(variant: Variant, vacuumFull: boolean, since: string | undefined): Promise<void> {
  const system = readTopology(variant);
  if (!system || !isUp(variant)) throw new Error(`${variant} is not up`);
  const databases = variant === 'cluster' ? ['approvals', 'temporal', 'temporal_visibility'] : ['approvals'];
  const report: Record<string, unknown> = { measuredAt: new Date().toISOString(), variant, vacuumFull };

  // Each application's history as Temporal counts it (events and bytes), by how it ended.
  const connection = await Connection.connect({ address: system.temporalAddress });
  try {
    const client = new WorkflowClient({ connection, namespace: 'default' });
    const byStatus: Record<string, { workflows: number; events: number; bytes: number; maxEvents: number; maxBytes: number }> = {};
    for await (const wf of client.list({ query: `WorkflowType = 'applicationWorkflow'` })) {
      const d = await client.getHandle(wf.workflowId, wf.runId).describe();
      const status = (await client.getHandle(wf.workflowId, wf.runId).query(projectionQuery).catch(() => undefined))?.application.status ?? d.status.name;
      const s = (byStatus[status] ??= { workflows: 0, events: 0, bytes: 0, maxEvents: 0, maxBytes: 0 });
      s.workflows++;
      s.events += d.historyLength;
      s.bytes += d.historySize ?? 0;
      s.maxEvents = Math.max(s.maxEvents, d.historyLength);
      s.maxBytes = Math.max(s.maxBytes, d.historySize ?? 0);
    }
    report.histories = byStatus;
    console.log('histories (Temporal describe: events and bytes per application)');
    for (const [status, x] of Object.entries(byStatus)) console.log(`  ${status.padEnd(12)} ${String(x.workflows).padStart(5)} applications, mean ${Math.round(x.events / x.workflows)} events / ${(x.bytes / x.workflows / 1024).toFixed(1)} KiB, max ${x.maxEvents} / ${(x.maxBytes / 1024).toFixed(1)} KiB`);
  } finally {
    await connection.close();
  }
  for (const database of databases) {
    const client = new Client({ connectionString: `postgres://postgres@127.0.0.1:${system.pgPort}/${database}` });
    await client.connect();
    try {
      // Live data only (no dead row versions, no free space), when asked; fresh statistics either way: n_live_tup is what ANALYZE last counted.
      if (vacuumFull) await client.query('VACUUM FULL');
      await client.query('ANALYZE');
      const { rows } = await client.query<{ table: string; bytes: string; rows: string }>(
        `SELECT c.relname AS table, pg_total_relation_size(c.oid)::text AS bytes, s.n_live_tup::text AS rows
         FROM pg_class c JOIN pg_stat_user_tables s ON s.relid = c.oid
         WHERE c.relkind = 'r' ORDER BY pg_total_relation_size(c.oid) DESC`,
      );
      const total = rows.reduce((n, r) => n + Number(r.bytes), 0);
      report[database] = { totalBytes: total, tables: rows.map((r) => ({ table: r.table, bytes: Number(r.bytes), rows: Number(r.rows) })) };
      console.log(`\n${database}: ${(total / 1024 / 1024).toFixed(2)} MiB`);
      for (const r of rows.filter((x) => Number(x.bytes) > 0).slice(0, 12)) console.log(`  ${r.table.padEnd(36)} ${(Number(r.bytes) / 1024).toFixed(0).padStart(8)} KiB ${r.rows.padStart(9)} rows`);
      if (database === 'approvals') {
        const { rows: apps } = await client.query<{ all: number; closed: number }>("SELECT count(*)::int AS all, count(*) FILTER (WHERE status <> 'running')::int AS closed FROM applications");
        report.applications = apps[0];
        console.log(`  applications: ${apps[0]!.all} (${apps[0]!.closed} closed)`);
      }
    } finally {
      await client.end();
    }
  }
  if (since) report.perApplicationSince = growthPerApplication(JSON.parse(readFileSync(since, 'utf8')) as SizesReport, report as unknown as SizesReport, since);
  const out = path.join(REPORTS, `${variant}-sizes-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  mkdirSync(REPORTS, { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\nwrote ${path.relative(ROOT, out)}`);
}

type SizesReport = Record<string, { totalBytes: number; tables: { table: string; bytes: number; rows: number }[] }> & { applications: { all: number } };

/**
 * Bytes and rows per application added since an earlier sizes report of the same system: the
 * growth divided by the applications added, so that the fixed pages of small tables and
 * indexes do not count.
 */
function growthPerApplication(before: SizesReport, after: SizesReport, since: string) {
  const added = after.applications.all - before.applications.all;
  if (added <= 0) throw new Error(`${since}: no application added since (${before.applications.all} then, ${after.applications.all} now)`);
  console.log(`\nper application added since ${path.relative(ROOT, since)} (${added} applications)`);
  const out: Record<string, { kib: number; tables: Record<string, { kib: number; rows: number }> }> = {};
  for (const database of Object.keys(after).filter((k) => (after[k] as { tables?: unknown }).tables && before[k])) {
    const was = new Map(before[database]!.tables.map((t) => [t.table, t]));
    const tables: Record<string, { kib: number; rows: number }> = {};
    for (const t of after[database]!.tables) {
      const b = was.get(t.table) ?? { bytes: 0, rows: 0 };
      if (t.bytes !== b.bytes) tables[t.table] = { kib: round1((t.bytes - b.bytes) / added / 1024), rows: round1((t.rows - b.rows) / added) };
    }
    const kib = round1((after[database]!.totalBytes - before[database]!.totalBytes) / added / 1024);
    out[database] = { kib, tables };
    console.log(`  ${database}: ${kib} KiB (${Object.entries(tables).sort(([, x], [, y]) => y.kib - x.kib).slice(0, 5).map(([name, x]) => `${name} ${x.kib} KiB, ${x.rows} rows`).join('; ')})`);
  }
  return { since, applicationsAdded: added, databases: out };
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      dev: { type: 'boolean', default: false },
      fresh: { type: 'boolean', default: false },
      applications: { type: 'string' },
      concurrency: { type: 'string' },
      rounds: { type: 'string' },
      'worker-kill-at': { type: 'string' },
      'worker-down-for': { type: 'string' },
      rate: { type: 'string' },
      seconds: { type: 'string' },
      only: { type: 'string' },
      'vacuum-full': { type: 'boolean', default: false },
      since: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const variant: Variant = values.dev ? 'dev' : 'cluster';
  // Ctrl-C: the running chaos or bench script stops as it does on its own; then whatever this run started is stopped.
  const onSignal = (signal: NodeJS.Signals) => {
    interrupted = true;
    current?.kill(signal === 'SIGINT' ? 'SIGINT' : 'SIGTERM');
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const command = positionals[0];
  if (values.help || !command) {
    console.log(USAGE);
    return command || values.help ? 0 : 2;
  }
  switch (command) {
    case 'up':
      await up(variant, { fresh: values.fresh, say });
      return 0;
    case 'down':
      await down(variant, say);
      return 0;
    case 'status': {
      const system = readTopology(variant);
      if (!system) say(`${variant}: never started`);
      else for (const p of system.processes) say(`${variant} ${p.name}: ${processRunning(p) ? `running, pid ${p.pid}` : 'stopped'}`);
      return 0;
    }
    case 'chaos':
      return chaos(variant, values);
    case 'bench':
      return bench(values);
    case 'sizes':
      await sizes(variant, values['vacuum-full'], values.since && path.resolve(values.since));
      return 0;
    default:
      console.error(USAGE);
      return 2;
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(`topology: ${(err as Error).stack ?? err}`);
    process.exit(1);
  },
);
