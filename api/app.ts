import type { Client } from '@temporalio/client';
import express from 'express';
import type { Pool } from 'pg';
import { NO_ALLOWLIST, type DestinationAllowlist } from '../readmodel/destinations';
import type { PrincipalRegistry } from './auth';
import type { CatalogueHolder } from './catalogue-holder';
import { dependencyStates, workerPolling } from './health';
import { LiveHub, registerLive } from './live';
import { logger as defaultLogger, type Logger } from './log';
import type { ApiMetrics } from './metrics';
import { registerDocs, serveDocsAssets } from './docs';
import { openApiDocument } from './openapi';
import { OperationRegistry, type ResponseCheck } from './operation';
import { healthSchema, openApiDocumentSchema, readinessSchema } from '../contracts/responses';
import { errorHandler, sendProblem } from './problem';
import { boundedText } from '../domain/text';
import { DEFAULT_RATE_LIMITS, rateLimits, type RateLimits } from './rate-limit';
import { requestLog } from './request-log';
import { traceRequests } from './tracing';
import { registerAdmin } from './routes/admin';
import { registerApplications } from './routes/applications';
import { registerCatalogue } from './routes/catalogue';
import { registerIntegrators } from './routes/integrators';
import { registerReadModel } from './routes/readmodel';
import { registerSpgl } from './routes/spgl';
import { noStore, securityHeaders } from './security-headers';
import { DEFAULT_WEB_DIR, registerSession, serveWeb, type DemoPrincipal } from './web';

export interface ApiDeps {
  client: Client;
  pool: Pool;
  catalogue: CatalogueHolder;
  taskQueue: string;
  principals: PrincipalRegistry;
  definitionsDir?: string;
  /** Requests per minute per principal and per anonymous address (defaults: 600 and 120). */
  rateLimits?: RateLimits;
  /** Express `trust proxy`: which proxies' X-Forwarded-For names the client (default: none). */
  trustProxy?: false | number | string[];
  /** Where request lines go (default: the process logger). */
  logger?: Logger;
  /** Webhook destinations let through although not public (WEBHOOK_ALLOWED_DESTINATIONS; default none). */
  webhookAllowlist?: DestinationAllowlist;
  /** Active webhook subscriptions per integrator (WEBHOOK_MAX_SUBSCRIPTIONS; default 20). */
  webhookMaxSubscriptions?: number;
  /** The built web pages served under /ui/ (default web/dist; null: none). */
  webDir?: string | null;
  /** Principals the sign-in page offers to pick, with their tokens: the embedded run only (DEMO_SIGN_IN). */
  demoPrincipals?: readonly DemoPrincipal[];
  /**
   * The instant the API reads the world at (views, working days left, qualifications): the
   * machine's clock; tests on the time-skipping server pass that server's.
   */
  clock?: () => number;
  /** 行政区划代码 of this system in the SPGL exchange (SPGL_REGION_CODE). */
  spglRegionCode?: string;
  /** Checks every JSON answer against its operation's declared schema and reports the result (tests). */
  onResponseChecked?: (c: ResponseCheck) => void;
  /** Where request durations are observed (api/metrics.ts); none when the metrics endpoint is off. */
  metrics?: ApiMetrics;
}

/** The HTTP API: stateless, one Temporal client and one pool; every rule lives in the workflows. */
export function createApi(deps: ApiDeps): express.Express & { operations: OperationRegistry['operations']; live: LiveHub } {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', deps.trustProxy ?? false);
  // The request log comes first, so every answer (a 404, a 429, a refusal) has its line and request id.
  const log = deps.logger ?? defaultLogger;
  app.use(requestLog(log));
  app.use(traceRequests());
  // Every answer is timed too, under the operation that answered it (declared below).
  let operations: OperationRegistry['operations'] = [];
  if (deps.metrics) app.use(deps.metrics.observeRequests(() => operations));
  app.use(securityHeaders, noStore);
  // The pages' files are static and public: served before the rate limits count requests.
  if (deps.webDir !== null) serveWeb(app, deps.webDir ?? DEFAULT_WEB_DIR);
  serveDocsAssets(app);
  app.use(rateLimits(deps.principals, deps.rateLimits ?? DEFAULT_RATE_LIMITS, log));
  // The largest legitimate body (a year's calendar) is a few KB; every field is bounded besides.
  app.use(express.json({ limit: '100kb' }));
  const router = express.Router();
  const api = new OperationRegistry(router, deps.principals, deps.onResponseChecked);
  operations = api.operations;

  // One check per dependency; the public answers say only up or down (the reason goes to the log).
  const temporal = () => deps.client.connection.workflowService.getSystemInfo({});
  const database = () => deps.pool.query('SELECT 1');
  // The Temporal client is asked when /ready is, not when the app is built.
  const worker = workerPolling(
    { describeTaskQueue: (request) => deps.client.connection.workflowService.describeTaskQueue(request) },
    deps.client.options?.namespace ?? 'default',
    deps.taskQueue,
  );
  api.add({ method: 'get', path: '/health', tag: 'system', summary: 'Liveness: 200 once Temporal is reachable', roles: 'public', response: healthSchema, otherAnswers: [{ status: 503, description: 'Temporal is not reachable', schema: healthSchema }] }, async ({ req, res }) => {
    const { ok } = await dependencyStates({ temporal }, req.log);
    res.status(ok ? 200 : 503).json({ status: ok ? 'up' : 'down' });
  });
  api.add({ method: 'get', path: '/ready', tag: 'system', summary: 'Readiness: Temporal, PostgreSQL, and a worker polling the task queue', roles: 'public', response: readinessSchema, otherAnswers: [{ status: 503, description: 'a dependency is down: each is named up or down', schema: readinessSchema }] }, async ({ req, res }) => {
    const { ok, states } = await dependencyStates({ temporal, database, worker }, req.log);
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'unavailable', ...states });
  });
  const clock = deps.clock ?? Date.now;
  registerCatalogue(api, deps.catalogue, clock);
  registerApplications(api, { ...deps, clock });
  registerReadModel(api, deps.pool, deps.catalogue, clock, deps.principals);
  registerSpgl(api, deps.pool, clock, deps.spglRegionCode);
  registerIntegrators(api, deps.pool, { allowlist: deps.webhookAllowlist ?? NO_ALLOWLIST, maxSubscriptions: deps.webhookMaxSubscriptions });
  registerAdmin(api, deps);
  // Live updates hold streams open: whoever serves the app ends them with `live.close()` before the server closes.
  const live = new LiveHub({ pool: deps.pool, departments: () => deps.catalogue.current.departments, logger: log });
  registerLive(api, live);
  registerSession(api, deps.demoPrincipals);
  api.add({ method: 'get', path: '/openapi.json', tag: 'system', summary: 'This document', roles: 'public', response: openApiDocumentSchema }, () => openApiDocument(api.operations));
  registerDocs(api);

  app.use(router);
  app.use((req, res) => sendProblem(res, 404, 'Not found', `no route ${req.method} ${boundedText(req.path, 100)}`, { code: 'NOT_FOUND' }));
  app.use(errorHandler);
  return Object.assign(app, { operations: api.operations, live });
}
