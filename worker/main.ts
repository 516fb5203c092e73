import { NativeConnection, Worker } from '@temporalio/worker';
import path from 'node:path';
import { migrate } from '../activities/db/migrate';
import { createPool } from '../activities/db/pool';
import { createProjectionActivities } from '../activities/projection';
import { createWebhookDispatcher } from '../activities/webhooks';
import { loadConfig } from './config';

/** Runs the application workflows on the task queue until SIGINT/SIGTERM, then drains and exits. */
async function main() {
  const config = loadConfig();
  const pool = createPool(config.DATABASE_URL, { applicationName: 'approvals-worker' });
  // The schema is brought up to date before any projection is written (and by `npm run migrate`).
  const { applied } = await migrate(pool);
  if (applied.length) console.log(`worker: migrations applied: ${applied.join(', ')}`);
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
    const webhooks = createWebhookDispatcher(pool, { maxAttempts: 10, baseDelayMs: 5_000, onError: (e) => console.error('webhooks:', e) });
    webhooks.start(2_000);
    console.log(`worker: polling task queue ${config.TASK_QUEUE} on ${config.TEMPORAL_ADDRESS}`);
    await worker.run();
    await webhooks.stop();
    console.log('worker: stopped');
  } finally {
    await connection.close();
    await pool.end();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
