import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'pg';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { loadCatalogue, snapshotFor } from '../catalogue/loader';
import { migrate } from '../readmodel/db/migrate';
import { createPool } from '../readmodel/db/pool';
import { createBroadcastActivities, createProjectionActivities } from '../worker/activities';
import { TRACING_WORKFLOW_MODULE, tracingActivityInterceptors } from '../worker/tracing';
import { progressBar } from './progress';
import { drivePopulation, type Refusal } from './simulate/drive';
import { chartSvg } from './simulate/chart';
import { DEFAULT_PARAMS, SCENARIOS, type ScenarioName, type SimulationParams } from './simulate/population';
import { atLegalLimits, summariseAll, table, type ApplicationFigures, type GroupSummary } from './simulate/report';

/**
 * `npm run simulate`: a seeded population of applications driven through the real application
 * workflow on Temporal's time-skipping server, with the real projection writing a PostgreSQL read
 * model, every scenario side by side; then the figures the reform reports (docs/simulation.md).
 *
 *   npm run simulate                                   (builds first)
 *   npm run simulate -- --applications 80 --seed 7 --late-rate 0.4 --scenarios base,market
 *
 * stdout: the seed and parameters, the summary table, the serial/parallel line, where the chart,
 * the summary and the read model are. stderr: a progress bar on a terminal.
 */

const root = (() => {
  // From scripts/ (ts, under vitest) or dist/scripts/ (built).
  for (const up of ['..', path.join('..', '..')]) if (existsSync(path.join(__dirname, up, 'package.json'))) return path.resolve(__dirname, up);
  throw new Error('cannot find the repository root');
})();

export interface RunOptions {
  params: SimulationParams;
  /** The read model's database, used as is (migrated here). Without it a new database is made on the local server (DATABASE_URL's, else scripts/postgres.sh) and kept. */
  databaseUrl?: string;
  outDir: string;
  /** The last day the parties act (default: a week before the end of the last published calendar year). */
  lastDay?: string;
  /** A prebuilt workflow bundle (tests); otherwise the workflows beside this script are bundled. */
  workflowBundle?: WorkflowBundleWithSourceMap;
  concurrency?: number;
  log?: (line: string) => void;
}

export interface RunResult {
  params: SimulationParams;
  groups: GroupSummary[];
  figures: ApplicationFigures[];
  refusals: Refusal[];
  /** Updates the server lost with a timed-out workflow task (decided again from the next day's status). */
  lostUpdates: number;
  unfinished: string[];
  databaseUrl: string;
  chartFile: string;
  summaryFile: string;
  wallSeconds: number;
  lastDay: string;
}

async function admin(url: string, sql: string): Promise<void> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/** A new database for the run's read model, on DATABASE_URL's server or the local one; kept for the backtest. */
async function newDatabase(seed: number): Promise<string> {
  const server = process.env.DATABASE_URL ?? execFileSync('bash', [path.join(root, 'scripts', 'postgres.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const name = `simulation_${seed}_${randomBytes(3).toString('hex')}`;
  await admin(server, `CREATE DATABASE ${name}`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function runSimulation(o: RunOptions): Promise<RunResult> {
  const t0 = Date.now();
  const { params } = o;
  const log = o.log ?? (() => undefined);
  const catalogue = loadCatalogue();
  const lastYear = Math.max(...catalogue.calendars.map((c) => c.year));
  const lastDay = o.lastDay ?? `${lastYear}-12-24`;
  const databaseUrl = o.databaseUrl ?? (await newDatabase(params.seed));
  const pool = createPool(databaseUrl, { max: 10, applicationName: 'approvals-simulate' });
  const taskQueue = `simulate-${params.seed}`;
  let env: TestWorkflowEnvironment | undefined;
  try {
    await migrate(pool);
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: path.join(root, '.tools', 'bin', 'temporal-test-server') }, extraArgs: ['--initial-time', `${params.start}T09:00:00+08:00`] },
    });
    const worker = await Worker.create({
      connection: env.nativeConnection,
      namespace: env.namespace ?? 'default',
      taskQueue,
      ...(o.workflowBundle ? { workflowBundle: o.workflowBundle } : { workflowsPath: path.resolve(__dirname, '..', 'workflows') }),
      activities: { ...createProjectionActivities(pool, env.client), ...createBroadcastActivities(env.client) },
      interceptors: { ...(o.workflowBundle ? {} : { workflowModules: [TRACING_WORKFLOW_MODULE] }), activity: tracingActivityInterceptors },
    });
    const total = params.applications * params.scenarios.length;
    const bar = progressBar('simulate {bar} {value}/{total} applications done | {today} | {running} running');
    bar.start(total, { today: params.start, running: 0 });
    const drive = await worker
      .runUntil(
        drivePopulation({
          env,
          taskQueue,
          params,
          catalogue,
          lastDay,
          concurrency: o.concurrency,
          onDay: (p) => bar.update(p.done, { today: p.today, running: p.running }),
        }),
      )
      .finally(() => bar.stop());
    const { figures, groups } = summariseAll(drive.applications, params.scenarios);
    mkdirSync(o.outDir, { recursive: true });
    const chartFile = path.join(o.outDir, 'simulation.svg');
    const summaryFile = path.join(o.outDir, 'summary.json');
    writeFileSync(chartFile, chartSvg(figures, groups, params.scenarios, `npm run simulate — seed ${params.seed}, ${params.applications} applications per scenario`));
    const unfinished = drive.applications.filter((a) => a.final?.status !== 'completed').map((a) => a.applicationId);
    const wallSeconds = Math.round((Date.now() - t0) / 100) / 10;
    writeFileSync(summaryFile, `${JSON.stringify({ params, lastDay, databaseUrl, wallSeconds, groups, unfinished, refusals: drive.refusals, lostUpdates: drive.lostUpdates, applications: figures }, null, 1)}\n`);
    log(`simulated ${total} applications (${drive.applications.length - unfinished.length} completed) in ${wallSeconds} s`);
    return { params, groups, figures, refusals: drive.refusals, lostUpdates: drive.lostUpdates, unfinished, databaseUrl, chartFile, summaryFile, wallSeconds, lastDay };
  } finally {
    await env?.teardown();
    await pool.end();
  }
}

function parseParams(argv: string[]): { params: SimulationParams; databaseUrl?: string; outDir: string; lastDay?: string; concurrency?: number } {
  const { values } = parseArgs({
    args: argv,
    options: {
      applications: { type: 'string' },
      seed: { type: 'string' },
      start: { type: 'string' },
      'arrival-days': { type: 'string' },
      'gov-share': { type: 'string' },
      'missing-rate': { type: 'string' },
      'supplement-rate': { type: 'string' },
      'special-rate': { type: 'string' },
      'officer-late-rate': { type: 'string' },
      'decision-share': { type: 'string' },
      'late-rate': { type: 'string' },
      'rework-rate': { type: 'string' },
      'market-speed': { type: 'string' },
      'fast-market-speed': { type: 'string' },
      'fast-market-late-rate': { type: 'string' },
      'zone-share': { type: 'string' },
      zone: { type: 'string' },
      scenarios: { type: 'string' },
      'database-url': { type: 'string' },
      out: { type: 'string' },
      'last-day': { type: 'string' },
      concurrency: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  });
  if (values.help) {
    console.log('npm run simulate -- [--applications N] [--seed N] [--start YYYY-MM-DD] [--arrival-days N] [--gov-share X] [--missing-rate X] [--supplement-rate X] [--special-rate X] [--officer-late-rate X] [--decision-share LO,HI] [--late-rate X] [--rework-rate X] [--market-speed X] [--fast-market-speed X] [--fast-market-late-rate X] [--zone-share X] [--zone CODE] [--scenarios base,zone,market] [--database-url URL] [--out DIR] [--last-day YYYY-MM-DD] [--concurrency N]\nDefaults and their reasons: docs/simulation.md');
    process.exit(0);
  }
  const d = DEFAULT_PARAMS;
  const number = (name: string, v: string | undefined, fallback: number, min: number, max: number) => {
    if (v === undefined) return fallback;
    const x = Number(v);
    if (!Number.isFinite(x) || x < min || x > max) throw new Error(`--${name} must be a number in ${min}..${max}, got ${v}`);
    return x;
  };
  const share = (name: string, v: string | undefined, fallback: number) => number(name, v, fallback, 0, 1);
  const whole = (name: string, v: string | undefined, fallback: number, min: number, max: number) => {
    const x = number(name, v, fallback, min, max);
    if (!Number.isInteger(x)) throw new Error(`--${name} must be a whole number, got ${v}`);
    return x;
  };
  const decision = values['decision-share']?.split(',').map(Number);
  if (decision && (decision.length !== 2 || decision.some((x) => !(x > 0 && x <= 1)) || decision[0]! > decision[1]!)) throw new Error('--decision-share is LO,HI with 0 < LO ≤ HI ≤ 1');
  const scenarios = (values.scenarios?.split(',') ?? d.scenarios) as ScenarioName[];
  const unknown = scenarios.filter((s) => !(SCENARIOS as readonly string[]).includes(s));
  if (unknown.length || !scenarios.length) throw new Error(`--scenarios lists some of ${SCENARIOS.join(', ')}; unknown: ${unknown.join(', ')}`);
  if (values.start !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(values.start)) throw new Error('--start is a date YYYY-MM-DD');
  const params: SimulationParams = {
    applications: whole('applications', values.applications, d.applications, 1, 2000),
    seed: whole('seed', values.seed, d.seed, 0, 2 ** 31 - 1),
    start: values.start ?? d.start,
    arrivalWorkingDays: whole('arrival-days', values['arrival-days'], d.arrivalWorkingDays, 1, 120),
    govShare: share('gov-share', values['gov-share'], d.govShare),
    missingRate: share('missing-rate', values['missing-rate'], d.missingRate),
    supplementRate: share('supplement-rate', values['supplement-rate'], d.supplementRate),
    specialRate: share('special-rate', values['special-rate'], d.specialRate),
    officerLateRate: share('officer-late-rate', values['officer-late-rate'], d.officerLateRate),
    decisionShare: decision ? [decision[0]!, decision[1]!] : d.decisionShare,
    lateRate: share('late-rate', values['late-rate'], d.lateRate),
    reworkRate: share('rework-rate', values['rework-rate'], d.reworkRate),
    marketSpeed: number('market-speed', values['market-speed'], d.marketSpeed, 0.05, 2),
    fastMarketSpeed: number('fast-market-speed', values['fast-market-speed'], d.fastMarketSpeed, 0.05, 2),
    fastMarketLateRate: share('fast-market-late-rate', values['fast-market-late-rate'], d.fastMarketLateRate),
    zoneShare: share('zone-share', values['zone-share'], d.zoneShare),
    zone: values.zone ?? d.zone,
    scenarios: [...new Set(scenarios)],
  };
  return {
    params,
    databaseUrl: values['database-url'],
    outDir: path.resolve(values.out ?? path.join(root, '.data', 'simulation')),
    lastDay: values['last-day'],
    concurrency: values.concurrency === undefined ? undefined : whole('concurrency', values.concurrency, 8, 1, 64),
  };
}

/** The serial/parallel line of one process in the base scenario, against the source report's figures. */
function storyLines(groups: GroupSummary[], scenario: ScenarioName): string[] {
  const reference: Record<string, string> = { GOV_INVESTMENT: 'source report: 171 → 30', SOCIAL_APPROVAL: 'source report: 152 → 25' };
  const catalogue = loadCatalogue();
  return groups
    .filter((g) => g.scenario === scenario && g.processCode !== 'ALL' && g.completed > 0)
    .map((g) => {
      const limits = atLegalLimits(snapshotFor(catalogue, g.processCode)!);
      return `  ${g.processCode}: serial ${g.avgSerialWorkingDays} working days → parallel ${g.avgParallelWorkingDays} (×${(g.avgSerialWorkingDays / g.avgParallelWorkingDays).toFixed(1)}); at the legal limits ${limits.serial} → ${limits.parallel}; ${g.avgCalendarDays} calendar days in all (${reference[g.processCode] ?? ''}, ≈155 calendar days)`;
    });
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const { params, databaseUrl, outDir, lastDay, concurrency } = parseParams(process.argv.slice(2));
  console.log(`seed ${params.seed} (npm run simulate -- --seed ${params.seed} repeats this run)`);
  console.log(`parameters: ${JSON.stringify({ ...params, scenarios: params.scenarios.join(',') })}`);
  const r = await runSimulation({ params, databaseUrl, outDir, lastDay, concurrency });
  console.log('');
  console.log(table(r.groups));
  console.log('\napproval working days of the same matters with the same sampled days, one after another (serial) and as the workflow runs them (parallel, the critical path):');
  for (const line of storyLines(r.groups, params.scenarios[0]!)) console.log(line);
  if (r.unfinished.length) console.log(`\nnot completed by ${r.lastDay}: ${r.unfinished.length} (${r.unfinished.slice(0, 5).join(', ')}${r.unfinished.length > 5 ? ', …' : ''})`);
  if (r.refusals.length) console.log(`\nrefused actions: ${r.refusals.length} (first: ${r.refusals[0]!.action} ${r.refusals[0]!.on}: ${r.refusals[0]!.code} ${r.refusals[0]!.message})`);
  if (r.lostUpdates) console.log(`\nUpdates lost with a timed-out workflow task and decided again the next working day: ${r.lostUpdates}`);
  console.log(`\nchart: ${path.relative(process.cwd(), r.chartFile)}; figures per application: ${path.relative(process.cwd(), r.summaryFile)}`);
  console.log(`read model: ${r.databaseUrl} (kept)`);
  console.log(`  backtest on it: DATABASE_URL=${r.databaseUrl} npm run backtest`);
  console.log(`(${r.wallSeconds} s)`);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  });
}
