import { describe, expect, it } from 'vitest';
import { temporal } from '@temporalio/proto';
import type { ProjectionBatch } from '../../domain/projection';
import { InvalidProjectionBatchError } from '../../readmodel/writer';
import { projectionActivities, type ProjectionActivities } from '../../worker/activities';
import { workerRegistry } from '../../worker/metrics';
import { approve, status } from '../helpers/drive';
import { timeSkippingSuite } from '../helpers/suite';

/**
 * The read model's feed as the workflow runs it: the rows go to the writer by local activity and
 * never into the history; while PostgreSQL is away the workflow goes on and the rows arrive by
 * the durable path once it is back; a batch the writer refuses stops nothing and is not retried.
 */
describe('the read-model projection (time-skipping, from 2 Mar 2026)', () => {
  /** A read model in memory that can be "down" or refuse the next batch, and says which path each batch came by. */
  const store = { down: false, refuseNext: false, batches: [] as { path: 'local' | 'reference'; batch: ProjectionBatch }[], refused: 0, attemptsWhileDown: 0 };
  let path: 'local' | 'reference' = 'local';
  const writer = projectionActivities(async (batch) => {
    if (store.down) {
      store.attemptsWhileDown++;
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5433'), { code: 'ECONNREFUSED' });
    }
    if (store.refuseNext) {
      store.refuseNext = false;
      store.refused++;
      throw new InvalidProjectionBatchError(batch.application.applicationId, 'refused by PostgreSQL (22P05): unsupported Unicode escape sequence');
    }
    store.batches.push({ path, batch });
    return { applied: true };
  });
  const activities: ProjectionActivities = {
    projectApplication: (batch) => ((path = 'local'), writer.projectApplication(batch)),
    refreshProjection: (ref) => ((path = 'reference'), writer.refreshProjection(ref)),
  };
  const suite = timeSkippingSuite('2026-03-02T09:00:00+08:00', 'projection', () => activities);
  const newest = () => store.batches.at(-1)!;
  const behindMetric = async () => (await workerRegistry.getSingleMetric('approvals_projection_events_behind')!.get()).values[0]!.value;
  /** Lets the workflow and its retries run (time-skipping) until the read model holds `seq`. */
  const caughtUp = async (seq: number) => {
    for (let i = 0; i < 40 && !(store.batches.length && newest().batch.application.seq >= seq); i++) await suite.env.sleep(30_000);
    expect(newest().batch.application.seq).toBeGreaterThanOrEqual(seq);
  };

  it('keeps the rows out of the history, catches up after an outage by the durable path, and goes past a refused batch', async () => {
    const h = await suite.start();
    let v = await status(h, suite.env);
    await caughtUp(v.seq);
    // The first batch carries the process snapshot, every matter and the application's state.
    expect(store.batches[0]).toMatchObject({ path: 'local', batch: { complete: true, snapshot: { code: 'GOV_INVESTMENT' } } });
    expect(store.batches[0]!.batch.matters.length).toBe(v.stages.flatMap((s) => s.matters).length + v.alongside.length);

    // PostgreSQL goes away: the officer's decision is still taken, and the read model lags behind.
    store.down = true;
    const decided = await approve(h, 'LY01', 'DRC');
    expect(decided.status).toBe('approved');
    expect(store.attemptsWhileDown).toBeGreaterThanOrEqual(1);
    expect(newest().batch.application.seq).toBeLessThan((decided as unknown as { applicationSeq: number }).applicationSeq);
    // The worker's metrics say how far behind the read model is while it cannot write.
    expect(await behindMetric()).toBeGreaterThanOrEqual(1);
    await suite.env.sleep(5 * 60_000);
    store.down = false;
    await caughtUp((decided as unknown as { applicationSeq: number }).applicationSeq);
    expect(newest().path).toBe('reference');
    expect(await behindMetric()).toBe(0);
    expect(newest().batch.matters.find((m) => m.code === 'LY01')).toMatchObject({ status: 'approved', decision: 'approved' });

    // A batch the writer refuses is recorded by the writer, and the application goes on; the next
    // batch carries the snapshot again, by the fast path.
    store.refuseNext = true;
    await approve(h, 'LY06', 'DRC');
    expect(store.refused).toBe(1);
    const next = await approve(h, 'LY04', 'NRP');
    await caughtUp((next as unknown as { applicationSeq: number }).applicationSeq);
    expect(newest()).toMatchObject({ path: 'local', batch: { snapshot: { code: 'GOV_INVESTMENT' } } });
    expect(newest().batch.matters.filter((m) => ['LY01', 'LY04', 'LY06'].includes(m.code)).map((m) => m.status)).toEqual(['approved', 'approved', 'approved']);
    v = await status(h, suite.env);
    expect(v.status).toBe('running');

    // No event of the history carries rows: apart from the start (the input with its catalogue
    // snapshot), every event is small, however many batches were written.
    const history = await h.fetchHistory();
    const sizes = (history.events ?? []).slice(1).map((e) => ({ type: temporal.api.enums.v1.EventType[e.eventType ?? 0], bytes: temporal.api.history.v1.HistoryEvent.encode(e).finish().length }));
    expect(store.batches.map((b) => b.path)).toEqual(['local', 'reference', 'local']);
    expect(sizes.filter((s) => s.bytes > 2_048)).toEqual([]);
  });
});
