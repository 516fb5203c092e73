import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../activities/db/migrate';
import { createProjectionActivities } from '../../activities/projection';
import {
  createSubscription,
  createWebhookDispatcher,
  deleteSubscription,
  InvalidSubscriptionError,
  listSubscriptions,
  retryDelayMs,
  signatureHeader,
  verifySignature,
} from '../../activities/webhooks';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres';
import { applicationRow, batch, eventRow } from './factories';

let db: TestDatabase;
let project: ReturnType<typeof createProjectionActivities>['projectApplication'];
const servers: Server[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool);
  project = createProjectionActivities(db.pool).projectApplication;
});

afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => {
      const closed = new Promise((r) => s.close(r));
      // Keep-alive connections would hold close() for the server's keep-alive timeout.
      s.closeAllConnections();
      return closed;
    }),
  );
});

afterAll(async () => {
  await db.drop();
});

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A webhook receiver on 127.0.0.1; `respond` picks the status of the n-th request (0-based), or null to never answer. */
async function receiver(respond: (n: number) => number | null = () => 200): Promise<{ url: string; requests: Received[] }> {
  const requests: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = respond(requests.length);
      requests.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (status !== null) res.writeHead(status).end();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, requests };
}

/** A port nothing listens on: bound, noted, closed. */
async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise((r) => server.close(r));
  return `http://127.0.0.1:${port}/hooks`;
}

/** Stores one event of `kind` for a new application, which queues it for the subscriptions to that kind. */
async function emit(applicationId: string, kind: string): Promise<void> {
  await project(batch(applicationRow(applicationId, { seq: 1 }), { events: [eventRow(applicationId, 1, { kind, matter: 'LY01' })] }));
}

async function outboxOf(subscriptionId: string) {
  const { rows } = await db.pool.query<{ id: string; attempts: number; delivered_at: Date | null; dead_at: Date | null; last_error: string | null }>(
    'SELECT id::text, attempts, delivered_at, dead_at, last_error FROM webhook_outbox WHERE subscription_id = $1 ORDER BY id',
    [subscriptionId],
  );
  return rows;
}

async function deliveriesOf(subscriptionId: string) {
  const { rows } = await db.pool.query<{ attempt: number; status_code: number | null; error: string | null; duration_ms: number }>(
    `SELECT d.attempt, d.status_code, d.error, d.duration_ms FROM webhook_deliveries d
     JOIN webhook_outbox o ON o.id = d.outbox_id WHERE o.subscription_id = $1 ORDER BY d.id`,
    [subscriptionId],
  );
  return rows;
}

describe('signatures', () => {
  it('accepts its own signature within the tolerance and nothing else', () => {
    const body = '{"id":"A:1"}';
    const header = signatureHeader('s3cret-s3cret-s3cret', body, 1_800_000_000);
    expect(verifySignature('s3cret-s3cret-s3cret', header, body, 300, 1_800_000_100)).toBe(true);
    expect(verifySignature('s3cret-s3cret-s3cret', header, body + ' ', 300, 1_800_000_100)).toBe(false);
    expect(verifySignature('another-secret-xx', header, body, 300, 1_800_000_100)).toBe(false);
    expect(verifySignature('s3cret-s3cret-s3cret', header, body, 300, 1_800_000_301)).toBe(false);
    expect(verifySignature('s3cret-s3cret-s3cret', 'garbage', body, 300, 1_800_000_000)).toBe(false);
  });

  it('backs off exponentially, capped', () => {
    expect([1, 2, 3, 4, 5].map((n) => retryDelayMs(n, 1000, 10_000))).toEqual([1000, 2000, 4000, 8000, 10_000]);
  });
});

describe('subscriptions', () => {
  it('creates, lists without secrets, and deletes only the owner’s subscription', async () => {
    const created = await createSubscription(db.pool, { clientId: 'crud', url: 'https://example.org/hook', eventTypes: ['urged', 'urged', 'matterDecided'] });
    expect(created.secret).toMatch(/^whsec_/);
    expect(created.eventTypes).toEqual(['urged', 'matterDecided']);
    const listed = await listSubscriptions(db.pool, 'crud');
    expect(listed).toEqual([{ id: created.id, clientId: 'crud', url: 'https://example.org/hook', eventTypes: ['urged', 'matterDecided'], active: true, createdAt: created.createdAt }]);
    expect(await deleteSubscription(db.pool, created.id, 'someone-else')).toBe(false);
    expect(await deleteSubscription(db.pool, 'not-a-uuid')).toBe(false);
    expect(await deleteSubscription(db.pool, created.id, 'crud')).toBe(true);
    expect(await listSubscriptions(db.pool, 'crud')).toEqual([]);
  });

  it('refuses a URL that is not http(s) and an empty list of event types', async () => {
    await expect(createSubscription(db.pool, { clientId: 'c', url: 'ftp://example.org/x', eventTypes: ['urged'] })).rejects.toBeInstanceOf(InvalidSubscriptionError);
    await expect(createSubscription(db.pool, { clientId: 'c', url: 'https://example.org/x', eventTypes: [] })).rejects.toBeInstanceOf(InvalidSubscriptionError);
  });
});

describe('webhook dispatcher', () => {
  it('POSTs the event with a signature the receiver can verify, and a tampered body fails it', async () => {
    const hook = await receiver();
    const sub = await createSubscription(db.pool, { clientId: 'c1', url: hook.url, eventTypes: ['signedKind'], secret: 'a-shared-secret-of-the-integrator' });
    await emit('W-signed', 'signedKind');

    const dispatcher = createWebhookDispatcher(db.pool, { maxAttempts: 3, baseDelayMs: 1000 });
    expect(await dispatcher.deliverDue()).toBe(1);

    expect(hook.requests).toHaveLength(1);
    const [req] = hook.requests;
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['x-event-id']).toBe('W-signed:1');
    expect(JSON.parse(req!.body)).toMatchObject({ id: 'W-signed:1', type: 'signedKind', applicationId: 'W-signed', seq: 1, matter: 'LY01' });
    const header = String(req!.headers['x-signature']);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const nowSec = Math.floor(Date.now() / 1000);
    expect(verifySignature('a-shared-secret-of-the-integrator', header, req!.body, 300, nowSec)).toBe(true);
    expect(verifySignature('a-shared-secret-of-the-integrator', header, req!.body.replace('W-signed', 'W-forged'), 300, nowSec)).toBe(false);

    expect(await outboxOf(sub.id)).toEqual([expect.objectContaining({ attempts: 1, delivered_at: expect.any(Date), dead_at: null, last_error: null })]);
    expect(await deliveriesOf(sub.id)).toEqual([expect.objectContaining({ attempt: 1, status_code: 200, error: null })]);
    expect(await dispatcher.deliverDue()).toBe(0);
  });

  it('retries after the receiver fails twice, on the backoff schedule, and records every attempt', async () => {
    const hook = await receiver((n) => (n < 2 ? 500 : 204));
    const sub = await createSubscription(db.pool, { clientId: 'c2', url: hook.url, eventTypes: ['retryKind'] });
    await emit('W-retry', 'retryKind');
    let clock = Date.now() + 1000;
    const dispatcher = createWebhookDispatcher(db.pool, { now: () => clock, maxAttempts: 5, baseDelayMs: 60_000 });

    expect(await dispatcher.deliverDue()).toBe(1);
    expect(await dispatcher.deliverDue()).toBe(0);
    clock += 59_000;
    expect(await dispatcher.deliverDue()).toBe(0);
    clock += 1_000;
    expect(await dispatcher.deliverDue()).toBe(1);
    clock += 119_000;
    expect(await dispatcher.deliverDue()).toBe(0);
    clock += 1_000;
    expect(await dispatcher.deliverDue()).toBe(1);

    expect(hook.requests).toHaveLength(3);
    expect(new Set(hook.requests.map((r) => r.headers['x-event-id']))).toEqual(new Set(['W-retry:1']));
    expect(await outboxOf(sub.id)).toEqual([expect.objectContaining({ attempts: 3, delivered_at: expect.any(Date), last_error: null })]);
    expect((await deliveriesOf(sub.id)).map((d) => [d.attempt, d.status_code, d.error])).toEqual([
      [1, 500, 'HTTP 500'],
      [2, 500, 'HTTP 500'],
      [3, 204, null],
    ]);
  });

  it('gives a refused endpoint up as dead after maxAttempts while a healthy one is delivered at once', async () => {
    const healthy = await receiver();
    const good = await createSubscription(db.pool, { clientId: 'c3', url: healthy.url, eventTypes: ['deadKind'] });
    const dead = await createSubscription(db.pool, { clientId: 'c4', url: await refusedUrl(), eventTypes: ['deadKind'] });
    await emit('W-dead', 'deadKind');
    let clock = Date.now() + 1000;
    const dispatcher = createWebhookDispatcher(db.pool, { now: () => clock, maxAttempts: 3, baseDelayMs: 1000 });

    expect(await dispatcher.deliverDue()).toBe(2);
    expect(healthy.requests).toHaveLength(1);
    expect(await outboxOf(good.id)).toEqual([expect.objectContaining({ delivered_at: expect.any(Date) })]);

    for (let i = 0; i < 5; i++) {
      clock += 3_600_000;
      await dispatcher.deliverDue();
    }
    expect(await outboxOf(dead.id)).toEqual([
      expect.objectContaining({ attempts: 3, delivered_at: null, dead_at: expect.any(Date), last_error: expect.stringContaining('ECONNREFUSED') }),
    ]);
    const attempts = await deliveriesOf(dead.id);
    expect(attempts.map((d) => [d.attempt, d.status_code])).toEqual([
      [1, null],
      [2, null],
      [3, null],
    ]);
    expect(healthy.requests).toHaveLength(1);
  });

  it('keeps delivering to others while an endpoint hangs, and times the hanging one out', async () => {
    const hanging = await receiver(() => null);
    const healthy = await receiver();
    const slow = await createSubscription(db.pool, { clientId: 'c5', url: hanging.url, eventTypes: ['slowKind'] });
    const fast = await createSubscription(db.pool, { clientId: 'c6', url: healthy.url, eventTypes: ['fastKind'] });
    const dispatcher = createWebhookDispatcher(db.pool, { maxAttempts: 2, baseDelayMs: 60_000, timeoutMs: 1_500, onError: (e) => { throw e; } });

    await emit('W-slow', 'slowKind');
    dispatcher.start(20);
    try {
      await waitFor(() => hanging.requests.length === 1, 2_000);
      const started = Date.now();
      await emit('W-fast', 'fastKind');
      await waitFor(async () => (await outboxOf(fast.id))[0]?.delivered_at != null, 1_000);
      expect(Date.now() - started).toBeLessThan(1_000);
      await waitFor(async () => (await outboxOf(slow.id))[0]?.last_error != null, 3_000);
    } finally {
      await dispatcher.stop();
    }
    expect(await outboxOf(slow.id)).toEqual([expect.objectContaining({ attempts: 1, delivered_at: null, last_error: 'timeout after 1500 ms' })]);
  });
});

async function waitFor(check: () => boolean | Promise<boolean>, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
