import { msToTs } from '@temporalio/common/lib/time';
import { describe, expect, it } from 'vitest';
import { POLLER_FRESH_MS, POLLERS_CACHE_MS, workerPolling, type TaskQueueDescriber } from '../../api/health';

// The worker check of /ready over a task-queue description of our own making, on a clock of our own.
function fakeTemporal(pollersSeenAgoMs: number[]) {
  let clock = 1_800_000_000_000;
  const requests: unknown[] = [];
  let answer = () => Promise.resolve({ pollers: pollersSeenAgoMs.map((ago) => ({ lastAccessTime: msToTs(clock - ago) })) });
  const service: TaskQueueDescriber = {
    describeTaskQueue: (request) => {
      requests.push(request);
      return answer();
    },
  };
  return {
    service,
    requests,
    now: () => clock,
    advance: (ms: number) => (clock += ms),
    failWith: (err: Error) => (answer = () => Promise.reject(err)),
  };
}

describe('the worker check of /ready', () => {
  it('is up when a poller of the workflow task queue was seen in the last 70 s', async () => {
    const t = fakeTemporal([5 * 60_000, POLLER_FRESH_MS - 1_000]);
    await expect(workerPolling(t.service, 'ns', 'approvals', { now: t.now })()).resolves.toBeUndefined();
    expect(t.requests).toEqual([{ namespace: 'ns', taskQueue: { name: 'approvals', kind: 1 }, taskQueueType: 1 }]);
  });

  it('is down when no poller was seen in the last 70 s, or there is none', async () => {
    const stale = fakeTemporal([POLLER_FRESH_MS + 1_000]);
    await expect(workerPolling(stale.service, 'ns', 'approvals', { now: stale.now })()).rejects.toThrow(/no worker has polled task queue approvals in the last 70 s/);
    const none = fakeTemporal([]);
    await expect(workerPolling(none.service, 'ns', 'approvals', { now: none.now })()).rejects.toThrow(/no worker/);
  });

  it('asks Temporal at most once per 5 s, however many callers, and keeps a failure as long', async () => {
    const t = fakeTemporal([0]);
    const check = workerPolling(t.service, 'ns', 'approvals', { now: t.now });
    await Promise.all([check(), check(), check()]);
    t.advance(POLLERS_CACHE_MS - 1);
    await check();
    expect(t.requests).toHaveLength(1);
    t.failWith(new Error('Temporal is away'));
    t.advance(1);
    await expect(check()).rejects.toThrow('Temporal is away');
    t.advance(POLLERS_CACHE_MS - 1);
    await expect(check()).rejects.toThrow('Temporal is away');
    expect(t.requests).toHaveLength(2);
  });
});
