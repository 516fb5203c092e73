import { DefaultLogger, type LogLevel, makeTelemetryFilterString, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import path from 'node:path';
import { migrate } from '../activities/db/migrate';
import { createPool } from '../activities/db/pool';
import { createProjectionActivities } from '../activities/projection';
import { createWebhookDispatcher } from '../activities/webhooks';
import { logger, type Logger } from '../api/log';
import { loadConfig } from './config';

const log = logger.child({ name: 'worker' });

/**
 * The SDK's own lines (worker lifecycle, workflow and activity loggers, and Rust Core's,
 * forwarded) go through the same JSON logger, at the level it is set to.
 */
function installTemporalLogger(target: Logger): void {
  const levels: Record<string, LogLevel> = { trace: 'TRACE', debug: 'DEBUG', info: 'INFO', warn: 'WARN' };
  const level = levels[target.level] ?? 'ERROR';
  const sdk = target.child({ name: 'temporal' });
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => sdk[entry.level.toLowerCase() as Lowercase<LogLevel>]({ ...entry.meta }, entry.message)),
    // Core is chatty at INFO; its warnings and errors are what an operator needs.
    telemetryOptions: { logging: { forward: {}, filter: makeTelemetryFilterString({ core: level === 'INFO' ? 'WARN' : level }) } },
  });
}

/** Runs the application workflows on the task queue until SIGINT/SIGTERM, then drains and exits. */
async function main() {
  const config = loadConfig();
  installTemporalLogger(log);
  const pool = createPool(config.DATABASE_URL, { applicationName: 'approvals-worker' });
  // The schema is brought up to date before any projection is written (and by `npm run migrate`).
  const { applied } = await migrate(pool);
  if (applied.length) log.info({ migrations: applied }, 'migrations applied');
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const worker = await Worker.create({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TASK_QUEUE,
      workflowsPath: path.resolve(__dirname, '..', 'workflows'),
      activities: createProjectionActivities(pool),
    });
    // Webhooks leave from the outbox the projection fills; a dead endpoint only delays its own rows.
    const webhooks = createWebhookDispatcher(pool, { allowlist: config.WEBHOOK_ALLOWED_DESTINATIONS, maxAttempts: 10, baseDelayMs: 5_000, onError: (err) => log.error({ err }, 'webhook dispatch failed') });
    webhooks.start(2_000);
    log.info({ taskQueue: config.TASK_QUEUE, temporal: config.TEMPORAL_ADDRESS }, 'polling the task queue');
    await worker.run();
    await webhooks.stop();
    log.info('stopped');
  } finally {
    await connection.close();
    await pool.end();
  }
}

main().catch((err) => {
  log.fatal({ err }, 'worker failed');
  process.exit(1);
});
