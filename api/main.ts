import { Client } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { startTracing } from '../config/tracing';
import { apiConnection } from './temporal-connection';
import { createPool } from '../readmodel/db/pool';
import { loadCatalogue } from '../catalogue/loader';
import { loadConfig } from '../config/environment';
import { createApi } from './app';
import { loadPrincipals, principalsFileSchema } from './auth';
import { CatalogueHolder } from './catalogue-holder';
import { logger } from './log';
import { listen } from './server';
import { createApiMetrics, serveMetrics } from './metrics';
import { readFileSync } from 'node:fs';
import { startSpglSync } from '../readmodel/spgl/background';

const log = logger.child({ name: 'api' });

async function main() {
  const config = loadConfig();
  if (!config.API_TOKENS_FILE) throw new Error('API_TOKENS_FILE is not set: the API needs a principals file (see README)');
  const catalogue = new CatalogueHolder(loadCatalogue(config.DEFINITIONS_DIR), config.DEFINITIONS_DIR);
  const principals = loadPrincipals(config.API_TOKENS_FILE);
  // The embedded run only: the sign-in page offers the demo principals (with their tokens) to pick.
  const demoPrincipals = config.DEMO_SIGN_IN ? principalsFileSchema.parse(JSON.parse(readFileSync(config.API_TOKENS_FILE, 'utf8'))) : undefined;
  // Off unless OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set; the client's interceptor carries each request's trace into the workflow.
  startTracing('approvals-api', { endpoint: config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT });
  const connection = apiConnection(config.TEMPORAL_ADDRESS);
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE, interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } });
  const pool = createPool(config.DATABASE_URL, { applicationName: 'approvals-api' });
  const metrics = config.METRICS_PORT ? createApiMetrics(pool, { logger: log }) : undefined;
  const app = createApi({
    client,
    pool,
    catalogue,
    taskQueue: config.TASK_QUEUE,
    principals,
    definitionsDir: config.DEFINITIONS_DIR,
    rateLimits: { perPrincipalPerMinute: config.RATE_LIMIT_PER_MINUTE, anonymousPerMinute: config.RATE_LIMIT_ANONYMOUS_PER_MINUTE },
    trustProxy: config.TRUST_PROXY,
    webhookAllowlist: config.WEBHOOK_ALLOWED_DESTINATIONS,
    webhookMaxSubscriptions: config.WEBHOOK_MAX_SUBSCRIPTIONS,
    logger: log,
    webDir: config.WEB_DIR,
    demoPrincipals,
    metrics,
    spglRegionCode: config.SPGL_REGION_CODE,
  });
  const server = await listen(app, config.PORT, config.HOST, log);
  log.info(`listening on http://${config.HOST}:${config.PORT} (catalogue ${catalogue.current.hash.slice(0, 12)}; docs at /docs)`);
  // Its own loopback port: the public one never answers /metrics.
  const metricsServer = metrics ? await serveMetrics(metrics.registry, config.METRICS_PORT, config.METRICS_HOST) : undefined;
  if (metricsServer) log.info(`metrics at ${metricsServer.url}`);
  const spglSync = config.SPGL_SYNC_INTERVAL_MS > 0 ? startSpglSync(pool, { intervalMs: config.SPGL_SYNC_INTERVAL_MS, regionCode: config.SPGL_REGION_CODE, logger: log.child({ name: 'spgl' }) }) : undefined;
  const stop = () => {
    metricsServer?.close();
    server.close(() => {
      void Promise.allSettled([spglSync?.stop(), connection.close()])
        .then(() => pool.end()).finally(() => process.exit(0));
    });
    // Open live streams would keep the server from closing: end them and release the LISTEN connection.
    void app.live.close();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  log.fatal({ err }, 'api could not start');
  process.exit(1);
});
