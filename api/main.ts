import { Client, Connection } from '@temporalio/client';
import { loadCatalogue } from '../definitions/loader';
import { loadConfig } from '../worker/config';
import { createApi } from './app';
import { loadPrincipals } from './auth';

async function main() {
  const config = loadConfig();
  if (!config.API_TOKENS_FILE) throw new Error('API_TOKENS_FILE is not set: the API needs a principals file (see README)');
  const catalogue = loadCatalogue(config.DEFINITIONS_DIR);
  const principals = loadPrincipals(config.API_TOKENS_FILE);
  // Lazy: the API starts even while Temporal is still coming up; /health says when it is reachable.
  const connection = Connection.lazy({ address: config.TEMPORAL_ADDRESS });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const app = createApi({ client, catalogue, taskQueue: config.TASK_QUEUE, principals });
  const server = app.listen(config.PORT, config.HOST, () => {
    console.log(`api: listening on http://${config.HOST}:${config.PORT} (catalogue ${catalogue.hash.slice(0, 12)})`);
  });
  const stop = () => {
    server.close(() => {
      void connection.close().finally(() => process.exit(0));
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err) => {
  console.error(`api: ${err instanceof Error ? err.message : err}`);
  process.exit(1);
});
