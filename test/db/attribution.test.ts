import { describe, expect, it } from 'vitest';
import { buildCalendar } from '../../domain/calendar';
import { criticalPathCsv, criticalPathScorecards } from '../../readmodel/attribution';
import { InvalidQueryError } from '../../readmodel/queries';
import { writerDatabase } from '../helpers/postgres';
import { applicant, catalogue, officer, provider, start, without, type Run } from '../unit/engine/driver';

// Where the days went per department and per provider for a period, on real PostgreSQL: two
// applications' critical paths projected from the engine's own batches (the scripts of
// test/unit/engine/attribution.test.ts), then cut to March and to the second quarter of 2026
// (清明 4–6 Apr, 劳动节 1–5 May with the make-up Saturday 9 May). A stretch's working days in a
// period are the period's working days d with day(from) < d ≤ day(to).

const fixture = writerDatabase();
const calendar = buildCalendar(catalogue.calendars);
const ASOF = Date.parse('2026-05-18T10:00:00+08:00');

async function project(run: Run): Promise<void> {
  await fixture.project(JSON.parse(JSON.stringify(run.nextProjection())));
}

/** A: S1 decided by LY07 (EEB), its EIA report late from P_GREEN_ENV, an expert review and a supplement; S2 starts 18 May 10:00. */
async function eia(): Promise<void> {
  const run = start('2026-03-02T09:00:00+08:00', { applicationId: 'app-path-a', materials: without('M_EIA_DOCUMENT') });
  await project(run);
  for (const code of ['LY01', 'LY04', 'LY06', 'LY08']) run.approve(code, '2026-03-03T10:00:00+08:00');
  run.perform('chooseProvider', { actor: applicant, serviceType: 'EIA_REPORT', selection: { method: 'direct', provider: 'P_GREEN_ENV' } }, '2026-03-04T10:00:00+08:00');
  await project(run);
  run.approve('LY02', '2026-03-05T10:00:00+08:00');
  run.approve('LY05', '2026-03-06T10:00:00+08:00');
  run.perform('deliver', { actor: provider('P_GREEN_ENV'), serviceType: 'EIA_REPORT', note: '报告书' }, '2026-04-08T10:00:00+08:00');
  run.perform('reviewDeliverable', { actor: officer('EEB'), serviceType: 'EIA_REPORT', decision: 'accept', note: '' }, '2026-04-09T15:00:00+08:00');
  await project(run);
  run.perform('startSpecialProcedure', { actor: officer('EEB'), matter: 'LY07', kind: 'expertReview', reason: '专家评审', expectedWorkingDays: 5 }, '2026-04-14T09:00:00+08:00');
  run.perform('endSpecialProcedure', { actor: officer('EEB'), matter: 'LY07', reason: '评审结束' }, '2026-04-21T17:00:00+08:00');
  run.perform('requestSupplement', { actor: officer('EEB'), matter: 'LY07', items: ['M_EIA_DOCUMENT'], reason: '按专家意见修改' }, '2026-04-23T10:00:00+08:00');
  run.perform('supplyMaterials', { actor: applicant, items: ['M_EIA_DOCUMENT'] }, '2026-04-28T11:00:00+08:00');
  run.approve('LY07', '2026-05-18T10:00:00+08:00');
  await project(run);
}

/** B: S1 decided by LY08 (WRB), its soil-and-water plan late from P_HENGYUAN_WATER, replaced by P_HUAZHONG_ENV; S2 starts 14 Apr 10:00 and nothing happens after. */
async function soil(): Promise<void> {
  const run = start('2026-03-02T09:00:00+08:00', { applicationId: 'app-path-b', materials: without('M_SOIL_WATER_PLAN') });
  run.perform('chooseProvider', { actor: applicant, serviceType: 'SOIL_WATER_PLAN', selection: { method: 'direct', provider: 'P_HENGYUAN_WATER' } });
  await project(run);
  for (const code of ['LY01', 'LY04', 'LY06', 'LY07']) run.approve(code, '2026-03-03T10:00:00+08:00');
  run.approve('LY02', '2026-03-05T10:00:00+08:00');
  run.approve('LY05', '2026-03-06T10:00:00+08:00');
  run.perform('replaceProvider', { actor: applicant, serviceType: 'SOIL_WATER_PLAN', selection: { method: 'direct', provider: 'P_HUAZHONG_ENV' }, reason: '逾期未交付' }, '2026-03-26T10:00:00+08:00');
  run.perform('deliver', { actor: provider('P_HUAZHONG_ENV'), serviceType: 'SOIL_WATER_PLAN', note: '方案' }, '2026-04-10T10:00:00+08:00');
  run.perform('reviewDeliverable', { actor: officer('WRB'), serviceType: 'SOIL_WATER_PLAN', decision: 'accept', note: '' }, '2026-04-10T15:00:00+08:00');
  run.approve('LY08', '2026-04-14T10:00:00+08:00');
  await project(run);
}

const cards = (from: string, to: string, extra: { department?: string; provider?: string } = {}) => criticalPathScorecards(fixture.db.pool, calendar, { from, to, asOf: ASOF, ...extra });

describe('days on the critical path per department and provider, for a period', () => {
  it('stores each application’s path as stretches, the one still held without an end', async () => {
    await eia();
    await soil();
    const { rows } = await fixture.db.pool.query(
      `SELECT application_id, kind, holder, reason, matter, to_char(from_at AT TIME ZONE 'Asia/Shanghai', 'MM-DD HH24:MI') AS from_at, to_at IS NULL AS open, over_after::text
         FROM attribution_segments ORDER BY application_id, position`,
    );
    expect(rows.filter((r) => r.application_id === 'app-path-a').map((r) => [r.kind, r.holder, r.reason, r.from_at, r.open, r.over_after])).toEqual([
      ['applicant', null, 'choosingProvider', '03-02 09:00', false, null],
      ['provider', 'P_GREEN_ENV', 'contract', '03-04 10:00', false, '2026-04-03'],
      ['department', 'EEB', 'review', '04-08 10:00', false, null],
      ['department', 'EEB', 'clock', '04-09 15:00', false, '2026-04-30'],
      ['specialProcedure', 'expertReview', 'specialProcedure', '04-14 09:00', false, null],
      ['department', 'EEB', 'clock', '04-21 17:00', false, '2026-05-11'],
      ['applicant', null, 'supplement', '04-23 10:00', false, null],
      ['department', 'EEB', 'clock', '04-28 11:00', false, '2026-05-14'],
      // S2 began at 18 May 10:00; its chain furthest behind (GC04 after GC02 after GC01) starts with GC01's clock, due 27 May.
      ['department', 'NRP', 'clock', '05-18 10:00', true, '2026-05-27'],
    ]);
    // Earlier batches had shorter paths: none of their stretches is left over.
    expect(rows.filter((r) => r.application_id === 'app-path-b').map((r) => [r.kind, r.holder, r.reason, r.open])).toEqual([
      ['provider', 'P_HENGYUAN_WATER', 'contract', false],
      ['provider', 'P_HUAZHONG_ENV', 'contract', false],
      ['department', 'WRB', 'review', false],
      ['department', 'WRB', 'clock', false],
      ['department', 'NRP', 'clock', true],
    ]);
  });

  it('cuts the stretches to March: only providers and the applicant held the paths', async () => {
    const march = await cards('2026-03-01', '2026-03-31');
    expect(march.departments).toEqual([]);
    expect(march.providers).toEqual([
      // 4 Mar 10:00 → 1 Apr 00:00 = 27 d 14 h = 27.6; working days 5–31 Mar = 2+5+5+5+2 = 19; committed date 3 Apr: none over.
      { provider: 'P_GREEN_ENV', applications: 1, calendarDays: 27.6, workingDays: 19, overLimitCalendarDays: 0, overLimitWorkingDays: 0 },
      // 2 Mar 09:00 → 26 Mar 10:00 = 24 d 1 h; 3–6, 9–13, 16–20, 23–26 Mar = 18; past 22 Mar: 23–26 Mar = 4, 23 Mar 00:00 → 26 Mar 10:00 = 3.4 d.
      { provider: 'P_HENGYUAN_WATER', applications: 1, calendarDays: 24, workingDays: 18, overLimitCalendarDays: 3.4, overLimitWorkingDays: 4 },
      // 26 Mar 10:00 → 1 Apr 00:00 = 5 d 14 h = 5.6; 27, 30, 31 Mar = 3.
      { provider: 'P_HUAZHONG_ENV', applications: 1, calendarDays: 5.6, workingDays: 3, overLimitCalendarDays: 0, overLimitWorkingDays: 0 },
    ]);
    // Both paths from 2 Mar 09:00 to 1 Apr 00:00: 2 × 29 d 15 h = 59.25 d = 57.21 (providers) + 2.04 (A choosing its provider, 3 and 4 Mar).
    expect(march.totals).toEqual([
      { kind: 'department', applications: 0, calendarDays: 0, workingDays: 0 },
      { kind: 'provider', applications: 2, calendarDays: 57.2, workingDays: 40 },
      { kind: 'applicant', applications: 1, calendarDays: 2, workingDays: 2 },
      { kind: 'specialProcedure', applications: 0, calendarDays: 0, workingDays: 0 },
      { kind: 'stageBoundary', applications: 0, calendarDays: 0, workingDays: 0 },
    ]);
  });

  it('counts a department’s days over the limit in the second quarter, and a stretch still held up to the instant asked', async () => {
    const q2 = await cards('2026-04-01', '2026-06-30');
    expect(q2.departments).toEqual([
      // A: review 1 d 5 h + clock 4 d 18 h + 1 d 17 h + 19 d 23 h = 27.625 d; 1 + 3 + 2 + 12 working days;
      // past LY07's due date 14 May: 15 and 18 May = 2, 15 May 00:00 → 18 May 10:00 = 3.4 d.
      { department: 'EEB', applications: 1, calendarDays: 27.6, workingDays: 18, overLimitCalendarDays: 3.4, overLimitWorkingDays: 2 },
      // B: GC01 (7 working days from 14 Apr, due 23 Apr) still held at 18 May 10:00: 34 d; 15–17, 20–24, 27–30 Apr (12),
      // 6–8, 9 (make-up), 11–15, 18 May (10) = 22; past 23 Apr: 24, 27–30 Apr, 6–9, 11–15, 18 May = 15, 24 Apr 00:00 → 18 May 10:00 = 24.4 d.
      // A's GC01 began at 18 May 10:00, the instant asked: nothing yet.
      { department: 'NRP', applications: 1, calendarDays: 34, workingDays: 22, overLimitCalendarDays: 24.4, overLimitWorkingDays: 15 },
      // B: review 5 h + clock 3 d 19 h = 4 d; 13, 14 Apr = 2.
      { department: 'WRB', applications: 1, calendarDays: 4, workingDays: 2, overLimitCalendarDays: 0, overLimitWorkingDays: 0 },
    ]);
    expect(q2.providers).toEqual([
      // 1 Apr 00:00 → 8 Apr 10:00 = 7.4 d; 1, 2, 3, 7, 8 Apr = 5, of which 7 and 8 Apr past 3 Apr (4 Apr 00:00 → 8 Apr 10:00 = 4.4 d).
      { provider: 'P_GREEN_ENV', applications: 1, calendarDays: 7.4, workingDays: 5, overLimitCalendarDays: 4.4, overLimitWorkingDays: 2 },
      // 1 Apr 00:00 → 10 Apr 10:00 = 9.4 d; 1–3, 7–10 Apr = 7; due 15 Apr.
      { provider: 'P_HUAZHONG_ENV', applications: 1, calendarDays: 9.4, workingDays: 7, overLimitCalendarDays: 0, overLimitWorkingDays: 0 },
    ]);
    // Both paths from 1 Apr 00:00 to 18 May 10:00: 2 × 47 d 10 h = 94.83 d = 65.63 + 16.83 + 5.04 (A's supplement) + 7.33 (expert review).
    expect(q2.totals.map((t) => [t.kind, t.calendarDays])).toEqual([
      ['department', 65.6],
      ['provider', 16.8],
      ['applicant', 5],
      ['specialProcedure', 7.3],
      ['stageBoundary', 0],
    ]);
    // Periods add up: P_GREEN_ENV's 19 March and 5 April working days are its 24 on A's path.
    const march = await cards('2026-03-01', '2026-03-31');
    expect(march.providers[0]!.workingDays! + q2.providers[0]!.workingDays!).toBe(24);
  });

  it('narrows to one department or one provider, writes CSV, and refuses a period that ends before it starts', async () => {
    const eeb = await cards('2026-04-01', '2026-06-30', { department: 'EEB' });
    expect([eeb.departments.map((d) => d.department), eeb.providers]).toEqual([['EEB'], []]);
    const green = await cards('2026-04-01', '2026-06-30', { provider: 'P_GREEN_ENV' });
    expect([green.departments, green.providers.map((p) => p.provider)]).toEqual([[], ['P_GREEN_ENV']]);
    expect(criticalPathCsv(await cards('2026-04-01', '2026-06-30')).split('\r\n')).toEqual([
      'kind,holder,applications,critical_path_calendar_days,critical_path_working_days,over_limit_calendar_days,over_limit_working_days',
      'department,EEB,1,27.6,18,3.4,2',
      'department,NRP,1,34.0,22,24.4,15',
      'department,WRB,1,4.0,2,0.0,0',
      'provider,P_GREEN_ENV,1,7.4,5,4.4,2',
      'provider,P_HUAZHONG_ENV,1,9.4,7,0.0,0',
      '',
    ]);
    await expect(cards('2026-03-31', '2026-01-01')).rejects.toBeInstanceOf(InvalidQueryError);
  });

  it('finds a period’s stretches through the index on their end, not by reading every stretch', async () => {
    const client = await fixture.db.pool.connect();
    try {
      await client.query('SET enable_seqscan = off');
      const { rows } = await client.query(
        `EXPLAIN SELECT application_id FROM attribution_segments
          WHERE COALESCE(to_at, 'infinity'::timestamptz) > '2026-04-01T00:00:00+08:00'::timestamptz AND from_at < '2026-07-01T00:00:00+08:00'::timestamptz`,
      );
      expect(rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/attribution_segments_period/);
    } finally {
      await client.query('RESET enable_seqscan');
      client.release();
    }
  });
});
