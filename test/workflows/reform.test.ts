import { describe, expect, it } from 'vitest';
import type { WorkflowHandle } from '@temporalio/client';
import {
  approveUpdate,
  assignMatterUpdate,
  claimMatterUpdate,
  giveOpinionUpdate,
  liftHoldUpdate,
  rejectUpdate,
  requestSupplementUpdate,
  returnToPoolUpdate,
  scheduleSessionUpdate,
  moveSessionUpdate,
  submitRectificationUpdate,
  supplyMaterialsUpdate,
  verifyCommitmentUpdate,
} from '../../workflows/messages';
import type { ApplicationView, MatterView } from '../../domain/view';
import type { Actor } from '../../domain/types';
import { recordHistory } from '../helpers/history';
import { timeSkippingSuite, type WorkflowSuite } from '../helpers/suite';
import { applicant, officer } from '../helpers/temporal';
import { approve, matter, mattersOf, refusal, sleepUntil, status } from '../helpers/drive';
import { until } from '../helpers/until';

// Issue 12's scenarios on the time-skipping server over realistic spans (weeks, across 清明 and
// 劳动节): every instant below is counted by hand on the 2026 calendar.

const head = (department: string): Actor => ({ id: `head-${department.toLowerCase()}`, role: 'officer', department, head: true });
const colleague = (department: string): Actor => officer(department, `officer-${department.toLowerCase()}-2`);
/** A rule's instant (a timer's, exact). */
const at = (date: string, time = '00:00:00') => `${date}T${time}.000+08:00`;
/** An action's instant: within the minute it was taken (the server's clock runs on while the test acts). */
const about = (date: string, time: string) => expect.stringMatching(new RegExp(`^${date}T${time}:\\d\\d\\.\\d{3}\\+08:00$`));

/** Events of some kinds on one matter, as [instant, kind, data]. */
function trail(v: ApplicationView, code: string, ...kinds: string[]) {
  return v.events.filter((e) => e.matter === code && kinds.includes(e.kind)).map((e) => [e.at, e.kind, e.data ?? null]);
}

/** Approves every matter under way, giving each waiting joint participant's passing opinion first, until `stage` is current. */
async function through(h: WorkflowHandle, stage: string) {
  for (let round = 0; round < 20; round++) {
    const v = await status(h);
    if (v.currentStage === stage) return;
    for (const m of mattersOf(v).filter((x) => x.status === 'inProgress')) {
      for (const p of m.joint?.participants.filter((x) => x.waiting) ?? []) {
        await h.executeUpdate(giveOpinionUpdate, { args: [{ actor: officer(p.department), matter: m.code, opinion: 'pass', items: [], note: '' }] });
      }
      await approve(h, m.code, m.department);
    }
  }
  throw new Error(`the application did not reach ${stage}`);
}

const workflowStatus = async (h: WorkflowHandle) => (await h.describe()).status.name;

describe('告知承诺制: a commitment approved, then found false weeks later (time-skipping, government investment, March–April 2026)', () => {
  const suite: WorkflowSuite = timeSkippingSuite('2026-03-02T09:00:00+08:00', 'reform-commitment');

  it('decides the committed matter in a day, verifies it weeks later as false: the result is revoked, the dependent under way held and the waiting one flagged, a credit entry recorded; the hold is lifted and the clock goes on', async () => {
    const h = await suite.start('GOV_INVESTMENT', { commitments: [{ matter: 'LY06', statement: '本单位承诺项目能效达到国家先进值 —— 浏阳市教育投资有限公司' }] });
    let v = await status(h, suite.env);
    // One working day from acceptance on Monday 2 Mar, instead of ten.
    expect(matter(v, 'LY06')).toMatchObject({ timeLimitDays: 1, dueOn: '2026-03-03', commitment: { statement: '本单位承诺项目能效达到国家先进值 —— 浏阳市教育投资有限公司', by: 'applicant ent-001' } });

    await sleepUntil(suite.env, '2026-03-03T10:00:00+08:00');
    await approve(h, 'LY06', 'DRC');
    await approve(h, 'LY01', 'DRC');
    await approve(h, 'LY04', 'NRP');
    v = await status(h, suite.env);
    // Verification: 30 working days from 3 Mar, past 清明: 15 Apr. LY02: 20 from 3 Mar: 31 Mar.
    expect(matter(v, 'LY06').verification).toMatchObject({ startedAt: about('2026-03-03', '10:00'), dueOn: '2026-04-15', level: 'normal', outcome: null });
    expect(matter(v, 'LY02')).toMatchObject({ status: 'inProgress', dueOn: '2026-03-31' });

    // Three weeks later the on-site check finds the commitment false.
    await sleepUntil(suite.env, '2026-03-25T10:00:00+08:00');
    const refused = await refusal(h.executeUpdate(verifyCommitmentUpdate, { args: [{ actor: officer('WRB'), matter: 'LY06', outcome: 'false', reason: '核查' }] }));
    expect(refused.code).toBe('WRONG_DEPARTMENT');
    const revoked = await h.executeUpdate(verifyCommitmentUpdate, { args: [{ actor: officer('DRC'), matter: 'LY06', outcome: 'false', reason: '现场核查：实际能效低于承诺值' }] });
    expect(revoked).toMatchObject({ code: 'LY06', status: 'approved', revoked: { at: about('2026-03-25', '10:00'), reason: '现场核查：实际能效低于承诺值' } });
    v = await status(h, suite.env);
    expect(v.events.filter((e) => e.at === revoked.revoked!.at).map((e) => [e.kind, e.matter])).toEqual([
      ['commitmentFalse', 'LY06'],
      ['resultRevoked', 'LY06'],
      ['clockStopped', 'LY02'],
      ['dependentHeld', 'LY02'],
      ['dependentFlagged', 'LY05'],
      ['creditRecorded', 'LY06'],
    ]);
    expect(v.events.find((e) => e.kind === 'creditRecorded')!.data).toEqual({ applicant: 'ent-001', applicantName: '浏阳市教育投资有限公司', kind: 'falseCommitment' });
    // 4–6, 9–13, 16–20, 23–25 Mar: 16 of 20 used when the hold began.
    expect(matter(v, 'LY02')).toMatchObject({ status: 'suspended', workingDaysUsed: 16, stops: [expect.objectContaining({ kind: 'hold', source: 'LY06', to: null })] });
    expect(matter(v, 'LY05')).toMatchObject({ status: 'waitingPrerequisites', flags: [expect.objectContaining({ source: 'LY06' })] });

    // The held matter's clock does not move while the department checks; on Monday 30 Mar it lifts the hold.
    await sleepUntil(suite.env, '2026-03-30T10:00:00+08:00');
    v = await status(h, suite.env);
    expect(matter(v, 'LY02')).toMatchObject({ status: 'suspended', workingDaysUsed: 16, level: 'normal' });
    const lifted = await h.executeUpdate(liftHoldUpdate, { args: [{ actor: officer('DRC'), matter: 'LY02', reason: '已重新审查节能措施，可继续办理' }] });
    // Four days left: 31 Mar, 1–3 Apr.
    expect(lifted).toMatchObject({ status: 'inProgress', dueOn: '2026-04-03', workingDaysUsed: 16, workingDaysLeft: 4 });

    // The verification concluded: no level events for it however long the application runs.
    await sleepUntil(suite.env, '2026-04-24T10:00:00+08:00');
    v = await status(h, suite.env);
    expect(trail(v, 'LY06', 'verificationLevelChanged')).toEqual([]);
    expect(trail(v, 'LY02', 'levelChanged').map(([instant, , data]) => [instant, (data as { to: string }).to])).toEqual([
      [at('2026-04-01'), 'warning'],
      [at('2026-04-04'), 'overdue'],
      [at('2026-04-08'), 'departmentHead'],
      [at('2026-04-10'), 'supervisionOffice'],
      [at('2026-04-14'), 'leadership'],
    ]);
    await h.executeUpdate(rejectUpdate, { args: [{ actor: officer('DRC'), matter: 'LY02', reason: '节能审查意见已撤销，项目不符合审批条件' }] });
    expect(await workflowStatus(h)).toBe('COMPLETED');
  });
});

describe('joint acceptance with one silent and one failing participant, assigned work and a verification after completion (time-skipping, social investment reform, April–June 2026, across 劳动节)', () => {
  const suite: WorkflowSuite = timeSkippingSuite('2026-04-29T09:00:00+08:00', 'reform-joint');
  const hud = officer('HUD');
  const opinion = (department: string, kind: 'pass' | 'conditions' | 'fail', items: string[] = [], note = '') => ({ actor: officer(department), matter: 'JG07', opinion: kind, items, note });
  const approveJg07 = (actor: Actor) => h_.executeUpdate(approveUpdate, { args: [{ actor, matter: 'JG07', result: { number: '浏联验〔2026〕7号' }, reason: '' }] });
  let h_: WorkflowHandle;

  it('runs the joint acceptance JG07 to its result: opinion clocks from acceptance, deemed consent at the end of MET’s due day, one rectification list on the applicant’s time, re-inspection by CAD alone; the workflow runs on after completion for the drainage commitment’s verification, then returns', async () => {
    const h = (h_ = await suite.start('SOCIAL_REFORM', { commitments: [{ matter: 'SG06', statement: '本单位承诺排水设施符合标准 —— 浏阳市教育投资有限公司' }] }));
    // Everything before S4 approved on Wednesday 29 Apr (SG07's two participants pass); JG07 is accepted then.
    await through(h, 'S4');
    let v = await status(h, suite.env);
    // SG06 was decided on commitment: its 20-working-day verification runs to 29 May (30 Apr, 6–9, 11–15, 18–22, 25–29 May).
    expect(matter(v, 'SG06').verification).toMatchObject({ startedAt: about('2026-04-29', '09:00'), dueOn: '2026-05-29', outcome: null });
    const jg07 = matter(v, 'JG07');
    // 10 working days: 30 Apr, (劳动节 1–5 May), 6–8, Saturday 9 May (调休), 11–15 May.
    expect(jg07).toMatchObject({ status: 'inProgress', acceptedAt: about('2026-04-29', '09:00'), dueOn: '2026-05-15' });
    expect(jg07.joint!.participants.map((p) => [p.department, p.due!.dueOn])).toEqual([
      ['NRP', '2026-05-09'],
      ['MET', '2026-05-08'],
      ['CAD', '2026-05-09'],
    ]);

    // The HUD officer takes the matter and schedules the session; a colleague may not act on it.
    await h.executeUpdate(claimMatterUpdate, { args: [{ actor: hud, matter: 'JG07' }] });
    expect((await refusal(h.executeUpdate(scheduleSessionUpdate, { args: [{ actor: colleague('HUD'), matter: 'JG07', on: '2026-05-07', time: '09:30', place: '项目现场' }] }))).code).toBe('NOT_ASSIGNED');
    expect((await refusal(h.executeUpdate(scheduleSessionUpdate, { args: [{ actor: hud, matter: 'JG07', on: '2026-05-18', time: '09:30', place: '项目现场' }] }))).code).toBe('INVALID_INPUT');
    await h.executeUpdate(scheduleSessionUpdate, { args: [{ actor: hud, matter: 'JG07', on: '2026-05-06', time: '09:30', place: '项目现场' }] });
    await sleepUntil(suite.env, '2026-04-30T16:00:00+08:00');
    const moved = await h.executeUpdate(moveSessionUpdate, { args: [{ actor: hud, matter: 'JG07', on: '2026-05-07', time: '09:30', place: '项目现场', reason: '消防验收资料未齐，顺延一天' }] });
    expect(moved.joint!.session).toMatchObject({ on: '2026-05-07', moved: { on: '2026-05-06', reason: '消防验收资料未齐，顺延一天' } });
    expect((await refusal(h.executeUpdate(moveSessionUpdate, { args: [{ actor: hud, matter: 'JG07', on: '2026-05-08', time: '09:30', place: '项目现场', reason: '再改' }] }))).code).toBe('INVALID_STATE');

    // At the session on Thursday 7 May: NRP passes, CAD fails with two items, MET says nothing.
    await sleepUntil(suite.env, '2026-05-07T11:00:00+08:00');
    await h.executeUpdate(giveOpinionUpdate, { args: [opinion('NRP', 'pass', [], '规划条件核实通过')] });
    await h.executeUpdate(giveOpinionUpdate, { args: [opinion('CAD', 'fail', ['人防门安装不合格', '人防通风系统未调试'], '整改后复验')] });
    expect(await refusal(approveJg07(hud))).toMatchObject({ code: 'OPINIONS_OUTSTANDING', message: expect.stringMatching(/MET$/) });

    await sleepUntil(suite.env, '2026-05-11T09:00:00+08:00');
    v = await status(h, suite.env);
    expect(trail(v, 'JG07', 'opinionLevelChanged', 'opinionDeemedConsent', 'rectificationRequested', 'clockStopped')).toEqual([
      [at('2026-05-08'), 'opinionLevelChanged', { department: 'MET', from: 'normal', to: 'warning' }],
      [at('2026-05-09'), 'opinionDeemedConsent', { department: 'MET', round: 1 }],
      // What follows from the round being complete happens when the timer fires (milliseconds later here).
      [about('2026-05-09', '00:00'), 'rectificationRequested', { items: [{ department: 'CAD', item: '人防门安装不合格' }, { department: 'CAD', item: '人防通风系统未调试' }], departments: ['CAD'] }],
      [about('2026-05-09', '00:00'), 'clockStopped', { kind: 'rectification', workingDaysUsed: 5 }],
    ]);
    expect(matter(v, 'JG07')).toMatchObject({ status: 'suspended', workingDaysUsed: 5, workingDaysLeft: 5 });

    // The applicant rectifies on Wednesday 13 May; only CAD re-inspects (5 working days: 20 May), the matter's clock restarts with 5 left.
    await sleepUntil(suite.env, '2026-05-13T10:00:00+08:00');
    const rectified = await h.executeUpdate(submitRectificationUpdate, { args: [{ actor: applicant, matter: 'JG07', note: '人防门已更换，通风系统已调试合格' }] });
    expect(rectified).toMatchObject({ status: 'inProgress', dueOn: '2026-05-20', joint: { round: 2 } });
    expect(rectified.joint!.participants.filter((p) => p.waiting).map((p) => [p.department, p.due!.dueOn])).toEqual([['CAD', '2026-05-20']]);
    v = await status(h, suite.env);
    // The rectification counts as the applicant's time (11–13 May), not the government's.
    expect(v.accounting.applicant.workingDays).toBe(3);

    // The officer who took it is away: the head reassigns it to a colleague, who approves after CAD's re-inspection passes.
    await sleepUntil(suite.env, '2026-05-15T10:00:00+08:00');
    await h.executeUpdate(giveOpinionUpdate, { args: [opinion('CAD', 'pass', [], '复验合格')] });
    await h.executeUpdate(assignMatterUpdate, { args: [{ actor: head('HUD'), matter: 'JG07', officer: 'officer-hud-2', reason: '原承办人外出培训' }] });
    expect((await refusal(approveJg07(hud))).code).toBe('NOT_ASSIGNED');
    expect(await approveJg07(colleague('HUD'))).toMatchObject({ status: 'approved', decision: { by: 'officer officer-hud-2 (HUD)', onTime: true } });
    await approve(h, 'JG06', 'HUD');
    v = await status(h, suite.env);
    expect(v.status).toBe('completed');
    expect(v.outcome!.at).toEqual(about('2026-05-15', '10:00'));
    expect(trail(v, 'JG07', 'assigned').map(([, , data]) => data)).toEqual([
      { officer: 'officer-hud', previous: null, how: 'claim' },
      { officer: 'officer-hud-2', previous: 'officer-hud', how: 'reassign' },
    ]);

    // The application is complete, but SG06's verification is open: the workflow runs on and its clock still warns (18th working day: 27 May).
    expect(await workflowStatus(h)).toBe('RUNNING');
    await sleepUntil(suite.env, '2026-05-28T10:00:00+08:00');
    v = await status(h, suite.env);
    expect(trail(v, 'SG06', 'verificationLevelChanged')).toEqual([[at('2026-05-27'), 'verificationLevelChanged', { from: 'normal', to: 'warning' }]]);
    expect(await workflowStatus(h)).toBe('RUNNING');
    expect((await refusal(h.executeUpdate(returnToPoolUpdate, { args: [{ actor: head('HUD'), matter: 'JG07', reason: '' }] }))).code).toBe('APPLICATION_CLOSED');

    const confirmed = await h.executeUpdate(verifyCommitmentUpdate, { args: [{ actor: officer('UMB'), matter: 'SG06', outcome: 'confirmed', reason: '现场核查排水设施符合承诺' }] });
    expect(confirmed.verification).toMatchObject({ level: 'warning', outcome: { kind: 'confirmed', at: about('2026-05-28', '10:00') } });
    // The last verification closed: the workflow returns the application's outcome, unchanged.
    await until('the workflow to return', async () => ((await workflowStatus(h)) === 'COMPLETED' ? true : undefined), { timeoutMs: 20_000 });
    expect(await h.result()).toMatchObject({ status: 'completed', at: Date.parse(v.outcome!.at!) });
    v = await status(h);
    expect(v.events.at(-1)).toMatchObject({ kind: 'commitmentConfirmed', matter: 'SG06', data: { onTime: true } });
    await recordHistory(h, 'reform-v1');
  });
});

describe('work assigned to an officer who goes out of office (time-skipping, government investment, March 2026)', () => {
  const suite: WorkflowSuite = timeSkippingSuite('2026-03-02T09:00:00+08:00', 'reform-assignment');
  const eeb = officer('EEB');
  const eeb2 = colleague('EEB');
  const supplement = (actor: Actor) => ({ actor, matter: 'LY07', items: ['M_EIA_DOCUMENT'], reason: '环评报告书缺少大气环境影响预测章节' });

  it('lets only the assignee act; its out-of-office delegate acts for it (delegateFor, as the API sets it); the head reassigns; returned to the pool anyone of the department acts again', async () => {
    const h = await suite.start('GOV_INVESTMENT');
    const claimed = await h.executeUpdate(claimMatterUpdate, { args: [{ actor: eeb, matter: 'LY07' }] });
    expect(claimed.assignee).toEqual({ officer: 'officer-eeb', since: about('2026-03-02', '09:00'), by: 'officer officer-eeb (EEB)' });

    // Officer-eeb is away 9–13 Mar and named officer-eeb-2 as its delegate.
    await sleepUntil(suite.env, '2026-03-10T10:00:00+08:00');
    expect(await refusal(h.executeUpdate(requestSupplementUpdate, { args: [supplement(eeb2)] }))).toMatchObject({ code: 'NOT_ASSIGNED', message: expect.stringMatching(/assigned to officer officer-eeb/) });
    expect((await refusal(h.executeUpdate(claimMatterUpdate, { args: [{ actor: eeb2, matter: 'LY07' }] }))).code).toBe('ALREADY_ASSIGNED');
    const stopped = await h.executeUpdate(requestSupplementUpdate, { args: [supplement({ ...eeb2, delegateFor: 'officer-eeb' })] });
    // 3–6, 9, 10 Mar used.
    expect(stopped).toMatchObject({ status: 'suspended', workingDaysUsed: 6, assignee: { officer: 'officer-eeb' } });
    let v = await status(h, suite.env);
    expect(v.events.find((e) => e.kind === 'supplementRequested')).toMatchObject({ actor: 'officer officer-eeb-2 (EEB)', matter: 'LY07' });

    await sleepUntil(suite.env, '2026-03-16T10:00:00+08:00');
    await h.executeUpdate(supplyMaterialsUpdate, { args: [{ actor: applicant, items: ['M_EIA_DOCUMENT'] }] });
    // Back on Monday, then reassigned for good: officer-eeb's leave is extended.
    await sleepUntil(suite.env, '2026-03-17T09:00:00+08:00');
    expect((await refusal(h.executeUpdate(assignMatterUpdate, { args: [{ actor: eeb2, matter: 'LY07', officer: 'officer-eeb-2', reason: '' }] }))).code).toBe('NOT_PERMITTED');
    await h.executeUpdate(assignMatterUpdate, { args: [{ actor: head('EEB'), matter: 'LY07', officer: 'officer-eeb-2', reason: '原承办人病假' }] });
    expect((await refusal(h.executeUpdate(returnToPoolUpdate, { args: [{ actor: eeb, matter: 'LY07', reason: '' }] }))).code).toBe('NOT_PERMITTED');
    await h.executeUpdate(returnToPoolUpdate, { args: [{ actor: eeb2, matter: 'LY07', reason: '科室统一分配' }] });
    const decided = await h.executeUpdate(approveUpdate, { args: [{ actor: eeb, matter: 'LY07', result: { number: '浏环审〔2026〕7号' }, reason: '' }] });
    expect(decided).toMatchObject({ status: 'approved', assignee: null });
    v = await status(h, suite.env);
    expect(v.events.filter((e) => e.kind === 'assigned' || e.kind === 'returnedToPool').map((e) => [e.at, e.kind, e.actor, e.data])).toEqual([
      [about('2026-03-02', '09:00'), 'assigned', 'officer officer-eeb (EEB)', { officer: 'officer-eeb', previous: null, how: 'claim' }],
      [about('2026-03-17', '09:00'), 'assigned', 'officer head-eeb (EEB)', { officer: 'officer-eeb-2', previous: 'officer-eeb', how: 'reassign' }],
      [about('2026-03-17', '09:00'), 'returnedToPool', 'officer officer-eeb-2 (EEB)', { officer: 'officer-eeb-2' }],
    ]);
  });
});

describe('the one-supplement rule and deemed withdrawal (time-skipping, social investment reform, March–April 2026, across 清明)', () => {
  const suite: WorkflowSuite = timeSkippingSuite('2026-03-09T09:00:00+08:00', 'reform-remedies');
  const eeb = officer('EEB');
  const supplement = (approvedBy?: string) => ({ actor: eeb, matter: 'LY07', items: ['M_EIA_DOCUMENT'], reason: '补充噪声监测数据', ...(approvedBy ? { approvedBy } : {}) });

  it('refuses a second supplement request without the head’s approval, reminds the applicant three working days before the 20th, and deems the matter — and with it the application — withdrawn', async () => {
    const h = await suite.start('SOCIAL_REFORM');
    for (let i = 0; i < 4; i++) {
      for (const m of mattersOf(await status(h)).filter((x) => x.status === 'inProgress' && x.code !== 'LY07')) await approve(h, m.code, m.department);
    }
    let v = await status(h, suite.env);
    expect(v.stages[0]!.matters.filter((m: MatterView) => m.status !== 'approved').map((m: MatterView) => m.code)).toEqual(['LY07']);

    await sleepUntil(suite.env, '2026-03-11T10:00:00+08:00');
    expect((await h.executeUpdate(requestSupplementUpdate, { args: [supplement()] })).withdrawal).toEqual({ withdrawnOn: '2026-04-09', remindedAt: null });
    await sleepUntil(suite.env, '2026-03-16T10:00:00+08:00');
    await h.executeUpdate(supplyMaterialsUpdate, { args: [{ actor: applicant, items: ['M_EIA_DOCUMENT'] }] });

    await sleepUntil(suite.env, '2026-03-18T10:00:00+08:00');
    expect(await refusal(h.executeUpdate(requestSupplementUpdate, { args: [supplement()] }))).toMatchObject({ code: 'SUPPLEMENT_LIMIT', message: expect.stringMatching(/2026-03-11/) });
    const second = await h.executeUpdate(requestSupplementUpdate, { args: [supplement('生态环境局局长 李明')] });
    // 19–20, 23–27, 30–31 Mar, 1–3, (清明 4–6), 7–10, 13–16 Apr: the 20th working day is 16 Apr; the 17th, 13 Apr.
    expect(second).toMatchObject({ status: 'suspended', withdrawal: { withdrawnOn: '2026-04-16', remindedAt: null } });
    expect(second.stops.at(-1)).toMatchObject({ kind: 'supplement', approvedBy: '生态环境局局长 李明' });

    await sleepUntil(suite.env, '2026-04-15T10:00:00+08:00');
    v = await status(h, suite.env);
    expect(trail(v, 'LY07', 'withdrawalReminder')).toEqual([[at('2026-04-14'), 'withdrawalReminder', { items: ['M_EIA_DOCUMENT'], withdrawnOn: '2026-04-16' }]]);
    expect(v.status).toBe('running');

    await sleepUntil(suite.env, '2026-04-20T10:00:00+08:00');
    v = await status(h, suite.env);
    expect(matter(v, 'LY07')).toMatchObject({ status: 'withdrawn', decision: { kind: 'withdrawn', at: at('2026-04-17'), by: 'system system' } });
    expect(v.events.slice(-2).map((e) => [e.at, e.kind, e.matter])).toEqual([
      [at('2026-04-17'), 'deemedWithdrawn', 'LY07'],
      [about('2026-04-17', '00:00'), 'withdrawn', 'LY07'],
    ]);
    expect(v.status).toBe('withdrawn');
    expect(v.outcome).toMatchObject({ status: 'withdrawn', at: about('2026-04-17', '00:00'), matter: 'LY07', by: 'system system' });
    expect(await workflowStatus(h)).toBe('COMPLETED');
  });
});
