import type { Client } from '@temporalio/client';
import express from 'express';
import type { Pool } from 'pg';
import type { PrincipalRegistry } from './auth';
import type { CatalogueHolder } from './catalogue-holder';
import { docsPage, openApiDocument } from './openapi';
import { OperationRegistry } from './operation';
import { errorHandler, sendProblem } from './problem';
import { registerAdmin } from './routes/admin';
import { registerApplications } from './routes/applications';
import { registerCatalogue } from './routes/catalogue';
import { registerIntegrators } from './routes/integrators';
import { registerReadModel } from './routes/readmodel';

export interface ApiDeps {
  client: Client;
  pool: Pool;
  catalogue: CatalogueHolder;
  taskQueue: string;
  principals: PrincipalRegistry;
  definitionsDir?: string;
}

/** The HTTP API: stateless, one Temporal client and one pool; every rule lives in the workflows. */
export function createApi(deps: ApiDeps): express.Express & { operations: OperationRegistry['operations'] } {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));
  const router = express.Router();
  const api = new OperationRegistry(router, deps.principals);

  const temporalUp = async () => {
    try {
      await deps.client.connection.workflowService.getSystemInfo({});
      return 'up';
    } catch (e) {
      return `down: ${(e as Error).message}`;
    }
  };
  const databaseUp = async () => {
    try {
      await deps.pool.query('SELECT 1');
      return 'up';
    } catch (e) {
      return `down: ${(e as Error).message}`;
    }
  };
  api.add({ method: 'get', path: '/health', tag: 'system', summary: 'Liveness: 200 once Temporal is reachable', roles: 'public' }, async ({ res }) => {
    const temporal = await temporalUp();
    if (temporal !== 'up') return sendProblem(res, 503, 'Unavailable', `Temporal is ${temporal}`);
    return { status: 'ok', temporal };
  });
  api.add({ method: 'get', path: '/ready', tag: 'system', summary: 'Readiness: Temporal and PostgreSQL', roles: 'public' }, async ({ res }) => {
    const [temporal, database] = await Promise.all([temporalUp(), databaseUp()]);
    const ok = temporal === 'up' && database === 'up';
    res.status(ok ? 200 : 503).json({ status: ok ? 'ready' : 'unavailable', temporal, database });
  });
  registerCatalogue(api, deps.catalogue);
  registerApplications(api, deps);
  registerReadModel(api, deps.pool, deps.catalogue);
  registerIntegrators(api, deps.pool);
  registerAdmin(api, deps);
  api.add({ method: 'get', path: '/openapi.json', tag: 'system', summary: 'This document', roles: 'public' }, () => openApiDocument(api.operations));
  api.add({ method: 'get', path: '/docs', tag: 'system', summary: 'Human-readable API docs', roles: 'public', success: { status: 200, description: 'HTML', contentType: 'text/html' } }, ({ res }) => {
    res.type('html').send(docsPage);
  });

  app.use(router);
  app.use((req, res) => sendProblem(res, 404, 'Not found', `no route ${req.method} ${req.path}`));
  app.use(errorHandler);
  return Object.assign(app, { operations: api.operations });
}
