import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import type { Pool } from 'pg';
import { migrate } from '../../readmodel/db/migrate';
import { createPool } from '../../readmodel/db/pool';
import { createProjectionActivities } from '../../worker/activities';
import { rebuildProjection } from '../../readmodel/rebuild';
import { applicationWorkflow } from '../../workflows';
import { applicationInput, devServerEnv, officer, testWorker } from '../helpers/temporal';
import { approve, status } from '../helpers/drive';
import { until } from '../helpers/until';

const ROOT = path.resolve(__dirname, '..', '..');
const TASK_QUEUE = 'catch-up';

/** A PostgreSQL server of this test's own, so it can be stopped and started mid-scenario. */
function ownServer() {
  const dir = mkdtempSync(path.join(tmpdir(), 'approvals-pg-catchup-'));
  chmodSync(dir, 0o755);
  const dataDir = path.join(dir, 'pg');
  const port = String(20000 + Math.floor(Math.random() * 20000));
  const pg = (...args: string[]) => execFileSync('bash', [path.join(ROOT, 'scripts', 'postgres.sh'), ...args], { env: { ...process.env, PGPORT: port }, encoding: 'utf8' }).trim();
  return {
    start: () => pg(dataDir).split('\n').at(-1)!,
    stop: () => pg('stop', dataDir),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** PostgreSQL restarts mid-scenario here: a longer wait, polled less often, than the shared default. */
const waitFor = <T>(what: string, probe: () => Promise<T | undefined>) => until(what, probe, { timeoutMs: 120_000, everyMs: 500 });

describe('the read model catches up after PostgreSQL was down, and can be rebuilt from the workflows', () => {
  const server = ownServer();
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let run: Promise<void>;
  let pool: Pool;

  beforeAll(async () => {
    pool = createPool(server.start(), { max: 4 });
    await migrate(pool);
    env = await devServerEnv();
    worker = await testWorker(env, TASK_QUEUE, createProjectionActivities(pool));
    run = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await run;
    await env?.teardown();
    await pool?.end();
    try {
      server.stop();
    } finally {
      server.remove();
    }
  });

  const stored = async (id: string) => (await pool.query('SELECT seq, status FROM applications WHERE application_id = $1', [id])).rows[0] as { seq: number; status: string } | undefined;
  const matterStatus = async (id: string, code: string) =>
    (await pool.query('SELECT status FROM matters WHERE application_id = $1 AND code = $2', [id, code])).rows[0]?.status as string | undefined;

  it('keeps the workflow going while PostgreSQL is down and loses nothing when it returns', async () => {
    const input = applicationInput('GOV_INVESTMENT');
    const h = await env.client.workflow.start(applicationWorkflow, { taskQueue: TASK_QUEUE, workflowId: input.applicationId, args: [input] });
    await approve(h, 'LY01', 'DRC');
    await waitFor('LY01 in the read model', async () => ((await matterStatus(input.applicationId, 'LY01')) === 'approved' ? true : undefined));

    server.stop();
    // Officers go on working: the workflow does not wait for the read model.
    await approve(h, 'LY04', 'NRP');
    await approve(h, 'LY06', 'DRC');
    await h.executeUpdate('reject', { args: [{ actor: officer('EEB'), matter: 'LY07', reason: '选址涉及饮用水水源保护区' }] });
    const v = await status(h);
    expect(v.status).toBe('rejected');
    await expect(pool.query('SELECT 1')).rejects.toThrow();

    server.start();
    const caughtUp = await waitFor('the projection to catch up', async () => {
      const row = await stored(input.applicationId);
      return row && row.seq === v.events.length ? row : undefined;
    });
    expect(caughtUp.status).toBe('rejected');
    expect(await matterStatus(input.applicationId, 'LY04')).toBe('approved');
    expect(await matterStatus(input.applicationId, 'LY07')).toBe('rejected');
    const events = (await pool.query('SELECT seq FROM events WHERE application_id = $1 ORDER BY seq', [input.applicationId])).rows.map((r) => r.seq);
    expect(events).toEqual(v.events.map((e) => e.seq));
    expect(await h.result()).toMatchObject({ status: 'rejected', matter: 'LY07' });

    // The read model is a projection: wiped, it is rebuilt from the workflows.
    await pool.query('DELETE FROM applications');
    const rebuilt = await rebuildProjection(env.client, pool, { ids: [input.applicationId] });
    expect(rebuilt).toEqual({ rebuilt: 1, unchanged: 0, failed: [] });
    expect(await stored(input.applicationId)).toEqual({ seq: v.events.length, status: 'rejected' });
  });
});
