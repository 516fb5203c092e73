import type { Pool } from 'pg';
import { z } from 'zod';
import { freeText } from '../../contracts/fields';
import { spglLogPageSchema, spglPageSchema, spglReceiptsAnswerSchema } from '../../contracts/responses';
import { changesSince, DEFAULT_REGION_CODE, exchangeLog, recordReceipts, SPGL_TABLE_NAMES, syncPending, type SpglScope } from '../../readmodel/spgl/store';
import type { SpglTableName } from '../../readmodel/spgl/standard';
import type { Principal } from '../auth';
import type { OperationRegistry } from '../operation';

/**
 * The provincial platform's side of the SPGL exchange (docs/spgl.md): it pulls each table's rows
 * changed since an instant, page by page, and reports the rows it refused. A pull first exports
 * the applications in the caller's scope whose read model moved since their last export.
 */

const tableParams = z.object({
  table: z.enum(SPGL_TABLE_NAMES as [SpglTableName, ...SpglTableName[]], { error: `must be one of the SPGL tables: ${SPGL_TABLE_NAMES.join(', ')}` }),
});

const limit = z
  .string()
  .regex(/^\d{1,3}$/, 'must be a whole number 1–500')
  .transform(Number)
  .pipe(z.number().min(1, 'must be 1–500').max(500, 'must be 1–500'))
  .default(100);
const cursor = z.string().max(1024, 'not a cursor returned by this list').regex(/^[A-Za-z0-9_-]+$/, 'not a cursor returned by this list').optional();

const pullQuery = z.object({
  since: z.iso.datetime({ offset: true, error: 'must be an ISO-8601 instant such as 2026-03-02T09:00:00+08:00' }).optional(),
  after: cursor,
  limit,
});

const receipts = z
  .array(z.strictObject({ key: z.string().min(1, 'must not be empty').max(400, 'must be a DFSJZJ this API sent'), reason: freeText('must say why the row was refused') }))
  .min(1, 'must list at least one refused row')
  .max(500, 'at most 500 rows per report');

const logQuery = z.object({ after: cursor, limit: limit.default(50) });

/** The applications whose rows the caller reads: an integrator's (those it started or whose applicant authorised it), or all. */
const scopeOf = (p: Principal): SpglScope => (p.role === 'integrator' ? { kind: 'integrator', id: p.id, applicants: p.applicants } : { kind: 'all' });

export function registerSpgl(api: OperationRegistry, pool: Pool, clock: () => number = Date.now, regionCode: string = DEFAULT_REGION_CODE): void {
  // Before /spgl/:table, which would take "log" for a table.
  api.add(
    { method: 'get', path: '/spgl/log', tag: 'integrators', summary: 'Read the SPGL exchange log', roles: ['admin', 'supervisor'], query: logQuery, response: spglLogPageSchema },
    ({ query }) => exchangeLog(pool, { limit: query.limit, after: query.after }),
  );
  api.add(
    { method: 'get', path: '/spgl/:table', tag: 'integrators', summary: 'Pull an SPGL table’s rows changed since an instant', roles: ['integrator', 'admin', 'supervisor'], params: tableParams, query: pullQuery, response: spglPageSchema },
    async ({ principal, params, query }) => {
      const scope = scopeOf(principal);
      await syncPending(pool, scope, { clock, regionCode });
      const page = await changesSince(pool, params.table, { since: query.since === undefined ? undefined : Date.parse(query.since), after: query.after, limit: query.limit }, scope);
      return { table: params.table, ...page };
    },
  );
  api.add(
    { method: 'post', path: '/spgl/:table/receipts', tag: 'integrators', summary: 'Report SPGL rows the platform refused', roles: ['integrator', 'admin'], params: tableParams, body: receipts, response: spglReceiptsAnswerSchema },
    async ({ principal, params, body }) => ({ table: params.table, ...(await recordReceipts(pool, params.table, body, scopeOf(principal), clock)) }),
  );
}
