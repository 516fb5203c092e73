import { describe, expect, it } from 'vitest';
import { allMatters } from '../../catalogue/snapshot';
import { applicationFromStore } from '../../domain/projection';
import { predict, type History, type MatterSample, type Prediction } from '../../domain/prediction';
import { predictionSchema } from '../../contracts/responses';
import type { z } from 'zod';
import { applicant, snapshotOf, start, type Run } from './engine/driver';

/** The application as the read model rebuilds it (what GET /applications/:id/prediction predicts on). */
function appOf(run: Run) {
  const b = run.fullProjection();
  return applicationFromStore({ snapshot: b.snapshot!, state: b.state!, matters: b.matters.map((m) => m.state!), events: b.events.map(({ applicationId: _a, ...e }) => e) });
}

/** Decided matters of one code, one per used-days figure; `supplement` gives the i-th sample a supplement of that many working days. */
function samples(code: string, limit: number, used: number[], supplement: (i: number) => number = () => 0): MatterSample[] {
  return used.map((u, i) => ({
    applicationId: `app-history-${code}-${i}`,
    code,
    timeLimitDays: limit,
    decidedAt: Date.parse('2026-06-01T10:00:00+08:00'),
    usedDays: u,
    supplements: supplement(i) > 0 ? 1 : 0,
    supplementDays: supplement(i),
    specialProcedures: 0,
    specialProcedureDays: 0,
    intakeDays: 0,
  }));
}

const history = (matters: MatterSample[]): History => ({ matters, contracts: [] });
const NATIONAL_DAY_EVE = '2026-09-28T09:00:00+08:00';
const MONDAY = '2026-03-02T09:00:00+08:00';

describe('predicted completion from the history (issue 13 §2)', () => {
  // LY01 (limit 7) accepted Monday 28 Sep 2026 with every material. Working days after it: 29 (1), 30 Sep (2);
  // 1–7 Oct National Day; 8 (3), 9 (4), Saturday 10 Oct 调休 (5), 12 (6), 13 (7), 14 (8), 15 Oct (9).
  it('dates a matter by its code’s median and 80th percentile of working days used: median 6 → 12 Oct, p80 7 → 13 Oct, across National Day', () => {
    const run = start(NATIONAL_DAY_EVE);
    const p = predict(appOf(run), history(samples('LY01', 7, [4, 5, 6, 7, 9])), Date.parse(NATIONAL_DAY_EVE));
    expect(p.matters.find((m) => m.code === 'LY01')).toMatchObject({ status: 'running', basis: 'history', samples: 5, medianWorkingDays: 6, p80WorkingDays: 7, p50On: '2026-10-12', p80On: '2026-10-13' });
  });

  it('adds a supplement at the rate it happened: 2 of 5 LY01s stopped 3 working days → p50 12 Oct (6 days), p80 15 Oct (6 + 3)', () => {
    const run = start(NATIONAL_DAY_EVE);
    const p = predict(appOf(run), history(samples('LY01', 7, [6, 6, 6, 6, 6], (i) => (i < 2 ? 3 : 0))), Date.parse(NATIONAL_DAY_EVE));
    expect(p.matters.find((m) => m.code === 'LY01')).toMatchObject({ supplementRate: 0.4, p50On: '2026-10-12', p80On: '2026-10-15' });
  });

  it('moves a matter that runs past its code’s median later: on 12 Oct with 6 days used, of the samples that ran ≥ 6 (6, 7, 9) → p50 13 Oct, p80 15 Oct', () => {
    const run = start(NATIONAL_DAY_EVE).passUntil('2026-10-12T10:00:00+08:00');
    const p = predict(appOf(run), history(samples('LY01', 7, [4, 5, 6, 7, 9])), Date.parse('2026-10-12T10:00:00+08:00'));
    expect(p.matters.find((m) => m.code === 'LY01')).toMatchObject({ status: 'running', p50On: '2026-10-13', p80On: '2026-10-15' });
  });

  it('falls back for a code with fewer than 5 samples to every code’s share of its limit: LY04 (limit 10) from LY01’s 4,5,6,7,9 of 7 → 6,7,9,10,13 → 15 Oct / 16 Oct', () => {
    const run = start(NATIONAL_DAY_EVE);
    const p = predict(appOf(run), history(samples('LY01', 7, [4, 5, 6, 7, 9])), Date.parse(NATIONAL_DAY_EVE));
    expect(p.matters.find((m) => m.code === 'LY04')).toMatchObject({ basis: 'pooled', samples: 0, medianWorkingDays: 9, p80WorkingDays: 10, p50On: '2026-10-15', p80On: '2026-10-16' });
    const none = predict(appOf(run), history([]), Date.parse(NATIONAL_DAY_EVE));
    expect(none.matters.find((m) => m.code === 'LY04')).toMatchObject({ basis: 'limit', medianWorkingDays: 10, p50On: '2026-10-16' });
  });

  it('lays the steps along the prerequisites and the stage order: a history where every matter took its whole limit gives the limit forecast, 21 Aug 2026 (172 days)', () => {
    const run = start(MONDAY);
    const all = allMatters(snapshotOf('GOV_INVESTMENT')).flatMap((m) => samples(m.code, m.timeLimitDays, [1, 2, 3, 4, 5].map(() => m.timeLimitDays)));
    const p = predict(appOf(run), history(all), Date.parse(MONDAY));
    expect(p.completion).toEqual({ p50On: '2026-08-21', p80On: '2026-08-21', p50TotalDays: 172, p80TotalDays: 172 });
    expect(p.forecast).toEqual({ completionOn: '2026-08-21', projectedTotalDays: 172, approximate: false });
    expect(p.stages.map((s) => [s.stage, s.p50On, s.forecastOn])).toEqual([
      ['S1', '2026-04-28', '2026-04-28'],
      ['S2', '2026-06-08', '2026-06-08'],
      ['S3', '2026-07-21', '2026-07-21'],
      ['S4', '2026-08-21', '2026-08-21'],
    ]);
    expect(p).toMatchObject({ targetTotalDays: 100, exceedsTarget: { p50: true, p80: true }, calendarGaps: [] });
    expect(p.targets).toEqual([
      { days: 120, p50Within: false, p80Within: false },
      { days: 100, p50Within: false, p80Within: false },
      { days: 80, p50Within: false, p80Within: false },
    ]);
  });

  it('says a date in a year whose calendar is not published is unknown (null), never guessed: from 28 Sep 2026 stage 1 ends 27 Nov, stages 2–4 need 2027', () => {
    const run = start(NATIONAL_DAY_EVE);
    const all = allMatters(snapshotOf('GOV_INVESTMENT')).flatMap((m) => samples(m.code, m.timeLimitDays, [1, 2, 3, 4, 5].map(() => m.timeLimitDays)));
    const p = predict(appOf(run), history(all), Date.parse(NATIONAL_DAY_EVE));
    expect(p.stages.map((s) => s.p50On)).toEqual(['2026-11-27', null, null, null]);
    expect(p.completion).toEqual({ p50On: null, p80On: null, p50TotalDays: null, p80TotalDays: null });
    expect(p.calendarGaps).toEqual([2027]);
  });

  it('answers an ended application with its actual end', () => {
    const run = start(MONDAY);
    run.perform('withdraw', { actor: applicant, reason: '项目终止' }, '2026-03-12T10:00:00+08:00');
    const p = predict(appOf(run), history([]), Date.parse('2026-03-13T10:00:00+08:00'));
    expect(p).toMatchObject({ basis: 'actual', completion: { p50On: '2026-03-12', p80On: '2026-03-12', p50TotalDays: 10 } });
  });

  it('answers in the shape GET /applications/:id/prediction declares', () => {
    const run = start(NATIONAL_DAY_EVE);
    const p = predict(appOf(run), history(samples('LY01', 7, [4, 5, 6, 7, 9])), Date.parse(NATIONAL_DAY_EVE));
    expect(predictionSchema.safeParse(p).error).toBeUndefined();
    const typed: z.output<typeof predictionSchema> = p satisfies Prediction;
    expect(typed.completion.p50On).toBeNull();
  });
});
