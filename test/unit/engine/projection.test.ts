import { describe, expect, it } from 'vitest';
import { ProjectionDelta } from '../../../domain/projection';
import { applicant, officer, start } from './driver';

const MONDAY = '2026-03-02T09:00:00+08:00';

describe('the projection: what the workflow hands the read model', () => {
  it('sends every row, the snapshot and the state in the first batch', () => {
    const run = start(MONDAY);
    const first = run.nextProjection();
    expect(first.complete).toBe(true);
    expect(first.snapshot?.code).toBe('GOV_INVESTMENT');
    expect(first.state).toBeDefined();
    expect(first.matters).toHaveLength(27);
    expect(first.events.map((e) => e.seq)).toEqual(run.events().map((e) => e.seq));
    expect(first.application).toMatchObject({ applicationId: 'app-engine-1', seq: run.events().length, processCode: 'GOV_INVESTMENT' });
  });

  it('then sends only the rows that changed and the new events: an approval in the same instant is one matter row', () => {
    const run = start(MONDAY);
    const first = run.nextProjection();
    run.approve('LY01');
    const delta = run.nextProjection();
    expect(delta.complete).toBe(false);
    expect(delta.snapshot).toBeUndefined();
    expect(delta.matters.map((m) => [m.code, m.status])).toEqual([['LY01', 'approved']]);
    expect(delta.services).toEqual([]);
    expect(delta.events.map((e) => e.kind)).toEqual(run.events().slice(first.events.length).map((e) => e.kind));
    expect(delta.events[0]!.seq).toBe(first.application.seq + 1);
    expect(delta.application.seq).toBe(run.events().length);
  });

  it('does not resend matters whose only change is time passing: a read computes their days used as of its own instant', () => {
    const run = start(MONDAY);
    const first = run.nextProjection();
    run.approve('LY01', '2026-03-03T10:00:00+08:00');
    const delta = run.nextProjection();
    expect(delta.matters.map((m) => [m.code, m.status, m.workingDaysUsed])).toEqual([['LY01', 'approved', 1]]);
    // The rows merged as the writer merges a delta (upsert by key) still give the engine's own view, today and later.
    const upsert = <R>(key: (r: R) => string, ...lists: R[][]) => [...new Map(lists.flat().map((r) => [key(r), r])).values()];
    const merged = {
      ...delta,
      snapshot: first.snapshot,
      matters: upsert((m) => m.code, first.matters, delta.matters),
      services: upsert((x) => x.contractId, first.services, delta.services),
      events: [...first.events, ...delta.events],
    };
    expect(run.viewFromStore(merged)).toEqual(run.view());
    expect(run.viewFromStore(merged, '2026-03-20T10:00:00+08:00')).toEqual(run.view('2026-03-20T10:00:00+08:00'));
  });

  it('sends every row after an event about no one matter, such as a calendar published', () => {
    const run = start(MONDAY);
    run.nextProjection();
    run.perform('withdraw', { actor: applicant, reason: '项目终止' });
    const after = run.nextProjection();
    expect(after.complete).toBe(true);
    expect(after.matters).toHaveLength(27);
    expect(after.state).toMatchObject({ status: 'withdrawn' });
  });

  it('sends every row again after the writer refused a batch', () => {
    const run = start(MONDAY);
    run.nextProjection();
    run.approve('LY01');
    run.projectionRefused();
    const again = run.nextProjection();
    expect(again.complete).toBe(true);
    expect(again.matters).toHaveLength(27);
  });

  it('rebuilds from the read model’s rows the very view the engine gives, now and weeks later', () => {
    const run = start(MONDAY);
    run.perform('requestSupplement', { actor: officer('EEB'), matter: 'LY07', items: ['M_EIA_DOCUMENT'], reason: '缺少章节' }, '2026-03-05T10:00:00+08:00');
    run.approve('LY01', '2026-03-06T10:00:00+08:00');
    run.passUntil('2026-03-18T10:00:00+08:00');
    const stored = run.fullProjection();
    expect(run.viewFromStore(stored)).toEqual(run.view());
    expect(run.viewFromStore(stored, '2026-04-20T10:00:00+08:00')).toEqual(run.view('2026-04-20T10:00:00+08:00'));
  });
});

describe('the projection of histories from before patch projection-by-reference (rows carried in the history)', () => {
  it('sends the running matters again a day later, and the application state only when it changed', () => {
    const run = start(MONDAY);
    const delta = new ProjectionDelta();
    expect(delta.next(run.fullProjection()).complete).toBe(true);
    run.approve('LY01', '2026-03-03T10:00:00+08:00');
    const next = delta.next(run.fullProjection());
    expect(next.complete).toBe(false);
    expect(next.matters.map((m) => [m.code, m.workingDaysUsed]).sort()).toEqual([
      ['LY01', 1],
      ['LY04', 1],
      ['LY06', 1],
      ['LY07', 1],
      ['LY08', 1],
    ]);
    expect(next.state).toBeUndefined();
  });
});
