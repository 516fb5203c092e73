import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { processRunning, ROOT } from './chaos/system';
import { anyRunning, dataDirOf, down, isUp, readTopology, systemFileOf, up, VARIANTS, type Variant } from './topology/system';

const USAGE = `npm run topology -- <up|chaos|bench|down|status> [options]

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
  bench                     on the topology, then on the dev variant: throughput (applications
                            driven to their end per minute through both APIs, the chaos driver
                            without faults) and the HTTP figures of bench:reads; writes
                            .data/bench/topology.json
      --applications N      throughput run (default 40)
      --rate R --seconds S  HTTP load (default 100 req/s, 15 s a scenario)
      --only cluster|dev    one variant only

chaos and bench use a running variant as it is, else start it fresh and stop it at the end.
`;

const say = (text: string) => console.log(`[topology] ${text}`);

/** Runs a compiled script of this repository with the same Node, its output through; resolves with its exit code. */
function runScript(script: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'scripts', script), ...args], { cwd: ROOT, stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}

/** Runs `body` against the variant: the running one as it is, or a fresh one stopped at the end. */
async function against<T>(variant: Variant, body: () => Promise<T>): Promise<T> {
  const started = !isUp(variant);
  if (started) {
    if (anyRunning(variant)) await down(variant, say);
    await up(variant, { fresh: true, say });
  }
  try {
    return await body();
  } finally {
    if (started) await down(variant, say);
  }
}

interface ChaosReport {
  passed: boolean;
  driveMs: number;
  applications: { planned: number; actions: number; outcomes: Record<string, number> | null };
  figures: Record<string, number> | null;
  faults: { all: { kind: string; atS: number; detail: string; recoveryMs: number | null; readyMs: number | null }[] };
  requests?: { retried: number; retries: number; internalErrors: unknown[] };
}

async function chaos(variant: Variant, values: Record<string, string | boolean | undefined>): Promise<number> {
  const report = path.join(dataDirOf(variant), `chaos-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  return against(variant, () =>
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

interface HttpRun {
  scenario: string;
  sent: number;
  ok: number;
  failed: number;
  p50: number;
  p99: number;
}

/** Throughput with the chaos driver (no fault), then bench:reads' HTTP figures, against one variant. */
async function benchVariant(variant: Variant, values: Record<string, string | boolean | undefined>) {
  const dir = dataDirOf(variant);
  const applications = String(values.applications ?? '40');
  const throughputReport = path.join(dir, 'bench-throughput.json');
  const readsOut = path.join(dir, 'bench-reads.json');
  return against(variant, async () => {
    const system = readTopology(variant)!;
    say(`${variant}: throughput, ${applications} applications driven to their end through ${system.apiUrls.length} APIs`);
    const chaosCode = await runScript('chaos.js', ['--external', systemFileOf(variant), '--applications', applications, '--worker-kill-every', '0', '--report', throughputReport]);
    const t = JSON.parse(readFileSync(throughputReport, 'utf8')) as ChaosReport;
    say(`${variant}: HTTP at ${values.rate ?? 100} req/s`);
    const readsCode = await runScript('bench-reads.js', ['--external', systemFileOf(variant), '--out', readsOut, String(values.rate ?? '100'), String(values.seconds ?? '15')]);
    if (readsCode !== 0) throw new Error(`bench-reads on ${variant} failed (exit ${readsCode})`);
    const reads = JSON.parse(readFileSync(readsOut, 'utf8')) as { runs: HttpRun[] };
    return {
      variant,
      temporal: variant === 'cluster' ? 'temporal-server v1.32.1, PostgreSQL persistence + visibility, 4 history shards' : 'temporal server start-dev (CLI v1.5.1), SQLite file (WAL)',
      workers: system.processes.filter((p) => p.role === 'worker').length,
      apis: system.apiUrls.length,
      throughput: {
        passed: t.passed && chaosCode === 0,
        applications: t.applications.planned,
        actions: t.applications.actions,
        driveMs: t.driveMs,
        applicationsPerMin: Math.round((t.applications.planned / (t.driveMs / 60_000)) * 10) / 10,
        actionsPerS: Math.round((t.applications.actions / (t.driveMs / 1000)) * 10) / 10,
        retries: t.requests?.retries ?? null,
        figures: t.figures,
      },
      http: reads.runs,
    };
  });
}

async function bench(values: Record<string, string | boolean | undefined>): Promise<number> {
  const only = values.only as Variant | undefined;
  if (only && !VARIANTS.includes(only)) throw new Error(`--only must be cluster or dev, not ${only}`);
  const results: Awaited<ReturnType<typeof benchVariant>>[] = [];
  for (const variant of only ? [only] : VARIANTS) results.push(await benchVariant(variant, values));
  const out = path.join(ROOT, '.data', 'bench', 'topology.json');
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ measuredAt: new Date().toISOString(), rate: Number(values.rate ?? 100), seconds: Number(values.seconds ?? 15), variants: results }, null, 2)}\n`);

  const heads = results.map((r) => r.variant);
  console.log(`\n| figure | ${heads.join(' | ')} |\n|---|${heads.map(() => '---|').join('')}`);
  const row = (label: string, cell: (r: (typeof results)[number]) => string) => console.log(`| ${label} | ${results.map(cell).join(' | ')} |`);
  row('applications driven to their end / min', (r) => `${r.throughput.applicationsPerMin} (${r.throughput.applications} in ${(r.throughput.driveMs / 1000).toFixed(1)} s, ${r.throughput.passed ? 'verified' : 'NOT VERIFIED'})`);
  row('actions / s', (r) => String(r.throughput.actionsPerS));
  for (const scenario of results[0]!.http.map((h) => h.scenario)) {
    row(`${scenario}: p50 / p99 ms (failed)`, (r) => {
      const h = r.http.find((x) => x.scenario === scenario);
      return h ? `${h.p50.toFixed(1)} / ${h.p99.toFixed(1)} (${h.failed})` : '—';
    });
  }
  console.log(`\nwrote ${path.relative(ROOT, out)}`);
  return results.every((r) => r.throughput.passed) ? 0 : 1;
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      dev: { type: 'boolean', default: false },
      fresh: { type: 'boolean', default: false },
      applications: { type: 'string' },
      'worker-kill-at': { type: 'string' },
      'worker-down-for': { type: 'string' },
      rate: { type: 'string' },
      seconds: { type: 'string' },
      only: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  const variant: Variant = values.dev ? 'dev' : 'cluster';
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
