import type { Timestamp } from '@temporalio/common';
import { optionalTsToMs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';
import type { Logger } from './log';

/** Resolves when the dependency answers; rejects (with its reason) when it does not. */
export type Check = () => Promise<unknown>;
export type DependencyState = 'up' | 'down';

/**
 * Runs each check at once and reports only up or down: the answers are public, so the
 * reason (which names addresses) goes to the log, never into the body.
 */
export async function dependencyStates<K extends string>(checks: Record<K, Check>, log: Logger): Promise<{ ok: boolean; states: Record<K, DependencyState> }> {
  const names = Object.keys(checks) as K[];
  const results = await Promise.allSettled(names.map((name) => checks[name]()));
  const states = {} as Record<K, DependencyState>;
  results.forEach((r, i) => {
    const name = names[i]!;
    states[name] = r.status === 'fulfilled' ? 'up' : 'down';
    if (r.status === 'rejected') log.warn({ dependency: name, err: r.reason }, `${name} is down`);
  });
  return { ok: results.every((r) => r.status === 'fulfilled'), states };
}

/** A poller seen this recently is a worker: it polls again at least every minute (the long poll's timeout). */
export const POLLER_FRESH_MS = 70_000;
/** /ready is public and must stay cheap: one describeTaskQueue per this many milliseconds at most. */
export const POLLERS_CACHE_MS = 5_000;

/** TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW and TaskQueueKind.TASK_QUEUE_KIND_NORMAL (their enums live in @temporalio/proto, a dev dependency). */
const WORKFLOW_TASK_QUEUE = 1 as temporal.api.enums.v1.TaskQueueType;
const NORMAL_TASK_QUEUE = 1 as temporal.api.enums.v1.TaskQueueKind;

/** What the check needs of Temporal's WorkflowService (`client.connection.workflowService`). */
export interface TaskQueueDescriber {
  describeTaskQueue(request: temporal.api.workflowservice.v1.IDescribeTaskQueueRequest): Promise<{ pollers?: { lastAccessTime?: Timestamp | null }[] | null }>;
}

/**
 * A check that some worker polls the workflow task queue: one of its pollers was seen in the
 * last `freshMs` (a worker killed outright stays "seen" that long). The answer, either way, is
 * kept for `cacheMs`, and the callers meanwhile share it.
 */
export function workerPolling(service: TaskQueueDescriber, namespace: string, taskQueue: string, options: { freshMs?: number; cacheMs?: number; now?: () => number } = {}): Check {
  const { freshMs = POLLER_FRESH_MS, cacheMs = POLLERS_CACHE_MS, now = Date.now } = options;
  let cached: { at: number; answer: Promise<void> } | undefined;
  const ask = async (): Promise<void> => {
    const { pollers } = await service.describeTaskQueue({ namespace, taskQueue: { name: taskQueue, kind: NORMAL_TASK_QUEUE }, taskQueueType: WORKFLOW_TASK_QUEUE });
    const seen = (pollers ?? []).map((p) => optionalTsToMs(p.lastAccessTime) ?? -Infinity);
    if (!seen.some((at) => now() - at <= freshMs)) throw new Error(`no worker has polled task queue ${taskQueue} in the last ${freshMs / 1000} s`);
  };
  return () => {
    if (!cached || now() - cached.at >= cacheMs) {
      const answer = ask();
      // Kept for later callers; the caller at hand gets the rejection.
      answer.catch(() => undefined);
      cached = { at: now(), answer };
    }
    return cached.answer;
  };
}
