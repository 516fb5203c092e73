import { activityInfo, Context, heartbeat } from '@temporalio/activity';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { Pool } from 'pg';
import type { CalendarYear } from '../catalogue/schema';
import type { ProjectionBatch } from '../domain/projection';
import type { Actor } from '../domain/types';
import { writeProjection } from '../readmodel/writer';
import { observeProjectionBehind, observeProjectionWrite, type ProjectionPath } from './metrics';
import { projectionQuery, publishCalendarSignal } from '../workflows/messages';

/**
 * The worker's activities: thin calls into readmodel/ and the Temporal client. Workflows import
 * only these types (`proxyActivities<Activities>`); the work itself lives where it belongs.
 */
export interface ProjectionActivities {
  /** Histories from before patch `projection-by-reference`: the batch itself travels in the history. */
  projectApplication(batch: ProjectionBatch): Promise<{ applied: boolean }>;
  /**
   * Since patch `projection-by-reference`: the workflow names what changed (a few dozen bytes in its
   * history) and this reads the batch from the workflow itself, through its projection query.
   */
  refreshProjection(ref: ProjectionRef): Promise<{ applied: boolean; seq: number }>;
}

/** What the workflow hands the projection: which application, and how far the read model has it. */
export interface ProjectionRef {
  /** The application, which is also its workflow id. */
  applicationId: string;
  /** The workflow's event count when it asked: the batch read is at least this new. */
  seq: number;
  /** The read model holds every event up to this seq; the batch carries the ones after it. */
  fromSeq: number;
  /** The read model may lack the process snapshot (the first batch, or the one after a refused batch). */
  full: boolean;
}

/** How long the projection waits for the workflow to answer its projection query. */
const PROJECTION_READ_TIMEOUT_MS = 10_000;

/** A batch read from a workflow that is older than what the workflow asked for: retried, never written. */
export class StaleProjectionError extends Error {
  override readonly name = 'StaleProjectionError';
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

/**
 * The projection activities over a writer: PostgreSQL's in the worker, another in tests and benches.
 * `client` reads the workflow's projection; without one, the worker's own (the activity context's).
 */
export function projectionActivities(writeBatch: (batch: ProjectionBatch) => Promise<{ applied: boolean }>, client?: Client): ProjectionActivities {
  // Every write is counted by path and result, and its lag observed (worker/metrics.ts).
  const observed = (path: ProjectionPath) => async (batch: ProjectionBatch) => {
    try {
      const written = await writeBatch(batch);
      observeProjectionWrite(path, written.applied ? 'applied' : 'ignored', batch);
      observeProjectionBehind(batch.application.applicationId, 0);
      return written;
    } catch (err) {
      observeProjectionWrite(path, 'failed');
      observeProjectionBehind(batch.application.applicationId, batch.events.length);
      throw err;
    }
  };
  const write = observed('reference');
  return {
    projectApplication: observed('local'),
    async refreshProjection(ref) {
      // The durable path runs only when the fast one failed: until it writes, the read model lacks these events.
      observeProjectionBehind(ref.applicationId, ref.seq - ref.fromSeq);
      const context = Context.current();
      const temporal = client ?? context.client;
      // Bounded, and given up when the worker shuts down: while the only worker drains, nobody
      // answers the query; the attempt fails and is retried once a worker polls again.
      const read = temporal.withDeadline(Date.now() + PROJECTION_READ_TIMEOUT_MS, () =>
        temporal.workflow.getHandle(ref.applicationId).query(projectionQuery, { fromSeq: ref.fromSeq, snapshot: ref.full }),
      );
      const batch = await Promise.race([read, context.cancelled]);
      if (batch.application.seq < ref.seq) throw new StaleProjectionError(`${ref.applicationId}: the projection read is at seq ${batch.application.seq}, older than the ${ref.seq} asked for`);
      const { applied } = await write(batch);
      return { applied, seq: batch.application.seq };
    },
  };
}

export function createProjectionActivities(pool: Pool, client?: Client): ProjectionActivities {
  return projectionActivities((batch) => writeProjection(pool, batch), client);
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
