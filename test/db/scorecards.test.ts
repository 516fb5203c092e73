import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../readmodel/db/migrate';
import { createProjectionActivities } from '../../worker/activities';
import { InvalidQueryError, scorecards, scorecardsCsv } from '../../readmodel/queries';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres';
import { applicationRow, batch, eventRow, matterRow } from './factories';

/**
 * A scripted first quarter of 2026 (2026-01-01 … 2026-03-31, Asia/Shanghai).
 *
 * DRC, application Q-DRC:
 *   d1 approved 01-10, on time, limit 7, used 5             → decided, with due, on time, early (7 − 5 = 2 ≥ 1)
 *   d2 approved 02-03, on time, limit 7, used 7, 1 supplement → decided, with due, on time, not early (0 left)
 *   d3 rejected 03-31 23:59, late, limit 10, used 12, overdue since 03-20 → decided, with due, late; overdue in Q1
 *   d4 approved 04-01 00:00 (first instant after the quarter)  → not in Q1
 *   d5 approved 2025-12-31 23:59:59                             → not in Q1
 *   d6 terminated 02-10                                         → not a department decision
 *   d7 approved 03-05, no deadline when decided, limit 20, used 6, 2 supplements → decided, not with due
 *   d8 open, overdue since 02-15                               → overdue in Q1
 *   urges: d1 on 01-08, d8 on 02-16 and 03-31 23:00 (in), d8 on 04-01 09:00 (out)
 *   decided 4 (d1 d2 d3 d7); with due 3 (d1 d2 d3); on time 2 → 2/3; early 1 → 1/3; overdue 2 (d3 d8)
 *   avg used (5 + 7 + 12 + 6) / 4 = 7.5
 *   avg used ÷ limit (5/7 + 7/7 + 12/10 + 6/20) / 4 = (5/7 + 5/2) / 4 = (45/14) / 4 = 45/56 ≈ 0.80357
 *   with supplement 2 (d2 d7) → 2/4 = 0.5; urges 3
 *
 * NRP, application Q-NRP:
 *   n1 approved 01-20, on time, limit 20, used 19 → early (1 left)
 *   n2 approved 03-10, late, limit 20, used 22, 1 supplement, overdue since 2025-12-28 (before Q1)
 *   decided 2; with due 2; on time 1 → 0.5; early 1 → 0.5; overdue 0
 *   avg used (19 + 22) / 2 = 20.5; avg used ÷ limit (19/20 + 22/20) / 2 = 41/40 = 1.025
 *   with supplement 1 → 0.5; urges 0
 *
 * HUD, application Q-HUD: h1 open, overdue since 01-31 23:00, urged 02-02
 *   decided 0 (every rate and average undefined); overdue 1; urges 1
 *
 * MET, application Q-MET: m1 approved 04-05 → no row for Q1.
 */

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool);
  const { projectApplication } = createProjectionActivities(db.pool);
  const decided = (at: string, decision: string, onTime: boolean | null, limit: number, used: number) => ({
    status: decision,
    decision,
    decidedAt: at,
    onTime,
    timeLimitDays: limit,
    workingDaysUsed: used,
  });
  const urged = (id: string, seq: number, matter: string, at: string) => eventRow(id, seq, { kind: 'urged', matter, at, actor: 'sup-1' });

  await projectApplication(
    batch(applicationRow('Q-DRC', { seq: 5 }), {
      matters: [
        matterRow('Q-DRC', 'd1', { department: 'DRC', ...decided('2026-01-10T10:00:00+08:00', 'approved', true, 7, 5) }),
        matterRow('Q-DRC', 'd2', { department: 'DRC', ...decided('2026-02-03T10:00:00+08:00', 'approved', true, 7, 7), supplementCount: 1 }),
        matterRow('Q-DRC', 'd3', {
          department: 'DRC',
          ...decided('2026-03-31T23:59:00+08:00', 'rejected', false, 10, 12),
          level: 'overdue',
          overdueSince: '2026-03-20T00:00:00+08:00',
        }),
        matterRow('Q-DRC', 'd4', { department: 'DRC', ...decided('2026-04-01T00:00:00+08:00', 'approved', true, 5, 2) }),
        matterRow('Q-DRC', 'd5', { department: 'DRC', ...decided('2025-12-31T23:59:59+08:00', 'approved', true, 5, 2) }),
        matterRow('Q-DRC', 'd6', { department: 'DRC', ...decided('2026-02-10T10:00:00+08:00', 'terminated', null, 5, 1) }),
        matterRow('Q-DRC', 'd7', { department: 'DRC', ...decided('2026-03-05T10:00:00+08:00', 'approved', null, 20, 6), supplementCount: 2 }),
        matterRow('Q-DRC', 'd8', { department: 'DRC', status: 'inProgress', level: 'overdue', overdueSince: '2026-02-15T00:00:00+08:00' }),
      ],
      events: [
        eventRow('Q-DRC', 1, { kind: 'submitted' }),
        urged('Q-DRC', 2, 'd1', '2026-01-08T09:00:00+08:00'),
        urged('Q-DRC', 3, 'd8', '2026-02-16T09:00:00+08:00'),
        urged('Q-DRC', 4, 'd8', '2026-03-31T23:00:00+08:00'),
        urged('Q-DRC', 5, 'd8', '2026-04-01T09:00:00+08:00'),
      ],
    }),
  );
  await projectApplication(
    batch(applicationRow('Q-NRP', { seq: 1 }), {
      matters: [
        matterRow('Q-NRP', 'n1', { department: 'NRP', ...decided('2026-01-20T10:00:00+08:00', 'approved', true, 20, 19) }),
        matterRow('Q-NRP', 'n2', {
          department: 'NRP',
          ...decided('2026-03-10T10:00:00+08:00', 'approved', false, 20, 22),
          supplementCount: 1,
          overdueSince: '2025-12-28T00:00:00+08:00',
        }),
      ],
      events: [eventRow('Q-NRP', 1, { kind: 'submitted' })],
    }),
  );
  await projectApplication(
    batch(applicationRow('Q-HUD', { seq: 2 }), {
      matters: [matterRow('Q-HUD', 'h1', { department: 'HUD', level: 'overdue', overdueSince: '2026-01-31T23:00:00+08:00' })],
      events: [eventRow('Q-HUD', 1, { kind: 'submitted' }), urged('Q-HUD', 2, 'h1', '2026-02-02T09:00:00+08:00')],
    }),
  );
  await projectApplication(
    batch(applicationRow('Q-MET', { seq: 1 }), {
      matters: [matterRow('Q-MET', 'm1', { department: 'MET', ...decided('2026-04-05T10:00:00+08:00', 'approved', true, 5, 3) })],
      events: [eventRow('Q-MET', 1, { kind: 'submitted' })],
    }),
  );
});

afterAll(async () => {
  await db.drop();
});

describe('scorecards', () => {
  it("computes each department's figures for a quarter as derived by hand", async () => {
    const rows = await scorecards(db.pool, { from: '2026-01-01', to: '2026-03-31' });
    expect(rows.map((r) => r.department)).toEqual(['DRC', 'HUD', 'NRP']);
    const [drc, hud, nrp] = rows;

    expect(drc).toMatchObject({ department: 'DRC', decided: 4, decidedWithDue: 3, onTime: 2, early: 1, overdue: 2, withSupplement: 2, urges: 3 });
    expect(drc!.onTimeRate).toBeCloseTo(2 / 3, 12);
    expect(drc!.earlyRate).toBeCloseTo(1 / 3, 12);
    expect(drc!.avgWorkingDaysUsed).toBeCloseTo(7.5, 12);
    expect(drc!.avgUsedRatio).toBeCloseTo(45 / 56, 12);
    expect(drc!.supplementRate).toBe(0.5);

    expect(hud).toEqual({
      department: 'HUD',
      decided: 0,
      decidedWithDue: 0,
      onTime: 0,
      early: 0,
      onTimeRate: null,
      earlyRate: null,
      overdue: 1,
      avgWorkingDaysUsed: null,
      avgUsedRatio: null,
      withSupplement: 0,
      supplementRate: null,
      urges: 1,
      verificationsOnTime: 0,
      verificationsLate: 0,
      revocations: 0,
    });

    expect(nrp).toMatchObject({ department: 'NRP', decided: 2, decidedWithDue: 2, onTime: 1, early: 1, overdue: 0, withSupplement: 1, urges: 0 });
    expect(nrp!.onTimeRate).toBe(0.5);
    expect(nrp!.earlyRate).toBe(0.5);
    expect(nrp!.avgWorkingDaysUsed).toBeCloseTo(20.5, 12);
    expect(nrp!.avgUsedRatio).toBeCloseTo(1.025, 12);
    expect(nrp!.supplementRate).toBe(0.5);
  });

  it('limits the figures to one department when asked', async () => {
    const rows = await scorecards(db.pool, { from: '2026-01-01', to: '2026-03-31', department: 'NRP' });
    expect(rows.map((r) => [r.department, r.decided])).toEqual([['NRP', 2]]);
  });

  it('counts the first instant after the period in the next one', async () => {
    const april = await scorecards(db.pool, { from: '2026-04-01', to: '2026-04-30' });
    expect(april.map((r) => [r.department, r.decided, r.urges])).toEqual([
      ['DRC', 1, 1],
      ['MET', 1, 0],
    ]);
  });

  it('writes the scorecards as CSV with a header row', async () => {
    const rows = await scorecards(db.pool, { from: '2026-01-01', to: '2026-03-31' });
    expect(scorecardsCsv(rows)).toBe(
      [
        'department,decided,decided_with_due,on_time,early,on_time_rate,early_rate,overdue,avg_working_days_used,avg_used_ratio,with_supplement,supplement_rate,urges,verifications_on_time,verifications_late,revocations',
        'DRC,4,3,2,1,0.6667,0.3333,2,7.50,0.8036,2,0.5000,3,0,0,0',
        'HUD,0,0,0,0,,,1,,,0,,1,0,0,0',
        'NRP,2,2,1,1,0.5000,0.5000,0,20.50,1.0250,1,0.5000,0,0,0,0',
        '',
      ].join('\r\n'),
    );
  });

  it('quotes a CSV field that holds a comma or a quote', () => {
    const row = { department: 'A,"B"', decided: 0, decidedWithDue: 0, onTime: 0, early: 0, onTimeRate: null, earlyRate: null, overdue: 0, avgWorkingDaysUsed: null, avgUsedRatio: null, withSupplement: 0, supplementRate: null, urges: 0, verificationsOnTime: 0, verificationsLate: 0, revocations: 0 };
    expect(scorecardsCsv([row]).split('\r\n')[1]).toBe('"A,""B""",0,0,0,0,,,0,,,0,,0,0,0,0');
  });

  it('refuses a period that ends before it starts', async () => {
    await expect(scorecards(db.pool, { from: '2026-03-31', to: '2026-01-01' })).rejects.toBeInstanceOf(InvalidQueryError);
  });
});
