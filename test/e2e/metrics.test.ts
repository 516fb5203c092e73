import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CatalogueHolder } from '../../api/catalogue-holder';
import { createApiMetrics, serveMetrics } from '../../api/metrics';
import { loadCatalogue } from '../../catalogue/loader';
import { migrate } from '../../readmodel/db/migrate';
import { parseAllowlist } from '../../readmodel/destinations';
import { createWebhookDispatcher } from '../../readmodel/webhooks';
import { createProjectionActivities } from '../../worker/activities';
import { observeWebhookDelivery, workerRegistry } from '../../worker/metrics';
import { http, officerToken, startApi, TOKENS, type RunningApi } from '../helpers/api';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres';
import { startTs, type RunningProcess } from '../helpers/processes';
import { allMaterials, devServerEnv, testWorker } from '../helpers/temporal';
import { until } from '../helpers/until';

const TASK_QUEUE = 'e2e-metrics';

/** One sample of a Prometheus text exposition: name, labels and value. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseExposition(text: string): Sample[] {
  return text
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)/.exec(l);
      if (!m) throw new Error(`not a sample line: ${l}`);
      const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((x) => [x[1], x[2]]));
      return { name: m[1]!, labels, value: Number(m[3]) };
    });
}

async function scrape(url: string): Promise<{ text: string; samples: Sample[] }> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await res.text();
  return { text, samples: parseExposition(text) };
}

const sum = (samples: Sample[], name: string, labels: Record<string, string> = {}) =>
  samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((n, s) => n + s.value, 0);

async function freePort(): Promise<number> {
  const s: Server = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

let env: TestWorkflowEnvironment;
let db: TestDatabase;
let worker: Worker;
let run: Promise<void>;
let api: RunningApi;
let apiMetricsUrl: string;
let workerMetricsUrl: string;
const servers: Server[] = [];
let receiverUrl: string;
const received: string[] = [];

beforeAll(async () => {
  [env, db] = await Promise.all([devServerEnv(), createTestDatabase()]);
  await migrate(db.pool);
  worker = await testWorker(env, TASK_QUEUE, createProjectionActivities(db.pool));
  run = worker.run();
  // No cache: each scrape reads the read model as it is now.
  const metrics = createApiMetrics(db.pool, { cacheMs: 0 });
  api = await startApi(env, TASK_QUEUE, { pool: db.pool, catalogue: new CatalogueHolder(loadCatalogue()) }, { metrics });
  const [apiServer, workerServer] = await Promise.all([serveMetrics(metrics.registry, 0, '127.0.0.1'), serveMetrics(workerRegistry, 0, '127.0.0.1')]);
  // A loopback webhook receiver that answers every delivery 204.
  const receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(req.url ?? '');
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  servers.push(apiServer, workerServer, receiver);
  apiMetricsUrl = apiServer.url;
  workerMetricsUrl = workerServer.url;
});

afterAll(async () => {
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  await api?.close();
  if (worker?.getState() === 'RUNNING') worker.shutdown();
  await run;
  await env?.teardown();
  await db?.drop();
});

describe('metrics after a scripted scenario', () => {
  it('count requests by declared operation and status, open matters as the inbox and alerts list them, a projection that caught up and an outbox that drains', async () => {
    const call = (method: string, p: string, token?: string, body?: unknown) => http(api.url, method, p, token, body);
    expect((await call('POST', '/webhooks/subscriptions', TOKENS.admin, { url: `${receiverUrl}/approvals`, eventTypes: ['approved'] })).status).toBe(201);
    const ids: string[] = [];
    for (const name of ['浏阳市第一中学新校区建设项目', '经开区智能装备产业园']) {
      const started = await call('POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT', projectName: name, materials: allMaterials('GOV_INVESTMENT') });
      expect(started.status).toBe(201);
      ids.push(started.body.applicationId);
    }
    let seq = 0;
    let decided = 0;
    const view = (await call('GET', `/applications/${ids[0]}`, TOKENS.applicant)).body;
    const running = [...view.stages.flatMap((s: any) => s.matters), ...view.alongside].filter((m: any) => m.status === 'inProgress');
    expect(running.length).toBeGreaterThan(0);
    for (const m of running.slice(0, 3)) {
      const r = await call('POST', `/applications/${ids[0]}/matters/${m.code}/decision`, officerToken(m.department), { decision: 'approve', result: { number: `浏${m.department}〔2026〕${m.code}号` } });
      expect(r.status).toBe(200);
      seq = Math.max(seq, r.body.applicationSeq);
      decided++;
    }
    const wrong = await call('POST', `/applications/${ids[1]}/matters/LY04/decision`, officerToken('DRC'), { decision: 'approve', result: { number: 'x' } });
    expect(wrong.status).toBe(403);
    const second = (await call('GET', `/applications/${ids[1]}`, TOKENS.applicant)).body;
    const urged = [...second.stages.flatMap((s: any) => s.matters), ...second.alongside].find((m: any) => m.status === 'inProgress');
    expect((await call('POST', `/applications/${ids[1]}/matters/${urged.code}/urge`, TOKENS.supervisor, { note: '请三日内办结' })).status).toBe(202);
    // Both applications are in the read model as of their last action.
    await until('the read model holds both applications', async () => {
      const first = await call('GET', `/applications/${ids[0]}?minSeq=${seq}`, TOKENS.applicant);
      const second = await call('GET', `/applications/${ids[1]}`, TOKENS.applicant);
      return first.status === 200 && second.status === 200 && second.body.events.some((e: any) => e.kind === 'urged') ? true : undefined;
    });

    const apiSamples = (await scrape(apiMetricsUrl)).samples;
    const count = (operation: string, status: string) => sum(apiSamples, 'approvals_http_request_duration_seconds_count', { operation, status });
    expect(count('POST /applications', '201')).toBe(2);
    expect(count('POST /applications/:id/matters/:code/decision', '200')).toBe(decided);
    expect(count('POST /applications/:id/matters/:code/decision', '403')).toBe(1);
    expect(count('POST /applications/:id/matters/:code/urge', '202')).toBe(1);
    expect(count('GET /applications/:id', '200')).toBeGreaterThanOrEqual(3);
    // The raw URL never becomes a label: one series per template, not one per application.
    expect(apiSamples.some((s) => /app-/.test(s.labels.operation ?? ''))).toBe(false);
    expect(sum(apiSamples, 'approvals_api_process_start_time_seconds')).toBeGreaterThan(0);

    // Open matters by department are what each department's inbox lists; at an alert level, what the alerts list.
    const departments = [...new Set(apiSamples.filter((s) => s.name === 'approvals_open_matters').map((s) => s.labels.department!))];
    expect(departments.length).toBeGreaterThan(0);
    for (const department of departments) {
      const inbox = await call('GET', '/officers/inbox?limit=500', officerToken(department));
      expect(inbox.status).toBe(200);
      expect(sum(apiSamples, 'approvals_open_matters', { department })).toBe(inbox.body.items.length);
    }
    const alerts = await call('GET', '/supervision/alerts?limit=500', TOKENS.supervisor);
    const atAlertLevels = apiSamples.filter((s) => s.name === 'approvals_open_matters' && s.labels.level !== 'normal').reduce((n, s) => n + s.value, 0);
    expect(atAlertLevels).toBe(alerts.body.items.length);
    expect(sum(apiSamples, 'approvals_open_matters', { level: 'leadership' })).toBe(0);
    // Each approval waits in the outbox for the subscriber until the dispatcher runs; no batch was refused.
    expect(sum(apiSamples, 'approvals_webhook_outbox_depth')).toBe(decided);
    expect(sum(apiSamples, 'approvals_webhook_outbox_oldest_pending_seconds')).toBeGreaterThan(0);
    expect(sum(apiSamples, 'approvals_projection_refusals_total')).toBe(0);

    const dispatcher = createWebhookDispatcher(db.pool, { allowlist: parseAllowlist('127.0.0.1/32'), maxAttempts: 3, baseDelayMs: 1_000, onDelivery: observeWebhookDelivery });
    await dispatcher.deliverDue();
    await dispatcher.stop();
    expect(received).toHaveLength(decided);
    const drained = (await scrape(apiMetricsUrl)).samples;
    expect(sum(drained, 'approvals_webhook_outbox_depth')).toBe(0);
    expect(sum(drained, 'approvals_webhook_outbox_oldest_pending_seconds')).toBe(0);

    const workerSamples = (await scrape(workerMetricsUrl)).samples;
    expect(sum(workerSamples, 'approvals_projection_writes_total', { result: 'applied' })).toBeGreaterThanOrEqual(2 + decided);
    expect(sum(workerSamples, 'approvals_projection_writes_total', { result: 'failed' })).toBe(0);
    expect(sum(workerSamples, 'approvals_projection_write_lag_seconds_count')).toBeGreaterThanOrEqual(2 + decided);
    expect(sum(workerSamples, 'approvals_webhook_deliveries_total', { result: 'delivered' })).toBe(decided);
    expect(sum(workerSamples, 'approvals_webhook_deliveries_total', { result: 'failed' })).toBe(0);
    // Quiet now: the last write came within seconds of its oldest event.
    const lag = workerSamples.find((s) => s.name === 'approvals_projection_lag_seconds');
    expect(lag?.value).toBeGreaterThanOrEqual(0);
    expect(lag?.value).toBeLessThan(5);
  });
});

describe('a worker process with WORKER_METRICS_PORT', () => {
  let child: RunningProcess | undefined;
  afterAll(async () => {
    await child?.kill();
  });

  it("serves its own metrics and the Temporal SDK's on the next port, on loopback", async () => {
    let port = await freePort();
    while (port >= 65535) port = await freePort();
    child = startTs('worker/main.ts', { TEMPORAL_ADDRESS: env.address, TEMPORAL_NAMESPACE: env.namespace ?? 'default', TASK_QUEUE: `${TASK_QUEUE}-process`, DATABASE_URL: db.url, WORKER_METRICS_PORT: String(port) });
    await child.waitForLine((l) => l.msg === 'polling the task queue', 90_000);
    const own = await scrape(`http://127.0.0.1:${port}/metrics`);
    expect(sum(own.samples, 'approvals_worker_process_start_time_seconds')).toBeGreaterThan(0);
    expect(own.text).toMatch(/# TYPE approvals_projection_writes_total counter/);
    expect(own.text).toMatch(/# TYPE approvals_webhook_deliveries_total counter/);
    // The SDK's exporter reports the worker's pollers once it polls.
    const sdk = await until('the SDK reports its pollers', async () => {
      const text = await (await fetch(`http://127.0.0.1:${port + 1}/metrics`)).text();
      return /^temporal_num_pollers\{/m.test(text) ? text : undefined;
    });
    expect(sdk).toMatch(/task_queue="e2e-metrics-process"/);
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
    child.child.kill('SIGTERM');
    expect((await child.exited).code).toBe(0);
  });
});
