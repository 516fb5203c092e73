import { describe, expect, it, vi } from 'vitest';
import { CatalogueHolder } from '../../api/catalogue-holder';
import { http, startApi } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { catalogue, testWorker } from '../helpers/temporal';

// The dev server answers describeTaskQueue with the pollers it has seen (the time-skipping server may not).
const suite = apiSuite('ready-e2e');

describe('readiness on the dev server', () => {
  it('is 200 with worker up when a worker polls the task queue', async () => {
    const ready = await suite.call('GET', '/ready');
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready', temporal: 'up', database: 'up', worker: 'up' } });
  });

  it('is 503 with worker down while no worker polls the task queue, and 200 once one does', async () => {
    const api = await startApi(suite.env, 'nobody-polls', { pool: suite.db.pool, catalogue: new CatalogueHolder(catalogue) });
    try {
      const ready = await http(api.url, 'GET', '/ready');
      expect(ready).toMatchObject({ status: 503, body: { status: 'unavailable', temporal: 'up', database: 'up', worker: 'down' } });
      expect(JSON.stringify(ready.body)).not.toMatch(/nobody-polls/);

      const worker = await testWorker(suite.env, 'nobody-polls');
      const running = worker.run();
      try {
        // The answer is cached for a few seconds.
        await vi.waitFor(async () => expect(await http(api.url, 'GET', '/ready')).toMatchObject({ status: 200, body: { worker: 'up' } }), { timeout: 20_000, interval: 1_000 });
      } finally {
        worker.shutdown();
        await running;
      }
    } finally {
      await api.close();
    }
  });
});
