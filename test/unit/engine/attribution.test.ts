import { describe, expect, it } from 'vitest';
import { applicant, officer, provider, start, without, type Run } from './driver';

// Where the days went (issue 13), on the 2026 calendar (definitions/data/calendars/2026.json):
// 清明 4–6 Apr, 劳动节 1–5 May with Saturday 9 May a make-up working day. March 2026 begins on a
// Sunday. A stretch [a, b] counts the working days d with day(a) < d ≤ day(b): a working day
// belongs to whoever held the path as it began, which is the matter clock's own rule (the day
// a clock stops is the department's, the day it restarts is not).

const MONDAY = '2026-03-02T09:00:00+08:00';

/**
 * Stage S1 of a government-investment application whose EIA report (LY07, EEB, 15 working days)
 * is made by a provider: every other S1 matter is decided by 6 Mar, so LY07 decides the stage.
 */
function eiaScript(): Run {
  const run = start(MONDAY, { applicationId: 'app-attribution-1', materials: without('M_EIA_DOCUMENT') });
  for (const code of ['LY01', 'LY04', 'LY06', 'LY08']) run.approve(code, '2026-03-03T10:00:00+08:00');
  // P_GREEN_ENV: 30 calendar days from 4 Mar → committed date 3 Apr.
  run.perform('chooseProvider', { actor: applicant, serviceType: 'EIA_REPORT', selection: { method: 'direct', provider: 'P_GREEN_ENV' } }, '2026-03-04T10:00:00+08:00');
  run.approve('LY02', '2026-03-05T10:00:00+08:00');
  run.approve('LY05', '2026-03-06T10:00:00+08:00');
  run.perform('deliver', { actor: provider('P_GREEN_ENV'), serviceType: 'EIA_REPORT', note: '报告书（送审稿）' }, '2026-04-08T10:00:00+08:00');
  run.perform('reviewDeliverable', { actor: officer('EEB'), serviceType: 'EIA_REPORT', decision: 'accept', note: '技术审查通过' }, '2026-04-09T15:00:00+08:00');
  run.perform('startSpecialProcedure', { actor: officer('EEB'), matter: 'LY07', kind: 'expertReview', reason: '组织专家评审', expectedWorkingDays: 5 }, '2026-04-14T09:00:00+08:00');
  return run;
}

function finishEiaScript(run: Run): Run {
  run.perform('endSpecialProcedure', { actor: officer('EEB'), matter: 'LY07', reason: '专家评审结束' }, '2026-04-21T17:00:00+08:00');
  run.perform('requestSupplement', { actor: officer('EEB'), matter: 'LY07', items: ['M_EIA_DOCUMENT'], reason: '报告书需按专家意见修改' }, '2026-04-23T10:00:00+08:00');
  run.perform('supplyMaterials', { actor: applicant, items: ['M_EIA_DOCUMENT'] }, '2026-04-28T11:00:00+08:00');
  run.approve('LY07', '2026-05-18T10:00:00+08:00');
  return run;
}

const tenths = (xs: number[]) => xs.reduce((a, b) => a + Math.round(b * 10), 0);

describe('delay attribution: where the days went along the critical path', () => {
  it('splits a stage decided by an intermediary report, an expert review and a supplement by holder, in calendar and working days adding up to the elapsed time', () => {
    const run = finishEiaScript(eiaScript());
    const a = run.view().attribution;
    // 2 Mar 09:00 → 18 May 10:00 (S1's output; S2 starts at that instant): 77 days 1 hour.
    // Working days 3 Mar … 18 May: 2 + 24 + 1 + 3 + 5 + 2 + 3 + 12 = 52 (the stretches below).
    expect(a.elapsed).toEqual({ calendarDays: 77, workingDays: 52 });
    expect(a.settled).toBe(false);
    expect(a.path.map((p) => [p.from.slice(0, 16), p.kind, p.holder, p.reason, p.workingDays, p.overLimitWorkingDays])).toEqual([
      // 2 Mar 09:00 → 4 Mar 10:00, no provider chosen: 2 d 1 h; working days 3, 4 Mar = 2.
      ['2026-03-02T09:00', 'applicant', null, 'choosingProvider', 2, 0],
      // 4 Mar 10:00 → 8 Apr 10:00, the provider at work: 35 d; working days 5–31 Mar (2+5+5+5+2 = 19)
      // and 1–3, 7–8 Apr (5) = 24; after its committed date 3 Apr: 7, 8 Apr = 2 over.
      ['2026-03-04T10:00', 'provider', 'P_GREEN_ENV', 'contract', 24, 2],
      // 8 Apr 10:00 → 9 Apr 15:00, EEB reviews the report: 1 d 5 h; working day 9 Apr = 1.
      ['2026-04-08T10:00', 'department', 'EEB', 'review', 1, 0],
      // 9 Apr 15:00 → 14 Apr 09:00, LY07's clock: 4 d 18 h; 10, 13, 14 Apr = 3 (3 of 15 used).
      ['2026-04-09T15:00', 'department', 'EEB', 'clock', 3, 0],
      // 14 Apr 09:00 → 21 Apr 17:00, expert review: 7 d 8 h; 15, 16, 17, 20, 21 Apr = 5.
      ['2026-04-14T09:00', 'specialProcedure', 'expertReview', 'specialProcedure', 5, 0],
      // 21 Apr 17:00 → 23 Apr 10:00, the clock again: 1 d 17 h; 22, 23 Apr = 2 (5 used).
      ['2026-04-21T17:00', 'department', 'EEB', 'clock', 2, 0],
      // 23 Apr 10:00 → 28 Apr 11:00, the supplement: 5 d 1 h; 24, 27, 28 Apr = 3.
      ['2026-04-23T10:00', 'applicant', null, 'supplement', 3, 0],
      // 28 Apr 11:00 → 18 May 10:00, the clock: 19 d 23 h; 29, 30 Apr, 6, 7, 8, 9 (make-up), 11, 12,
      // 13, 14, 15, 18 May = 12. The 10 days left ran out on 14 May (due): 15 and 18 May = 2 over.
      ['2026-04-28T11:00', 'department', 'EEB', 'clock', 12, 2],
    ]);
    expect(run.matter('LY07').decision).toMatchObject({ dueOn: '2026-05-14', onTime: false });
    // Calendar days to a tenth, by the largest remainder so they add up to 77.0: the exact tenths
    // 20.42, 350, 12.08, 47.5, 73.33, 17.08, 50.42, 199.58 floor to 768 of 770; the two largest
    // remainders (.58, .5) take one each: 2.0, 35.0, 1.2, 4.8, 7.3, 1.7, 5.0, 20.0.
    expect(a.path.map((p) => p.calendarDays)).toEqual([2, 35, 1.2, 4.8, 7.3, 1.7, 5, 20]);
    expect(a.holders).toEqual([
      // EEB: 1.2 + 4.8 + 1.7 + 20.0 = 27.7 days; 1 + 3 + 2 + 12 = 18 working days, 2 over its limit;
      // 15 May 00:00 → 18 May 10:00 = 3.4 calendar days over.
      { kind: 'department', holder: 'EEB', name: '生态环境局', calendarDays: 27.7, workingDays: 18, overLimitWorkingDays: 2, overLimitCalendarDays: 3.4 },
      // 4 Apr 00:00 → 8 Apr 10:00 = 4.4 calendar days past its committed date.
      { kind: 'provider', holder: 'P_GREEN_ENV', name: '绿源环境科技有限公司', calendarDays: 35, workingDays: 24, overLimitWorkingDays: 2, overLimitCalendarDays: 4.4 },
      // 2.0 + 5.0; 2 + 3.
      { kind: 'applicant', holder: null, name: '浏阳市教育投资有限公司', calendarDays: 7, workingDays: 5, overLimitWorkingDays: 0, overLimitCalendarDays: 0 },
      { kind: 'specialProcedure', holder: 'expertReview', name: 'expertReview', calendarDays: 7.3, workingDays: 5, overLimitWorkingDays: 0, overLimitCalendarDays: 0 },
    ]);
    // 27.7 + 35 + 7 + 7.3 = 77.0; 18 + 24 + 5 + 5 = 52.
    expect(tenths(a.holders.map((h) => h.calendarDays))).toBe(770);
    expect(a.holders.reduce((n, h) => n + h.workingDays!, 0)).toBe(52);
    expect(a.matters).toEqual([{ department: 'EEB', matter: 'LY07', calendarDays: 27.7, workingDays: 18, overLimitWorkingDays: 2, overLimitCalendarDays: 3.4 }]);
  });

  it('while the stage runs, follows its open milestone to the instant asked: the expert review holds LY07 at noon on 20 Apr', () => {
    const a = eiaScript().view('2026-04-20T12:00:00+08:00').attribution;
    // 2 Mar 09:00 → 20 Apr 12:00: 49 d 3 h = 49.1; working days 2 + 24 + 1 + 3 + 4 = 34.
    expect(a.elapsed).toEqual({ calendarDays: 49.1, workingDays: 34 });
    // The expert review so far, 14 Apr 09:00 → 20 Apr 12:00: 6 d 3 h; 15, 16, 17, 20 Apr = 4.
    // Still held: no end of its own (it runs to the view's instant).
    expect(a.path.at(-1)).toMatchObject({ kind: 'specialProcedure', holder: 'expertReview', to: null, calendarDays: 6.1, workingDays: 4 });
    expect(a.holders.map((h) => [h.kind, h.holder, h.calendarDays, h.workingDays])).toEqual([
      ['department', 'EEB', 6, 4],
      ['provider', 'P_GREEN_ENV', 35, 24],
      ['applicant', null, 2, 2],
      ['specialProcedure', 'expertReview', 6.1, 4],
    ]);
  });

  it("keeps a replaced provider's time as that provider's, with the days past its committed date", () => {
    const run = start(MONDAY, { applicationId: 'app-attribution-2', materials: without('M_SOIL_WATER_PLAN') });
    // P_HENGYUAN_WATER: 20 calendar days from 2 Mar → committed date 22 Mar.
    run.perform('chooseProvider', { actor: applicant, serviceType: 'SOIL_WATER_PLAN', selection: { method: 'direct', provider: 'P_HENGYUAN_WATER' } });
    for (const code of ['LY01', 'LY04', 'LY06', 'LY07']) run.approve(code, '2026-03-03T10:00:00+08:00');
    run.approve('LY02', '2026-03-05T10:00:00+08:00');
    run.approve('LY05', '2026-03-06T10:00:00+08:00');
    run.perform('replaceProvider', { actor: applicant, serviceType: 'SOIL_WATER_PLAN', selection: { method: 'direct', provider: 'P_HUAZHONG_ENV' }, reason: '原中介机构逾期未交付' }, '2026-03-26T10:00:00+08:00');
    run.perform('deliver', { actor: provider('P_HUAZHONG_ENV'), serviceType: 'SOIL_WATER_PLAN', note: '水土保持方案' }, '2026-04-10T10:00:00+08:00');
    run.perform('reviewDeliverable', { actor: officer('WRB'), serviceType: 'SOIL_WATER_PLAN', decision: 'accept', note: '' }, '2026-04-10T15:00:00+08:00');
    run.approve('LY08', '2026-04-14T10:00:00+08:00');
    const a = run.view().attribution;
    // 2 Mar 09:00 → 14 Apr 10:00 = 43 d 1 h; working days 18 + 10 + 0 + 2 = 30.
    expect(a.elapsed).toEqual({ calendarDays: 43, workingDays: 30 });
    expect(a.path.map((p) => [p.kind, p.holder, p.reason, p.contractId, p.calendarDays, p.workingDays, p.overLimitWorkingDays])).toEqual([
      // 2 Mar 09:00 → 26 Mar 10:00: 24 d 1 h; 3–6, 9–13, 16–20, 23–26 Mar = 18; after 22 Mar: 23–26 = 4 over.
      ['provider', 'P_HENGYUAN_WATER', 'contract', 'SOIL_WATER_PLAN', 24, 18, 4],
      // 26 Mar 10:00 → 10 Apr 10:00: 15 d; 27, 30, 31 Mar, 1, 2, 3, 7, 8, 9, 10 Apr = 10; due 15 Apr: none over.
      ['provider', 'P_HUAZHONG_ENV', 'contract', 'SOIL_WATER_PLAN#2', 15, 10, 0],
      // 10 Apr 10:00 → 15:00, WRB's review: 0.21 d; no new working day.
      ['department', 'WRB', 'review', 'SOIL_WATER_PLAN#2', 0.2, 0, 0],
      // 10 Apr 15:00 → 14 Apr 10:00, LY08's clock: 3 d 19 h = 3.79 → 3.8 (the one tenth left over); 13, 14 Apr = 2.
      ['department', 'WRB', 'clock', null, 3.8, 2, 0],
    ]);
    // 23 Mar 00:00 → 26 Mar 10:00 = 3.4 calendar days past the committed date.
    expect(a.holders.find((h) => h.holder === 'P_HENGYUAN_WATER')).toMatchObject({ calendarDays: 24, workingDays: 18, overLimitWorkingDays: 4, overLimitCalendarDays: 3.4 });
  });

  it('settles the path when the application ends, through all four stages, adding up to the elapsed time', () => {
    const run = finishEiaScript(eiaScript());
    for (let day = 19; day < 31 && !run.ended; day++) {
      run.passUntil(`2026-05-${day}T10:00:00+08:00`);
      run.approveRunning();
    }
    expect(run.outcome?.status).toBe('completed');
    const a = run.view().attribution;
    expect(a.settled).toBe(true);
    expect(a.path[0]!.from).toBe('2026-03-02T09:00:00.000+08:00');
    expect(a.path.at(-1)!.to).toBe(run.view().outcome!.at);
    for (let i = 1; i < a.path.length; i++) expect(a.path[i]!.from).toBe(a.path[i - 1]!.to);
    expect(tenths(a.holders.map((h) => h.calendarDays))).toBe(Math.round(a.elapsed.calendarDays * 10));
    expect(a.holders.reduce((n, h) => n + h.workingDays!, 0)).toBe(a.elapsed.workingDays);
    // After S1 the later stages' departments each held the path on the day their milestone decided it.
    expect(new Set(a.path.filter((p) => p.kind === 'department').map((p) => p.stage))).toEqual(new Set(['S1', 'S2', 'S3', 'S4']));
  });

  it('charges the applicant for materials missing at intake and for the 容缺 item a result waits for, and ends a rejected application on its rejection', () => {
    const run = start(MONDAY, { applicationId: 'app-attribution-4', materials: without('M_LAND_REPORT', 'M_FUNDS_PROOF') });
    run.perform('issueMissingNotice', { actor: officer('DRC'), stage: 'S1', note: '请补交土地报告' }, '2026-03-03T10:00:00+08:00');
    for (const code of ['LY01', 'LY06', 'LY07', 'LY08']) run.approve(code);
    run.perform('supplyMaterials', { actor: applicant, items: ['M_LAND_REPORT'] }, '2026-03-06T15:00:00+08:00');
    run.approve('LY04', '2026-03-12T10:00:00+08:00');
    // LY02 starts on LY04's result; its 容缺 item M_FUNDS_PROOF is due 26 Mar (10 working days), so the approval on 20 Mar waits for it.
    run.approve('LY02', '2026-03-20T10:00:00+08:00');
    expect(run.matter('LY02').resultIssuedAt).toBeNull();
    run.perform('supplyMaterials', { actor: applicant, items: ['M_FUNDS_PROOF'] }, '2026-03-24T11:00:00+08:00');
    run.perform('reject', { actor: officer('NRP'), matter: 'LY05', reason: '用地不符合国土空间规划' }, '2026-03-27T10:00:00+08:00');
    expect(run.outcome?.status).toBe('rejected');
    const a = run.view().attribution;
    // 2 Mar 09:00 → 27 Mar 10:00: 25 d 1 h; working days 3–6, 9–13, 16–20, 23–27 Mar = 19.
    expect(a).toMatchObject({ settled: true, elapsed: { calendarDays: 25, workingDays: 19 } });
    expect(a.path.map((p) => [p.from.slice(0, 16), p.kind, p.holder, p.reason, p.matter, p.calendarDays, p.workingDays])).toEqual([
      // LY04's materials missing from receipt to the supply, notice or not: 4 d 6 h = 4.25 → 4.2; 3–6 Mar = 4.
      ['2026-03-02T09:00', 'applicant', null, 'missingMaterials', 'LY04', 4.2, 4],
      // LY04's clock: 5 d 19 h = 5.79 → 5.8 (a tenth of the remainder); 9–12 Mar = 4.
      ['2026-03-06T15:00', 'department', 'NRP', 'clock', 'LY04', 5.8, 4],
      // LY02 started on LY04's result, the last of its prerequisites: 8 d; 13, 16–20 Mar = 6.
      ['2026-03-12T10:00', 'department', 'DRC', 'clock', 'LY02', 8, 6],
      // Approved, its result waiting for M_FUNDS_PROOF: 4 d 1 h = 4.04 → 4.0; 23, 24 Mar = 2.
      ['2026-03-20T10:00', 'applicant', null, 'deferredItems', 'LY02', 4, 2],
      // LY05 from LY02's result to its rejection: 2 d 23 h = 2.96 → 3.0 (the other tenth); 25–27 Mar = 3.
      ['2026-03-24T11:00', 'department', 'NRP', 'clock', 'LY05', 3, 3],
    ]);
    // Exact tenths 42.5, 57.92, 80, 40.42, 29.58 floor to 248 of 250: .92 and .58 take one each.
    expect(a.holders.map((h) => [h.kind, h.holder, h.calendarDays, h.workingDays])).toEqual([
      ['department', 'NRP', 8.8, 7],
      ['department', 'DRC', 8, 6],
      ['applicant', null, 8.2, 6],
    ]);
    expect(a.matters.map((m) => [m.department, m.matter, m.calendarDays, m.workingDays])).toEqual([
      ['NRP', 'LY04', 5.8, 4],
      ['DRC', 'LY02', 8, 6],
      ['NRP', 'LY05', 3, 3],
    ]);
  });

  it("charges a joint matter's rectification (整改) to the applicant and its sessions' time to the lead department", () => {
    // SOCIAL_REFORM with everything before S4 decided at once on Wednesday 29 Apr: JG07 (HUD, with NRP, MET, CAD) is accepted then.
    const run = start('2026-04-29T09:00:00+08:00', { processCode: 'SOCIAL_REFORM', applicationId: 'app-attribution-5' });
    for (let round = 0; round < 50 && run.view().currentStage !== 'S4'; round++) {
      for (const m of run.matters().filter((x) => x.status === 'inProgress')) {
        for (const p of m.joint?.participants.filter((x) => x.waiting) ?? []) run.perform('giveOpinion', { actor: officer(p.department), matter: m.code, opinion: 'pass', items: [], note: '' });
        run.approve(m.code);
      }
    }
    const opinion = (department: string, kind: 'pass' | 'fail', items: string[] = []) => ({ actor: officer(department), matter: 'JG07', opinion: kind, items, note: '' });
    run.perform('giveOpinion', opinion('NRP', 'pass'), '2026-05-08T10:00:00+08:00');
    run.perform('giveOpinion', opinion('MET', 'pass'));
    run.perform('giveOpinion', opinion('CAD', 'fail', ['人防门安装不合格']));
    run.perform('submitRectification', { actor: applicant, matter: 'JG07', note: '人防门已更换' }, '2026-05-12T10:00:00+08:00');
    run.perform('giveOpinion', opinion('CAD', 'pass'), '2026-05-13T10:00:00+08:00');
    run.approve('JG07', '2026-05-14T10:00:00+08:00');
    run.approve('JG06', '2026-05-15T10:00:00+08:00');
    expect(run.outcome?.status).toBe('completed');
    const a = run.view().attribution;
    // 29 Apr 09:00 → 15 May 10:00: 16 d 1 h; working days 30 Apr, 6–9 (9 May made up), 11–15 May = 10.
    expect(a.elapsed).toEqual({ calendarDays: 16, workingDays: 10 });
    expect(a.path.map((p) => [p.kind, p.holder, p.reason, p.matter, p.calendarDays, p.workingDays])).toEqual([
      // JG07 from acceptance to the rectification list: 9 d 1 h; 30 Apr, 6, 7, 8 May = 4 (劳动节 1–5 May).
      ['department', 'HUD', 'clock', 'JG07', 9, 4],
      // The rectification 8 → 12 May 10:00: 4 d; 9 (make-up), 11, 12 May = 3.
      ['applicant', null, 'rectification', 'JG07', 4, 3],
      // The re-inspection and the decision: 2 d; 13, 14 May.
      ['department', 'HUD', 'clock', 'JG07', 2, 2],
      // JG06 waited for JG07's result: 1 d; 15 May.
      ['department', 'HUD', 'clock', 'JG06', 1, 1],
    ]);
    expect(a.holders.map((h) => [h.kind, h.holder, h.calendarDays, h.workingDays])).toEqual([
      ['department', 'HUD', 12, 7],
      ['applicant', null, 4, 3],
    ]);
  });

  it('ends a withdrawn application where it stood: the applicant owes materials at intake', () => {
    const run = start(MONDAY, { applicationId: 'app-attribution-3', materials: without('M_LAND_REPORT') });
    run.perform('withdraw', { actor: applicant, reason: '企业调整投资计划' }, '2026-03-09T09:00:00+08:00');
    const a = run.view('2026-03-20T09:00:00+08:00').attribution;
    // 2 Mar 09:00 → 9 Mar 09:00 = 7 d; working days 3–6, 9 Mar = 5; the view asked later stays at the end.
    expect(a).toMatchObject({ settled: true, elapsed: { calendarDays: 7, workingDays: 5 } });
    expect(a.holders).toEqual([{ kind: 'applicant', holder: null, name: '浏阳市教育投资有限公司', calendarDays: 7, workingDays: 5, overLimitWorkingDays: 0, overLimitCalendarDays: 0 }]);
  });
});
