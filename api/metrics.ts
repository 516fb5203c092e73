import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { NextFunction, Request, Response } from 'express';
import type { Pool } from 'pg';
import { collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { readModelFigures, type ReadModelFigures } from '../readmodel/metrics';
import type { Logger } from './log';
import type { Operation } from './operation';

/**
 * Serves one registry as Prometheus text at GET /metrics on its own port, never the public one:
 * the API's and the worker's metrics alike (docs/operations.md).
 */
export function serveMetrics(registry: Registry, port: number, host: string): Promise<Server & { url: string }> {
  const server = createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('metrics are at GET /metrics\n');
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${err.message}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const { port: bound } = server.address() as AddressInfo;
      resolve(Object.assign(server, { url: `http://${host}:${bound}/metrics` }));
    });
  });
}

/** The operation label of a request that matched no declared operation (a 404, static files, a refusal before routing). */
export const UNMATCHED_OPERATION = 'unmatched';

export interface ApiMetrics {
  readonly registry: Registry;
  /** Express middleware: observes each request's duration under its declared operation once the answer is sent. */
  observeRequests(operations: () => readonly Operation[]): (req: Request, res: Response, next: NextFunction) => void;
}

/**
 * The API's metrics: process health, request durations by declared operation and status, and
 * the read model's figures (open matters, webhook backlog, refused batches), computed at scrape
 * time from a few aggregate queries and cached for `cacheMs` (default 10 s) so scrapes stay cheap.
 */
export function createApiMetrics(pool: Pool, options: { cacheMs?: number; logger?: Logger } = {}): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'approvals_api_' });
  const duration = new Histogram({
    name: 'approvals_http_request_duration_seconds',
    help: 'HTTP request duration by declared operation ("METHOD /path/:template") and status',
    labelNames: ['operation', 'status'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });

  const cacheMs = options.cacheMs ?? 10_000;
  let cached: { at: number; figures: Promise<ReadModelFigures | undefined> } | undefined;
  const figures = (): Promise<ReadModelFigures | undefined> => {
    if (!cached || Date.now() - cached.at >= cacheMs) {
      // A read model that is down leaves these series out of the scrape rather than failing it.
      const read = readModelFigures(pool).catch((err: unknown) => {
        options.logger?.warn({ err }, 'metrics: the read model could not be read');
        return undefined;
      });
      cached = { at: Date.now(), figures: read };
    }
    return cached.figures;
  };
  new Gauge({
    name: 'approvals_open_matters',
    help: 'Open matters (intake, in progress, suspended, waiting for prerequisites) by clock level and department',
    labelNames: ['level', 'department'] as const,
    registers: [registry],
    async collect() {
      const f = await figures();
      this.reset();
      for (const m of f?.openMatters ?? []) this.set({ level: m.level, department: m.department }, m.count);
    },
  });
  const single = (name: string, help: string, pick: (f: ReadModelFigures) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        const f = await figures();
        if (f) this.set(pick(f));
      },
    });
  single('approvals_webhook_outbox_depth', 'Webhook deliveries neither delivered nor given up', (f) => f.outboxDepth);
  single('approvals_webhook_outbox_oldest_pending_seconds', 'Age of the oldest pending webhook delivery (0 when none)', (f) => f.outboxOldestPendingSeconds);
  single('approvals_projection_refusals_total', 'Projection batches PostgreSQL refused (rows in projection_refusals)', (f) => f.projectionRefusals);

  return {
    registry,
    observeRequests(operations) {
      let declared: Set<string> | undefined;
      return (req, res, next) => {
        const end = duration.startTimer();
        res.once('finish', () => {
          // Operations are all registered by the time a request arrives; the set is built on the first answer.
          declared ??= new Set(operations().map((op) => `${op.method.toUpperCase()} ${op.path}`));
          const route = req.route as { path?: unknown } | undefined;
          const operation = typeof route?.path === 'string' ? `${req.method} ${route.path}` : '';
          end({ operation: declared.has(operation) ? operation : UNMATCHED_OPERATION, status: String(res.statusCode) });
        });
        next();
      };
    },
  };
}
