import { request } from 'node:http';
import { connect } from 'node:net';
import { Writable } from 'node:stream';
import { Client } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time';
import type { Pool } from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createPool } from '../../readmodel/db/pool';
import { CatalogueHolder } from '../../api/catalogue-holder';
import express from 'express';
import { createLogger } from '../../api/log';
import { requestLog } from '../../api/request-log';
import type { RateLimits } from '../../api/rate-limit';
import { apiConnection } from '../../api/temporal-connection';
import { officerToken, startApi, TOKENS, type RunningApi } from '../helpers/api';
import { catalogue } from '../helpers/temporal';

// The edge of the API (headers, request ids, limits, logs, Node's own refusals) needs neither
// Temporal nor PostgreSQL: the app runs on a read model that answers empty pages (or fails like
// a bug when told to) and a Temporal client that is either unreachable or always up.
const emptyReadModel = { query: async () => ({ rows: [] }) } as unknown as Pool;
const brokenReadModel = { query: async () => Promise.reject(new Error('relation "matters" is not what the code expects')) } as unknown as Pool;
const unreachableTemporal = () => new Client({ connection: apiConnection('127.0.0.1:1') });
const healthyTemporal = {
  options: { namespace: 'default' },
  connection: { workflowService: { getSystemInfo: async () => ({}), describeTaskQueue: async () => ({ pollers: [{ lastAccessTime: msToTs(Date.now()) }] }) } },
} as unknown as Client;

const running: RunningApi[] = [];
const closeLater: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((a) => a.close()));
  await Promise.all(closeLater.splice(0).map((c) => c()));
});

interface LogLine {
  level: number;
  msg: string;
  req?: { id: string; method: string; path: string };
  res?: { statusCode: number };
  route?: string;
  principal?: { id: string; role: string };
  err?: unknown;
  [k: string]: unknown;
}

async function api(options: { client?: Client; pool?: Pool; rateLimits?: RateLimits } = {}) {
  const lines: LogLine[] = [];
  const raw: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) {
        raw.push(l);
        lines.push(JSON.parse(l) as LogLine);
      }
      done();
    },
  });
  const logger = createLogger({ level: 'info', destination });
  const started = await startApi({ client: options.client ?? unreachableTemporal() }, 'edge', { pool: options.pool ?? emptyReadModel, catalogue: new CatalogueHolder(catalogue) }, { rateLimits: options.rateLimits, logger });
  running.push(started);
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const r = await fetch(started.url + path, { headers });
    const text = await r.text();
    return { status: r.status, headers: r.headers, text, body: /json/.test(r.headers.get('content-type') ?? '') ? JSON.parse(text) : text };
  };
  /** The request line of one request id, once the response has finished. */
  const lineOf = (id: string) => vi.waitFor(() => {
    const found = lines.filter((l) => l.req?.id === id && l.res);
    expect(found).toHaveLength(1);
    return found[0]!;
  });
  return { url: started.url, get, lines, raw, lineOf };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const otherDepartment = catalogue.departments.find((d) => d.code !== 'DRC')!.code;

describe('security headers and caching', () => {
  it('sends helmet headers and Cache-Control: no-store on a JSON answer and on a problem answer', async () => {
    const { get } = await api();
    const json = await get('/calendar/due?acceptedOn=2026-09-30&workingDays=3');
    const problem = await get('/no-such-route');
    expect(json.status).toBe(200);
    expect(problem.status).toBe(404);
    expect(problem.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    for (const r of [json, problem]) {
      expect(r.headers.get('cache-control')).toBe('no-store');
      expect(r.headers.get('content-security-policy')).toBe("default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'");
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('x-frame-options')).toBe('DENY');
      expect(r.headers.get('strict-transport-security')).toMatch(/max-age=\d+/);
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
      expect(r.headers.get('x-powered-by')).toBeNull();
    }
  });

  it('serves /docs as Swagger UI from its own files under a policy with no inline script and requests only to this origin', async () => {
    const { get } = await api();
    const docs = await get('/docs');
    expect(docs.status).toBe(200);
    expect(docs.headers.get('content-type')).toMatch(/^text\/html/);
    expect(docs.headers.get('cache-control')).toBe('no-store');
    expect(docs.text).toContain('<script src="/docs/assets/swagger-ui-bundle.js"></script>');
    expect(docs.text).not.toMatch(/<script>|<style|https?:\/\//);
    expect(docs.headers.get('content-security-policy')).toBe("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    expect((await get('/docs/assets/swagger-ui.css')).status).toBe(200);
    expect((await get('/docs/assets/index.html')).status).toBe(404);
  });
});

describe('request ids', () => {
  it('echoes a well-formed X-Request-Id and replaces a malformed or missing one with a UUID', async () => {
    const { get } = await api();
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect((await get('/calendar/due?acceptedOn=2026-09-30&workingDays=3', { 'x-request-id': 'trace-01.ab_C' })).headers.get('x-request-id')).toBe('trace-01.ab_C');
    expect((await get('/no-such-route', { 'x-request-id': 'trace-02' })).headers.get('x-request-id')).toBe('trace-02');
    for (const junk of ['has space', 'a'.repeat(65), '<script>alert(1)</script>', 'semi;colon', '']) {
      expect((await get('/no-such-route', { 'x-request-id': junk })).headers.get('x-request-id')).toMatch(uuid);
    }
    expect((await get('/no-such-route')).headers.get('x-request-id')).toMatch(uuid);
  });
});

describe('rate limits', () => {
  it('answers the N+1-th request of one principal with 429 problem+json and Retry-After while another principal is still served', async () => {
    const { get } = await api({ rateLimits: { perPrincipalPerMinute: 3, anonymousPerMinute: 1000 } });
    for (let i = 0; i < 3; i++) expect((await get('/officers/inbox', bearer(officerToken('DRC')))).status).toBe(200);
    const limited = await get('/officers/inbox', { ...bearer(officerToken('DRC')), 'x-request-id': 'limited-1' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(limited.body).toEqual({ type: 'about:blank', title: 'Too many requests', status: 429, detail: expect.stringMatching(/^at most 3 requests per minute per principal; retry in \d+ s$/), code: 'RATE_LIMITED' });
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited.headers.get('ratelimit')).toMatch(/^"principal"; r=0; t=\d+$/);
    expect(limited.headers.get('ratelimit-policy')).toMatch(/^"principal"; q=3; w=60; pk=:[A-Za-z0-9+/=]+:$/);
    expect(limited.headers.get('x-request-id')).toBe('limited-1');
    expect(limited.headers.get('cache-control')).toBe('no-store');
    expect((await get('/officers/inbox', bearer(officerToken(otherDepartment)))).status).toBe(200);
    expect((await get('/calendar/due?acceptedOn=2026-09-30&workingDays=3')).status).toBe(200);
  });

  it('limits requests without a valid token per address, failed authentication included, apart from principals', async () => {
    const { get } = await api({ rateLimits: { perPrincipalPerMinute: 1000, anonymousPerMinute: 3 } });
    expect((await get('/calendar/due?acceptedOn=2026-09-30&workingDays=3')).status).toBe(200);
    expect((await get('/officers/inbox', bearer('guessed-token-0000000001'))).status).toBe(401);
    expect((await get('/officers/inbox')).status).toBe(401);
    const guessing = await get('/officers/inbox', bearer('guessed-token-0000000002'));
    expect(guessing.status).toBe(429);
    expect(guessing.body).toMatchObject({ status: 429, code: 'RATE_LIMITED', detail: expect.stringMatching(/per address without a valid token/) });
    expect(Number(guessing.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await get('/calendar/due?acceptedOn=2026-09-30&workingDays=3')).status).toBe(429);
    expect((await get('/officers/inbox', bearer(officerToken('DRC')))).status).toBe(200);
  });
});

describe('health and readiness', () => {
  it('say only up or down, with no address or error text, and 503 while a dependency is down', async () => {
    const pool = createPool('postgres://postgres@127.0.0.1:1/none', { max: 1 });
    closeLater.push(() => pool.end());
    const down = await api({ pool });
    const health = await down.get('/health');
    const ready = await down.get('/ready');
    expect(health).toMatchObject({ status: 503, body: { status: 'down' } });
    expect(ready).toMatchObject({ status: 503, body: { status: 'unavailable', temporal: 'down', database: 'down', worker: 'down' } });
    expect(Object.keys(health.body)).toEqual(['status']);
    expect(Object.keys(ready.body).sort()).toEqual(['database', 'status', 'temporal', 'worker']);
    for (const text of [health.text, ready.text]) expect(text).not.toMatch(/127\.0\.0\.1|:1\b|ECONNREFUSED|connect|error/i);
    // The reason is not lost: it is in the log, for the operator.
    await vi.waitFor(() => expect(down.raw.some((l) => /"dependency":"database"/.test(l) && /ECONNREFUSED/.test(l))).toBe(true));

    const up = await api({ client: healthyTemporal });
    expect(await up.get('/health')).toMatchObject({ status: 200, body: { status: 'up' } });
    expect((await up.get('/ready')).body).toEqual({ status: 'ready', temporal: 'up', database: 'up', worker: 'up' });
  });
});

/** Sends raw bytes and reads until the server closes the connection. */
function rawExchange(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.on('data', (d) => (received += d));
    socket.on('error', (e) => (received ? resolve(received) : reject(e)));
    socket.on('close', () => resolve(received));
    socket.write(bytes);
  });
}

describe('requests Node refuses before Express', () => {
  it('answers a 100 KB URL with 431 problem+json and closes the connection', async () => {
    const { url, lines } = await api();
    const { hostname, port } = new URL(url);
    const answer = await new Promise<{ status: number; type: string; body: string; headers: Record<string, unknown> }>((resolve, reject) => {
      const req = request({ hostname, port, path: `/calendar/due?junk=${'x'.repeat(100_000)}` }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, type: res.headers['content-type'] ?? '', body, headers: res.headers }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(answer.status).toBe(431);
    expect(answer.type).toBe('application/problem+json');
    expect(answer.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(answer.body)).toEqual({ type: 'about:blank', title: 'Request Header Fields Too Large', status: 431, detail: expect.any(String), code: 'HEADERS_TOO_LARGE' });
    await vi.waitFor(() => expect(lines.filter((l) => l.code === 'HEADERS_TOO_LARGE')).toMatchObject([{ level: 30, res: { statusCode: 431 } }]));
  });

  it('answers malformed HTTP with 400 problem+json', async () => {
    const { url } = await api();
    const answer = await rawExchange(url, 'THIS IS NOT HTTP\r\n\r\n');
    const [head, body] = answer.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(head).toMatch(/\r\nContent-Type: application\/problem\+json\r\n/);
    expect(JSON.parse(body!)).toMatchObject({ type: 'about:blank', title: 'Bad Request', status: 400, code: 'BAD_REQUEST' });
  });

  it('survives a client that sends garbage and hangs up at once', async () => {
    const { url, get } = await api();
    const { hostname, port } = new URL(url);
    await Promise.all(
      Array.from({ length: 20 }, () => new Promise<void>((resolve) => {
        const s = connect(Number(port), hostname, () => s.end('\x00\x01 GARBAGE\r\n\r\n', () => s.destroy()));
        s.on('error', () => resolve());
        s.on('close', () => resolve());
      })),
    );
    expect((await get('/calendar/due?acceptedOn=2026-09-30&workingDays=3')).status).toBe(200);
  });
});

describe('request logs', () => {
  it('logs a 404 and a 400 as one info line each with the request id, the path without its query, and no stack', async () => {
    const { get, lineOf, raw } = await api();
    await get('/no-such-route?token=secret-in-query', { 'x-request-id': 'log-404' });
    await get('/calendar/due?acceptedOn=2026-13-01&workingDays=3', { 'x-request-id': 'log-400' });
    const notFound = await lineOf('log-404');
    const invalid = await lineOf('log-400');
    expect(notFound).toMatchObject({ level: 30, req: { id: 'log-404', method: 'GET', path: '/no-such-route' }, res: { statusCode: 404 }, responseTime: expect.any(Number) });
    expect(invalid).toMatchObject({ level: 30, req: { id: 'log-400', path: '/calendar/due' }, route: '/calendar/due', res: { statusCode: 400 } });
    for (const l of [notFound, invalid]) expect(l.err).toBeUndefined();
    expect(raw.join('\n')).not.toMatch(/secret-in-query|stack|acceptedOn/);
  });

  it('logs the principal of an authenticated request and never its token; a 429 is a warning', async () => {
    const { get, lineOf, raw } = await api({ rateLimits: { perPrincipalPerMinute: 1, anonymousPerMinute: 1000 } });
    await get('/applications', { ...bearer(TOKENS.applicant), 'x-request-id': 'log-200' });
    await get('/applications', { ...bearer(TOKENS.applicant), 'x-request-id': 'log-429' });
    expect(await lineOf('log-200')).toMatchObject({ level: 30, route: '/applications', principal: { id: 'ent-001', role: 'applicant' }, res: { statusCode: 200 } });
    expect(await lineOf('log-429')).toMatchObject({ level: 40, res: { statusCode: 429 } });
    expect(raw.join('\n')).not.toContain(TOKENS.applicant);
  });

  it('names the application (and its workflow id) a request was about, so a log search finds it; never a junk id', async () => {
    const { get, lineOf } = await api();
    await get('/applications/app-1f2e3d4c', { ...bearer(TOKENS.applicant), 'x-request-id': 'log-app' });
    await get('/applications/app-1f2e3d4c/audit', { ...bearer(TOKENS.applicant), 'x-request-id': 'log-audit' });
    await get(`/applications/${encodeURIComponent('app 1;drop')}`, { ...bearer(TOKENS.applicant), 'x-request-id': 'log-junk' });
    await get('/applications', { ...bearer(TOKENS.applicant), 'x-request-id': 'log-list' });
    expect(await lineOf('log-app')).toMatchObject({ route: '/applications/:id', applicationId: 'app-1f2e3d4c', workflowId: 'app-1f2e3d4c' });
    expect(await lineOf('log-audit')).toMatchObject({ applicationId: 'app-1f2e3d4c', workflowId: 'app-1f2e3d4c' });
    expect((await lineOf('log-junk')).applicationId).toBeUndefined();
    expect((await lineOf('log-list')).applicationId).toBeUndefined();
  });

  it('logs a request a pattern route answered (the web pages under /ui/) and goes on serving', async () => {
    const lines: LogLine[] = [];
    const logger = createLogger({ level: 'info', destination: new Writable({ write: (chunk, _e, done) => (lines.push(...String(chunk).split('\n').filter(Boolean).map((l) => JSON.parse(l) as LogLine)), done()) }) });
    const app = express();
    app.use(requestLog(logger));
    app.get(/^\/ui\/.*/, (_req, res) => void res.send('page'));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    closeLater.push(() => new Promise<void>((r) => server.close(() => r())));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    for (const path of ['/ui/applications/app-1', '/ui/']) expect((await fetch(url + path, { headers: { 'x-request-id': 'log-ui' } })).status).toBe(200);
    await vi.waitFor(() => expect(lines.filter((l) => l.req?.id === 'log-ui' && l.res)).toHaveLength(2));
    expect(lines.filter((l) => l.req?.id === 'log-ui')).toMatchObject([{ res: { statusCode: 200 } }, { res: { statusCode: 200 } }]);
    expect(lines.filter((l) => l.req?.id === 'log-ui').map((l) => l.route)).toEqual([undefined, undefined]);
  });

  it('bounds a junk path to 200 characters', async () => {
    const { get, lineOf } = await api();
    await get(`/${'x'.repeat(5_000)}`, { 'x-request-id': 'log-long' });
    expect((await lineOf('log-long')).req!.path.length).toBeLessThanOrEqual(201);
  });

  it('logs an unexpected handler error as an error line with the request id', async () => {
    const { get, lineOf, lines } = await api({ pool: brokenReadModel });
    const failed = await get('/officers/inbox', { ...bearer(officerToken('DRC')), 'x-request-id': 'log-500' });
    expect(failed.status).toBe(500);
    expect(await lineOf('log-500')).toMatchObject({ level: 50, route: '/officers/inbox', principal: { id: 'officer-drc', role: 'officer' }, res: { statusCode: 500 } });
    // The error handler logs the cause through req.log, so the same request id ties the two lines.
    expect(lines.filter((l) => l.req?.id === 'log-500' && !l.res)).toMatchObject([{ level: 50, err: { message: expect.stringMatching(/^relation "matters"/), stack: expect.any(String) } }]);
  });
});
