import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { loadCatalogue, snapshotFor } from '../catalogue/loader';
import { applicationWithChildren, decideUpdate, type ShapeMatter } from './bench-shapes/workflows';
import { percentile } from './stats';

/**
 * Measures the mapping we did not choose: a child workflow per matter (scripts/bench-shapes),
 * on the same dev server and load as bench-workflows (N applications of the government-
 * investment topology at once, one decision per matter). Prints events and bytes of history per
 * application (parent + children), Update round trips and throughput.
 *
 *   npm run bench:shapes [-- N]      (default N = 30)
 */
const N = Number(process.argv[2] ?? 30);
const ROOT = path.resolve(__dirname, '..', '..');

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const snapshot = snapshotFor(loadCatalogue(), 'GOV_INVESTMENT')!;
  const matters: ShapeMatter[] = [
    ...snapshot.stages.flatMap((s, i) => s.matters.map((m) => ({ code: m.code, stage: i, prerequisites: m.prerequisites.filter((p) => s.matters.some((x) => x.code === p)) }))),
    ...snapshot.alongside.map((m) => ({ code: m.code, stage: snapshot.stages.length, prerequisites: [] })),
  ];
  // Officers decide in an order the prerequisites allow.
  const order: ShapeMatter[] = [];
  for (const stage of [...new Set(matters.map((m) => m.stage))].sort((a, b) => a - b)) {
    const inStage = matters.filter((m) => m.stage === stage);
    while (inStage.some((m) => !order.includes(m))) {
      for (const m of inStage) if (!order.includes(m) && m.prerequisites.every((p) => order.some((o) => o.code === p))) order.push(m);
    }
  }
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: path.join(ROOT, '.tools', 'bin', 'temporal') }, ip: '127.0.0.1', ui: false },
  });
  try {
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'shapes', workflowsPath: path.join(__dirname, 'bench-shapes', 'workflows.js') });
    await worker.runUntil(async () => {
      const latencies: number[] = [];
      const t0 = Date.now();
      const ids = Array.from({ length: N }, (_, i) => `shape-${t0}-${i}`);
      const handles = await Promise.all(ids.map((id) => env.client.workflow.start(applicationWithChildren, { taskQueue: 'shapes', workflowId: id, args: [matters] })));
      await Promise.all(
        ids.map(async (id) => {
          for (const m of order) {
            const child = env.client.workflow.getHandle(`${id}-${m.code}`);
            for (;;) {
              const s = performance.now();
              try {
                await child.executeUpdate(decideUpdate);
                latencies.push(performance.now() - s);
                break;
              } catch (e) {
                if (process.env.DEBUG_SHAPES) console.error(m.code, (e as Error).message);
                await new Promise((r) => setTimeout(r, 20)); // not started yet: its prerequisites are still open
              }
            }
          }
        }),
      );
      await Promise.all(handles.map((h) => h.result()));
      const elapsed = (Date.now() - t0) / 1000;
      let events = 0;
      let bytes = 0;
      for (const id of [ids[0]!, ...matters.map((m) => `${ids[0]}-${m.code}`)]) {
        const h = await env.client.workflow.getHandle(id).fetchHistory();
        events += h.events?.length ?? 0;
        bytes += temporal.api.history.v1.History.encode(h).finish().length;
      }
      latencies.sort((a, b) => a - b);
      console.log(`child-per-matter shape: ${N} applications × ${matters.length} matters`);
      console.log(`updates: ${latencies.length}, round trip p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`);
      console.log(`throughput: ${((N / elapsed) * 60).toFixed(1)} applications/min (${elapsed.toFixed(1)} s)`);
      console.log(`history: ${events} events, ${(bytes / 1024).toFixed(0)} KiB per application (parent + ${matters.length} children)`);
    });
  } finally {
    await env.teardown();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
