import path from 'node:path';
import { existsSync } from 'node:fs';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker, type WorkflowBundleWithSourceMap } from '@temporalio/worker';
import { loadCatalogue, snapshotFor } from '../../catalogue/loader';
import type { Actor, ApplicationInput } from '../../domain/types';
import { TRACING_WORKFLOW_MODULE, tracingActivityInterceptors } from '../../worker/tracing';
import { createBroadcastActivities, projectionActivities, type ProjectionActivities } from '../../worker/activities';
import type { ProjectionBatch } from '../../domain/projection';

export const TOOLS_BIN = path.resolve(__dirname, '..', '..', '.tools', 'bin');

function tool(name: string): string {
  const p = path.join(TOOLS_BIN, name);
  if (!existsSync(p)) throw new Error(`${p} is missing: run \`npm run provision\` first`);
  return p;
}

let quiet = false;
/** Keep the worker's runtime logs to warnings, once per process. */
export function quietRuntime() {
  if (quiet) return;
  quiet = true;
  Runtime.install({ logger: new DefaultLogger('WARN') });
}

/** Temporal's Java time-skipping server, starting at `initialTime` (ISO-8601 with offset). */
export async function timeSkippingEnv(initialTime: string): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: tool('temporal-test-server') }, extraArgs: ['--initial-time', initialTime] },
  });
}

/** The real Temporal dev server (the CLI built by scripts/provision.sh), in memory, on loopback. */
export async function devServerEnv(): Promise<TestWorkflowEnvironment> {
  quietRuntime();
  return TestWorkflowEnvironment.createLocal({
    server: { executable: { type: 'existing-path', path: tool('temporal') }, ip: '127.0.0.1', ui: false },
  });
}

let bundle: Promise<WorkflowBundleWithSourceMap> | undefined;
/** The workflow bundle, built once per test process. */
export function workflowBundle(): Promise<WorkflowBundleWithSourceMap> {
  bundle ??= bundleWorkflowCode({
    workflowsPath: path.resolve(__dirname, '..', '..', 'workflows'),
    workflowInterceptorModules: [TRACING_WORKFLOW_MODULE],
    logger: new DefaultLogger('WARN'),
  });
  return bundle;
}

/**
 * A read-model writer that keeps batches in memory, for workflow tests that are not about
 * PostgreSQL (the real writer is tested against a real server in test/db and test/e2e).
 */
export function memoryProjection(): ProjectionActivities & { batches: ProjectionBatch[] } {
  const batches: ProjectionBatch[] = [];
  const write = async (batch: ProjectionBatch) => {
    batches.push(batch);
    return { applied: true };
  };
  return { batches, ...projectionActivities(write) };
}

export async function testWorker(env: TestWorkflowEnvironment, taskQueue: string, activities: ProjectionActivities = memoryProjection()): Promise<Worker> {
  return Worker.create({
    connection: env.nativeConnection,
    namespace: env.namespace ?? 'default',
    taskQueue,
    workflowBundle: await workflowBundle(),
    activities: { ...createBroadcastActivities(env.client), ...activities },
    interceptors: { activity: tracingActivityInterceptors },
  });
}

export const catalogue = loadCatalogue();

/** Every material of every matter of a process: a complete application. */
export function allMaterials(processCode: string): string[] {
  const snap = snapshotFor(catalogue, processCode)!;
  return [...new Set([...snap.stages.flatMap((s) => s.matters), ...snap.alongside].flatMap((m) => m.materials.map((x) => x.code)))];
}

export function applicationInput(processCode: string, overrides: Partial<ApplicationInput> = {}): ApplicationInput {
  return {
    applicationId: `app-${Math.random().toString(36).slice(2, 10)}`,
    projectName: '浏阳市第一中学新校区建设项目',
    applicant: { id: 'ent-001', name: '浏阳市教育投资有限公司' },
    snapshot: snapshotFor(catalogue, processCode)!,
    materials: allMaterials(processCode),
    ...overrides,
  };
}

export const officer = (department: string, id = `officer-${department.toLowerCase()}`): Actor => ({ id, role: 'officer', department });
export const applicant: Actor = { id: 'ent-001', role: 'applicant' };
export const supervisor: Actor = { id: 'sup-01', role: 'supervisor', department: 'SUP' };
