import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { loadMigrations } from '../../readmodel/db/migrate';
import { createProjectionActivities } from '../../worker/activities';
import { applicationWorkflow } from '../../workflows';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres';
import { applicationInput, devServerEnv, testWorker } from '../helpers/temporal';
import { until } from '../helpers/until';

const ROOT = path.resolve(__dirname, '..', '..');
const TASK_QUEUE = 'progress';
const run = promisify(execFile);

/** A built command as `npm run <name>` runs it, its stdout and stderr pipes (not a terminal, as under CI or a service manager). */
async function command(script: string, env: NodeJS.ProcessEnv, args: string[] = []): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(ROOT, 'dist', 'scripts', `${script}.js`), ...args], { cwd: ROOT, env: { ...process.env, VITEST: undefined, ...env } });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

describe('long commands report progress on a terminal only, and always end with one summary line', () => {
  let db: TestDatabase;
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8' });
    if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
    db = await createTestDatabase();
    env = await devServerEnv();
  });
  afterAll(async () => {
    if (worker?.getState() === 'RUNNING') worker.shutdown();
    await running;
    await env?.teardown();
    await db?.drop();
  });

  it('migrate prints only "migrate: N migrations applied (numbers), M already applied, T s", then 0 applied and all already applied', async () => {
    const numbers = loadMigrations().map((m) => m.name.slice(0, 3));
    const first = await command('migrate', { DATABASE_URL: db.url });
    expect(first, first.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(new RegExp(`^migrate: ${numbers.length} migrations applied \\(${numbers.join(', ')}\\), 0 already applied, \\d+\\.\\d s\\n$`));

    const again = await command('migrate', { DATABASE_URL: db.url });
    expect(again, again.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toMatch(new RegExp(`^migrate: 0 migrations applied, ${numbers.length} already applied, \\d+\\.\\d s\\n$`));
  });

  it('rebuild-projection prints only its summary: 3 applications rewritten after the read model was wiped, then 3 unchanged', async () => {
    worker = await testWorker(env, TASK_QUEUE, createProjectionActivities(db.pool));
    running = worker.run();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const input = applicationInput('GOV_INVESTMENT');
      await env.client.workflow.start(applicationWorkflow, { taskQueue: TASK_QUEUE, workflowId: input.applicationId, args: [input] });
      ids.push(input.applicationId);
    }
    await until('the three applications projected', async () => ((await db.pool.query('SELECT count(*)::int AS n FROM applications')).rows[0].n === 3 ? true : undefined));
    await until('the three workflows listed by visibility', async () => ((await env.client.workflow.count(`WorkflowType = 'applicationWorkflow'`)).count === 3 ? true : undefined));
    await db.pool.query('DELETE FROM applications');

    const commandEnv = { DATABASE_URL: db.url, TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace ?? 'default' };
    const rebuilt = await command('rebuild-projection', commandEnv);
    expect(rebuilt, rebuilt.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(rebuilt.stdout).toMatch(/^rebuild-projection: 3 applications rewritten, 0 unchanged, 0 failed in \d+\.\d s\n$/);
    const stored = await db.pool.query<{ application_id: string }>('SELECT application_id FROM applications ORDER BY 1');
    expect(stored.rows.map((r) => r.application_id)).toEqual([...ids].sort());

    const again = await command('rebuild-projection', commandEnv);
    expect(again, again.stderr).toMatchObject({ code: 0, stderr: '' });
    expect(again.stdout).toMatch(/^rebuild-projection: 0 applications rewritten, 3 unchanged, 0 failed in \d+\.\d s\n$/);
  });
});
