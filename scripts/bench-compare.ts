import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { MultiBar, Presets } from 'cli-progress';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { loadCatalogue, snapshotFor } from '../catalogue/loader';
import { allMatters } from '../catalogue/snapshot';
import { applicationWorkflow } from '../workflows';
import { approveUpdate, statusQuery } from '../workflows/messages';
import { projectionActivities } from '../worker/activities';
import { mergeBenchSummary } from './bench-summary';
import { bareApplicationWorkflow, bareApproveUpdate, bareStatusQuery } from './bench-bare/workflows';
import { median, percentile } from './stats';

/**
 * Our application workflow side by side with the bare reference of the same shape
 * (scripts/bench-bare/workflows.ts), in one process against one Temporal dev server (in memory):
 * each run starts N government-investment applications at once and officers decide every matter
 * by Update as fast as the client can send them, polling the status query between bursts. The two
 * run alternately over R rounds, the order swapped every round, so drift (JIT warm-up, the dev
 * server's growing store) falls on both. Per run: applications/min, history bytes and events per
 * application (all N fetched), Update round trips p50/p99, worker + client CPU per application
 * (process.cpuUsage around the run) and the process's peak RSS during it. Per round, the paired
 * throughput ratio ours ÷ bare; then medians.
 *
 * Both get the same start input (with the catalogue snapshot, ~25 KB) and the same Update inputs;
 * the read model is not written: our projection activity reads its batch through the workflow's
 * projection query as in production and drops it; the bare one's does nothing.
 *
 *   npm run bench:compare [-- N [ROUNDS]]      (default N = 30, ROUNDS = 4)
 *
 * Writes .data/bench/summary.json (ratioVsBare = median paired ratio, historyBytesRatio, the
 * medians and the raw rounds), keeping whatever keys other benches wrote there.
 *
 * Goals (issue 14): throughput ≥ 0.9× bare; history ≤ 1.5× bare's bytes.
 */
const N = Number(process.argv[2] ?? 30);
const ROUNDS = Math.max(1, Number(process.argv[3] ?? 4));
const ROOT = path.resolve(__dirname, '..', '..');
const OUT_DIR = path.join(ROOT, '.data', 'bench');

type Kind = 'ours' | 'bare';

interface RunFigures {
  kind: Kind;
  round: number;
  applications: number;
  completed: number;
  seconds: number;
  appsPerMin: number;
  updatesPerApp: number;
  updateP50Ms: number;
  updateP99Ms: number;
  historyBytesPerApp: number;
  historyEventsPerApp: number;
  projectionCallsPerApp: number;
  cpuMsPerApp: number;
  peakRssMiB: number;
}

const round2 = (x: number) => Math.round(x * 100) / 100;

/** The status view both workflows answer, as far as the driver reads it. */
interface DrivenView {
  status: string;
  stages: { matters: { code: string; department: string; status: string }[] }[];
  alongside: { code: string; department: string; status: string }[];
}

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  mkdirSync(OUT_DIR, { recursive: true });
  const snapshot = snapshotFor(loadCatalogue(), 'GOV_INVESTMENT')!;
  const materials = [...new Set(allMatters(snapshot).flatMap((m) => m.materials.map((x) => x.code)))];

  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: path.join(ROOT, '.tools', 'bin', 'temporal') }, ip: '127.0.0.1', ui: false },
  });
  let projectionCalls = 0;
  // The bare workflow's projection is a no-op; ours reads its rows through the projection query
  // as the worker's does (the query's cost is ours) and then drops them instead of writing.
  const sink = {
    async projectApplication() {
      projectionCalls++;
      return { applied: true };
    },
  };
  const oursSink = projectionActivities(async () => {
    projectionCalls++;
    return { applied: true };
  });
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 50);
  const tty = process.stdout.isTTY === true;
  const bars = tty ? new MultiBar({ format: ' {bar} {value}/{total} applications | {phase}', hideCursor: true, clearOnComplete: false }, Presets.shades_classic) : null;
  const bar = bars?.create(ROUNDS * 2 * N, 0, { phase: 'starting' });
  const say = (line: string) => (bars ? bars.log(`${line}\n`) : console.log(line));

  const runs: RunFigures[] = [];
  try {
    const [ours, bare] = await Promise.all([
      Worker.create({ connection: env.nativeConnection, taskQueue: 'compare-ours', workflowsPath: path.join(ROOT, 'dist', 'workflows'), activities: oursSink }),
      Worker.create({ connection: env.nativeConnection, taskQueue: 'compare-bare', workflowsPath: path.join(__dirname, 'bench-bare', 'workflows.js'), activities: sink }),
    ]);
    const running = Promise.all([ours.run(), bare.run()]);
    try {
      const runOnce = async (kind: Kind, round: number): Promise<RunFigures> => {
        bar?.update({ phase: `round ${round + 1}/${ROUNDS}: ${kind}` });
        const latencies: number[] = [];
        projectionCalls = 0;
        peakRss = process.memoryUsage().rss;
        const cpu0 = process.cpuUsage();
        const t0 = Date.now();
        const ids = Array.from({ length: N }, (_, i) => `compare-${kind}-${round}-${t0}-${i}`);
        const handles: WorkflowHandle[] = await Promise.all(
          ids.map((id, i) => {
            // The same start input for both (the bare workflow reads only the snapshot's matters).
            const input = { applicationId: id, projectName: `bench ${i}`, applicant: { id: 'ent-bench', name: 'bench' }, snapshot, materials };
            return kind === 'ours'
              ? env.client.workflow.start(applicationWorkflow, { taskQueue: 'compare-ours', workflowId: id, args: [input] })
              : env.client.workflow.start(bareApplicationWorkflow, { taskQueue: 'compare-bare', workflowId: id, args: [input] });
          }),
        );
        // The same driver for both: poll the status, decide every matter in progress, repeat.
        await Promise.all(
          handles.map(async (h) => {
            for (let poll = 0; poll < 40; poll++) {
              const v = (await (kind === 'ours' ? h.query(statusQuery, {}) : h.query(bareStatusQuery, {}))) as DrivenView;
              if (v.status !== 'running') break;
              const open = [...v.stages.flatMap((s) => s.matters), ...v.alongside].filter((m) => m.status === 'inProgress');
              for (const m of open) {
                const input = { actor: { id: 'bench', role: 'officer' as const, department: m.department }, matter: m.code, result: { number: m.code }, reason: '' };
                const s = performance.now();
                if (kind === 'ours') await h.executeUpdate(approveUpdate, { args: [input] });
                else await h.executeUpdate(bareApproveUpdate, { args: [input] });
                latencies.push(performance.now() - s);
              }
            }
            await h.result();
            bar?.increment();
          }),
        );
        const seconds = (Date.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        const rss = peakRss;
        const outcomes = (await Promise.all(handles.map((h) => h.result()))) as { status: string }[];
        let bytes = 0;
        let events = 0;
        for (const h of handles) {
          const history = await h.fetchHistory();
          events += history.events?.length ?? 0;
          const encoded = temporal.api.history.v1.History.encode(history).finish();
          bytes += encoded.length;
          // One history of each kind kept for a look at where the bytes go (scripts/history-bytes.ts).
          if (h === handles[0]) writeFileSync(path.join(OUT_DIR, `${kind}.history`), encoded);
        }
        latencies.sort((a, b) => a - b);
        return {
          kind,
          round: round + 1,
          applications: N,
          completed: outcomes.filter((o) => o.status === 'completed').length,
          seconds: round2(seconds),
          appsPerMin: round2((N / seconds) * 60),
          updatesPerApp: round2(latencies.length / N),
          updateP50Ms: round2(percentile(latencies, 50)),
          updateP99Ms: round2(percentile(latencies, 99)),
          historyBytesPerApp: Math.round(bytes / N),
          historyEventsPerApp: round2(events / N),
          projectionCallsPerApp: round2(projectionCalls / N),
          cpuMsPerApp: round2((cpu.user + cpu.system) / 1000 / N),
          peakRssMiB: Math.round(rss / 2 ** 20),
        };
      };

      const line = (r: RunFigures) =>
        `  ${r.kind.padEnd(4)} ${r.appsPerMin.toFixed(1).padStart(7)} apps/min  update p50 ${r.updateP50Ms.toFixed(0)} p99 ${r.updateP99Ms.toFixed(0)} ms  ` +
        `${(r.historyBytesPerApp / 1024).toFixed(1)} KiB ${r.historyEventsPerApp.toFixed(0)} events/app  cpu ${r.cpuMsPerApp.toFixed(0)} ms/app  ` +
        `rss ${r.peakRssMiB} MiB  (${r.completed}/${r.applications} completed, ${r.updatesPerApp} updates/app, ${r.projectionCallsPerApp} projections/app, ${r.seconds} s)`;
      for (let round = 0; round < ROUNDS; round++) {
        const order: Kind[] = round % 2 === 0 ? ['ours', 'bare'] : ['bare', 'ours'];
        const got: Partial<Record<Kind, RunFigures>> = {};
        for (const kind of order) {
          const r = await runOnce(kind, round);
          got[kind] = r;
          runs.push(r);
        }
        say(`round ${round + 1} (${order.join(' then ')}): ours ÷ bare = ${(got.ours!.appsPerMin / got.bare!.appsPerMin).toFixed(2)}`);
        say(line(got.ours!));
        say(line(got.bare!));
      }
    } finally {
      ours.shutdown();
      bare.shutdown();
      await running;
    }
  } finally {
    clearInterval(sampler);
    bars?.stop();
    await env.teardown();
  }

  const of = (kind: Kind) => runs.filter((r) => r.kind === kind);
  const paired = Array.from({ length: ROUNDS }, (_, i) => of('ours')[i]!.appsPerMin / of('bare')[i]!.appsPerMin);
  const med = (kind: Kind, key: keyof RunFigures) => round2(median(of(kind).map((r) => r[key] as number)));
  const medians = Object.fromEntries(
    (['ours', 'bare'] as const).map((kind) => [
      kind,
      Object.fromEntries(
        (['appsPerMin', 'updateP50Ms', 'updateP99Ms', 'historyBytesPerApp', 'historyEventsPerApp', 'cpuMsPerApp', 'peakRssMiB', 'updatesPerApp', 'projectionCallsPerApp'] as const).map((k) => [k, med(kind, k)]),
      ),
    ]),
  ) as Record<Kind, Record<string, number>>;
  const ratioVsBare = round2(median(paired));
  const historyBytesRatio = round2(median(Array.from({ length: ROUNDS }, (_, i) => of('ours')[i]!.historyBytesPerApp / of('bare')[i]!.historyBytesPerApp)));
  const historyEventsRatio = round2(medians.ours.historyEventsPerApp! / medians.bare.historyEventsPerApp!);
  const cpuRatio = round2(medians.ours.cpuMsPerApp! / medians.bare.cpuMsPerApp!);

  console.log(`\nmedians over ${ROUNDS} rounds, ${N} government-investment applications per run:`);
  for (const kind of ['ours', 'bare'] as const) {
    const m = medians[kind];
    console.log(
      `  ${kind.padEnd(4)} ${m.appsPerMin!.toFixed(1)} apps/min  update p50 ${m.updateP50Ms!.toFixed(0)} p99 ${m.updateP99Ms!.toFixed(0)} ms  ` +
        `history ${(m.historyBytesPerApp! / 1024).toFixed(1)} KiB ${m.historyEventsPerApp!.toFixed(0)} events/app  cpu ${m.cpuMsPerApp!.toFixed(0)} ms/app  peak rss ${m.peakRssMiB} MiB`,
    );
  }
  console.log(
    `throughput ours ÷ bare ${ratioVsBare.toFixed(2)} (paired: ${paired.map((p) => p.toFixed(2)).join(', ')}; goal ≥ 0.9), ` +
      `history bytes ${historyBytesRatio.toFixed(2)}× (goal ≤ 1.5), events ${historyEventsRatio.toFixed(2)}×, cpu ${cpuRatio.toFixed(2)}×`,
  );

  mergeBenchSummary({
    ratioVsBare,
    historyBytesRatio,
    workflows: {
      measuredAt: new Date().toISOString(),
      applications: N,
      rounds: ROUNDS,
      pairedRatios: paired.map(round2),
      historyEventsRatio,
      cpuRatio,
      medians,
      runs,
    },
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
