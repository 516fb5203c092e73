import { DefaultLogger, type LogLevel, makeTelemetryFilterString, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import path from 'node:path';
import { migrate } from '../readmodel/db/migrate';
import { createPool } from '../readmodel/db/pool';
import { Client, Connection } from '@temporalio/client';
import { createBroadcastActivities, createProjectionActivities } from './activities';
import { createWebhookDispatcher } from '../readmodel/webhooks';
import { logger, type Logger } from '../api/log';
import { type Config, loadConfig } from '../config/environment';
import { startTracing } from '../config/tracing';
import { TRACING_WORKFLOW_MODULE, tracingActivityInterceptors } from './tracing';
import { serveMetrics } from '../api/metrics';
import { collectWorkerProcessMetrics, observeWebhookDelivery, sdkMetricsAddress, workerRegistry } from './metrics';

const log = logger.child({ name: 'worker' });

/**
 * How long a stop may take. On SIGTERM/SIGINT the SDK gets `graceMs` to let running activities
 * finish (then cancels them) and gives up on a graceful stop at `forceMs`; whatever still hangs
 * (Core waiting for a task that will never complete) is cut by `process.exit` at `exitMs`, so a
 * stop never takes longer: systemd's TimeoutStopSec (deploy/systemd) is set just above it. After
 * a fatal error the process is broken, so it only gets `fatalExitMs` to let go of what it holds.
 */
export interface DrainBounds {
  graceMs: number;
  forceMs: number;
  exitMs: number;
  fatalExitMs: number;
}

export const DRAIN_BOUNDS: DrainBounds = { graceMs: 10_000, forceMs: 15_000, exitMs: 20_000, fatalExitMs: 5_000 };

export interface WorkerProcessOptions {
  /** The workflow code: the application's workflows, unless a test brings its own. */
  workflowsPath: string;
  /** Activities besides the projection's (a test's own). */
  activities?: object;
  config?: Config;
  /** The production bounds unless a test shortens them. */
  drain?: DrainBounds;
}

/**
 * The SDK's own lines (worker lifecycle, workflow and activity loggers, and Rust Core's,
 * forwarded) go through the same JSON logger, at the level it is set to. The process handles
 * the stop signals itself (`shutdownSignals: []`): the SDK's handler ignores a signal once the
 * worker has left RUNNING, which is how a worker stopped by a fatal error came to ignore SIGTERM.
 */
function installTemporalLogger(target: Logger, metricsAddress?: string): void {
  const levels: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN' };
  const level = levels[target.level] ?? 'ERROR';
  const sdk = target.child({ name: 'temporal' });
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => sdk[entry.level.toLowerCase() as Lowercase<LogLevel>]({ ...entry.meta }, entry.message)),
    // Core is chatty at INFO; its warnings and errors are what an operator needs.
    telemetryOptions: {
      logging: { forward: {}, filter: makeTelemetryFilterString({ core: level === 'INFO' ? 'WARN' : level }) },
      // The SDK's own exporter (worker and client metrics, `temporal_` prefix), on a port of its own.
      ...(metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress, useSecondsForDurations: true } } } : {}),
    },
    shutdownSignals: [],
  });
}

/**
 * One worker process from start to exit. It runs the workflows on the task queue, projects to
 * the read model, broadcasts calendars and dispatches webhooks until one of two things happens, and then it exits —
 * it never lingers without polling, so a supervisor (systemd, `npm start`) can start a new one:
 * - SIGTERM/SIGINT: it drains (the SDK's graceful shutdown, the webhook dispatcher, the
 *   connection, the pool) and exits 0, or exits 1 at the drain bound;
 * - the SDK stops the worker on its own (a fatal error: it logs "Initiating Worker shutdown"
 *   and leaves RUNNING, or `run()` rejects): it exits 1 within `fatalExitMs`.
 */
export async function runWorkerProcess(options: WorkerProcessOptions): Promise<never> {
  const config = options.config ?? loadConfig();
  const bounds = options.drain ?? DRAIN_BOUNDS;
  // The Runtime, with its metrics exporter, is installed before any connection or worker exists.
  installTemporalLogger(log, config.WORKER_METRICS_PORT ? sdkMetricsAddress(config.METRICS_HOST, config.WORKER_METRICS_PORT) : undefined);
  let metricsServer: Awaited<ReturnType<typeof serveMetrics>> | undefined;
  if (config.WORKER_METRICS_PORT) {
    collectWorkerProcessMetrics();
    metricsServer = await serveMetrics(workerRegistry, config.WORKER_METRICS_PORT, config.METRICS_HOST);
    log.info({ metrics: metricsServer.url, temporalMetrics: `http://${sdkMetricsAddress(config.METRICS_HOST, config.WORKER_METRICS_PORT)}/metrics` }, 'serving metrics');
  }
  // Off unless OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set.
  startTracing('approvals-worker', { endpoint: config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT });
  const pool = createPool(config.DATABASE_URL, { applicationName: 'approvals-worker' });
  // The schema is brought up to date before any projection is written (and by `npm run migrate`).
  const { applied } = await migrate(pool);
  if (applied.length) log.info({ migrations: applied }, 'migrations applied');
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  // The broadcast activities list and signal workflows as a client does.
  const clientConnection = await Connection.connect({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection: clientConnection, namespace: config.TEMPORAL_NAMESPACE });
  const worker = await Worker.create({
    connection,
    namespace: config.TEMPORAL_NAMESPACE,
    taskQueue: config.TASK_QUEUE,
    workflowsPath: options.workflowsPath,
    activities: { ...createProjectionActivities(pool, client), ...createBroadcastActivities(client), ...options.activities },
    shutdownGraceTime: bounds.graceMs,
    shutdownForceTime: bounds.forceMs,
    interceptors: { workflowModules: [TRACING_WORKFLOW_MODULE], activity: tracingActivityInterceptors },
  });
  // Webhooks leave from the outbox the projection fills; a dead endpoint only delays its own rows.
  const webhooks = createWebhookDispatcher(pool, { allowlist: config.WEBHOOK_ALLOWED_DESTINATIONS, maxAttempts: 10, baseDelayMs: 5_000, onError: (err) => log.error({ err }, 'webhook dispatch failed'), onDelivery: observeWebhookDelivery });

  let webhooksStopped: Promise<void> | undefined;
  const stopWebhooks = () => (webhooksStopped ??= webhooks.stop());
  let exitCode: number | undefined;
  /** Starts the stop once; whatever happens next, the process is gone `boundMs` later. */
  const stop = (code: number, boundMs: number): void => {
    if (exitCode !== undefined) return;
    exitCode = code;
    setTimeout(() => {
      log.error({ boundMs }, `the worker did not stop within ${boundMs / 1000} s; exiting`);
      process.exit(1);
    }, boundMs);
    if (worker.getState() === 'RUNNING') worker.shutdown();
    void stopWebhooks();
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (exitCode !== undefined) return;
    log.info({ signal, boundMs: bounds.exitMs }, `${signal}: draining the worker (at most ${bounds.exitMs / 1000} s)`);
    stop(0, bounds.exitMs);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  // The SDK reports a fatal stop only by leaving RUNNING on its own; it does not always reject run().
  const watch = setInterval(() => {
    const state = worker.getState();
    if (exitCode !== undefined || state === 'RUNNING') return;
    log.fatal({ state, boundMs: bounds.fatalExitMs }, `the Temporal SDK stopped the worker after a fatal error (state ${state}); exiting`);
    stop(1, bounds.fatalExitMs);
  }, 250);

  const running = worker.run();
  webhooks.start(2_000);
  log.info({ taskQueue: config.TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS }, 'polling the task queue');
  let code: number;
  try {
    await running;
    if (exitCode === undefined) log.fatal('the worker stopped although no one asked it to; exiting');
    code = exitCode ?? 1;
  } catch (err) {
    if (exitCode === undefined) log.fatal({ err }, 'the worker failed; exiting');
    else log.error({ err }, 'the worker did not stop cleanly');
    code = 1;
  }
  clearInterval(watch);
  stop(code, bounds.fatalExitMs);
  // Deliveries in flight still record their outcome, so the pool closes after the dispatcher.
  await Promise.allSettled([stopWebhooks().finally(() => pool.end()), connection.close(), clientConnection.close()]);
  metricsServer?.close();
  log.info({ exitCode: code }, 'stopped');
  process.exit(code);
}

if (require.main === module) {
  runWorkerProcess({ workflowsPath: path.resolve(__dirname, '..', 'workflows') }).catch((err) => {
    log.fatal({ err }, 'worker failed');
    process.exit(1);
  });
}
