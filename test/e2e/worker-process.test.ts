import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DRAIN_BOUNDS } from '../../worker/main';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres';
import { startTs, type RunningProcess } from '../helpers/processes';
import { devServerEnv } from '../helpers/temporal';

// Real worker processes (worker/main.ts's lifecycle, transpiled on load) against the dev server
// and a real PostgreSQL: what a supervisor sees is only whether and how the process exits.
let env: TestWorkflowEnvironment;
let db: TestDatabase;
const started: RunningProcess[] = [];

beforeAll(async () => {
  [env, db] = await Promise.all([devServerEnv(), createTestDatabase()]);
});
afterEach(async () => {
  await Promise.all(started.splice(0).map((p) => p.kill()));
});
afterAll(async () => {
  await env?.teardown();
  await db?.drop();
});

function worker(entry: string, taskQueue: string, extraEnv: NodeJS.ProcessEnv = {}): RunningProcess {
  const p = startTs(entry, { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace ?? 'default', TASK_QUEUE: taskQueue, DATABASE_URL: db.url, ...extraEnv });
  started.push(p);
  return p;
}
const polling = (p: RunningProcess) => p.waitForLine((l) => l.msg === 'polling the task queue', 90_000);

describe('a worker process', () => {
  it('exits non-zero within seconds when the SDK stops the worker after a fatal error', async () => {
    const taskQueue = `fatal-${Date.now()}`;
    const p = worker('test/fixtures/test-worker/main.ts', taskQueue);
    await polling(p);
    const sent = performance.now();
    await env.client.workflow.start('undecodableFailure', { taskQueue, workflowId: `fatal-${Date.now()}` });
    const exit = await p.exited;
    expect(exit.code).toBe(1);
    expect(exit.at - sent).toBeLessThan(DRAIN_BOUNDS.fatalExitMs + 3_000);
    // The SDK says why; the process says what it does about it, once.
    expect(p.lines.some((l) => /Initiating Worker shutdown/.test(String(l.msg)))).toBe(true);
    expect(p.lines.filter((l) => l.level === 60 && /fatal error/.test(String(l.msg)))).toHaveLength(1);
  });

  it('drains and exits 0 within the drain bound on SIGTERM, one line when it starts and one when it is done', async () => {
    const p = worker('worker/main.ts', `sigterm-${Date.now()}`);
    await polling(p);
    const sent = performance.now();
    p.child.kill('SIGTERM');
    const exit = await p.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(exit.at - sent).toBeLessThan(DRAIN_BOUNDS.exitMs);
    expect(p.lines.filter((l) => /^SIGTERM: draining/.test(String(l.msg)))).toHaveLength(1);
    // The process's own last line (the SDK's forwarded lines, name 'temporal', may trail it).
    expect(p.lines.filter((l) => l.name === 'worker').at(-1)).toMatchObject({ msg: 'stopped', exitCode: 0 });
  });

  it('drains on SIGINT as on SIGTERM, and a second signal does not cut the drain short', async () => {
    const p = worker('worker/main.ts', `sigint-${Date.now()}`);
    await polling(p);
    p.child.kill('SIGINT');
    p.child.kill('SIGTERM');
    const exit = await p.exited;
    expect(exit).toMatchObject({ code: 0, signal: null });
    expect(p.lines.filter((l) => /draining/.test(String(l.msg)))).toHaveLength(1);
    expect(p.lines.filter((l) => l.name === 'worker').at(-1)).toMatchObject({ msg: 'stopped', exitCode: 0 });
  });

  it('exits 1 within the drain bound when the drain cannot finish (an activity that ignores cancellation)', async () => {
    const bounds = { graceMs: 500, forceMs: 1_000, exitMs: 3_000, fatalExitMs: 1_000 };
    const taskQueue = `stuck-${Date.now()}`;
    const p = worker('test/fixtures/test-worker/main.ts', taskQueue, { TEST_DRAIN_BOUNDS: JSON.stringify(bounds) });
    await polling(p);
    await env.client.workflow.start('stuckActivity', { taskQueue, workflowId: `stuck-${Date.now()}` });
    await p.waitForLine((l) => l.msg === 'activity started');
    const sent = performance.now();
    p.child.kill('SIGTERM');
    const exit = await p.exited;
    expect(exit).toMatchObject({ code: 1, signal: null });
    expect(exit.at - sent).toBeLessThan(bounds.exitMs + 1_500);
  });
});
