import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { migrate } from '../../readmodel/db/migrate';
import { createProjectionActivities, type ProjectionActivities } from '../../worker/activities';
import { DEFAULT_DEFINITIONS_DIR, loadCatalogue } from '../../catalogue/loader';
import { applicationWorkflow } from '../../workflows';
import type { ApplicationInput } from '../../domain/types';
import { CatalogueHolder } from '../../api/catalogue-holder';
import type { DemoPrincipal } from '../../api/web';
import { sleepUntil } from './drive';
import { http, startApi, type HttpResult, type RunningApi } from './api';
import { createTestDatabase, type TestDatabase } from './postgres';
import { applicationInput, devServerEnv, memoryProjection, testWorker, timeSkippingEnv } from './temporal';

export type ApplicationHandle = WorkflowHandle<typeof applicationWorkflow>;

export interface WorkflowSuite {
  readonly env: TestWorkflowEnvironment;
  /** Starts an application of a process (government investment by default) with all materials unless overridden. */
  start(processCode?: string, overrides?: Partial<ApplicationInput>): Promise<ApplicationHandle>;
}

interface Parts {
  env: TestWorkflowEnvironment;
  worker: Worker;
  run: Promise<void>;
}

/**
 * One Temporal environment and worker for a describe block, torn down after it. Each file
 * runs in its own process, so the bundle is built once per file.
 */
function suite(
  makeEnv: () => Promise<TestWorkflowEnvironment>,
  taskQueue: string,
  activities: () => Promise<ProjectionActivities>,
  /** Runs once the worker has stopped (what its activities used can go now). */
  afterWorker?: () => Promise<void>,
): WorkflowSuite & { parts(): Parts } {
  let parts: Parts | undefined;
  beforeAll(async () => {
    const env = await makeEnv();
    const worker = await testWorker(env, taskQueue, await activities());
    parts = { env, worker, run: worker.run() };
  });
  afterAll(async () => {
    if (parts?.worker.getState() === 'RUNNING') parts.worker.shutdown();
    await parts?.run;
    await parts?.env.teardown();
    await afterWorker?.();
  });
  return {
    parts() {
      if (!parts) throw new Error('the suite has not started');
      return parts;
    },
    get env() {
      return this.parts().env;
    },
    async start(processCode = 'GOV_INVESTMENT', overrides = {}) {
      const input = applicationInput(processCode, overrides);
      return this.env.client.workflow.start(applicationWorkflow, { taskQueue, workflowId: input.applicationId, args: [input] });
    },
  };
}

/** The time-skipping test server starting at `initialTime` (ISO-8601 with offset); the read model is kept in memory unless `projection` says otherwise. */
export function timeSkippingSuite(initialTime: string, taskQueue: string, projection: () => ProjectionActivities = memoryProjection): WorkflowSuite {
  return suite(() => timeSkippingEnv(initialTime), taskQueue, async () => projection());
}

export interface ApiSuite extends WorkflowSuite {
  readonly db: TestDatabase;
  readonly definitionsDir: string;
  /** The API's address, for requests `call` cannot make (raw bodies, odd headers). */
  readonly baseUrl: string;
  /** Stops the worker (as a crash or a deploy would); the API and the read model stay. */
  stopWorker(): Promise<void>;
  /**
   * Skips the time-skipping server to `isoInstant` and brings the API's "today" there before
   * returning, so a read right after sees the new day (the API follows the server's clock only
   * every 100 ms otherwise).
   */
  sleepUntil(isoInstant: string): Promise<void>;
  call(method: string, path: string, token?: string, body?: unknown, headers?: Record<string, string>): Promise<HttpResult>;
}

/**
 * Everything real: the Temporal dev server (or the time-skipping server when given a start
 * instant), a worker writing the read model into a fresh PostgreSQL database, and the HTTP API
 * on a loopback port over a private copy of the definitions.
 */
export function apiSuite(taskQueue: string, options: { initialTime?: string; demoPrincipals?: readonly DemoPrincipal[] } = {}): ApiSuite {
  let db: TestDatabase | undefined;
  let api: RunningApi | undefined;
  const definitionsDir = mkdtempSync(path.join(tmpdir(), 'defs-'));
  cpSync(DEFAULT_DEFINITIONS_DIR, definitionsDir, { recursive: true });
  const base = suite(
    () => (options.initialTime ? timeSkippingEnv(options.initialTime) : devServerEnv()),
    taskQueue,
    async () => {
      db = await createTestDatabase();
      await migrate(db.pool);
      return createProjectionActivities(db.pool);
    },
    async () => {
      await db?.drop();
      rmSync(definitionsDir, { recursive: true, force: true });
    },
  );
  // On the time-skipping server the API reads the world at that server's instant, not the
  // machine's (weeks apart once a test skips time): its offset is followed every 100 ms.
  let offset = 0;
  let follow: ReturnType<typeof setInterval> | undefined;
  const sync = async () => {
    offset = (await base.env.currentTimeMs()) - Date.now();
  };
  beforeAll(async () => {
    const catalogue = new CatalogueHolder(loadCatalogue(definitionsDir), definitionsDir);
    let clock: (() => number) | undefined;
    if (options.initialTime) {
      await sync();
      follow = setInterval(() => void sync().catch(() => undefined), 100);
      clock = () => Date.now() + offset;
    }
    api = await startApi(base.env, taskQueue, { pool: db!.pool, catalogue, definitionsDir, demoPrincipals: options.demoPrincipals, clock });
  });
  // Hooks after run in reverse: the API closes first, then the worker, then the database goes.
  afterAll(async () => {
    if (follow) clearInterval(follow);
    await api?.close();
  });
  return {
    get env() {
      return base.env;
    },
    start: (processCode, overrides) => base.start(processCode, overrides),
    get db() {
      if (!db) throw new Error('the suite has not started');
      return db;
    },
    definitionsDir,
    get baseUrl() {
      if (!api) throw new Error('the suite has not started');
      return api.url;
    },
    async stopWorker() {
      const { worker, run } = base.parts();
      worker.shutdown();
      await run;
    },
    async sleepUntil(isoInstant: string) {
      if (!options.initialTime) throw new Error('sleepUntil needs a suite on the time-skipping server (initialTime)');
      await sleepUntil(base.env, isoInstant);
      await sync();
    },
    call: (method: string, p: string, token?: string, body?: unknown, headers?: Record<string, string>) => http(api!.url, method, p, token, body, headers),
  };
}
