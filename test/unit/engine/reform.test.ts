import { describe, expect, it } from 'vitest';
import { CURRENT_RULES } from '../../../domain/application/core';
import type { Actor } from '../../../domain/types';
import { applicant, catalogue, officer, start, type Run } from './driver';

// The reform instruments of issue 12 (patch 'reform-instruments'): approval on commitment, joint
// matters, work assigned to officers, and the catalogue's remedies. Every date is counted by hand
// on the 2026 calendar: 清明 4–6 Apr, 劳动节 1–5 May with the make-up Saturday 9 May.

const head = (department: string): Actor => ({ id: `head-${department.toLowerCase()}`, role: 'officer', department, head: true });
const colleague = (department: string): Actor => officer(department, `officer-${department.toLowerCase()}-2`);
const older = { ...CURRENT_RULES, reformInstruments: false };
const at = (date: string, time = '00:00:00') => `${date}T${time}.000+08:00`;
const energyCommitment = catalogue.matters.find((m) => m.code === 'LY06')!.commitment!.text;


/** Events of some kinds on one matter, as [instant, kind, data]. */
function trail(run: Run, matter: string, ...kinds: string[]) {
  return run.events(...kinds).filter((e) => e.matter === matter).map((e) => [e.at, e.kind, e.data ?? null]);
}

describe('告知承诺制: approval on the applicant’s commitment (government investment from Monday 2 March 2026)', () => {
  const committed = () => start('2026-03-02T09:00:00+08:00', { commitments: [{ matter: 'LY06', statement: '本单位承诺项目能效达到先进值 —— 浏阳市教育投资有限公司' }] });

  it('records an eligible matter’s commitment verbatim at start, ignores an ineligible one, and gives the committed matter one working day', () => {
    const run = start('2026-03-02T09:00:00+08:00', {
      commitments: [
        { matter: 'LY06', statement: '本单位承诺项目能效达到先进值' },
        { matter: 'LY01', statement: '本单位承诺' },
      ],
    });
    expect(run.matter('LY06')).toMatchObject({
      status: 'inProgress',
      timeLimitDays: 1,
      dueOn: '2026-03-03',
      commitmentPolicy: { text: energyCommitment, verificationDays: 30 },
      commitment: { conditions: energyCommitment, statement: '本单位承诺项目能效达到先进值', by: 'applicant ent-001', at: at('2026-03-02', '09:00:00') },
    });
    // LY01 allows no commitment: recorded nowhere, its 7 working days stand (3–6, 9–11 Mar).
    expect(run.matter('LY01')).toMatchObject({ commitmentPolicy: null, commitment: null, timeLimitDays: 7, dueOn: '2026-03-11' });
    expect(run.events('commitmentMade')).toEqual([
      expect.objectContaining({ matter: 'LY06', reason: '本单位承诺项目能效达到先进值', data: { conditions: energyCommitment, by: 'applicant ent-001' } }),
    ]);
    // Without the commitment LY06 has its 10 working days: 3–6, 9–13, 16 Mar.
    expect(start('2026-03-02T09:00:00+08:00').matter('LY06')).toMatchObject({ timeLimitDays: 10, dueOn: '2026-03-16', commitment: null });
  });

  it('commits before acceptance only, on a matter that allows it, as the applicant; a later stage’s matter then gets one working day when it starts', () => {
    const run = start('2026-03-02T09:00:00+08:00');
    const commit = (actor: Actor, matter: string, statement = '本单位承诺') => ({ actor, matter, statement });
    expect(run.refusal('commit', commit(applicant, 'LY01')).code).toBe('COMMITMENT_NOT_ALLOWED');
    expect(run.refusal('commit', commit(applicant, 'LY08'))).toMatchObject({ code: 'INVALID_STATE', message: expect.stringMatching(/before acceptance/) });
    expect(run.refusal('commit', commit(officer('MET'), 'GC03')).code).toBe('NOT_PERMITTED');
    expect(run.refusal('commit', commit(applicant, 'GC03', '  ')).code).toBe('INVALID_INPUT');
    expect(run.perform('commit', commit({ id: 'agent-01', role: 'agent', onBehalfOf: 'ent-001' }, 'GC03', '本单位承诺防雷设计符合GB 50057'))).toMatchObject({
      status: 'pending',
      commitment: { statement: '本单位承诺防雷设计符合GB 50057', by: 'agent agent-01 for applicant ent-001' },
    });
    expect(run.refusal('commit', commit(applicant, 'GC03')).message).toMatch(/already committed/);

    run.approveThrough('S2');
    const acceptedOn = run.matter('GC03').acceptedAt!.slice(0, 10);
    expect(acceptedOn).toBe('2026-03-02');
    expect(run.matter('GC03')).toMatchObject({ status: 'inProgress', timeLimitDays: 1, dueOn: '2026-03-03' });
  });

  it('starts a 30-working-day verification when the result issues (due 15 April, after 清明) and warns, turns overdue and climbs the ladder at each rule’s instant', () => {
    const run = committed();
    run.approve('LY06', '2026-03-03T10:00:00+08:00');
    // 4–6, 9–13, 16–20, 23–27, 30–31 Mar (20), 1–3 Apr (23), 7–10 Apr (27), 13–15 Apr (30).
    expect(run.events('verificationStarted')).toEqual([expect.objectContaining({ matter: 'LY06', at: at('2026-03-03', '10:00:00'), data: { workingDays: 30, dueOn: '2026-04-15' } })]);
    expect(run.matter('LY06').verification).toMatchObject({ startedAt: at('2026-03-03', '10:00:00'), dueOn: '2026-04-15', level: 'normal', outcome: null });
    // Asked at a later instant (the status query, the read model) before the engine wakes: the rule instants all the same.
    expect(run.matter('LY06', '2026-04-17T10:00:00+08:00').verification).toMatchObject({ level: 'departmentHead', overdueSince: at('2026-04-16') });

    run.passUntil('2026-04-24T10:00:00+08:00');
    // Warned from the 28th working day (13 Apr, 2 left); overdue when 15 Apr ends; then 1, 3 and 5 working days after it.
    expect(trail(run, 'LY06', 'verificationLevelChanged')).toEqual([
      [at('2026-04-13'), 'verificationLevelChanged', { from: 'normal', to: 'warning' }],
      [at('2026-04-16'), 'verificationLevelChanged', { from: 'warning', to: 'overdue' }],
      [at('2026-04-17'), 'verificationLevelChanged', { from: 'overdue', to: 'departmentHead' }],
      [at('2026-04-21'), 'verificationLevelChanged', { from: 'departmentHead', to: 'supervisionOffice' }],
      [at('2026-04-23'), 'verificationLevelChanged', { from: 'supervisionOffice', to: 'leadership' }],
    ]);
    expect(run.matter('LY06').verification).toMatchObject({ level: 'leadership', overdueSince: at('2026-04-16') });

    run.perform('verifyCommitment', { actor: officer('DRC'), matter: 'LY06', outcome: 'confirmed', reason: '现场核查能效指标属实' });
    expect(run.events('commitmentConfirmed')).toEqual([expect.objectContaining({ matter: 'LY06', actor: 'officer officer-drc (DRC)', data: { onTime: false } })]);
    expect(run.matter('LY06')).toMatchObject({ status: 'approved', revoked: null, verification: { level: 'leadership', outcome: { kind: 'confirmed', reason: '现场核查能效指标属实' } } });
    run.passUntil('2026-06-01T10:00:00+08:00');
    expect(trail(run, 'LY06', 'verificationLevelChanged')).toHaveLength(5);
  });

  it('confirms a commitment on time before its warning', () => {
    const run = committed();
    run.approve('LY06', '2026-03-03T10:00:00+08:00');
    run.perform('verifyCommitment', { actor: officer('DRC'), matter: 'LY06', outcome: 'confirmed', reason: '核查属实' }, '2026-04-10T15:00:00+08:00');
    expect(run.events('commitmentConfirmed')[0]!.data).toEqual({ onTime: true });
    expect(run.refusal('verifyCommitment', { actor: officer('DRC'), matter: 'LY06', outcome: 'false', reason: '改判' }).message).toMatch(/already found confirmed/);
  });

  it('a commitment found false weeks later revokes the result, holds the dependent under way (suspend), flags the one waiting, records a credit entry; the department lifts the hold and the clock goes on where it stopped', () => {
    const run = committed();
    run.approve('LY06', '2026-03-03T10:00:00+08:00');
    run.approve('LY01');
    run.approve('LY04');
    // LY02 (20 working days) starts with its last prerequisite: 4 Mar … 31 Mar.
    expect(run.matter('LY02')).toMatchObject({ status: 'inProgress', acceptedAt: at('2026-03-03', '10:00:00'), dueOn: '2026-03-31' });
    expect(run.matter('LY05').status).toBe('waitingPrerequisites');

    expect(run.refusal('verifyCommitment', { actor: officer('WRB'), matter: 'LY06', outcome: 'false', reason: 'x' }, '2026-03-25T10:00:00+08:00').code).toBe('WRONG_DEPARTMENT');
    expect(run.refusal('verifyCommitment', { actor: officer('DRC'), matter: 'LY01', outcome: 'false', reason: 'x' }).message).toMatch(/no commitment under verification/);
    const revoked = run.perform('verifyCommitment', { actor: officer('DRC'), matter: 'LY06', outcome: 'false', reason: '现场核查：实际能效低于承诺值' });
    const when = at('2026-03-25', '10:00:00');
    expect(revoked).toMatchObject({
      status: 'approved',
      revoked: { at: when, by: 'officer officer-drc (DRC)', reason: '现场核查：实际能效低于承诺值' },
      verification: { level: 'normal', outcome: { kind: 'false', at: when } },
    });
    expect(run.events().filter((e) => e.at === when).map((e) => [e.kind, e.matter])).toEqual([
      ['commitmentFalse', 'LY06'],
      ['resultRevoked', 'LY06'],
      ['clockStopped', 'LY02'],
      ['dependentHeld', 'LY02'],
      ['dependentFlagged', 'LY05'],
      ['creditRecorded', 'LY06'],
    ]);
    expect(run.events('creditRecorded')[0]!.data).toEqual({ applicant: 'ent-001', applicantName: '浏阳市教育投资有限公司', kind: 'falseCommitment' });
    // 4–6, 9–13, 16–20, 23–25 Mar used: 16 of 20.
    expect(run.matter('LY02')).toMatchObject({ status: 'suspended', clockRunning: false, workingDaysUsed: 16, flags: [] });
    expect(run.matter('LY02').stops.at(-1)).toMatchObject({ kind: 'hold', source: 'LY06', from: when, to: null });
    expect(run.matter('LY05')).toMatchObject({ status: 'waitingPrerequisites', flags: [{ at: when, source: 'LY06' }] });
    expect(run.matter('GC01').flags).toEqual([]);

    run.passUntil('2026-03-30T10:00:00+08:00');
    expect(run.matter('LY02')).toMatchObject({ status: 'suspended', workingDaysUsed: 16 });
    expect(run.refusal('liftHold', { actor: officer('NRP'), matter: 'LY05', reason: '核查' }).message).toMatch(/not held/);
    expect(run.refusal('liftHold', { actor: officer('NRP'), matter: 'LY02', reason: '核查' }).code).toBe('WRONG_DEPARTMENT');
    expect(run.refusal('liftHold', { actor: officer('DRC'), matter: 'LY02', reason: ' ' }).code).toBe('INVALID_INPUT');
    run.perform('liftHold', { actor: officer('DRC'), matter: 'LY02', reason: '已重新审查节能措施，可继续办理' });
    // Restarted Monday 30 Mar with 4 days left: 31 Mar, 1–3 Apr.
    expect(run.matter('LY02')).toMatchObject({ status: 'inProgress', dueOn: '2026-04-03', workingDaysUsed: 16, workingDaysLeft: 4 });
    expect(trail(run, 'LY02', 'holdLifted', 'clockRestarted')).toEqual([
      [at('2026-03-30', '10:00:00'), 'holdLifted', { source: 'LY06' }],
      [at('2026-03-30', '10:00:00'), 'clockRestarted', { kind: 'hold', dueOn: '2026-04-03' }],
    ]);
    expect(run.refusal('verifyCommitment', { actor: officer('DRC'), matter: 'LY06', outcome: 'confirmed', reason: '复核' }).message).toMatch(/already found false/);
  });

  it('holds a dependent not yet running (suspend) the moment its clock starts, never leaving it waiting for an output that will not come', () => {
    const run = committed();
    run.approve('LY06', '2026-03-03T10:00:00+08:00');
    run.approve('LY04');
    // LY02 still waits for LY01 when the commitment is found false.
    expect(run.matter('LY02').status).toBe('waitingPrerequisites');
    const when = at('2026-03-05', '10:00:00');
    run.perform('verifyCommitment', { actor: officer('DRC'), matter: 'LY06', outcome: 'false', reason: '现场核查：实际能效低于承诺值' }, '2026-03-05T10:00:00+08:00');
    expect(trail(run, 'LY02', 'dependentFlagged')).toEqual([[when, 'dependentFlagged', { source: 'LY06', heldWhenRunning: true }]]);
    // LY01 approved on Monday 9 Mar: LY02 is accepted and held at once, its 20 days untouched.
    run.approve('LY01', '2026-03-09T11:00:00+08:00');
    expect(run.matter('LY02')).toMatchObject({ status: 'suspended', acceptedAt: at('2026-03-09', '11:00:00'), workingDaysUsed: 0 });
    expect(run.matter('LY02').stops).toEqual([expect.objectContaining({ kind: 'hold', source: 'LY06', from: at('2026-03-09', '11:00:00'), to: null })]);
    expect(trail(run, 'LY02', 'accepted', 'clockStopped', 'dependentHeld').map(([, kind]) => kind)).toEqual(['accepted', 'clockStopped', 'dependentHeld']);
    run.perform('liftHold', { actor: officer('DRC'), matter: 'LY02', reason: '节能措施已整改到位' }, '2026-03-10T09:00:00+08:00');
    // Held on its acceptance day, so nothing used; restarted Tuesday 10 Mar: 20 days from 11 Mar end on 8 Apr (清明 4–6 Apr).
    expect(run.matter('LY02')).toMatchObject({ status: 'inProgress', workingDaysLeft: 20, dueOn: '2026-04-08' });
  });

  it('lets a dependent not yet started carry on with its flag where the catalogue says flag (GC03 found false before the completion stage)', () => {
    const run = start('2026-03-02T09:00:00+08:00', { commitments: [{ matter: 'GC03', statement: '本单位承诺防雷设计符合GB 50057' }] });
    run.approveThrough('S3');
    expect(run.matter('JG03').status).toBe('pending');
    run.perform('verifyCommitment', { actor: officer('MET'), matter: 'GC03', outcome: 'false', reason: '防雷装置未按图施工' }, '2026-03-04T10:00:00+08:00');
    expect(run.matter('JG03').flags).toEqual([expect.objectContaining({ source: 'GC03' })]);
    run.approveThrough('S4');
    expect(run.matter('JG03')).toMatchObject({ status: 'inProgress', clockRunning: true, flags: [expect.objectContaining({ source: 'GC03' })] });
    for (let i = 0; i < 5 && run.view().status === 'running'; i++) run.approveRunning();
    expect(run.view().status).toBe('completed');
  });

  it('flags the dependents of a matter whose catalogue says flag (GC03 → JG03): they go on with their clocks running', () => {
    const run = start('2026-03-02T09:00:00+08:00', { commitments: [{ matter: 'GC03', statement: '本单位承诺防雷设计符合GB 50057' }] });
    run.approveThrough('S4');
    expect(run.matter('GC03').verification).toMatchObject({ startedAt: at('2026-03-02', '09:00:00'), dueOn: '2026-03-30' });
    expect(run.matter('JG03')).toMatchObject({ status: 'inProgress', dueOn: '2026-03-09' });
    run.perform('verifyCommitment', { actor: officer('MET'), matter: 'GC03', outcome: 'false', reason: '防雷装置未按图施工' }, '2026-03-05T10:00:00+08:00');
    expect(run.events('dependentHeld')).toEqual([]);
    expect(run.events('dependentFlagged').map((e) => e.matter)).toEqual(['JG03', 'JG05', 'JG06']);
    expect(run.matter('JG03')).toMatchObject({ status: 'inProgress', clockRunning: true, dueOn: '2026-03-09', flags: [{ source: 'GC03' }] });
    run.approve('JG03');
    expect(run.matter('JG03').status).toBe('approved');
  });

  it('keeps the workflow alive after the application completes while a verification is open: it levels, is verified (false), flags the decided dependents, and then the workflow may end', () => {
    const run = committed();
    let day = Date.parse('2026-03-03T10:00:00+08:00');
    for (let i = 0; i < 30 && !run.ended; i++, day += 86_400_000) {
      run.passUntil(day);
      run.approveRunning();
      run.approveRunning();
    }
    expect(run.view().status).toBe('completed');
    const completedAt = run.outcome!.at;
    expect(run.matter('LY06').verification).toMatchObject({ dueOn: '2026-04-15', outcome: null });
    // Time still wakes the application for the verification's levels.
    expect(run.nextWake()).toBe(at('2026-04-13'));
    run.passUntil('2026-04-14T10:00:00+08:00');
    expect(trail(run, 'LY06', 'verificationLevelChanged')).toEqual([[at('2026-04-13'), 'verificationLevelChanged', { from: 'normal', to: 'warning' }]]);
    expect(run.refusal('approve', { actor: officer('DRC'), matter: 'LY02', result: { number: 'x' }, reason: '' }).code).toBe('APPLICATION_CLOSED');

    run.perform('verifyCommitment', { actor: officer('DRC'), matter: 'LY06', outcome: 'false', reason: '能效指标弄虚作假' });
    expect(run.view().status).toBe('completed');
    expect(run.outcome!.at).toBe(completedAt);
    // Under 'suspend' a result already issued cannot be held: every decided dependent is flagged.
    expect(run.events('dependentHeld')).toEqual([]);
    expect(run.events('dependentFlagged').map((e) => e.matter)).toEqual(expect.arrayContaining(['LY02', 'LY05', 'GC01', 'JG06', 'UT01']));
    expect(run.matter('LY02')).toMatchObject({ status: 'approved', flags: [{ source: 'LY06' }] });
    expect(run.events('creditRecorded')).toHaveLength(1);
    expect(run.refusal('liftHold', { actor: officer('DRC'), matter: 'LY02', reason: 'x' }).code).toBe('APPLICATION_CLOSED');
    expect(run.nextWake()).toBeNull();
  });

  it('refuses every reform action on an application started before the patch, and ignores its start commitments', () => {
    const run = start('2026-03-02T09:00:00+08:00', { rules: older, commitments: [{ matter: 'LY06', statement: '承诺' }] });
    expect(run.matter('LY06')).toMatchObject({ commitment: null, timeLimitDays: 10 });
    expect(run.refusal('commit', { actor: applicant, matter: 'GC03', statement: '承诺' }).code).toBe('NOT_AVAILABLE');
    expect(run.refusal('claimMatter', { actor: officer('DRC'), matter: 'LY01' }).code).toBe('NOT_AVAILABLE');
    expect(run.refusal('verifyCommitment', { actor: officer('DRC'), matter: 'LY06', outcome: 'confirmed', reason: 'x' }).code).toBe('NOT_AVAILABLE');
  });
});

describe('joint acceptance JG07 (social investment reform; S4 from Wednesday 29 April 2026, across 劳动节)', () => {
  /** Everything before S4 approved on 29 Apr: JG07 is accepted then. */
  function inS4(): Run {
    const run = start('2026-04-29T09:00:00+08:00', { processCode: 'SOCIAL_REFORM' });
    run.approveThrough('S4');
    return run;
  }
  const hud = officer('HUD');
  const session = (on: string) => ({ actor: hud, matter: 'JG07', on, time: '09:30', place: '项目现场东门' });
  const opinion = (department: string, kind: 'pass' | 'conditions' | 'fail', items: string[] = [], note = '') => ({ actor: officer(department), matter: 'JG07', opinion: kind, items, note });

  it('starts each participant’s opinion clock from acceptance: MET’s 4 working days end Friday 8 May, NRP’s and CAD’s 5 on the make-up Saturday 9 May; the matter’s 10 on 15 May', () => {
    const run = inS4();
    const jg07 = run.matter('JG07');
    expect(jg07).toMatchObject({ status: 'inProgress', acceptedAt: at('2026-04-29', '09:00:00'), dueOn: '2026-05-15' });
    expect(jg07.joint!.participants.map((p) => [p.department, p.opinionDays, p.waiting, p.due!.dueOn])).toEqual([
      ['NRP', 5, true, '2026-05-09'],
      ['MET', 4, true, '2026-05-08'],
      ['CAD', 5, true, '2026-05-09'],
    ]);
    expect(jg07.joint).toMatchObject({ silenceIsConsent: true, round: 1, session: null, rectification: null });
    // SOCIAL_REFORM has no JG01–JG05: joint acceptance replaces them.
    expect(run.matters().filter((m) => m.stage === 'S4').map((m) => m.code)).toEqual(['JG07', 'JG06']);
  });

  it('schedules one session inside the limit by the lead and moves it once with a reason', () => {
    const run = inS4();
    expect(run.refusal('scheduleSession', session('2026-05-18'))).toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/within matter JG07's limit, by 2026-05-15/) });
    expect(run.refusal('scheduleSession', session('2026-04-28')).message).toMatch(/has passed/);
    expect(run.refusal('scheduleSession', { ...session('2026-05-07'), actor: officer('CAD') }).code).toBe('WRONG_DEPARTMENT');
    expect(run.refusal('scheduleSession', { ...session('2026-05-07'), matter: 'JG06' }).code).toBe('NOT_JOINT');
    expect(run.refusal('moveSession', { ...session('2026-05-08'), reason: '改期' }).message).toMatch(/not scheduled yet/);
    expect(run.perform('scheduleSession', session('2026-05-07')).joint!.session).toMatchObject({ on: '2026-05-07', time: '09:30', place: '项目现场东门', moved: null });
    expect(run.refusal('scheduleSession', session('2026-05-08')).message).toMatch(/already scheduled for 2026-05-07; move it instead/);
    expect(run.refusal('moveSession', { ...session('2026-05-08'), reason: ' ' }, '2026-05-06T10:00:00+08:00').code).toBe('INVALID_INPUT');
    const moved = run.perform('moveSession', { ...session('2026-05-08'), time: '14:00', reason: '暴雨预警，现场无法查验' });
    expect(moved.joint!.session).toMatchObject({ on: '2026-05-08', time: '14:00', moved: { on: '2026-05-07', time: '09:30', reason: '暴雨预警，现场无法查验', at: at('2026-05-06', '10:00:00') } });
    expect(run.refusal('moveSession', { ...session('2026-05-11'), reason: '再次改期' }).message).toMatch(/already moved once, on 2026-05-06/);
    expect(run.events('sessionScheduled', 'sessionMoved').map((e) => [e.kind, e.data])).toEqual([
      ['sessionScheduled', { on: '2026-05-07', time: '09:30', place: '项目现场东门', participants: ['NRP', 'MET', 'CAD'] }],
      ['sessionMoved', { from: { on: '2026-05-07', time: '09:30', place: '项目现场东门' }, to: { on: '2026-05-08', time: '14:00', place: '项目现场东门' } }],
    ]);
  });

  it('takes opinions only from participants: not from the lead, the applicant, or a failing one without items', () => {
    const run = inS4();
    expect(run.refusal('giveOpinion', opinion('HUD', 'pass')).code).toBe('WRONG_DEPARTMENT');
    expect(run.refusal('giveOpinion', { ...opinion('NRP', 'pass'), actor: applicant }).code).toBe('NOT_PERMITTED');
    expect(run.refusal('giveOpinion', opinion('CAD', 'fail')).code).toBe('INVALID_INPUT');
    expect(run.refusal('giveOpinion', { ...opinion('NRP', 'pass'), matter: 'JG06' }).code).toBe('NOT_JOINT');
    run.perform('giveOpinion', opinion('NRP', 'conditions', ['竣工后30日内提交规划核实测量成果']));
    expect(run.refusal('giveOpinion', opinion('NRP', 'pass')).message).toMatch(/already gave its opinion \(conditions\)/);
  });

  it('one silent and one failing participant: the silent one is warned, then deemed to consent when its due day ends; the failures become one rectification list on the applicant’s time; only the failing one re-inspects; the lead approves once every opinion is in', () => {
    const run = inS4();
    run.perform('scheduleSession', session('2026-05-07'));
    run.perform('giveOpinion', opinion('NRP', 'pass', [], '规划条件核实通过'), '2026-05-07T11:00:00+08:00');
    run.perform('giveOpinion', opinion('CAD', 'fail', ['人防门安装不合格', '人防通风系统未调试'], '需整改后复验'), '2026-05-07T15:00:00+08:00');
    expect(run.refusal('approve', { actor: hud, matter: 'JG07', result: { number: 'x' }, reason: '' })).toMatchObject({ code: 'OPINIONS_OUTSTANDING', message: expect.stringMatching(/opinions of MET$/) });
    expect(run.events('opinionGiven').filter((e) => e.matter === 'JG07').map((e) => e.data)).toEqual([
      { department: 'NRP', opinion: 'pass', items: [], round: 1, onTime: true },
      { department: 'CAD', opinion: 'fail', items: ['人防门安装不合格', '人防通风系统未调试'], round: 1, onTime: true },
    ]);
    // Nothing else happens on 8 May: the application wakes for MET's warning all the same.
    expect(run.nextWake()).toBe(at('2026-05-08'));
    run.passUntil('2026-05-11T09:00:00+08:00');
    expect(trail(run, 'JG07', 'opinionLevelChanged', 'opinionDeemedConsent', 'rectificationRequested', 'clockStopped')).toEqual([
      [at('2026-05-08'), 'opinionLevelChanged', { department: 'MET', from: 'normal', to: 'warning' }],
      [at('2026-05-09'), 'opinionDeemedConsent', { department: 'MET', round: 1 }],
      [at('2026-05-09'), 'rectificationRequested', { items: [{ department: 'CAD', item: '人防门安装不合格' }, { department: 'CAD', item: '人防通风系统未调试' }], departments: ['CAD'] }],
      [at('2026-05-09'), 'clockStopped', { kind: 'rectification', workingDaysUsed: 5 }],
    ]);
    // 30 Apr, 6–8 May and the make-up Saturday 9 May (begun when the clock stopped) used: 5 of 10.
    const stopped = run.matter('JG07');
    expect(stopped).toMatchObject({ status: 'suspended', clockRunning: false, workingDaysUsed: 5, workingDaysLeft: 5 });
    expect(stopped.joint!.participants.find((p) => p.department === 'MET')!.opinion).toMatchObject({ kind: 'deemedConsent', at: at('2026-05-09'), by: 'system system' });
    expect(run.refusal('approve', { actor: hud, matter: 'JG07', result: { number: 'x' }, reason: '' }).code).toBe('INVALID_STATE');
    expect(run.refusal('submitRectification', { actor: officer('CAD'), matter: 'JG07', note: '已整改' }).code).toBe('NOT_PERMITTED');

    run.perform('submitRectification', { actor: applicant, matter: 'JG07', note: '人防门已更换，通风系统已调试合格' }, '2026-05-13T10:00:00+08:00');
    const again = run.matter('JG07');
    // Restarted Wednesday 13 May with 5 left: 14, 15, 18, 19, 20 May; CAD has 5 working days to re-inspect, the others none.
    expect(again).toMatchObject({ status: 'inProgress', dueOn: '2026-05-20', workingDaysUsed: 5 });
    expect(again.joint).toMatchObject({ round: 2, rectification: { submittedAt: at('2026-05-13', '10:00:00'), note: '人防门已更换，通风系统已调试合格' } });
    expect(again.joint!.participants.map((p) => [p.department, p.waiting, p.due?.dueOn ?? null])).toEqual([
      ['NRP', false, null],
      ['MET', false, null],
      ['CAD', true, '2026-05-20'],
    ]);
    expect(again.joint!.participants.find((p) => p.department === 'CAD')!.earlier).toEqual([expect.objectContaining({ kind: 'fail', round: 1 })]);
    expect(run.events('rectificationSubmitted')[0]!.data).toEqual({ round: 2, reinspectedBy: ['CAD'] });
    // The rectification was the applicant's time: 9 May (not counted) to 13 May: 11, 12, 13 May.
    expect(run.view().accounting.applicant.workingDays).toBe(3);
    expect(run.refusal('giveOpinion', opinion('MET', 'pass')).message).toMatch(/already gave its opinion \(deemedConsent\)/);

    run.perform('giveOpinion', opinion('CAD', 'pass', [], '复验合格'), '2026-05-15T10:00:00+08:00');
    expect(trail(run, 'JG07', 'opinionsComplete').map(([, , data]) => data)).toEqual([{ round: 2, failed: [], conditions: [] }]);
    run.approve('JG07');
    expect(run.matter('JG07').status).toBe('approved');
    expect(run.matter('JG06').status).toBe('inProgress');
  });

  it('deems a silent participant’s consent at the end of its due day, with its warning at its own instant, even when the application wakes two days late', () => {
    const run = inS4();
    run.perform('giveOpinion', opinion('NRP', 'pass'), '2026-05-07T11:00:00+08:00');
    run.perform('giveOpinion', opinion('CAD', 'pass'));
    run.passUntil('2026-05-12T09:00:00+08:00', 2 * 86_400_000);
    expect(trail(run, 'JG07', 'opinionLevelChanged', 'opinionDeemedConsent', 'opinionsComplete')).toEqual([
      [at('2026-05-08'), 'opinionLevelChanged', { department: 'MET', from: 'normal', to: 'warning' }],
      [at('2026-05-09'), 'opinionDeemedConsent', { department: 'MET', round: 1 }],
      [expect.stringMatching(/^2026-05-10T00:00/), 'opinionsComplete', { round: 1, failed: [], conditions: [] }],
    ]);
  });

  it('refuses the approval after a failed re-inspection: the matter can only be rejected', () => {
    const run = inS4();
    run.perform('giveOpinion', opinion('NRP', 'pass'), '2026-05-06T10:00:00+08:00');
    run.perform('giveOpinion', opinion('MET', 'pass'));
    run.perform('giveOpinion', opinion('CAD', 'fail', ['人防门安装不合格']));
    run.perform('submitRectification', { actor: applicant, matter: 'JG07', note: '已整改' }, '2026-05-08T10:00:00+08:00');
    run.perform('giveOpinion', opinion('CAD', 'fail', ['人防门仍不合格']), '2026-05-12T10:00:00+08:00');
    expect(trail(run, 'JG07', 'rectificationRequested')).toHaveLength(1);
    expect(trail(run, 'JG07', 'opinionsComplete').map(([, , data]) => data)).toEqual([{ round: 2, failed: ['CAD'], conditions: [] }]);
    expect(run.refusal('approve', { actor: hud, matter: 'JG07', result: { number: 'x' }, reason: '' })).toMatchObject({ code: 'OPINION_FAILED', message: expect.stringMatching(/re-inspection of CAD/) });
    run.perform('reject', { actor: hud, matter: 'JG07', reason: '人防工程复验不合格' });
    expect(run.view().status).toBe('rejected');
  });
});

describe('joint drawing review SG07, where silence escalates (social investment reform; S3 from Monday 30 March 2026, across 清明)', () => {
  function inS3(): Run {
    const run = start('2026-03-30T09:00:00+08:00', { processCode: 'SOCIAL_REFORM' });
    run.approveThrough('S3');
    return run;
  }

  it('climbs the ladder for a silent participant instead of deeming consent, keeps the approval waiting, and records the late opinion as late', () => {
    const run = inS3();
    // 7 working days: 31 Mar, 1–3 Apr, (清明 4–6 Apr), 7–9 Apr. The matter's 15: … 21 Apr.
    expect(run.matter('SG07')).toMatchObject({ status: 'inProgress', dueOn: '2026-04-21' });
    expect(run.matter('SG07').joint!.participants.map((p) => [p.department, p.due!.dueOn])).toEqual([
      ['CAD', '2026-04-09'],
      ['MET', '2026-04-09'],
    ]);
    run.perform('giveOpinion', { actor: officer('CAD'), matter: 'SG07', opinion: 'pass', items: [], note: '' }, '2026-04-08T10:00:00+08:00');
    const later = run.matter('SG07', '2026-04-13T10:00:00+08:00').joint!.participants;
    expect(later.map((p) => [p.department, p.due!.level, p.due!.overdueSince])).toEqual([
      ['CAD', 'normal', null],
      ['MET', 'departmentHead', at('2026-04-10')],
    ]);
    run.passUntil('2026-04-20T10:00:00+08:00');
    // Warned on its 7th day (0.9 × 7 → 7); overdue as 9 Apr ends; 1, 3 and 5 working days after it.
    expect(trail(run, 'SG07', 'opinionLevelChanged', 'opinionDeemedConsent')).toEqual([
      [at('2026-04-09'), 'opinionLevelChanged', { department: 'MET', from: 'normal', to: 'warning' }],
      [at('2026-04-10'), 'opinionLevelChanged', { department: 'MET', from: 'warning', to: 'overdue' }],
      [at('2026-04-11'), 'opinionLevelChanged', { department: 'MET', from: 'overdue', to: 'departmentHead' }],
      [at('2026-04-15'), 'opinionLevelChanged', { department: 'MET', from: 'departmentHead', to: 'supervisionOffice' }],
      [at('2026-04-17'), 'opinionLevelChanged', { department: 'MET', from: 'supervisionOffice', to: 'leadership' }],
    ]);
    const met = run.matter('SG07').joint!.participants.find((p) => p.department === 'MET')!;
    expect(met).toMatchObject({ waiting: true, opinion: null, due: { level: 'leadership', overdueSince: at('2026-04-10') } });
    expect(run.refusal('approve', { actor: officer('HUD'), matter: 'SG07', result: { number: 'x' }, reason: '' }).code).toBe('OPINIONS_OUTSTANDING');

    run.perform('giveOpinion', { actor: officer('MET'), matter: 'SG07', opinion: 'conditions', items: ['施工阶段补充防雷跟踪检测'], note: '' });
    expect(run.events('opinionGiven').at(-1)!.data).toMatchObject({ department: 'MET', opinion: 'conditions', onTime: false });
    expect(run.events('opinionsComplete').map((e) => e.data)).toEqual([{ round: 1, failed: [], conditions: [{ department: 'MET', item: '施工阶段补充防雷跟踪检测' }] }]);
    run.approve('SG07');
    expect(run.matter('SG02').status).toBe('inProgress');
  });
});

describe('work assigned to officers (government investment from Monday 2 March 2026)', () => {
  const supplement = (actor: Actor, matter = 'LY01') => ({ actor, matter, items: ['M_PROPOSAL'], reason: '补充项目建议书附件' });

  it('claims from the pool; then only the assignee, its delegate or the head act; the head reassigns; the assignee or the head returns it to the pool', () => {
    const run = start('2026-03-02T09:00:00+08:00');
    const drc = officer('DRC');
    const drc2 = colleague('DRC');
    expect(run.matter('LY01').assignee).toBeNull();
    expect(run.perform('claimMatter', { actor: drc, matter: 'LY01' }).assignee).toEqual({ officer: 'officer-drc', since: at('2026-03-02', '09:00:00'), by: 'officer officer-drc (DRC)' });
    expect(run.refusal('claimMatter', { actor: drc, matter: 'LY01' }).message).toMatch(/already assigned to you/);
    expect(run.refusal('claimMatter', { actor: drc2, matter: 'LY01' })).toMatchObject({ code: 'ALREADY_ASSIGNED', message: expect.stringMatching(/assigned to officer officer-drc/) });
    expect(run.refusal('claimMatter', { actor: officer('NRP'), matter: 'LY01' }).code).toBe('WRONG_DEPARTMENT');

    expect(run.refusal('requestSupplement', supplement(drc2))).toMatchObject({ code: 'NOT_ASSIGNED', message: expect.stringMatching(/assigned to officer officer-drc/) });
    expect(run.refusal('requestSupplement', supplement({ ...drc2, delegateFor: 'officer-drc-3' })).code).toBe('NOT_ASSIGNED');
    expect(run.refusal('assignMatter', { actor: drc2, matter: 'LY01', officer: 'officer-drc-2', reason: '' }).code).toBe('NOT_PERMITTED');
    expect(run.refusal('returnToPool', { actor: drc2, matter: 'LY01', reason: '' }).code).toBe('NOT_PERMITTED');
    // Out of office: the colleague its delegation names acts for the assignee (the API sets delegateFor).
    expect(run.perform('requestSupplement', supplement({ ...drc2, delegateFor: 'officer-drc' }), '2026-03-03T10:00:00+08:00').status).toBe('suspended');

    const reassigned = run.perform('assignMatter', { actor: head('DRC'), matter: 'LY01', officer: 'officer-drc-2', reason: '原承办人外出学习' }, '2026-03-09T09:00:00+08:00');
    expect(reassigned.assignee).toEqual({ officer: 'officer-drc-2', since: at('2026-03-09', '09:00:00'), by: 'officer head-drc (DRC)' });
    expect(run.refusal('assignMatter', { actor: head('DRC'), matter: 'LY01', officer: 'officer-drc-2', reason: '' }).message).toMatch(/already assigned to officer officer-drc-2/);
    run.perform('supplyMaterials', { actor: applicant, items: ['M_PROPOSAL'] });
    expect(run.refusal('approve', { actor: drc, matter: 'LY01', result: { number: 'x' }, reason: '' }).code).toBe('NOT_ASSIGNED');
    expect(run.refusal('returnToPool', { actor: drc, matter: 'LY01', reason: '' }).code).toBe('NOT_PERMITTED');
    run.perform('returnToPool', { actor: drc2, matter: 'LY01', reason: '工作调整' });
    expect(run.matter('LY01').assignee).toBeNull();
    expect(run.refusal('returnToPool', { actor: drc2, matter: 'LY01', reason: '' }).message).toMatch(/in the department's pool already/);
    // Back in the pool: any officer of the department acts.
    run.approve('LY01');
    expect(run.refusal('claimMatter', { actor: drc, matter: 'LY01' }).code).toBe('ALREADY_DECIDED');

    expect(run.events('assigned', 'returnedToPool').map((e) => [e.kind, e.actor, e.reason ?? null, e.data])).toEqual([
      ['assigned', 'officer officer-drc (DRC)', null, { officer: 'officer-drc', previous: null, how: 'claim' }],
      ['assigned', 'officer head-drc (DRC)', '原承办人外出学习', { officer: 'officer-drc-2', previous: 'officer-drc', how: 'reassign' }],
      ['returnedToPool', 'officer officer-drc-2 (DRC)', '工作调整', { officer: 'officer-drc-2' }],
    ]);
  });

  it('lets the head assign from the pool and act on a matter assigned to another officer', () => {
    const run = start('2026-03-02T09:00:00+08:00');
    run.perform('assignMatter', { actor: head('DRC'), matter: 'LY06', officer: 'officer-drc-2', reason: '' });
    expect(run.events('assigned')[0]!.data).toEqual({ officer: 'officer-drc-2', previous: null, how: 'assign' });
    expect(run.refusal('approve', { actor: officer('DRC'), matter: 'LY06', result: { number: 'x' }, reason: '' }).code).toBe('NOT_ASSIGNED');
    expect(run.perform('approve', { actor: head('DRC'), matter: 'LY06', result: { number: '浏发改能审〔2026〕6号' }, reason: '' }).status).toBe('approved');
    expect(run.refusal('returnToPool', { actor: head('DRC'), matter: 'LY01', reason: '' }).code).toBe('INVALID_STATE');
  });
});

describe('remedies the catalogue switches on (social investment reform from Monday 9 March 2026)', () => {
  const eeb = officer('EEB');
  const supplement = (approvedBy?: string) => ({ actor: eeb, matter: 'LY07', items: ['M_EIA_DOCUMENT'], reason: '补充噪声监测数据', ...(approvedBy ? { approvedBy } : {}) });
  /** Everything in S1 but the EIA approval LY07 (15 working days: due 30 Mar) decided on day one. */
  function waitingOnLy07(processCode = 'SOCIAL_REFORM'): Run {
    const run = start('2026-03-09T09:00:00+08:00', { processCode });
    for (let i = 0; i < 4; i++) run.approveRunning((m) => m.code !== 'LY07');
    expect(run.matter('LY07')).toMatchObject({ status: 'inProgress', dueOn: '2026-03-30' });
    return run;
  }

  it('allows one supplement request, a second only with the head’s approval named; unsupplied, the applicant is reminded 3 working days before and the matter is deemed withdrawn after 20, which ends the application', () => {
    const run = waitingOnLy07();
    // 12–13, 16–20, 23–27, 30–31 Mar, 1–3, 7–9 Apr: the 20th working day after 11 Mar is 9 Apr.
    expect(run.perform('requestSupplement', supplement(), '2026-03-11T10:00:00+08:00').withdrawal).toEqual({ withdrawnOn: '2026-04-09', remindedAt: null });
    run.perform('supplyMaterials', { actor: applicant, items: ['M_EIA_DOCUMENT'] }, '2026-03-16T10:00:00+08:00');
    expect(run.matter('LY07')).toMatchObject({ status: 'inProgress', dueOn: '2026-04-02', withdrawal: null });

    expect(run.refusal('requestSupplement', supplement(), '2026-03-18T10:00:00+08:00')).toMatchObject({
      code: 'SUPPLEMENT_LIMIT',
      message: expect.stringMatching(/one supplement request on 2026-03-11 \(一次性告知\)/),
    });
    expect(run.refusal('requestSupplement', supplement('   ')).code).toBe('SUPPLEMENT_LIMIT');
    const second = run.perform('requestSupplement', supplement('生态环境局局长 李明'));
    // 19–20, 23–27, 30–31 Mar, 1–3, 7–10, 13–16 Apr: withdrawn after 16 Apr; reminded when 13 Apr (the 17th) ends.
    expect(second).toMatchObject({ status: 'suspended', workingDaysUsed: 4, withdrawal: { withdrawnOn: '2026-04-16', remindedAt: null } });
    expect(second.stops.map((s) => s.approvedBy)).toEqual([null, '生态环境局局长 李明']);
    expect(run.events('supplementRequested').map((e) => e.data)).toEqual([
      { items: ['M_EIA_DOCUMENT'], deemedWithdrawnAfter: '2026-04-09' },
      { items: ['M_EIA_DOCUMENT'], approvedBy: '生态环境局局长 李明', deemedWithdrawnAfter: '2026-04-16' },
    ]);

    expect(run.nextWake()).toBe(at('2026-04-14'));
    run.passUntil('2026-04-16T18:00:00+08:00');
    expect(trail(run, 'LY07', 'withdrawalReminder')).toEqual([[at('2026-04-14'), 'withdrawalReminder', { items: ['M_EIA_DOCUMENT'], withdrawnOn: '2026-04-16' }]]);
    expect(run.matter('LY07')).toMatchObject({ status: 'suspended', withdrawal: { withdrawnOn: '2026-04-16', remindedAt: at('2026-04-14') } });
    expect(run.view().status).toBe('running');

    // A worker two hours late changes no instant: the rule's is the end of 16 Apr.
    run.passUntil('2026-04-20T10:00:00+08:00', 2 * 3_600_000);
    expect(run.matter('LY07')).toMatchObject({ status: 'withdrawn', decision: { kind: 'withdrawn', at: at('2026-04-17'), by: 'system system' } });
    expect(run.events().filter((e) => e.at === at('2026-04-17')).map((e) => [e.kind, e.matter])).toEqual([
      ['deemedWithdrawn', 'LY07'],
      ['withdrawn', 'LY07'],
    ]);
    expect(run.outcome).toMatchObject({ status: 'withdrawn', at: Date.parse(at('2026-04-17')), matter: 'LY07', by: 'system system', reason: expect.stringMatching(/deemed withdrawn/) });
    expect(run.view().stages.map((s) => s.status)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    expect(run.matter('GC01').status).toBe('cancelled');
  });

  it('drops the withdrawal once the materials come, even after the reminder', () => {
    const run = waitingOnLy07();
    run.perform('requestSupplement', supplement(), '2026-03-11T10:00:00+08:00');
    // The 17th working day after 11 Mar is Friday 3 Apr: reminded as it ends, before 清明.
    run.passUntil('2026-04-07T09:00:00+08:00');
    expect(trail(run, 'LY07', 'withdrawalReminder')).toEqual([[at('2026-04-04'), 'withdrawalReminder', { items: ['M_EIA_DOCUMENT'], withdrawnOn: '2026-04-09' }]]);
    run.perform('supplyMaterials', { actor: applicant, items: ['M_EIA_DOCUMENT'] }, '2026-04-08T10:00:00+08:00');
    expect(run.matter('LY07')).toMatchObject({ status: 'inProgress', withdrawal: null });
    run.passUntil('2026-04-13T10:00:00+08:00');
    expect(run.events('deemedWithdrawn')).toEqual([]);
    expect(run.matter('LY07').status).toBe('inProgress');
  });

  it('has no remedies on SOCIAL_APPROVAL: a second supplement needs no approval, and a supplement waits as long as it takes', () => {
    const run = waitingOnLy07('SOCIAL_APPROVAL');
    expect(run.perform('requestSupplement', supplement(), '2026-03-11T10:00:00+08:00').withdrawal).toBeNull();
    run.perform('supplyMaterials', { actor: applicant, items: ['M_EIA_DOCUMENT'] }, '2026-03-16T10:00:00+08:00');
    run.perform('requestSupplement', supplement(), '2026-03-18T10:00:00+08:00');
    expect(run.events('supplementRequested').map((e) => e.data)).toEqual([{ items: ['M_EIA_DOCUMENT'] }, { items: ['M_EIA_DOCUMENT'] }]);
    run.passUntil('2026-06-01T10:00:00+08:00');
    expect(run.matter('LY07')).toMatchObject({ status: 'suspended', withdrawal: null });
    expect(run.events('withdrawalReminder', 'deemedWithdrawn')).toEqual([]);
    expect(run.view().status).toBe('running');
  });
});
