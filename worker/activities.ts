import { activityInfo, heartbeat } from '@temporalio/activity';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { Pool } from 'pg';
import type { CalendarYear } from '../catalogue/schema';
import type { ProjectionBatch } from '../domain/projection';
import type { Actor } from '../domain/types';
import { writeProjection } from '../readmodel/writer';
import { publishCalendarSignal } from '../workflows/messages';

/**
 * The worker's activities: thin calls into readmodel/ and the Temporal client. Workflows import
 * only these types (`proxyActivities<Activities>`); the work itself lives where it belongs.
 */
export interface ProjectionActivities {
  projectApplication(batch: ProjectionBatch): Promise<{ applied: boolean }>;
}

export interface CalendarPage {
  calendar: CalendarYear;
  actor: Actor;
  /** Where the listing goes on (base64 of Temporal's page token), or null for the first page. */
  pageToken: string | null;
  pageSize: number;
}

export interface BroadcastActivities {
  /** Signals `publishCalendar` to one page of running applications; the next page's token, or null after the last. */
  publishCalendarToPage(page: CalendarPage): Promise<{ signalled: number; nextPageToken: string | null }>;
}

export type Activities = ProjectionActivities & BroadcastActivities;

/** The query that lists what a calendar broadcast reaches: every running application. */
export const RUNNING_APPLICATIONS = `WorkflowType = 'applicationWorkflow' AND ExecutionStatus = 'Running'`;

export function createProjectionActivities(pool: Pool): ProjectionActivities {
  return { projectApplication: (batch) => writeProjection(pool, batch) };
}

export function createBroadcastActivities(client: Client): BroadcastActivities {
  return {
    async publishCalendarToPage({ calendar, actor, pageToken, pageSize }) {
      const page = await client.connection.workflowService.listWorkflowExecutions({
        namespace: client.options.namespace,
        query: RUNNING_APPLICATIONS,
        pageSize,
        nextPageToken: pageToken ? Buffer.from(pageToken, 'base64') : undefined,
      });
      const ids = (page.executions ?? []).map((e) => e.execution?.workflowId).filter((id): id is string => !!id);
      // A retry of this page skips the applications its heartbeats name as signalled already.
      const signalled: string[] = activityInfo().heartbeatDetails ?? [];
      const done = new Set(signalled);
      for (const id of ids) {
        if (done.has(id)) continue;
        try {
          await client.workflow.getHandle(id).signal(publishCalendarSignal, { actor, calendar });
        } catch (err) {
          // It ended between the listing and the signal: nothing left to recompute.
          if (!(err instanceof WorkflowNotFoundError)) throw err;
        }
        signalled.push(id);
        heartbeat(signalled);
      }
      const next = page.nextPageToken?.length ? Buffer.from(page.nextPageToken).toString('base64') : null;
      return { signalled: ids.length, nextPageToken: next };
    },
  };
}
