import { afterAll, beforeAll } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { applicationWorkflow } from '../../workflows';
import type { ApplicationInput } from '../../workflows/domain/types';
import { http, startApi, type HttpResult, type RunningApi } from './api';
import { applicationInput, devServerEnv, testWorker, timeSkippingEnv } from './temporal';

export type ApplicationHandle = WorkflowHandle<typeof applicationWorkflow>;

export interface WorkflowSuite {
  readonly env: TestWorkflowEnvironment;
  /** Starts an application of a process (government investment by default) with all materials unless overridden. */
  start(processCode?: string, overrides?: Partial<ApplicationInput>): Promise<ApplicationHandle>;
}

/**
 * One Temporal environment and worker for a describe block, torn down after it. Each file
 * runs in its own process, so the bundle is built once per file.
 */
function suite(makeEnv: () => Promise<TestWorkflowEnvironment>, taskQueue: string, more?: (env: TestWorkflowEnvironment) => Promise<() => Promise<void>>): WorkflowSuite {
  let env: TestWorkflowEnvironment | undefined;
  let worker: Worker | undefined;
  let run: Promise<void> | undefined;
  let stopMore: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    env = await makeEnv();
    worker = await testWorker(env, taskQueue);
    run = worker.run();
    stopMore = await more?.(env);
  });
  afterAll(async () => {
    await stopMore?.();
    worker?.shutdown();
    await run;
    await env?.teardown();
  });
  return {
    get env() {
      if (!env) throw new Error('the suite has not started');
      return env;
    },
    async start(processCode = 'GOV_INVESTMENT', overrides = {}) {
      const input = applicationInput(processCode, overrides);
      return this.env.client.workflow.start(applicationWorkflow, { taskQueue, workflowId: input.applicationId, args: [input] });
    },
  };
}

/** The time-skipping test server starting at `initialTime` (ISO-8601 with offset). */
export function timeSkippingSuite(initialTime: string, taskQueue: string): WorkflowSuite {
  return suite(() => timeSkippingEnv(initialTime), taskQueue);
}

export interface ApiSuite extends WorkflowSuite {
  call(method: string, path: string, token?: string, body?: unknown): Promise<HttpResult>;
}

/** The real dev server, a worker and the HTTP API on a loopback port. */
export function apiSuite(taskQueue: string): ApiSuite {
  let api: RunningApi | undefined;
  const base = suite(devServerEnv, taskQueue, async (env) => {
    api = await startApi(env, taskQueue);
    return () => api!.close();
  });
  return Object.assign(Object.create(base) as WorkflowSuite, {
    call: (method: string, path: string, token?: string, body?: unknown) => http(api!.url, method, path, token, body),
  });
}
