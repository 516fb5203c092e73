import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowlist } from '../../readmodel/destinations';
import { createWebhookDispatcher, verifySignature } from '../../readmodel/webhooks';
import { createApi } from '../../api/app';
import { CatalogueHolder } from '../../api/catalogue-holder';
import { EVENT_KINDS } from '../../domain/events';
import { GENEROUS_RATE_LIMITS, http, officerToken, principals, TOKENS } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { allMaterials, catalogue } from '../helpers/temporal';
import { FORBIDDEN_URLS } from '../helpers/destinations';

interface Received {
  path: string;
  body: string;
  signature: string;
  eventId: string;
}

describe('webhooks end to end: an officer decides, the integrators allowed to see it receive a signed event', () => {
  const suite = apiSuite('webhooks-e2e');
  const received: Received[] = [];
  let failuresLeft = 1;
  let receiver: Server;
  let base: string;
  /** The same API without WEBHOOK_ALLOWED_DESTINATIONS, as a production deployment runs. */
  let strict: Server;
  let strictUrl: string;

  beforeAll(async () => {
    receiver = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        // The authorised integrator's receiver is down for its first delivery: the dispatcher must retry.
        if (req.url === '/authorised' && failuresLeft-- > 0) return res.writeHead(503).end();
        received.push({ path: req.url ?? '', body, signature: String(req.headers['x-signature']), eventId: String(req.headers['x-event-id']) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    const app = createApi({ client: suite.env.client, pool: suite.db.pool, catalogue: new CatalogueHolder(catalogue), taskQueue: 'webhooks-e2e', principals, rateLimits: GENEROUS_RATE_LIMITS });
    strict = await new Promise<Server>((r) => {
      const s = app.listen(0, '127.0.0.1', () => r(s));
    });
    strictUrl = `http://127.0.0.1:${(strict.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((r) => receiver.close(() => r()));
    await new Promise<void>((r) => strict.close(() => r()));
  });

  it('delivers the approval to the authorised integrator and the admin, signed, after the receiver failed once; never to an integrator the applicant did not authorise', async () => {
    const badUrl = await suite.call('POST', '/webhooks/subscriptions', TOKENS.integrator, { url: 'ftp://x', eventTypes: ['approved'] });
    expect(badUrl.body.errors[0].field).toBe('body.url');
    // provincial-platform holds ent-001's authorisation; other-system holds none.
    const authorised = await suite.call('POST', '/webhooks/subscriptions', TOKENS.integrator, { url: `${base}/authorised`, eventTypes: ['approved'] });
    expect(authorised.status).toBe(201);
    expect(authorised.body).toMatchObject({ scopeAll: false, applicants: ['ent-001'] });
    const secret: string = authorised.body.secret;
    const stranger = await suite.call('POST', '/webhooks/subscriptions', TOKENS.otherIntegrator, { url: `${base}/stranger`, eventTypes: ['approved'] });
    expect(stranger.status).toBe(201);
    const admin = await suite.call('POST', '/webhooks/subscriptions', TOKENS.admin, { url: `${base}/admin`, eventTypes: ['*'] });
    expect(admin.body).toMatchObject({ scopeAll: true });
    expect((await suite.call('GET', '/webhooks/subscriptions', TOKENS.integrator)).body.subscriptions.map((s: any) => s.url)).toEqual([`${base}/authorised`]);

    const id = (await suite.call('POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT', projectName: '回调项目', materials: allMaterials('GOV_INVESTMENT') })).body.applicationId;
    expect((await suite.call('POST', `/applications/${id}/matters/LY01/decision`, officerToken('DRC'), { decision: 'approve', result: { number: '浏发改〔2026〕1号' } })).status).toBe(200);

    let clock = Date.now();
    const dispatcher = createWebhookDispatcher(suite.db.pool, { allowlist: parseAllowlist('127.0.0.1/32'), maxAttempts: 5, baseDelayMs: 1_000, now: () => clock });
    const approvals = () => received.filter((r) => JSON.parse(r.body).type === 'approved' && JSON.parse(r.body).applicationId === id);
    for (let i = 0; i < 60 && approvals().length < 2; i++) {
      await dispatcher.deliverDue();
      clock += 2_000; // past the retry delay after the failure
      await new Promise((r) => setTimeout(r, 250));
    }
    await dispatcher.deliverDue();
    await dispatcher.stop();

    expect(approvals().map((r) => r.path).sort()).toEqual(['/admin', '/authorised']);
    const delivered = approvals().find((r) => r.path === '/authorised')!;
    expect(JSON.parse(delivered.body)).toMatchObject({ type: 'approved', applicationId: id, matter: 'LY01', actor: 'officer officer-drc (DRC)' });
    const nowSec = Math.floor(clock / 1000);
    expect(verifySignature(secret, delivered.signature, delivered.body, 600, nowSec)).toBe(true);
    expect(verifySignature(secret, delivered.signature, delivered.body.replace('LY01', 'LY02'), 600, nowSec)).toBe(false);
    expect(received.filter((r) => r.path === '/stranger')).toEqual([]);
    const strangerRows = await suite.db.pool.query('SELECT count(*)::int AS n FROM webhook_outbox WHERE subscription_id = $1', [stranger.body.id]);
    expect(strangerRows.rows[0].n).toBe(0);
    const attempts = await suite.db.pool.query(
      `SELECT d.status_code FROM webhook_deliveries d JOIN webhook_outbox o ON o.id = d.outbox_id
       WHERE o.event_key LIKE $1 AND o.subscription_id = $2 ORDER BY d.id`,
      [`${id}:%`, authorised.body.id],
    );
    expect(attempts.rows.map((r) => r.status_code)).toEqual([503, 204]);
    // Every event of the application queued for the admin was delivered.
    const adminRows = await suite.db.pool.query('SELECT count(*)::int AS n FROM webhook_outbox WHERE subscription_id = $1 AND event_key LIKE $2 AND delivered_at IS NULL', [admin.body.id, `${id}:%`]);
    expect(adminRows.rows[0].n).toBe(0);
  });

  it.each(FORBIDDEN_URLS)('refuses a subscription to %s (%s) with a 422 naming body.url', async (url, rule) => {
    const res = await http(strictUrl, 'POST', '/webhooks/subscriptions', TOKENS.integrator, { url, eventTypes: ['approved'] });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({ code: 'FORBIDDEN_DESTINATION', errors: [{ field: 'body.url', message: expect.stringContaining(`(${rule})`) }] });
  });

  it.each(['file:///etc/passwd', 'gopher://127.0.0.1:70/x', 'ftp://example.com/x', 'javascript:alert(1)', 'http:///x', '   ', 'http://exa mple.com/', 'http://example.com/\u0000', `https://example.com/${'x'.repeat(2100)}`])(
    'refuses the URL %j with a 400 naming body.url',
    async (url) => {
      const res = await http(strictUrl, 'POST', '/webhooks/subscriptions', TOKENS.integrator, { url, eventTypes: ['approved'] });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain('body.url');
    },
  );

  it('refuses unknown, blank, NUL-carrying and too many event types with a 400 naming the item, and removes repeats', async () => {
    const post = (eventTypes: unknown) => suite.call('POST', '/webhooks/subscriptions', TOKENS.otherIntegrator, { url: `${base}/kinds`, eventTypes });
    const unknown = await post(['approved', 'matterDecided']);
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([{ field: 'body.eventTypes.1', message: expect.stringMatching(/^must be "\*" or an event kind such as approved, rejected/) }]);
    expect(unknown.body.errors[0].message.length).toBeLessThan(200);
    expect(JSON.stringify(unknown.body)).not.toContain('matterDecided');
    expect((await post(['   '])).body.errors[0].field).toBe('body.eventTypes.0');
    expect((await post(['approved\u0000'])).body.errors[0].field).toBe('body.eventTypes.0');
    const many = await post(Array.from({ length: 51 }, (_, i) => EVENT_KINDS[i % EVENT_KINDS.length]));
    expect([many.status, many.body.errors[0].field]).toEqual([400, 'body.eventTypes']);
    expect((await post([])).body.errors[0].field).toBe('body.eventTypes');
    const repeated = await post(['approved', 'approved', '*']);
    expect([repeated.status, repeated.body.eventTypes]).toEqual([201, ['approved', '*']]);
  });

  it('answers a subscription id that is not a UUID with a 400, and another integrator’s with a 404', async () => {
    const notUuid = await suite.call('DELETE', '/webhooks/subscriptions/not-a-uuid', TOKENS.integrator);
    expect([notUuid.status, notUuid.body.errors[0].field]).toEqual([400, 'path.sid']);
    const own = (await suite.call('GET', '/webhooks/subscriptions', TOKENS.otherIntegrator)).body.subscriptions[0].id;
    expect((await suite.call('DELETE', `/webhooks/subscriptions/${own}`, TOKENS.integrator)).status).toBe(404);
  });

  it('holds an integrator to 20 active subscriptions with a 409 naming the rule', async () => {
    const count = async () => (await suite.call('GET', '/webhooks/subscriptions', TOKENS.otherIntegrator)).body.subscriptions.length;
    for (let n = await count(); n < 20; n++) {
      expect((await suite.call('POST', '/webhooks/subscriptions', TOKENS.otherIntegrator, { url: `${base}/cap`, eventTypes: ['urged'] })).status).toBe(201);
    }
    const over = await suite.call('POST', '/webhooks/subscriptions', TOKENS.otherIntegrator, { url: `${base}/cap`, eventTypes: ['urged'] });
    expect(over.status).toBe(409);
    expect(over.body).toMatchObject({ code: 'SUBSCRIPTION_LIMIT', detail: 'at most 20 active subscriptions per integrator; delete one first' });
    const first = (await suite.call('GET', '/webhooks/subscriptions', TOKENS.otherIntegrator)).body.subscriptions[0].id;
    expect((await suite.call('DELETE', `/webhooks/subscriptions/${first}`, TOKENS.otherIntegrator)).status).toBe(200);
    expect((await suite.call('POST', '/webhooks/subscriptions', TOKENS.otherIntegrator, { url: `${base}/cap`, eventTypes: ['urged'] })).status).toBe(201);
  });
});
