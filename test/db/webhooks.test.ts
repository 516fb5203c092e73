import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../readmodel/db/migrate';
import { NO_ALLOWLIST, parseAllowlist, type ResolvedAddress, type Resolver } from '../../readmodel/destinations';
import { createProjectionActivities } from '../../worker/activities';
import {
  createSubscription,
  createWebhookDispatcher,
  deleteSubscription,
  InvalidSubscriptionError,
  listSubscriptions,
  retryDelayMs,
  signatureHeader,
  verifySignature,
  type NewSubscription,
  type SubscriptionPolicy,
} from '../../readmodel/webhooks';
import { EVENT_KINDS } from '../../domain/events';
import type { ApplicationRow } from '../../domain/projection';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres';
import { applicationRow, batch, eventRow } from './factories';

/** Test receivers listen on loopback: both sides are told so, as WEBHOOK_ALLOWED_DESTINATIONS would. */
const LOOPBACK = parseAllowlist('127.0.0.1/32');
const POLICY: SubscriptionPolicy = { allowlist: LOOPBACK };

/** Subscribes a client that sees every application (as an admin), to a loopback receiver. */
function subscribe(input: Omit<NewSubscription, 'scopeAll'> & { scopeAll?: boolean }, policy: SubscriptionPolicy = POLICY) {
  return createSubscription(db.pool, { scopeAll: true, ...input }, policy);
}

/** A resolver from a table the test may change between calls: no real DNS. */
function switchableResolver(initial: Record<string, string[]>): Resolver & { answers: Record<string, string[]> } {
  const answers = { ...initial };
  const resolve = async (host: string): Promise<ResolvedAddress[]> => {
    const addresses = answers[host];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(resolve, { answers });
}

let db: TestDatabase;
let project: ReturnType<typeof createProjectionActivities>['projectApplication'];
const servers: Server[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool);
  project = createProjectionActivities(db.pool).projectApplication;
});

afterEach(async () => {
  // Each test starts with no subscriptions, so no other test's outbox rows fall due in its dispatcher.
  await db.pool.query('DELETE FROM webhook_subscriptions');
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

/** Stores one event of `kind` for a new application, which queues it for the subscriptions to that kind that may see it. */
async function emit(applicationId: string, kind: string, application: Partial<ApplicationRow> = {}): Promise<void> {
  await project(batch(applicationRow(applicationId, { seq: 1, ...application }), { events: [eventRow(applicationId, 1, { kind, matter: 'LY01' })] }));
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
    const created = await createSubscription(db.pool, { clientId: 'crud', url: 'https://127.0.0.1/hook', eventTypes: ['urged', 'urged', 'approved'], applicants: ['ent-001'] }, POLICY);
    expect(created.secret).toMatch(/^whsec_/);
    expect(created.eventTypes).toEqual(['urged', 'approved']);
    const listed = await listSubscriptions(db.pool, 'crud');
    expect(listed).toEqual([
      { id: created.id, clientId: 'crud', url: 'https://127.0.0.1/hook', eventTypes: ['urged', 'approved'], scopeAll: false, applicants: ['ent-001'], active: true, createdAt: created.createdAt },
    ]);
    expect(await deleteSubscription(db.pool, created.id, 'someone-else')).toBe(false);
    expect(await deleteSubscription(db.pool, 'not-a-uuid')).toBe(false);
    expect(await deleteSubscription(db.pool, created.id, 'crud')).toBe(true);
    expect(await listSubscriptions(db.pool, 'crud')).toEqual([]);
  });

  it('refuses a URL that is not http(s), carries credentials or control characters, and an empty list of event types', async () => {
    const refusal = (input: Partial<NewSubscription>) =>
      createSubscription(db.pool, { clientId: 'c', url: 'https://127.0.0.1/x', eventTypes: ['urged'], ...input }, POLICY).then(
        () => null,
        (e: InvalidSubscriptionError) => [e.field, e.status, e.code],
      );
    expect(await refusal({ url: 'ftp://127.0.0.1/x' })).toEqual(['url', 400, 'INVALID_SUBSCRIPTION']);
    expect(await refusal({ url: 'file:///etc/passwd' })).toEqual(['url', 400, 'INVALID_SUBSCRIPTION']);
    expect(await refusal({ url: 'http://user:pw@127.0.0.1/x' })).toEqual(['url', 400, 'INVALID_SUBSCRIPTION']);
    expect(await refusal({ url: 'http://127.0.0.1/x\u0000' })).toEqual(['url', 400, 'INVALID_SUBSCRIPTION']);
    expect(await refusal({ url: `http://127.0.0.1/${'x'.repeat(2048)}` })).toEqual(['url', 400, 'INVALID_SUBSCRIPTION']);
    expect(await refusal({ eventTypes: [] })).toEqual(['eventTypes', 400, 'INVALID_SUBSCRIPTION']);
  });

  it('accepts only "*" and the event kinds the engine records, at most 50 of them', async () => {
    const fieldOf = (eventTypes: string[]) =>
      createSubscription(db.pool, { clientId: 'kinds', url: 'https://127.0.0.1/x', eventTypes }, POLICY).then(
        () => null,
        (e: InvalidSubscriptionError) => e.field,
      );
    expect(await fieldOf(['approved', 'matterDecided'])).toBe('eventTypes.1');
    expect(await fieldOf(['   '])).toBe('eventTypes.0');
    expect(await fieldOf(['approved\u0000'])).toBe('eventTypes.0');
    expect(await fieldOf(Array.from({ length: 51 }, (_, i) => EVENT_KINDS[i % EVENT_KINDS.length]!))).toBe('eventTypes');
    expect(await fieldOf(['*'])).toBeNull();
    // Every kind the engine records (more than 50 since issue 12), 50 at a time.
    for (let i = 0; i < EVENT_KINDS.length; i += 50) expect(await fieldOf(EVENT_KINDS.slice(i, i + 50))).toBeNull();
  });

  it('refuses a destination that is not public, naming the rule, unless the allowlist lets it through', async () => {
    const dns = switchableResolver({ 'inside.example.com': ['10.0.0.7'], 'mixed.example.com': ['93.184.216.34', '::1'], 'hooks.example.com': ['93.184.216.34'] });
    const refusal = (url: string, policy: SubscriptionPolicy = { allowlist: NO_ALLOWLIST, resolve: dns }) =>
      createSubscription(db.pool, { clientId: 'ssrf', url, eventTypes: ['*'] }, policy).then(
        () => null,
        (e: InvalidSubscriptionError) => ({ field: e.field, status: e.status, code: e.code, message: e.message }),
      );
    expect(await refusal('http://127.0.0.1:9/x')).toEqual({ field: 'url', status: 422, code: 'FORBIDDEN_DESTINATION', message: 'url: the host "127.0.0.1" is not allowed (loopback): webhooks go only to public addresses' });
    expect(await refusal('http://0x7f.1/x')).toMatchObject({ status: 422, message: expect.stringContaining('(loopback)') });
    expect(await refusal('https://inside.example.com/x')).toMatchObject({ status: 422, message: 'url: the host "inside.example.com" is not allowed (private): webhooks go only to public addresses' });
    expect(await refusal('https://mixed.example.com/x')).toMatchObject({ status: 422, message: expect.stringContaining('(loopback)') });
    expect(await refusal('https://nowhere.example.com/x')).toMatchObject({ status: 422, code: 'FORBIDDEN_DESTINATION', message: 'url: the host "nowhere.example.com" does not resolve' });
    expect(await refusal(`https://${'a'.repeat(60)}.${'b'.repeat(60)}.example.com/x`)).toMatchObject({ message: expect.stringMatching(/^url: the host "a{60}\.b{2}…" does not resolve$/) });
    expect(await refusal('https://hooks.example.com/x')).toBeNull();
    expect(await refusal('http://127.0.0.1:9/x', { allowlist: LOOPBACK, resolve: dns })).toBeNull();
    expect(await refusal('https://inside.example.com/x', { allowlist: parseAllowlist('inside.example.com'), resolve: dns })).toBeNull();
  });

  it('holds an integrator to its limit of active subscriptions, even when it asks for many at once', async () => {
    const policy: SubscriptionPolicy = { allowlist: LOOPBACK, maxSubscriptions: 3 };
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => createSubscription(db.pool, { clientId: 'greedy', url: 'http://127.0.0.1:9/x', eventTypes: ['urged'] }, policy)));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected')!.reason as InvalidSubscriptionError;
    expect([refused.status, refused.code, refused.message]).toEqual([409, 'SUBSCRIPTION_LIMIT', 'clientId: at most 3 active subscriptions per integrator; delete one first']);

    // Another integrator is not affected; an inactive subscription or a deleted one frees a place.
    await createSubscription(db.pool, { clientId: 'modest', url: 'http://127.0.0.1:9/x', eventTypes: ['urged'] }, policy);
    const [first, second] = await listSubscriptions(db.pool, 'greedy');
    await deleteSubscription(db.pool, first!.id, 'greedy');
    await db.pool.query('UPDATE webhook_subscriptions SET active = false WHERE id = $1', [second!.id]);
    await createSubscription(db.pool, { clientId: 'greedy', url: 'http://127.0.0.1:9/x', eventTypes: ['urged'] }, policy);
    await createSubscription(db.pool, { clientId: 'greedy', url: 'http://127.0.0.1:9/x', eventTypes: ['urged'] }, policy);
    await expect(createSubscription(db.pool, { clientId: 'greedy', url: 'http://127.0.0.1:9/x', eventTypes: ['urged'] }, policy)).rejects.toMatchObject({ code: 'SUBSCRIPTION_LIMIT' });
  });
});

describe('which subscriptions an event reaches', () => {
  it('queues an application’s events for the integrators its applicant authorised, the one that started it, and admins, never for others', async () => {
    const url = 'http://127.0.0.1:9/x';
    const authorised = await createSubscription(db.pool, { clientId: 'platform-a', url, eventTypes: ['servicesIdentified'], applicants: ['ent-x'] }, POLICY);
    const stranger = await createSubscription(db.pool, { clientId: 'platform-b', url, eventTypes: ['*'], applicants: ['ent-z'] }, POLICY);
    const starter = await createSubscription(db.pool, { clientId: 'platform-c', url, eventTypes: ['servicesIdentified'] }, POLICY);
    const admin = await createSubscription(db.pool, { clientId: 'admin', url, eventTypes: ['servicesIdentified'], scopeAll: true }, POLICY);

    await emit('W-scope-x', 'servicesIdentified', { applicantId: 'ent-x' });
    await emit('W-scope-y', 'servicesIdentified', { applicantId: 'ent-y', startedBy: 'platform-c' });

    const keys = async (sid: string) => (await db.pool.query<{ event_key: string }>('SELECT event_key FROM webhook_outbox WHERE subscription_id = $1 ORDER BY event_key', [sid])).rows.map((r) => r.event_key);
    expect(await keys(authorised.id)).toEqual(['W-scope-x:1']);
    expect(await keys(stranger.id)).toEqual([]);
    expect(await keys(starter.id)).toEqual(['W-scope-y:1']);
    expect(await keys(admin.id)).toEqual(['W-scope-x:1', 'W-scope-y:1']);
    const { rows } = await db.pool.query('SELECT application_id, started_by FROM applications WHERE application_id LIKE $1 ORDER BY 1', ['W-scope-%']);
    expect(rows).toEqual([
      { application_id: 'W-scope-x', started_by: null },
      { application_id: 'W-scope-y', started_by: 'platform-c' },
    ]);
  });
});

describe('webhook dispatcher', () => {
  it('POSTs the event with a signature the receiver can verify, and a tampered body fails it', async () => {
    const hook = await receiver();
    const sub = await subscribe({ clientId: 'c1', url: hook.url, eventTypes: ['approved'], secret: 'a-shared-secret-of-the-integrator' });
    await emit('W-signed', 'approved');

    const dispatcher = createWebhookDispatcher(db.pool, { allowlist: LOOPBACK, maxAttempts: 3, baseDelayMs: 1000 });
    expect(await dispatcher.deliverDue()).toBe(1);

    expect(hook.requests).toHaveLength(1);
    const [req] = hook.requests;
    expect(req!.headers['content-type']).toBe('application/json');
    expect(req!.headers['x-event-id']).toBe('W-signed:1');
    expect(JSON.parse(req!.body)).toMatchObject({ id: 'W-signed:1', type: 'approved', applicationId: 'W-signed', seq: 1, matter: 'LY01' });
    const header = String(req!.headers['x-signature']);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    const nowSec = Math.floor(Date.now() / 1000);
    expect(verifySignature('a-shared-secret-of-the-integrator', header, req!.body, 300, nowSec)).toBe(true);
    expect(verifySignature('a-shared-secret-of-the-integrator', header, req!.body.replace('W-signed', 'W-forged'), 300, nowSec)).toBe(false);

    expect(await outboxOf(sub.id)).toEqual([expect.objectContaining({ attempts: 1, delivered_at: expect.any(Date), dead_at: null, last_error: null })]);
    expect(await deliveriesOf(sub.id)).toEqual([expect.objectContaining({ attempt: 1, status_code: 200, error: null })]);
    expect(await dispatcher.deliverDue()).toBe(0);
    await dispatcher.stop();
  });

  it('retries after the receiver fails twice, on the backoff schedule, and records every attempt', async () => {
    const hook = await receiver((n) => (n < 2 ? 500 : 204));
    const sub = await subscribe({ clientId: 'c2', url: hook.url, eventTypes: ['rejected'] });
    await emit('W-retry', 'rejected');
    let clock = Date.now() + 1000;
    const dispatcher = createWebhookDispatcher(db.pool, { allowlist: LOOPBACK, now: () => clock, maxAttempts: 5, baseDelayMs: 60_000 });

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
    await dispatcher.stop();
  });

  it('gives a refused endpoint up as dead after maxAttempts while a healthy one is delivered at once', async () => {
    const healthy = await receiver();
    const good = await subscribe({ clientId: 'c3', url: healthy.url, eventTypes: ['terminated'] });
    const dead = await subscribe({ clientId: 'c4', url: await refusedUrl(), eventTypes: ['terminated'] });
    await emit('W-dead', 'terminated');
    let clock = Date.now() + 1000;
    const dispatcher = createWebhookDispatcher(db.pool, { allowlist: LOOPBACK, now: () => clock, maxAttempts: 3, baseDelayMs: 1000 });

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
    await dispatcher.stop();
  });

  it('keeps delivering to others while an endpoint hangs, and times the hanging one out', async () => {
    const hanging = await receiver(() => null);
    const healthy = await receiver();
    const slow = await subscribe({ clientId: 'c5', url: hanging.url, eventTypes: ['extended'] });
    const fast = await subscribe({ clientId: 'c6', url: healthy.url, eventTypes: ['escalated'] });
    const dispatcher = createWebhookDispatcher(db.pool, { allowlist: LOOPBACK, maxAttempts: 2, baseDelayMs: 60_000, timeoutMs: 1_500, onError: (e) => { throw e; } });

    await emit('W-slow', 'extended');
    dispatcher.start(20);
    try {
      await waitFor(() => hanging.requests.length === 1, 2_000);
      const started = Date.now();
      await emit('W-fast', 'escalated');
      await waitFor(async () => (await outboxOf(fast.id))[0]?.delivered_at != null, 1_000);
      expect(Date.now() - started).toBeLessThan(1_000);
      await waitFor(async () => (await outboxOf(slow.id))[0]?.last_error != null, 3_000);
    } finally {
      await dispatcher.stop();
    }
    expect(await outboxOf(slow.id)).toEqual([expect.objectContaining({ attempts: 1, delivered_at: null, last_error: 'timeout after 1500 ms' })]);
  });

  it('never delivers to a forbidden address: a loopback receiver without the allowlist fails each attempt and ends dead', async () => {
    const hook = await receiver();
    const sub = await subscribe({ clientId: 'c7', url: hook.url, eventTypes: ['withdrawn'] });
    await emit('W-forbidden', 'withdrawn');
    let clock = Date.now() + 1000;
    const dispatcher = createWebhookDispatcher(db.pool, { allowlist: NO_ALLOWLIST, now: () => clock, maxAttempts: 2, baseDelayMs: 1000 });
    expect(await dispatcher.deliverDue()).toBe(1);
    clock += 60_000;
    expect(await dispatcher.deliverDue()).toBe(1);
    await dispatcher.stop();

    expect(hook.requests).toHaveLength(0);
    expect(await outboxOf(sub.id)).toEqual([
      expect.objectContaining({ attempts: 2, delivered_at: null, dead_at: expect.any(Date), last_error: 'destination 127.0.0.1 is not allowed (loopback)' }),
    ]);
    expect((await deliveriesOf(sub.id)).map((d) => [d.status_code, d.error])).toEqual([
      [null, 'destination 127.0.0.1 is not allowed (loopback)'],
      [null, 'destination 127.0.0.1 is not allowed (loopback)'],
    ]);
  });

  it('does not deliver to a name that resolved to a public address at subscription but resolves to 127.0.0.1 at delivery', async () => {
    const hook = await receiver();
    const port = new URL(hook.url).port;
    const dns = switchableResolver({ 'rebind.example.com': ['93.184.216.34'] });
    const sub = await createSubscription(db.pool, { clientId: 'c8', url: `http://rebind.example.com:${port}/hooks`, eventTypes: ['delivered'], scopeAll: true }, { allowlist: NO_ALLOWLIST, resolve: dns });
    await emit('W-rebind', 'delivered');

    dns.answers['rebind.example.com'] = ['127.0.0.1'];
    const dispatcher = createWebhookDispatcher(db.pool, { allowlist: NO_ALLOWLIST, resolve: dns, maxAttempts: 3, baseDelayMs: 60_000 });
    expect(await dispatcher.deliverDue()).toBe(1);
    await dispatcher.stop();

    expect(hook.requests).toHaveLength(0);
    expect(await outboxOf(sub.id)).toEqual([expect.objectContaining({ attempts: 1, delivered_at: null, dead_at: null, last_error: 'destination 127.0.0.1 is not allowed (loopback)' })]);
  });

  it('connects to the address the checked lookup gave, so an allowlisted name is delivered through it', async () => {
    const hook = await receiver();
    const port = new URL(hook.url).port;
    const dns = switchableResolver({ 'receiver.internal': ['127.0.0.1'] });
    const allowlist = parseAllowlist('receiver.internal');
    const sub = await createSubscription(db.pool, { clientId: 'c9', url: `http://receiver.internal:${port}/hooks`, eventTypes: ['deliverableAccepted'], scopeAll: true }, { allowlist, resolve: dns });
    await emit('W-internal', 'deliverableAccepted');
    const dispatcher = createWebhookDispatcher(db.pool, { allowlist, resolve: dns, maxAttempts: 3, baseDelayMs: 60_000 });
    expect(await dispatcher.deliverDue()).toBe(1);
    await dispatcher.stop();

    expect(hook.requests).toHaveLength(1);
    expect(hook.requests[0]!.headers.host).toBe(`receiver.internal:${port}`);
    expect(await outboxOf(sub.id)).toEqual([expect.objectContaining({ delivered_at: expect.any(Date) })]);
  });

  it('does not follow a redirect: a 3xx is a failed attempt and the target hears nothing', async () => {
    const target = await receiver();
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(307, { location: target.url }).end();
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const sub = await subscribe({ clientId: 'c10', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, eventTypes: ['deliverableReturned'] });
    await emit('W-redirect', 'deliverableReturned');
    const dispatcher = createWebhookDispatcher(db.pool, { allowlist: LOOPBACK, maxAttempts: 3, baseDelayMs: 60_000 });
    expect(await dispatcher.deliverDue()).toBe(1);
    await dispatcher.stop();

    expect(target.requests).toHaveLength(0);
    expect(await outboxOf(sub.id)).toEqual([expect.objectContaining({ delivered_at: null, last_error: 'HTTP 307 (redirects are not followed)' })]);
  });

  it('reads at most 64 KB of an answer: an endless body neither holds the slot nor the memory', async () => {
    const server = createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/plain' });
      const chunk = Buffer.alloc(16 * 1024, 'x');
      const pump = setInterval(() => (res.destroyed ? clearInterval(pump) : res.write(chunk)), 1);
      res.on('close', () => clearInterval(pump));
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const sub = await subscribe({ clientId: 'c11', url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`, eventTypes: ['providerReplaced'] });
    await emit('W-endless', 'providerReplaced');
    const dispatcher = createWebhookDispatcher(db.pool, { allowlist: LOOPBACK, maxAttempts: 3, baseDelayMs: 60_000, timeoutMs: 10_000 });
    const started = Date.now();
    expect(await dispatcher.deliverDue()).toBe(1);
    expect(Date.now() - started).toBeLessThan(5_000);
    await dispatcher.stop();
    expect(await outboxOf(sub.id)).toEqual([expect.objectContaining({ delivered_at: expect.any(Date) })]);
  });
});

async function waitFor(check: () => boolean | Promise<boolean>, withinMs: number): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${withinMs} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
