import { describe, expect, it } from 'vitest';
import type { CalendarYear } from '../../../catalogue/schema';
import { admin, applicant, catalogue, officer, start, without } from './driver';
import { FIXTURE_2027 } from './figures';

const result = { number: '浏审〔2026〕1号' };

describe('the matter clock: working-day deadlines on the official calendar', () => {
  it('does not count the acceptance day, holidays or weekends, and counts a make-up Saturday (National Day 2026: LY01 due 13 Oct)', () => {
    const run = start('2026-09-28T09:00:00+08:00');
    // Accepted Monday 28 Sep: 29, 30 Sep; 1–7 Oct holiday; 8, 9, Saturday 10 (调休), 12, 13 Oct.
    expect(run.matter('LY01').dueOn).toBe('2026-10-13');
    expect(run.matter('LY04').dueOn).toBe('2026-10-16');
    expect(run.matter('LY07').dueOn).toBe('2026-10-23');
  });

  it('warns government investment at 2 working days left, from the start of that day: the make-up Saturday 10 Oct', () => {
    const run = start('2026-09-28T09:00:00+08:00');
    run.passUntil('2026-10-09T23:59:00+08:00');
    expect(run.matter('LY01').level).toBe('normal');
    run.passUntil('2026-10-10T00:01:00+08:00');
    expect(run.matter('LY01')).toMatchObject({ level: 'warning', workingDaysUsed: 5, workingDaysLeft: 2 });
  });

  it('stops the clock for a supplement (the stop day is used), counts nothing while stopped, and restarts the day after the last item arrives', () => {
    const run = start('2026-03-02T09:00:00+08:00');
    run.approveRunning((m) => m.code !== 'LY07');
    expect(run.matter('LY07')).toMatchObject({ status: 'inProgress', dueOn: '2026-03-23', workingDaysLeft: 15 });
    // Thursday 5 Mar: 3, 4, 5 Mar used (the stop day counts).
    const stopped = run.perform('requestSupplement', { actor: officer('EEB'), matter: 'LY07', items: ['M_EIA_DOCUMENT'], reason: '环评报告书缺少大气环境影响预测章节' }, '2026-03-05T10:00:00+08:00');
    expect(stopped).toMatchObject({ status: 'suspended', clockRunning: false, workingDaysUsed: 3, dueOn: null, owedForSupplement: ['M_EIA_DOCUMENT'] });
    run.passUntil('2026-03-19T10:00:00+08:00');
    expect(run.matter('LY07')).toMatchObject({ status: 'suspended', workingDaysUsed: 3, level: 'normal' });
    run.perform('supplyMaterials', { actor: applicant, items: ['M_EIA_DOCUMENT'] });
    // Restart day 19 Mar not counted; 12 days left: 20 Mar, 23–27, 30 Mar–3 Apr, (清明 4–6 Apr), 7 Apr.
    expect(run.matter('LY07')).toMatchObject({ status: 'inProgress', dueOn: '2026-04-07', workingDaysUsed: 3, workingDaysLeft: 12 });
    expect(run.events('clockStopped', 'clockRestarted').map((e) => [e.kind, e.at.slice(0, 10)])).toEqual([
      ['clockStopped', '2026-03-05'],
      ['clockRestarted', '2026-03-19'],
    ]);
  });

  it('restarts only when every owed item of a supplement has come', () => {
    const run = start('2026-03-02T09:00:00+08:00');
    run.perform('requestSupplement', { actor: officer('NRP'), matter: 'LY04', items: ['M_SITE_MAP', 'M_LAND_REPORT'], reason: '红线图与报告不符' }, '2026-03-03T10:00:00+08:00');
    run.perform('supplyMaterials', { actor: applicant, items: ['M_SITE_MAP'] }, '2026-03-04T10:00:00+08:00');
    expect(run.matter('LY04')).toMatchObject({ status: 'suspended', owedForSupplement: ['M_LAND_REPORT'] });
    run.perform('supplyMaterials', { actor: applicant, items: ['M_LAND_REPORT'] }, '2026-03-05T10:00:00+08:00');
    expect(run.matter('LY04')).toMatchObject({ status: 'inProgress', owedForSupplement: [], workingDaysUsed: 1 });
  });

  it('stops the clock for a special procedure, tells the applicant the expected end date, and accounts both stops apart from government time', () => {
    const run = start('2026-03-02T09:00:00+08:00');
    // Everything in stage 1 but the EIA approval (LY07) is decided on day one.
    for (let i = 0; i < 3; i++) run.approveRunning((m) => m.code !== 'LY07');
    const eeb = officer('EEB');
    run.perform('requestSupplement', { actor: eeb, matter: 'LY07', items: ['M_EIA_DOCUMENT'], reason: '缺少章节' }, '2026-03-05T10:00:00+08:00');
    run.perform('supplyMaterials', { actor: applicant, items: ['M_EIA_DOCUMENT'] }, '2026-03-19T10:00:00+08:00');
    // Tuesday 24 Mar: 20, 23, 24 Mar used → 6; the expert review stops the clock again.
    run.perform('startSpecialProcedure', { actor: eeb, matter: 'LY07', kind: 'expertReview', expectedWorkingDays: 10, reason: '组织专家技术评审' }, '2026-03-24T10:00:00+08:00');
    expect(run.matter('LY07')).toMatchObject({ status: 'suspended', workingDaysUsed: 6 });
    expect(run.events('specialProcedureStarted')[0]!.data).toMatchObject({ procedure: 'expertReview', expectedWorkingDays: 10, applicantToldExpectedEndOn: '2026-04-08' });
    run.perform('endSpecialProcedure', { actor: eeb, matter: 'LY07', reason: '专家评审通过' }, '2026-04-08T10:00:00+08:00');
    // 9 days left from 8 Apr: 9, 10, 13–17, 20, 21 Apr.
    expect(run.matter('LY07')).toMatchObject({ status: 'inProgress', dueOn: '2026-04-21', workingDaysUsed: 6, workingDaysLeft: 9 });

    const ly07 = run.approve('LY07', '2026-04-10T10:00:00+08:00');
    expect(ly07).toMatchObject({ status: 'approved', workingDaysUsed: 8 });
    expect(ly07.stops.map((s) => [s.kind, s.procedure, s.from.slice(0, 10), s.to?.slice(0, 10), s.workingDays])).toEqual([
      ['supplement', null, '2026-03-05', '2026-03-19', 10],
      ['specialProcedure', 'expertReview', '2026-03-24', '2026-04-08', 10],
    ]);
    const v = run.view();
    expect(v.stages[0]!.status).toBe('completed');
    expect(v.accounting.stages[0]).toMatchObject({ stage: 'S1', governmentWorkingDays: 8 });
    expect(v.accounting.applicant).toEqual({ calendarDays: 14, workingDays: 10 });
    expect(v.accounting.specialProcedures).toEqual({ calendarDays: 15, workingDays: 10 });
  });

  it('extends a limit once, by at most the legal extension, naming the approving head; never twice and never after the deadline', () => {
    const run = start('2026-03-02T09:00:00+08:00');
    const wrb = officer('WRB');
    expect(run.refusal('extend', { actor: wrb, matter: 'LY08', days: 15, approvedBy: '王局长', reason: 'x' }).message).toMatch(/at most 10 working days, not 15/);
    expect(run.refusal('extend', { actor: wrb, matter: 'LY08', days: 5, approvedBy: ' ', reason: 'x' }).message).toMatch(/names the department head/);
    expect(run.refusal('extend', { actor: officer('NRP'), matter: 'LY04', days: 5, approvedBy: '王局长', reason: 'x' }).message).toMatch(/allows no extension by law/);
    // A stopped clock may be extended too.
    run.perform('requestSupplement', { actor: wrb, matter: 'LY08', items: ['M_SOIL_WATER_PLAN'], reason: '方案缺少弃渣场设计' });
    expect(run.perform('extend', { actor: wrb, matter: 'LY08', days: 10, approvedBy: '水利局 王局长', reason: '跨流域调水论证' })).toMatchObject({
      timeLimitDays: 20,
      extension: { days: 10, approvedBy: '水利局 王局长' },
    });
    expect(run.refusal('extend', { actor: wrb, matter: 'LY08', days: 1, approvedBy: '王', reason: 'x' })).toMatchObject({ code: 'INVALID_STATE', message: expect.stringMatching(/already extended once, on 2026-03-02/) });

    // LY08 of an untouched application is due 16 Mar: on 17 Mar it is too late.
    const late = start('2026-03-02T09:00:00+08:00');
    late.passUntil('2026-03-17T10:00:00+08:00');
    expect(late.matter('LY08')).toMatchObject({ dueOn: '2026-03-16', level: 'overdue' });
    expect(late.refusal('extend', { actor: wrb, matter: 'LY08', days: 5, approvedBy: '王局长', reason: 'x' })).toEqual({
      code: 'INVALID_STATE',
      message: 'matter LY08 is already overdue; an extension must be asked for before the deadline',
    });
  });

  it('moves the due date by the extension: LY08 (10 working days from 2 Mar, due 16 Mar) extended by 5 is due 23 Mar', () => {
    const run = start('2026-03-02T09:00:00+08:00');
    run.perform('extend', { actor: officer('WRB'), matter: 'LY08', days: 5, approvedBy: '王局长', reason: '论证' }, '2026-03-10T10:00:00+08:00');
    expect(run.matter('LY08')).toMatchObject({ dueOn: '2026-03-23', timeLimitDays: 15 });
    expect(run.events('extended')[0]).toMatchObject({ matter: 'LY08', data: { days: 5, approvedBy: '王局长' } });
  });

  it('ends the clock with the decision: the decided matter keeps its working days used and its on-time flag, whatever time passes', () => {
    const run = start('2026-03-02T09:00:00+08:00');
    const ly01 = run.approve('LY01', '2026-03-05T10:00:00+08:00');
    expect(ly01).toMatchObject({ status: 'approved', workingDaysUsed: 3, decision: { kind: 'approved', onTime: true } });
    run.passUntil('2026-05-05T10:00:00+08:00');
    expect(run.matter('LY01')).toMatchObject({ status: 'approved', workingDaysUsed: 3, level: 'normal' });
  });

  it('refuses officer actions that do not fit, with a typed reason, and changes nothing', () => {
    const run = start('2026-03-02T09:00:00+08:00');
    const drc = officer('DRC');
    const before = run.events().length;
    const cases: [ReturnType<typeof run.refusal>, string, RegExp][] = [
      [run.refusal('approve', { actor: officer('NRP'), matter: 'LY01', result, reason: '' }), 'WRONG_DEPARTMENT', /^matter LY01 belongs to department DRC; officer officer-nrp of NRP may not approve it$/],
      [run.refusal('approve', { actor: applicant, matter: 'LY01', result, reason: '' }), 'NOT_PERMITTED', /only an approval officer/],
      [run.refusal('approve', { actor: drc, matter: 'ZZ99', result, reason: '' }), 'UNKNOWN_MATTER', /matter ZZ99 is not part of this application's process GOV_INVESTMENT/],
      [run.refusal('approve', { actor: drc, matter: 'LY02', result, reason: '' }), 'INVALID_STATE', /cannot approve matter LY02 while it is waiting for its prerequisites/],
      [run.refusal('approve', { actor: officer('NRP'), matter: 'GC01', result, reason: '' }), 'INVALID_STATE', /not yet received \(its stage has not started\)/],
      [run.refusal('reject', { actor: drc, matter: 'LY01', reason: ' ' }), 'INVALID_INPUT', /a rejection \(不予许可\) needs its reason/],
      [run.refusal('requestSupplement', { actor: drc, matter: 'LY01', items: ['M_EIA_DOCUMENT'], reason: 'x' }), 'INVALID_INPUT', /items M_EIA_DOCUMENT are not on matter LY01's material list/],
      [run.refusal('startSpecialProcedure', { actor: officer('NRP'), matter: 'LY04', kind: 'hearing', expectedWorkingDays: 5, reason: 'x' }), 'INVALID_INPUT', /matter LY04 allows no hearing; its special procedures are: siteInspection/],
      [run.refusal('startSpecialProcedure', { actor: officer('NRP'), matter: 'LY04', kind: 'siteInspection', expectedWorkingDays: 0, reason: 'x' }), 'INVALID_INPUT', /expectedWorkingDays must be a whole number of working days ≥ 1/],
      [run.refusal('endSpecialProcedure', { actor: drc, matter: 'LY01', reason: '' }), 'INVALID_STATE', /has no special procedure under way/],
      [run.refusal('withdraw', { actor: drc, reason: 'x' }), 'NOT_PERMITTED', /only the application's applicant or its agent may withdraw/],
    ];
    for (const [r, code, message] of cases) {
      expect(r.code).toBe(code);
      expect(r.message).toMatch(message);
    }
    expect(run.events().length).toBe(before);

    run.approve('LY01');
    expect(run.refusal('approve', { actor: drc, matter: 'LY01', result, reason: '' })).toEqual({ code: 'ALREADY_DECIDED', message: 'matter LY01 is already approved; it cannot be changed by approve' });
    run.perform('requestSupplement', { actor: officer('WRB'), matter: 'LY08', items: ['M_SOIL_WATER_PLAN'], reason: '方案缺少弃渣场设计' });
    expect(run.refusal('approve', { actor: officer('WRB'), matter: 'LY08', result, reason: '' }).message).toMatch(/while it is suspended waiting for the applicant’s supplement/);
  });
});

describe('year-end: a deadline in a year whose calendar is not published', () => {
  it('shows the due date as unknown (a calendar gap) and computes it once the calendar is published; a corrected notice moves open deadlines', () => {
    const run = start('2026-12-21T09:00:00+08:00');
    expect(run.matter('LY01')).toMatchObject({ dueOn: '2026-12-30', calendarGap: null });
    expect(run.matter('LY04')).toMatchObject({ status: 'inProgress', dueOn: null, calendarGap: expect.stringMatching(/not yet published/) });
    expect(run.matter('LY07').dueOn).toBeNull();

    const v = run.perform('publishCalendar', { actor: admin, calendar: FIXTURE_2027 });
    expect(v.calendarYears).toEqual([2025, 2026, 2027]);
    // 31 Dec is the 8th day; 1 Jan 2027 is a holiday; 4 and 5 Jan complete LY04's 10.
    expect(run.matter('LY04')).toMatchObject({ dueOn: '2027-01-05', calendarGap: null });
    expect(run.matter('LY07').dueOn).toBe('2027-01-12');
    expect(run.events().at(-1)).toMatchObject({ kind: 'calendarPublished', actor: 'admin admin', data: { year: 2027, notice: 'fixture-2027' } });

    const official2026 = catalogue.calendars.find((c) => c.year === 2026)!;
    const corrected: CalendarYear = {
      ...official2026,
      source: { ...official2026.source, title: 'TEST FIXTURE — corrected 2026', number: 'fixture-2026-corrected' },
      holidays: [...official2026.holidays, { name: 'test holiday', from: '2026-12-28', to: '2026-12-28' }],
    };
    run.perform('publishCalendar', { actor: admin, calendar: corrected });
    expect(run.matter('LY01').dueOn).toBe('2026-12-31');
    expect(run.matter('LY04').dueOn).toBe('2027-01-06');
  });

  it('neither deems intake accepted nor lets a 容缺 item lapse on a date the calendar does not reach', () => {
    const run = start('2026-12-28T09:00:00+08:00', { materials: without('M_LAND_REPORT', 'M_PUBLIC_PARTICIPATION') });
    run.passUntil('2026-12-30T10:00:00+08:00');
    expect(run.view().stages[0]!.intake).toMatchObject({ noticeDueOn: null, deemedAcceptedAt: null });
    expect(run.matter('LY04').status).toBe('intake');
    expect(run.matter('LY07')).toMatchObject({ status: 'inProgress', deferred: [{ material: 'M_PUBLIC_PARTICIPATION', dueOn: null }] });
    // Nothing time alone decides lies ahead while the calendar ends: the engine sleeps through January without a guess.
    run.passUntil('2027-01-20T10:00:00+08:00');
    expect(run.matter('LY04').status).toBe('intake');

    run.perform('publishCalendar', { actor: admin, calendar: FIXTURE_2027 });
    // 29, 30, 31 Dec, (1 Jan), 4, 5 Jan.
    expect(run.view().stages[0]!.intake!.noticeDueOn).toBe('2027-01-05');
    expect(run.matter('LY07').deferred[0]!.dueOn).toBe('2027-01-05');
  });

  it('decides, stops and withdraws on a day the calendar does not reach; the days used stay unknown until the year is published, then count exactly', () => {
    const run = start('2026-12-28T09:00:00+08:00');
    // LY01 accepted Mon 28 Dec; approved Mon 4 Jan 2027, before the 2027 calendar is out.
    const approved = run.perform('approve', { actor: officer('DRC'), matter: 'LY01', result: { number: '浏发改〔2027〕1号' }, reason: '' }, '2027-01-04T10:00:00+08:00');
    expect(approved).toMatchObject({ status: 'approved', workingDaysUsed: null });
    // LY06 stopped for a supplement the same day.
    run.perform('requestSupplement', { actor: officer('DRC'), matter: 'LY06', items: ['M_ENERGY_REPORT'], reason: '补充节能报告' }, '2027-01-04T11:00:00+08:00');
    expect(run.matter('LY06')).toMatchObject({ status: 'suspended', workingDaysUsed: null });
    expect(run.events().filter((e) => e.kind === 'clockStopped').at(-1)).toMatchObject({ matter: 'LY06', data: { workingDaysUsed: null } });

    run.perform('publishCalendar', { actor: admin, calendar: FIXTURE_2027 });
    // 29, 30, 31 Dec, (1 Jan holiday), 4 Jan.
    expect(run.matter('LY01').workingDaysUsed).toBe(4);
    expect(run.matter('LY06').workingDaysUsed).toBe(4);

    // And an application withdrawn in an unpublished year closes every matter.
    const other = start('2026-12-28T09:00:00+08:00');
    const withdrawn = other.perform('withdraw', { actor: applicant, reason: '项目取消' }, '2027-01-06T10:00:00+08:00');
    expect(withdrawn.status).toBe('withdrawn');
    expect(other.matter('LY01')).toMatchObject({ status: 'cancelled', workingDaysUsed: null });
  });

  it('while the calendar ends, the notice can still be issued, and it lists only what is missing', () => {
    const run = start('2026-12-28T09:00:00+08:00', { materials: without('M_LAND_REPORT', 'M_PUBLIC_PARTICIPATION') });
    const noticed = run.perform('issueMissingNotice', { actor: officer('DRC'), stage: 'S1', note: '' }, '2026-12-30T10:00:00+08:00');
    expect(noticed.stages[0]!.intake!.notice!.items.map((i) => i.material)).toEqual(['M_LAND_REPORT']);
  });
});
