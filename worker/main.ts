import { NativeConnection, Worker } from '@temporalio/worker';
import path from 'node:path';
import { loadConfig } from './config';

/** Runs the application workflows on the task queue until SIGINT/SIGTERM, then drains and exits. */
async function main() {
  const config = loadConfig();
  const connection = await NativeConnection.connect({ address: config.TEMPORAL_ADDRESS });
  try {
    const worker = await Worker.create({
      connection,
      namespace: config.TEMPORAL_NAMESPACE,
      taskQueue: config.TASK_QUEUE,
      workflowsPath: path.resolve(__dirname, '..', 'workflows'),
    });
    console.log(`worker: polling task queue ${config.TASK_QUEUE} on ${config.TEMPORAL_ADDRESS}`);
    await worker.run();
    console.log('worker: stopped');
  } finally {
    await connection.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
