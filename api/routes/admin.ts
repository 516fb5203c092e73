import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import { z } from 'zod';
import { calendarYearSchema } from '../../catalogue/schema';
import { calendarBroadcastSchema, calendarPublishedSchema, definitionsPublishedSchema } from '../../contracts/responses';
import { DEFAULT_DEFINITIONS_DIR } from '../../catalogue/loader';
import { calendarBroadcastProgressQuery, calendarBroadcastWorkflow, type CalendarBroadcastProgress } from '../../workflows/calendar-broadcast';
import { actorOf } from '../auth';
import { HttpProblem } from '../problem';
import type { CatalogueHolder } from '../catalogue-holder';
import type { OperationRegistry } from '../operation';

/** What publishing the definitions answers: the version new applications start on, whether it is new, every version this process published. */
export interface DefinitionsPublished {
  definitionHash: string;
  changed: boolean;
  versions: ReturnType<CatalogueHolder['history']>;
}

/** What publishing a calendar year answers: the broadcast that takes it to the running applications. */
export interface CalendarPublished {
  year: number;
  notice: string;
  broadcastId: string;
}

/** Where a calendar broadcast stands. */
export interface CalendarBroadcast extends CalendarBroadcastProgress {
  broadcastId: string;
  status: 'running' | 'completed' | 'failed';
}

const broadcastParams = z.object({
  id: z.string().max(60, 'must be a broadcast id such as calendar-2027-…').regex(/^calendar-\d{4}-[0-9a-f-]{36}$/, 'must be a broadcast id such as calendar-2027-…'),
});

/**
 * Publishing without stopping anything: a new definition version applies to applications
 * started afterwards; a calendar is written to the definitions (new applications start with
 * it), then a broadcast workflow signals it to every running application, which recomputes its
 * open deadlines; the request answers once the broadcast has started, not when it ends.
 */
export function registerAdmin(api: OperationRegistry, deps: { client: Client; catalogue: CatalogueHolder; taskQueue: string; definitionsDir?: string }): void {
  const dir = deps.definitionsDir ?? DEFAULT_DEFINITIONS_DIR;

  api.add(
    { method: 'post', path: '/admin/definitions/reload', tag: 'admin', summary: 'Publish the definitions as a new version', roles: ['admin'], response: definitionsPublishedSchema },
    (): DefinitionsPublished => {
      const before = deps.catalogue.current.hash;
      const next = deps.catalogue.reload();
      return { definitionHash: next.hash, changed: next.hash !== before, versions: deps.catalogue.history() };
    },
  );

  api.add(
    {
      method: 'post',
      path: '/admin/calendars',
      tag: 'admin',
      summary: "Publish a year's working-day calendar, official or provisional (暂定: before the State Council's notice; the official year replaces it and running applications record each deadline it moves)",
      roles: ['admin'],
      body: calendarYearSchema,
      success: { status: 202, description: 'written; the broadcast to running applications has started (follow it at /admin/calendars/broadcasts/{broadcastId})' },
      response: calendarPublishedSchema,
    },
    async ({ principal, body }): Promise<CalendarPublished> => {
      const published = deps.catalogue.current.calendars.find((c) => c.year === body.year);
      if (body.provisional && published && !published.provisional) {
        throw new HttpProblem(409, 'Conflict', `the official ${body.year} calendar (${published.source.number}) is published; a provisional year cannot replace it`, {
          code: 'OFFICIAL_CALENDAR_PUBLISHED',
        });
      }
      writeFileSync(path.join(dir, 'calendars', `${body.year}.json`), `${JSON.stringify(body, null, 2)}\n`);
      deps.catalogue.reload();
      const broadcastId = `calendar-${body.year}-${randomUUID()}`;
      await deps.client.workflow.start(calendarBroadcastWorkflow, { taskQueue: deps.taskQueue, workflowId: broadcastId, args: [{ calendar: body, actor: actorOf(principal) }] });
      return { year: body.year, notice: body.source.number, broadcastId };
    },
  );

  api.add(
    { method: 'get', path: '/admin/calendars/broadcasts/:id', tag: 'admin', summary: 'Follow a calendar broadcast', roles: ['admin'], params: broadcastParams, response: calendarBroadcastSchema },
    async ({ params }): Promise<CalendarBroadcast> => {
      const handle = deps.client.workflow.getHandle<typeof calendarBroadcastWorkflow>(params.id);
      const { status } = await handle.describe().catch((err: unknown) => {
        throw err instanceof WorkflowNotFoundError ? new HttpProblem(404, 'Not found', `no calendar broadcast ${params.id}`, { code: 'NOT_FOUND' }) : err;
      });
      if (status.name === 'COMPLETED') return { broadcastId: params.id, status: 'completed', ...(await handle.result()) };
      if (status.name === 'RUNNING' || status.name === 'CONTINUED_AS_NEW') {
        return { broadcastId: params.id, status: 'running', ...(await handle.query(calendarBroadcastProgressQuery)) };
      }
      return { broadcastId: params.id, status: 'failed', year: Number(params.id.slice(9, 13)), signalled: 0, done: false };
    },
  );
}
