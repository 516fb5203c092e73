import { describe, expect, it } from 'vitest';
import { applicant, catalogue, start, without } from './driver';

const MONDAY = '2026-03-02T09:00:00+08:00';

describe('the forecast (accounting.forecast): completion if every open step takes its full allowance from today', () => {
  it('ends running matters on their due dates and starts waiting ones after their prerequisites: stage 1 from 2 Mar ends 28 Apr (LY02 14 Apr, then LY05)', () => {
    const f = start(MONDAY).forecast();
    expect(f.stages).toEqual([
      { stage: 'S1', projectedEndOn: '2026-04-28' },
      { stage: 'S2', projectedEndOn: '2026-06-08' },
      { stage: 'S3', projectedEndOn: '2026-07-21' },
      { stage: 'S4', projectedEndOn: '2026-08-21' },
    ]);
    expect(f).toMatchObject({ basis: 'limits', completionOn: '2026-08-21', projectedTotalDays: 172, targetTotalDays: 100, exceedsTarget: true, overTargetDays: 72, approximate: false });
  });

  it('counts overdue steps as ending today: on 20 Mar, with nothing decided, stage 1 ends 7 May', () => {
    const run = start(MONDAY).passUntil('2026-03-20T10:00:00+08:00');
    expect(run.forecast().stages[0]).toEqual({ stage: 'S1', projectedEndOn: '2026-05-07' });
    expect(run.forecast().projectedTotalDays).toBe(178);
  });

  it('waits for a needed intermediary service (the shortest commitment among qualified providers): without the energy report stage 1 ends 14 May; in a zone that waives it, 28 Apr', () => {
    const missing = without('M_ENERGY_REPORT', 'M_EIA_DOCUMENT', 'M_SOIL_WATER_PLAN', 'M_LIGHTNING_RISK');
    const zone = catalogue.zones.find((z) => z.code === 'LYEDZ')!;
    const outside = start(MONDAY, { materials: missing }).forecast();
    const inside = start(MONDAY, { materials: missing, zone }).forecast();
    expect(outside.stages[0]).toEqual({ stage: 'S1', projectedEndOn: '2026-05-14' });
    expect(inside.stages[0]).toEqual({ stage: 'S1', projectedEndOn: '2026-04-28' });
    expect(outside).toMatchObject({ basis: 'limits', targetTotalDays: 100, exceedsTarget: true, approximate: false });
    expect(outside.overTargetDays).toBe(outside.projectedTotalDays - 100);
    expect(inside.projectedTotalDays).toBeLessThan(outside.projectedTotalDays);
  });

  it('approximates working days in a year without a published calendar (7 calendar days per 5) and says so', () => {
    const f = start('2026-12-21T09:00:00+08:00').forecast();
    expect(f.approximate).toBe(true);
    expect(f.stages[0]!.projectedEndOn).toBe('2027-02-15');
  });

  it('reports the actual figures once the application has ended: withdrawn on 12 Mar, 10 days', () => {
    const run = start(MONDAY);
    run.perform('withdraw', { actor: applicant, reason: '项目终止' }, '2026-03-12T10:00:00+08:00');
    expect(run.forecast()).toEqual({
      basis: 'actual',
      completionOn: '2026-03-12',
      projectedTotalDays: 10,
      targetTotalDays: 100,
      exceedsTarget: false,
      overTargetDays: 0,
      approximate: false,
      provisional: false,
      stages: [],
    });
  });

  it('is the forecast the status view carries', () => {
    const run = start(MONDAY);
    expect(run.view().accounting.forecast).toEqual(run.forecast());
  });
});
