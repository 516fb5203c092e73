import type { Client } from '@temporalio/client';
import express from 'express';
import type { Catalogue } from '../definitions/loader';
import { authenticate, type PrincipalRegistry } from './auth';
import { errorHandler, sendProblem } from './problem';
import { applicationsRouter } from './routes/applications';
import { catalogueRouter } from './routes/catalogue';

export interface ApiDeps {
  client: Client;
  catalogue: Catalogue;
  taskQueue: string;
  principals: PrincipalRegistry;
}

/** The HTTP API: stateless, one Temporal client; every rule lives in the workflows. */
export function createApi(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(express.json({ limit: '1mb' }));

  app.get('/health', async (_req, res) => {
    try {
      await deps.client.connection.workflowService.getSystemInfo({});
      res.json({ status: 'ok', temporal: 'up' });
    } catch (e) {
      sendProblem(res, 503, 'Unavailable', `Temporal is not reachable: ${(e as Error).message}`);
    }
  });
  app.use(catalogueRouter(deps.catalogue));
  app.use(authenticate(deps.principals));
  app.use(applicationsRouter(deps));
  app.use((req, res) => sendProblem(res, 404, 'Not found', `no route ${req.method} ${req.path}`));
  app.use(errorHandler);
  return app;
}
