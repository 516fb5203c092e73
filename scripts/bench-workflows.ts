import path from 'node:path';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { loadCatalogue, snapshotFor } from '../catalogue/loader';
import { allMatters } from '../catalogue/snapshot';
import type { ProjectionBatch } from '../domain/projection';
import { applicationWorkflow } from '../workflows';
import { approveUpdate, statusQuery } from '../workflows/messages';
import { projectionActivities } from '../worker/activities';
import { percentile } from './stats';

/**
 * Orchestration benchmark on the real Temporal dev server (in memory): N government-investment
 * applications started at once and driven through all four stages by officers' Updates, as fast
 * as the client can send them. Reports Update round trips (p50/p99), applications per minute,
 * history events per application and the process's peak RSS (worker and client in one process).
 * The read model is not written (an in-memory projection sink): this measures the workflows.
 *
 *   npm run bench:workflows [-- N]      (default N = 30)
 */
const N = Number(process.argv[2] ?? 30);
const ROOT = path.resolve(__dirname, '..', '..');

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const env = await TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: path.join(ROOT, '.tools', 'bin', 'temporal') }, ip: '127.0.0.1', ui: false },
  });
  let peakRss = 0;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const batches: number[] = [];
  try {
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue: 'bench',
      workflowsPath: path.join(ROOT, 'dist', 'workflows'),
      activities: projectionActivities(async (batch: ProjectionBatch) => {
        batches.push(batch.application.seq);
        return { applied: true };
      }),
    });
    await worker.runUntil(async () => {
      const snapshot = snapshotFor(loadCatalogue(), 'GOV_INVESTMENT')!;
      const materials = [...new Set(allMatters(snapshot).flatMap((m) => m.materials.map((x) => x.code)))];
      const latencies: number[] = [];
      const t0 = Date.now();
      const handles = await Promise.all(
        Array.from({ length: N }, (_, i) =>
          env.client.workflow.start(applicationWorkflow, {
            taskQueue: 'bench',
            workflowId: `bench-${t0}-${i}`,
            args: [{ applicationId: `bench-${t0}-${i}`, projectName: `bench ${i}`, applicant: { id: 'ent-bench', name: 'bench' }, snapshot, materials }],
          }),
        ),
      );
      await Promise.all(
        handles.map(async (h) => {
          for (let round = 0; round < 40; round++) {
            const v = await h.query(statusQuery, {});
            if (v.status !== 'running') return;
            const running = [...v.stages.flatMap((s) => s.matters), ...v.alongside].filter((m) => m.status === 'inProgress');
            for (const m of running) {
              const s = performance.now();
              await h.executeUpdate(approveUpdate, { args: [{ actor: { id: 'bench', role: 'officer', department: m.department }, matter: m.code, result: { number: m.code }, reason: '' }] });
              latencies.push(performance.now() - s);
            }
          }
        }),
      );
      const elapsed = (Date.now() - t0) / 1000;
      const outcomes = await Promise.all(handles.map((h) => h.result()));
      const history = await handles[0]!.fetchHistory();
      latencies.sort((a, b) => a - b);
      console.log(`applications: ${N} government-investment (27 matters each), ${outcomes.filter((o) => o.status === 'completed').length} completed`);
      console.log(`updates: ${latencies.length}, round trip p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms`);
      console.log(`throughput: ${((N / elapsed) * 60).toFixed(1)} applications/min, ${(latencies.length / elapsed).toFixed(1)} updates/s (${elapsed.toFixed(1)} s)`);
      const bytes = temporal.api.history.v1.History.encode(history).finish().length;
      console.log(`history: ${history.events?.length} events, ${(bytes / 1024).toFixed(0)} KiB per application; ${(batches.length / N).toFixed(1)} projection batches per application`);
    });
  } finally {
    clearInterval(sampler);
    await env.teardown();
  }
  console.log(`peak RSS (worker + client + bundle): ${(peakRss / 2 ** 20).toFixed(0)} MiB`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
