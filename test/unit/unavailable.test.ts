import type { AddressInfo } from 'node:net';
import { Client } from '@temporalio/client';
import { apiConnection } from '../../api/temporal-connection';
import { describe, expect, it } from 'vitest';
import { createPool } from '../../readmodel/db/pool';
import { createApi } from '../../api/app';
import { CatalogueHolder } from '../../api/catalogue-holder';
import { officerToken, principals, TOKENS } from '../helpers/api';
import { catalogue } from '../helpers/temporal';

describe('an API whose dependencies are down', () => {
  it('answers 503 with the reason, not 500, and says so on /ready', async () => {
    // Nothing listens on port 1 of the loopback.
    const connection = apiConnection('127.0.0.1:1');
    const pool = createPool('postgres://postgres@127.0.0.1:1/none', { max: 1 });
    const app = createApi({ client: new Client({ connection }), pool, catalogue: new CatalogueHolder(catalogue), taskQueue: 'x', principals });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const get = async (path: string, token?: string) => {
        const r = await fetch(base + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
        return { status: r.status, body: (await r.json()) as Record<string, unknown> };
      };
      expect(await get('/applications/app-00000000-0000-0000-0000-000000000000', TOKENS.applicant)).toMatchObject({ status: 503, body: { detail: expect.stringMatching(/Temporal is not reachable/) } });
      expect(await get('/officers/inbox', officerToken('DRC'))).toMatchObject({ status: 503, body: { detail: expect.stringMatching(/PostgreSQL\) is not reachable/) } });
      const ready = await get('/ready');
      expect(ready).toMatchObject({ status: 503, body: { status: 'unavailable', temporal: expect.stringMatching(/^down/), database: expect.stringMatching(/^down/) } });
      expect((await get('/calendar/due?acceptedOn=2026-02-13&workingDays=5')).body.dueOn).toBe('2026-02-27'); // needs neither
    } finally {
      server.close();
      await pool.end();
    }
  }, 60_000);
});
