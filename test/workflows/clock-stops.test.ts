import { describe, expect, it } from 'vitest';
import { timeSkippingSuite } from '../helpers/suite';
import { recordHistory } from '../helpers/history';
import { endSpecialProcedureUpdate, startSpecialProcedureUpdate, requestSupplementUpdate, supplyMaterialsUpdate } from '../../workflows/messages';
import { applicant, officer } from '../helpers/temporal';
import { approve, approveRunning, matter, sleepUntil, status } from '../helpers/drive';

const TASK_QUEUE = 'clock-stops';

describe('clock stops for a supplement and a special procedure (time-skipping, March–April 2026)', () => {
  const suite = timeSkippingSuite('2026-03-02T09:00:00+08:00', TASK_QUEUE);

  it('stops the clock for two weeks of supplement and again for an expert review; the due date and the accounts show both', async () => {
    const h = await suite.start();
    // Everything in stage 1 but the EIA approval (LY07) is decided on day one.
    for (let i = 0; i < 3; i++) await approveRunning(h, (m) => m.code !== 'LY07');
    let v = await status(h, suite.env);
    expect(matter(v, 'LY07')).toMatchObject({ status: 'inProgress', dueOn: '2026-03-23', workingDaysLeft: 15 });
    expect(v.stages[0]!.matters.filter((m) => m.status !== 'approved').map((m) => m.code)).toEqual(['LY07']);

    // Thursday 5 Mar: 3, 4, 5 Mar used (the stop day counts); the clock stops.
    await sleepUntil(suite.env, '2026-03-05T10:00:00+08:00');
    const eeb = officer('EEB');
    const stopped = await h.executeUpdate(requestSupplementUpdate, {
      args: [{ actor: eeb, matter: 'LY07', items: ['M_EIA_DOCUMENT'], reason: '环评报告书缺少大气环境影响预测章节' }],
    });
    expect(stopped).toMatchObject({ status: 'suspended', clockRunning: false, workingDaysUsed: 3, dueOn: null, owedForSupplement: ['M_EIA_DOCUMENT'] });

    // Two weeks later nothing has moved.
    await sleepUntil(suite.env, '2026-03-19T10:00:00+08:00');
    v = await status(h, suite.env);
    expect(matter(v, 'LY07')).toMatchObject({ status: 'suspended', workingDaysUsed: 3, level: 'normal' });
    await h.executeUpdate(supplyMaterialsUpdate, { args: [{ actor: applicant, items: ['M_EIA_DOCUMENT'] }] });
    v = await status(h, suite.env);
    // Restart day 19 Mar not counted; 12 days left: 20 Mar, 23–27, 30 Mar–3 Apr, (清明 4–6 Apr), 7 Apr.
    expect(matter(v, 'LY07')).toMatchObject({ status: 'inProgress', dueOn: '2026-04-07', workingDaysUsed: 3, workingDaysLeft: 12 });

    // Tuesday 24 Mar: 20, 23, 24 Mar used → 6; expert review stops the clock again.
    await sleepUntil(suite.env, '2026-03-24T10:00:00+08:00');
    await h.executeUpdate(startSpecialProcedureUpdate, {
      args: [{ actor: eeb, matter: 'LY07', kind: 'expertReview', expectedWorkingDays: 10, reason: '组织专家技术评审' }],
    });
    v = await status(h, suite.env);
    expect(matter(v, 'LY07')).toMatchObject({ status: 'suspended', workingDaysUsed: 6 });
    const told = v.events.find((e) => e.kind === 'specialProcedureStarted')!;
    expect(told.data).toMatchObject({ procedure: 'expertReview', expectedWorkingDays: 10, applicantToldExpectedEndOn: '2026-04-08' });

    await sleepUntil(suite.env, '2026-04-08T10:00:00+08:00');
    await h.executeUpdate(endSpecialProcedureUpdate, { args: [{ actor: eeb, matter: 'LY07', reason: '专家评审通过' }] });
    v = await status(h, suite.env);
    // 9 days left from 8 Apr: 9, 10, 13–17, 20, 21 Apr.
    expect(matter(v, 'LY07')).toMatchObject({ status: 'inProgress', dueOn: '2026-04-21', workingDaysUsed: 6, workingDaysLeft: 9 });

    await sleepUntil(suite.env, '2026-04-10T10:00:00+08:00');
    await approve(h, 'LY07', 'EEB');
    v = await status(h, suite.env);
    const ly07 = matter(v, 'LY07');
    expect(ly07).toMatchObject({ status: 'approved', workingDaysUsed: 8 });
    expect(ly07.stops.map((s) => [s.kind, s.procedure, s.from.slice(0, 10), s.to?.slice(0, 10), s.workingDays])).toEqual([
      ['supplement', null, '2026-03-05', '2026-03-19', 10],
      ['specialProcedure', 'expertReview', '2026-03-24', '2026-04-08', 10],
    ]);
    expect(v.stages[0]!.status).toBe('completed');
    // Government time on stage 1's critical path is LY07's 8 working days; the applicant's
    // fortnight and the review's 15 calendar days are accounted apart.
    expect(v.accounting.stages[0]).toMatchObject({ stage: 'S1', governmentWorkingDays: 8 });
    expect(v.accounting.applicant).toEqual({ calendarDays: 14, workingDays: 10 });
    expect(v.accounting.specialProcedures).toEqual({ calendarDays: 15, workingDays: 10 });
    await recordHistory(h, 'clock-stops');
    expect(v.events.filter((e) => e.matter === 'LY07').map((e) => e.kind)).toEqual(
      expect.arrayContaining(['supplementRequested', 'clockStopped', 'clockRestarted', 'specialProcedureStarted', 'specialProcedureEnded', 'approved']),
    );
  });
});
