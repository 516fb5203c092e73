import { describe, expect, it } from 'vitest';
import { applicant, officer, start, without } from './driver';

const MONDAY = '2026-03-02T09:00:00+08:00';

describe('one-window intake (一口受理), the one-time notice (一次性告知), deemed acceptance and 容缺 items', () => {
  it('accepts complete matters unconditionally and lists everything missing in the receipt, with the notice due 5 working days after receipt', () => {
    const run = start(MONDAY, { materials: without('M_LAND_REPORT', 'M_SITE_MAP', 'M_FUNDS_PROOF') });
    expect(run.events('received').find((e) => e.stage === 'S1')!.data).toMatchObject({
      noticeDueOn: '2026-03-09',
      missing: [
        { matter: 'LY04', material: 'M_SITE_MAP', name: '项目用地红线图' },
        { matter: 'LY04', material: 'M_LAND_REPORT', name: '建设项目用地预审申请报告' },
        { matter: 'LY05', material: 'M_SITE_MAP', name: '项目用地红线图' },
      ],
    });
    expect(run.matter('LY04')).toMatchObject({ status: 'intake', acceptedAt: null, dueOn: null, missing: [{ material: 'M_SITE_MAP' }, { material: 'M_LAND_REPORT' }] });
    expect(run.matter('LY01')).toMatchObject({ status: 'inProgress', acceptance: 'unconditional' });
    expect(run.matter('LY06')).toMatchObject({ status: 'inProgress', acceptance: 'unconditional' });
    expect(run.matter('LY02').status).toBe('waitingPrerequisites'); // its missing item is deferrable
  });

  it('issues one notice listing everything missing, refuses a second, and starts each clock when its last item arrives', () => {
    const run = start(MONDAY, { materials: without('M_LAND_REPORT', 'M_SITE_MAP', 'M_FUNDS_PROOF') });
    const noticed = run.perform('issueMissingNotice', { actor: officer('DRC'), stage: 'S1', note: '请一次性补齐' }, '2026-03-03T10:00:00+08:00');
    expect(noticed.stages[0]!.intake!.notice!.items.map((i) => `${i.matter}/${i.material}`)).toEqual(['LY04/M_SITE_MAP', 'LY04/M_LAND_REPORT', 'LY05/M_SITE_MAP']);
    expect(run.refusal('issueMissingNotice', { actor: officer('DRC'), stage: 'S1', note: '' })).toMatchObject({
      code: 'INVALID_STATE',
      message: expect.stringMatching(/one-time notice \(一次性告知\) for S1 was already issued; no second notice/),
    });

    run.perform('supplyMaterials', { actor: applicant, items: ['M_LAND_REPORT'] }, '2026-03-05T10:00:00+08:00');
    expect(run.matter('LY04')).toMatchObject({ status: 'intake', missing: [{ material: 'M_SITE_MAP' }] });
    run.perform('supplyMaterials', { actor: applicant, items: ['M_SITE_MAP'] }, '2026-03-06T10:00:00+08:00');
    // Accepted on 6 Mar, 10 working days: 9–13, 16–20 Mar.
    expect(run.matter('LY04')).toMatchObject({ status: 'inProgress', acceptance: 'afterNotice', dueOn: '2026-03-20' });
    expect(run.matter('LY05').status).toBe('waitingPrerequisites');
    for (const code of ['LY01', 'LY04', 'LY06']) run.approve(code);
    // The 容缺 item is due 10 working days after 6 Mar, inside LY02's own 20.
    expect(run.matter('LY02')).toMatchObject({ status: 'inProgress', dueOn: '2026-04-03', deferred: [{ material: 'M_FUNDS_PROOF', dueOn: '2026-03-20' }] });
    expect(run.view().accounting.applicant.calendarDays).toBe(3); // from the notice to the last item
  });

  it('counts the matters as accepted from receipt when no notice came within 5 working days (Art. 32), and then refuses a late notice', () => {
    const run = start(MONDAY, { materials: without('M_LAND_REPORT') });
    run.passUntil('2026-03-09T23:59:59+08:00');
    expect(run.matter('LY04').status).toBe('intake');
    run.passUntil('2026-03-10T10:00:00+08:00');
    expect(run.matter('LY04')).toMatchObject({ status: 'inProgress', acceptance: 'deemed', acceptedAt: '2026-03-02T09:00:00.000+08:00', dueOn: '2026-03-16' });
    expect(run.events('intakeDeemedAccepted').map((e) => e.at)).toEqual(['2026-03-10T00:00:00.000+08:00']);
    expect(run.refusal('issueMissingNotice', { actor: officer('DRC'), stage: 'S1', note: '' })).toEqual({
      code: 'INVALID_STATE',
      message: 'the notice period for S1 ended on 2026-03-09; the application counts as accepted from receipt',
    });
  });

  it('lets an officer accept a flagged matter with a reason; the 容缺 item then gets its due date and holds the result until it comes', () => {
    const run = start(MONDAY, { materials: without('M_LAND_REPORT', 'M_FUNDS_PROOF') });
    expect(run.refusal('accept', { actor: officer('NRP'), matter: 'LY04', reason: ' ' }).code).toBe('INVALID_INPUT');
    expect(run.perform('accept', { actor: officer('NRP'), matter: 'LY04', reason: '窗口已收到纸质用地预审申请报告' })).toMatchObject({ status: 'inProgress', acceptance: 'officer' });
    for (const code of ['LY01', 'LY04', 'LY06']) run.approve(code);
    expect(run.matter('LY02')).toMatchObject({ status: 'inProgress', deferred: [{ material: 'M_FUNDS_PROOF', dueOn: '2026-03-16', suppliedAt: null }] });
    run.approve('LY02');
    expect(run.matter('LY02')).toMatchObject({ status: 'approved', resultIssuedAt: null });
    expect(run.matter('LY05').status).toBe('waitingPrerequisites'); // no result yet, so no input for LY05
    run.perform('supplyMaterials', { actor: applicant, items: ['M_FUNDS_PROOF'] });
    expect(run.matter('LY02').resultIssuedAt).not.toBeNull();
    expect(run.events('resultIssued').map((e) => e.matter)).toContain('LY02');
    expect(run.matter('LY05').status).toBe('inProgress');
  });

  it('terminates a matter whose 容缺 item never comes, at the end of its due date, and with it the application', () => {
    const run = start(MONDAY, { materials: without('M_FUNDS_PROOF') });
    for (const code of ['LY01', 'LY04', 'LY06']) run.approve(code);
    expect(run.matter('LY02').deferred).toMatchObject([{ material: 'M_FUNDS_PROOF', dueOn: '2026-03-16' }]);
    run.approve('LY02');
    expect(run.matter('LY02')).toMatchObject({ status: 'approved', resultIssuedAt: null });
    run.passUntil('2026-03-16T23:59:00+08:00');
    expect(run.ended).toBe(false);
    run.passUntil('2026-03-17T00:01:00+08:00');
    expect(run.outcome).toMatchObject({ status: 'rejected', matter: 'LY02', reason: '容缺 item M_FUNDS_PROOF (资金来源证明) was not supplied by 2026-03-16' });
    expect(run.matter('LY02').status).toBe('terminated');
    expect(run.events('terminated').map((e) => e.at)).toEqual(['2026-03-17T00:00:00.000+08:00']);
  });

  it('ends the applicant’s part of intake when the materials are complete, not when a prerequisite finally lets the clock start', () => {
    const run = start(MONDAY, { materials: without('M_LAND_CONTRACT') });
    run.perform('issueMissingNotice', { actor: officer('DRC'), stage: 'S1', note: '' }, '2026-03-02T10:00:00+08:00');
    run.perform('supplyMaterials', { actor: applicant, items: ['M_LAND_CONTRACT'] }, '2026-03-03T10:00:00+08:00');
    // LY05 now waits for LY02 (not yet started): that wait is government time, not the applicant's.
    expect(run.matter('LY05').status).toBe('waitingPrerequisites');
    expect(run.view('2026-03-27T10:00:00+08:00').accounting.applicant.calendarDays).toBe(1);
  });

  it('refuses intake actions that do not fit: wrong window, nothing missing, unknown materials, someone else’s application', () => {
    const run = start(MONDAY);
    expect(run.refusal('issueMissingNotice', { actor: officer('DRC'), stage: 'S1', note: '' })).toMatchObject({ code: 'INVALID_STATE', message: 'nothing is missing for S1' });
    expect(run.refusal('issueMissingNotice', { actor: officer('HUD'), stage: 'S1', note: '' })).toMatchObject({
      code: 'WRONG_DEPARTMENT',
      message: expect.stringMatching(/the intake window of S1 belongs to department DRC/),
    });
    expect(run.refusal('issueMissingNotice', { actor: officer('DRC'), stage: 'S3', note: '' }).code).toBe('UNKNOWN_STAGE');
    expect(run.refusal('supplyMaterials', { actor: applicant, items: ['M_NOPE'] })).toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/materials M_NOPE are on no matter of process GOV_INVESTMENT/),
    });
    expect(run.refusal('supplyMaterials', { actor: { id: 'ent-002', role: 'applicant' }, items: ['M_PROPOSAL'] })).toMatchObject({
      code: 'NOT_PERMITTED',
      message: expect.stringMatching(/only the application's applicant or its agent may supply materials/),
    });
  });
});
