import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ProjectionBatch } from '../domain/projection';

/**
 * The worker's own metrics (docs/operations.md), in one registry per process: the activities and
 * the webhook dispatcher record into it wherever they run (worker/main.ts, or a test's worker),
 * and worker/main.ts serves it on WORKER_METRICS_PORT. The Temporal SDK's metrics are the SDK's
 * exporter's, on the next port (`sdkMetricsAddress`).
 */
export const workerRegistry = new Registry();

/** How the projection was written: the batch handed over by the local activity (`local`; older histories' activity too) or read through the projection query (`reference`). */
export type ProjectionPath = 'local' | 'reference';
/** `applied`: rows written; `ignored`: the read model held that seq already (or refused the batch); `failed`: the attempt threw and is retried. */
export type ProjectionResult = 'applied' | 'ignored' | 'failed';

const writes = new Counter({
  name: 'approvals_projection_writes_total',
  help: 'Projection writes by path (local: the batch the local activity hands over; reference: read through the projection query) and result',
  labelNames: ['path', 'result'] as const,
  registers: [workerRegistry],
});
const lagLast = new Gauge({
  name: 'approvals_projection_lag_seconds',
  help: 'At the last projection write: seconds from the oldest event it added to the write',
  registers: [workerRegistry],
});
const lag = new Histogram({
  name: 'approvals_projection_write_lag_seconds',
  help: 'At each projection write: seconds from the oldest event it added to the write',
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
  registers: [workerRegistry],
});
const deliveries = new Counter({
  name: 'approvals_webhook_deliveries_total',
  help: 'Webhook delivery attempts by result (delivered; failed: retried later; dead: the last attempt failed)',
  labelNames: ['result'] as const,
  registers: [workerRegistry],
});

/**
 * Applications whose read model is behind their workflow, as this worker last tried them: the
 * events the workflow has and the read model lacks (a failed write's new events; a durable-path
 * attempt's seq − fromSeq). A write that succeeds clears its application; one not tried again for
 * 10 minutes is forgotten (another worker wrote it, or it ended).
 */
const behind = new Map<string, { events: number; at: number }>();
const BEHIND_FORGOTTEN_AFTER_MS = 10 * 60_000;
const current = () => {
  const now = Date.now();
  for (const [id, b] of behind) if (now - b.at > BEHIND_FORGOTTEN_AFTER_MS) behind.delete(id);
  return [...behind.values()];
};
new Gauge({
  name: 'approvals_projection_events_behind',
  help: 'Events the workflows have that the read model lacks, over the applications whose projection this worker is retrying',
  registers: [workerRegistry],
  collect() {
    this.set(current().reduce((sum, b) => sum + b.events, 0));
  },
});
new Gauge({
  name: 'approvals_projection_applications_behind',
  help: 'Applications whose projection this worker is retrying',
  registers: [workerRegistry],
  collect() {
    this.set(current().length);
  },
});

/** How far an application's read model is behind its workflow (0: caught up). */
export function observeProjectionBehind(applicationId: string, events: number, now = Date.now()): void {
  if (events > 0) behind.set(applicationId, { events, at: now });
  else behind.delete(applicationId);
}

/** Records one projection write; the lag only when the write added events. */
export function observeProjectionWrite(path: ProjectionPath, result: ProjectionResult, batch?: ProjectionBatch, now = Date.now()): void {
  writes.inc({ path, result });
  if (result !== 'applied' || !batch?.events.length) return;
  const oldest = Math.min(...batch.events.map((e) => Date.parse(e.at)));
  if (!Number.isFinite(oldest)) return;
  const seconds = Math.max(0, (now - oldest) / 1000);
  lagLast.set(seconds);
  lag.observe(seconds);
}

export function observeWebhookDelivery(result: 'delivered' | 'failed' | 'dead'): void {
  deliveries.inc({ result });
}

let processMetrics = false;
/** Process health (CPU, memory, event loop, restarts via start time) under `approvals_worker_`, once per process. */
export function collectWorkerProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics({ register: workerRegistry, prefix: 'approvals_worker_' });
}

/** The Temporal SDK's Prometheus exporter sits on the port after the worker's own: one `/metrics` per port. */
export function sdkMetricsAddress(host: string, workerMetricsPort: number): string {
  return `${host}:${workerMetricsPort + 1}`;
}
