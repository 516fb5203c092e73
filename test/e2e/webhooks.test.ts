import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWebhookDispatcher, verifySignature } from '../../activities/webhooks';
import { officerToken, TOKENS } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { allMaterials } from '../helpers/temporal';

interface Received {
  body: string;
  signature: string;
  eventId: string;
}

describe('webhooks end to end: an officer decides, the integrator receives a signed event', () => {
  const suite = apiSuite('webhooks-e2e');
  const received: Received[] = [];
  let failuresLeft = 1;
  let receiver: Server;
  let url: string;

  beforeAll(async () => {
    receiver = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        // The receiver is down for the first delivery: the dispatcher must retry.
        if (failuresLeft-- > 0) return res.writeHead(503).end();
        received.push({ body, signature: String(req.headers['x-signature']), eventId: String(req.headers['x-event-id']) });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  });
  afterAll(() => new Promise<void>((r) => receiver.close(() => r())));

  it('delivers the approval to the subscriber, signed with its secret, after the receiver failed once', async () => {
    const badUrl = await suite.call('POST', '/webhooks/subscriptions', TOKENS.integrator, { url: 'ftp://x', eventTypes: ['approved'] });
    expect(badUrl.body.errors[0].field).toBe('body.url');
    const sub = await suite.call('POST', '/webhooks/subscriptions', TOKENS.integrator, { url, eventTypes: ['approved'] });
    expect(sub.status).toBe(201);
    const secret: string = sub.body.secret;
    expect((await suite.call('GET', '/webhooks/subscriptions', TOKENS.integrator)).body.subscriptions.map((s: any) => s.url)).toEqual([url]);

    const id = (await suite.call('POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT', projectName: '回调项目', materials: allMaterials('GOV_INVESTMENT') })).body.applicationId;
    expect((await suite.call('POST', `/applications/${id}/matters/LY01/decision`, officerToken('DRC'), { decision: 'approve', result: { number: '浏发改〔2026〕1号' } })).status).toBe(200);

    let clock = Date.now();
    const dispatcher = createWebhookDispatcher(suite.db.pool, { maxAttempts: 5, baseDelayMs: 1_000, now: () => clock });
    for (let i = 0; i < 60 && received.length === 0; i++) {
      await dispatcher.deliverDue();
      clock += 2_000; // past the retry delay after the failure
      await new Promise((r) => setTimeout(r, 250));
    }
    expect(received).toHaveLength(1);
    const event = JSON.parse(received[0]!.body);
    expect(event).toMatchObject({ type: 'approved', applicationId: id, matter: 'LY01', actor: 'officer officer-drc (DRC)' });
    const nowSec = Math.floor(clock / 1000);
    expect(verifySignature(secret, received[0]!.signature, received[0]!.body, 600, nowSec)).toBe(true);
    expect(verifySignature(secret, received[0]!.signature, received[0]!.body.replace('LY01', 'LY02'), 600, nowSec)).toBe(false);
    const attempts = await suite.db.pool.query(
      `SELECT d.status_code FROM webhook_deliveries d JOIN webhook_outbox o ON o.id = d.outbox_id WHERE o.event_key LIKE $1 ORDER BY d.attempt`,
      [`${id}:%`],
    );
    expect(attempts.rows.map((r) => r.status_code)).toEqual([503, 204]);
  });
});
