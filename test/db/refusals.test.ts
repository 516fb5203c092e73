import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../activities/db/migrate';
import { createProjectionActivities, InvalidProjectionBatchError, RefusedProjectionBatchError } from '../../activities/projection';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres';
import { applicationRow, batch, eventRow, matterRow } from './factories';

let db: TestDatabase;
let project: ReturnType<typeof createProjectionActivities>['projectApplication'];

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool);
  project = createProjectionActivities(db.pool).projectApplication;
});

afterAll(async () => {
  await db.drop();
});

/** The read model never wedges: what PostgreSQL would refuse is made safe, or recorded and skipped. */
describe('the projection writer and hostile content', () => {
  it('stores a batch whose texts carry NUL and lone surrogates, with those characters made safe', async () => {
    const id = 'A-nul';
    const r = await project(
      batch(applicationRow(id, { projectName: '新\u0000校区\ud800', seq: 1 }), {
        matters: [matterRow(id, 'LY01')],
        events: [eventRow(id, 1, { reason: '理由\u0000', data: { note: 'a\u0000b', nested: ['\udfff'] } })],
      }),
    );
    expect(r.applied).toBe(true);
    const app = (await db.pool.query('SELECT project_name FROM applications WHERE application_id = $1', [id])).rows[0];
    expect(app.project_name).toBe('新校区\ufffd');
    const ev = (await db.pool.query('SELECT reason, data FROM events WHERE application_id = $1', [id])).rows[0];
    expect(ev).toEqual({ reason: '理由', data: { note: 'ab', nested: ['\ufffd'] } });
  });

  it('records a batch PostgreSQL refuses for its content and refuses it for good, then takes the next batch', async () => {
    const id = 'A-refused';
    const bad = batch(applicationRow(id, { seq: 2 }), { matters: [matterRow(id, 'LY01')], events: [eventRow(id, 1), eventRow(id, 2, { at: 'not a time' })] });
    const error = await project(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefusedProjectionBatchError);
    // The workflow's retry policy names this type as non-retryable: the batch is not retried for ever.
    expect((error as Error).name).toBe(InvalidProjectionBatchError.name);
    const refusals = (await db.pool.query('SELECT seq, sqlstate, repaired_at FROM projection_refusals WHERE application_id = $1', [id])).rows;
    expect(refusals).toEqual([{ seq: 2, sqlstate: '22007', repaired_at: null }]);
    // Nothing of the refused batch was half-written.
    expect((await db.pool.query('SELECT count(*)::int AS n FROM applications WHERE application_id = $1', [id])).rows[0].n).toBe(0);

    // The workflow's next batch after a refusal carries every row again.
    const next = await project(batch(applicationRow(id, { seq: 3, status: 'withdrawn' }), { matters: [matterRow(id, 'LY01', { status: 'cancelled' })], events: [eventRow(id, 3)] }));
    expect(next.applied).toBe(true);
    const row = (await db.pool.query('SELECT status FROM applications WHERE application_id = $1', [id])).rows[0];
    expect(row.status).toBe('withdrawn');
  });

  it('still retries when the server, not the content, is at fault', async () => {
    const broken = createProjectionActivities({
      connect: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5433'), { code: 'ECONNREFUSED' });
      },
      query: async () => {
        throw new Error('must not record a refusal for an outage');
      },
    } as never);
    const error = await broken.projectApplication(batch(applicationRow('A-down'))).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(InvalidProjectionBatchError);
    expect((error as { code: string }).code).toBe('ECONNREFUSED');
  });
});
