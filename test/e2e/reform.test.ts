import { describe, expect, it } from 'vitest';
import { colleagueToken, headToken, officerToken, TOKENS, type HttpResult } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { allMaterials } from '../helpers/temporal';
import { until } from '../helpers/until';

/**
 * The reform's instruments over HTTP on the time-skipping server, one scenario of each (issue 12):
 * approval on commitment found false weeks later, a joint acceptance across the National Day
 * holiday, work assigned to officers with an out-of-office delegate, and the remedies of one
 * supplement and deemed withdrawal. Every refusal is problem+json naming its rule.
 */

/** A refusal as the API answers it: problem+json with the status and the code of the rule. */
function expectRefused(r: HttpResult, status: number, code: string) {
  expect(r.contentType).toMatch(/^application\/problem\+json/);
  expect({ status: r.status, code: r.body.code }).toEqual({ status, code });
}

/** A bad body: 400 naming the field. */
function expectInvalid(r: HttpResult, field: string) {
  expectRefused(r, 400, 'INVALID_REQUEST');
  expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
}

/** An instant an action stamped: the minute it was sent at on the server's clock (the request itself takes a few milliseconds). */
const around = (minute: string) => expect.stringMatching(new RegExp(`^${minute}:0\\d\\.\\d{3}\\+08:00$`));

const mattersOf = (view: any): any[] => [...view.stages.flatMap((s: any) => s.matters), ...view.alongside];
const matterOf = (view: any, code: string) => mattersOf(view).find((m) => m.code === code);
const kindsOf = (view: any, kind: string) => view.events.filter((e: any) => e.kind === kind);

describe('告知承诺制 over HTTP: approved on commitment in a day, found false weeks later', () => {
  const suite = apiSuite('e2e-reform-commitment', { initialTime: '2026-04-20T09:00:00+08:00' });
  const { call } = suite;
  const drc = officerToken('DRC');
  const nrp = officerToken('NRP');
  const statement = '本公司承诺：项目能效水平达到国家和省规定的先进值，按节能报告落实各项节能措施。';
  const project = { processCode: 'GOV_INVESTMENT', projectName: '浏阳市第一中学新校区建设项目', materials: allMaterials('GOV_INVESTMENT') };
  const strong = async (id: string) => (await call('GET', `/applications/${id}?consistency=strong`, TOKENS.supervisor)).body;

  it('revokes the result, holds and flags the matters that used it, records the applicant’s credit and refuses its next commitment', async () => {
    // Only matters of the process that allow it may be committed on, each once, with a statement.
    const ineligible = await call('POST', '/applications', TOKENS.applicant, { ...project, commitments: [{ matter: 'LY06', statement }, { matter: 'LY01', statement }] });
    expectInvalid(ineligible, 'body.commitments.1.matter');
    expect(ineligible.body.errors[0].message).toMatch(/^matter LY01 is not approved on commitment \(告知承诺制\); these are: LY06, LY08, GC03, SG06$/);
    expectInvalid(await call('POST', '/applications', TOKENS.applicant, { ...project, commitments: [{ matter: 'SG07', statement }] }), 'body.commitments.0.matter');
    expectInvalid(await call('POST', '/applications', TOKENS.applicant, { ...project, commitments: [{ matter: 'LY06', statement }, { matter: 'LY06', statement }] }), 'body.commitments.1.matter');
    expectInvalid(await call('POST', '/applications', TOKENS.applicant, { ...project, commitments: [{ matter: 'LY06', statement: ' ' }] }), 'body.commitments.0.statement');

    const started = await call('POST', '/applications', TOKENS.applicant, { ...project, commitments: [{ matter: 'LY06', statement }] });
    expect(started.status).toBe(201);
    const id: string = started.body.applicationId;
    // The same applicant's second project, through its agent: it will commit on a later matter.
    const second = await call('POST', '/applications', TOKENS.agent, { ...project, projectName: '浏阳市第二中学扩建项目', applicant: { id: 'ent-001', name: '浏阳市教育投资有限公司' } });
    expect(second.status).toBe(201);
    const other: string = second.body.applicationId;

    const atStart = matterOf(await strong(id), 'LY06');
    // Decided within one working day of acceptance, without substantive review.
    expect(atStart).toMatchObject({ status: 'inProgress', dueOn: '2026-04-21', commitment: { statement, by: 'applicant ent-001' }, commitmentPolicy: { verificationDays: 30 } });
    const committedLater = await call('POST', `/applications/${other}/matters/GC03/commitment`, TOKENS.agent, { statement: '本公司承诺按气象条件落实防雷措施。' });
    expect(committedLater).toMatchObject({ status: 200, body: { code: 'GC03', status: 'pending', commitment: { by: 'agent agent-park-01 for applicant ent-001' } } });
    expectRefused(await call('POST', `/applications/${other}/matters/LY01/commitment`, TOKENS.applicant, { statement }), 422, 'COMMITMENT_NOT_ALLOWED');

    await suite.sleepUntil('2026-04-21T10:00:00+08:00');
    const approve = (code: string, token: string) => call('POST', `/applications/${id}/matters/${code}/decision`, token, { decision: 'approve', result: { number: `浏〔2026〕${code}号` } });
    const ly06 = await approve('LY06', drc);
    // The result issues, and the verification (核查) has 30 working days across the Labour Day holiday: 21 Apr → 4 Jun.
    expect(ly06).toMatchObject({ status: 200, body: { status: 'approved', decision: { kind: 'approved', at: around('2026-04-21T10:00') }, resultIssuedAt: around('2026-04-21T10:00'), verification: { startedAt: around('2026-04-21T10:00'), dueOn: '2026-06-04', level: 'normal', outcome: null } } });
    expect((await approve('LY01', drc)).status).toBe(200);
    expect((await approve('LY04', nrp)).status).toBe(200);
    // LY02 starts on LY06's result (and LY01's and LY04's); the DRC is still reviewing it weeks later.
    expect(matterOf(await strong(id), 'LY02')).toMatchObject({ status: 'inProgress', acceptedAt: around('2026-04-21T10:00') });

    // Weeks later, the site check finds the commitment false.
    await suite.sleepUntil('2026-05-20T10:00:00+08:00');
    const verify = (token: string, body: unknown) => call('POST', `/applications/${id}/matters/LY06/verification`, token, body);
    expectRefused(await verify(nrp, { outcome: 'false', reason: '越权核查' }), 403, 'WRONG_DEPARTMENT');
    expectInvalid(await verify(drc, { outcome: 'doubtful', reason: '现场核查' }), 'body.outcome');
    expectInvalid(await verify(drc, { outcome: 'false' }), 'body.reason');
    const reason = '现场核查：实测能效未达承诺的先进值';
    const found = await verify(drc, { outcome: 'false', reason });
    expect(found).toMatchObject({
      status: 200,
      body: { code: 'LY06', status: 'approved', revoked: { at: around('2026-05-20T10:00'), reason }, verification: { level: 'normal', outcome: { kind: 'false', reason, by: 'officer officer-drc (DRC)' } } },
    });
    expectRefused(await verify(drc, { outcome: 'confirmed', reason: '复核' }), 409, 'INVALID_STATE');

    // LY06 'suspend's the matters that used it: LY02, under way, is held on no one's time; LY05, received and waiting on LY02, is flagged.
    let view = await strong(id);
    expect(matterOf(view, 'LY02')).toMatchObject({ status: 'suspended', clockRunning: false, flags: [] });
    expect(matterOf(view, 'LY02').stops).toEqual([expect.objectContaining({ kind: 'hold', source: 'LY06', to: null })]);
    expect(matterOf(view, 'LY05')).toMatchObject({ status: 'waitingPrerequisites', flags: [{ source: 'LY06', at: around('2026-05-20T10:00') }] });
    expect(matterOf(view, 'LY01').flags).toEqual([]);
    expect(kindsOf(view, 'resultRevoked').map((e: any) => e.matter)).toEqual(['LY06']);
    expect(kindsOf(view, 'dependentHeld').map((e: any) => e.matter)).toEqual(['LY02']);
    expect(kindsOf(view, 'dependentFlagged').map((e: any) => e.matter)).toEqual(['LY05']);
    expect(kindsOf(view, 'creditRecorded')).toEqual([expect.objectContaining({ matter: 'LY06', data: { applicant: 'ent-001', applicantName: '浏阳市教育投资有限公司', kind: 'falseCommitment' } })]);

    // The DRC checks LY02 may go on without LY06's result, lifts the hold and decides; LY05 then starts, its flag kept.
    const lift = (token: string) => call('POST', `/applications/${id}/matters/LY02/hold/lift`, token, { reason: '经核实，节能审查结论不影响可研批复，恢复办理' });
    expectRefused(await lift(nrp), 403, 'WRONG_DEPARTMENT');
    expectInvalid(await call('POST', `/applications/${id}/matters/LY02/hold/lift`, drc, {}), 'body.reason');
    expect(await lift(drc)).toMatchObject({ status: 200, body: { status: 'inProgress', clockRunning: true } });
    expectRefused(await lift(drc), 409, 'INVALID_STATE');
    expect((await approve('LY02', drc)).body).toMatchObject({ status: 'approved' });
    expect(matterOf(await strong(id), 'LY05')).toMatchObject({ status: 'inProgress', flags: [{ source: 'LY06' }] });

    // Once the read model holds the credit record, the applicant's next commitment on such a matter is refused.
    await until('the credit record in the read model', async () => ((await call('GET', `/applications/${id}/audit`, TOKENS.supervisor)).body.events?.some((e: any) => e.kind === 'creditRecorded') ? true : undefined));
    const refused = await call('POST', '/applications', TOKENS.applicant, { ...project, projectName: '浏阳市第三中学项目', commitments: [{ matter: 'LY08', statement: '承诺落实水土保持措施' }, { matter: 'LY06', statement }] });
    expectRefused(refused, 422, 'COMMITMENT_NOT_ALLOWED');
    expect(refused.body.errors.map((e: any) => e.field)).toEqual(['body.commitments.0.matter', 'body.commitments.1.matter']);
    expect(refused.body.errors[1].message).toMatch(/^matter LY06 refuses approval on commitment \(告知承诺制\) to an applicant with a credit record \(失信\)/);
    const onMatter = await call('POST', `/applications/${other}/matters/SG06/commitment`, TOKENS.applicant, { statement: '承诺按规范设置临时占道围挡' });
    expectRefused(onMatter, 422, 'COMMITMENT_NOT_ALLOWED');
    expect(onMatter.body.errors).toEqual([{ field: 'path.code', message: expect.stringMatching(/^matter SG06 refuses approval on commitment/) }]);
    // Another applicant is not affected.
    const clean = await call('POST', '/applications', TOKENS.otherApplicant, { ...project, projectName: '另一家企业的项目', commitments: [{ matter: 'LY06', statement }] });
    expect(clean.status).toBe(201);
  });
});

describe('joint acceptance (联合验收) over HTTP: a silent participant deemed consenting, a failing one, rectification and re-inspection', () => {
  const suite = apiSuite('e2e-reform-joint', { initialTime: '2026-09-24T09:00:00+08:00' });
  const { call } = suite;
  const hud = officerToken('HUD');
  const strong = async (id: string, token: string = TOKENS.supervisor) => (await call('GET', `/applications/${id}?consistency=strong`, token)).body;

  it('schedules and moves the session once, deems MET’s silence consent after the National Day holiday, takes CAD’s failure to one rectification and re-inspection, then approves', async () => {
    const started = await call('POST', '/applications', TOKENS.applicant, { processCode: 'SOCIAL_REFORM', projectName: '经开区智能装备产业园', materials: allMaterials('SOCIAL_REFORM') });
    expect(started.status).toBe(201);
    const id: string = started.body.applicationId;
    const at = (path: string) => `/applications/${id}/${path}`;

    // The first three stages, decided at once: the joint drawing review (SG07) takes CAD's and MET's opinions first.
    let view = await strong(id);
    for (let round = 0; round < 20 && view.currentStage !== 'S4'; round++) {
      for (const m of mattersOf(view).filter((x) => x.status === 'inProgress')) {
        for (const p of m.joint?.participants.filter((x: any) => x.waiting) ?? []) {
          expect((await call('POST', at(`matters/${m.code}/opinion`), officerToken(p.department), { opinion: 'pass' })).status).toBe(200);
        }
        expect((await call('POST', at(`matters/${m.code}/decision`), officerToken(m.department), { decision: 'approve', result: { number: `浏${m.department}〔2026〕${m.code}号` } })).status).toBe(200);
      }
      view = await strong(id);
    }
    expect(view.currentStage).toBe('S4');
    expect(matterOf(view, 'SG07').joint.participants.map((p: any) => [p.department, p.opinion.kind])).toEqual([['CAD', 'pass'], ['MET', 'pass']]);

    // Each participant's opinion limit runs from acceptance on 24 Sep, across 中秋 (25–27 Sep) and 国庆 (1–7 Oct).
    const jg07 = matterOf(await strong(id, officerToken('MET')), 'JG07');
    expect(jg07).toMatchObject({ status: 'inProgress', dueOn: '2026-10-15', joint: { silenceIsConsent: true, round: 1, session: null } });
    expect(jg07.joint.participants.map((p: any) => [p.department, p.due.dueOn])).toEqual([['NRP', '2026-10-09'], ['MET', '2026-10-08'], ['CAD', '2026-10-09']]);

    const session = (path: string, token: string, body: unknown) => call('POST', at(`matters/JG07/${path}`), token, body);
    expectRefused(await session('session', officerToken('NRP'), { on: '2026-09-29', time: '14:30', place: '市民中心三楼' }), 403, 'WRONG_DEPARTMENT');
    expectInvalid(await session('session', hud, { on: '2026-09-29', time: '9:30', place: '市民中心三楼' }), 'body.time');
    const late = await session('session', hud, { on: '2026-10-16', time: '14:30', place: '市民中心三楼' });
    expectRefused(late, 400, 'INVALID_INPUT');
    expect(late.body.detail).toBe("the session must be held within matter JG07's limit, by 2026-10-15; 2026-10-16 is later");
    const scheduled = await session('session', hud, { on: '2026-09-29', time: '14:30', place: '市民中心三楼联合验收室' });
    expect(scheduled).toMatchObject({ status: 200, body: { joint: { session: { on: '2026-09-29', time: '14:30', moved: null, by: 'officer officer-hud (HUD)' } } } });
    expectRefused(await session('session', hud, { on: '2026-09-30', time: '14:30', place: '项目现场' }), 409, 'INVALID_STATE');

    await suite.sleepUntil('2026-09-28T10:00:00+08:00');
    expectInvalid(await session('session/move', hud, { on: '2026-09-30', time: '09:30', place: '项目现场' }), 'body.reason');
    const moved = await session('session/move', hud, { on: '2026-09-30', time: '09:30', place: '项目现场', reason: '建设单位申请改在现场验收' });
    expect(moved.body.joint.session).toMatchObject({ on: '2026-09-30', time: '09:30', place: '项目现场', moved: { on: '2026-09-29', time: '14:30', reason: '建设单位申请改在现场验收' } });
    expectRefused(await session('session/move', hud, { on: '2026-10-08', time: '09:30', place: '项目现场', reason: '再改一次' }), 409, 'INVALID_STATE');

    // After the session: NRP passes, CAD fails with its items; MET says nothing.
    await suite.sleepUntil('2026-09-30T16:00:00+08:00');
    const opinion = (token: string, body: unknown) => session('opinion', token, body);
    expectRefused(await opinion(hud, { opinion: 'pass' }), 403, 'WRONG_DEPARTMENT');
    expectInvalid(await opinion(officerToken('CAD'), { opinion: 'fail', items: [] }), 'body.items');
    expectInvalid(await opinion(officerToken('CAD'), { opinion: 'veto', items: ['x'] }), 'body.opinion');
    expect((await opinion(officerToken('NRP'), { opinion: 'pass', note: '规划条件核实通过' })).status).toBe(200);
    const failed = await opinion(officerToken('CAD'), { opinion: 'fail', items: ['人防门未安装到位', '防化通风设备未调试'] });
    expect(failed.body.joint.participants.find((p: any) => p.department === 'CAD').opinion).toMatchObject({ kind: 'fail', round: 1, by: 'officer officer-cad (CAD)' });
    expectRefused(await opinion(officerToken('CAD'), { opinion: 'pass' }), 409, 'INVALID_STATE');
    const early = await call('POST', at('matters/JG07/decision'), hud, { decision: 'approve', result: { number: '浏住建验〔2026〕7号' } });
    expectRefused(early, 409, 'OPINIONS_OUTSTANDING');
    expect(early.body.detail).toBe('matter JG07 waits for the opinions of MET');
    expectRefused(await call('POST', at('matters/JG07/rectification'), TOKENS.applicant, { note: '提前整改' }), 409, 'INVALID_STATE');

    // MET's limit ends on 8 Oct, the first working day after the holiday: deemed to consent at its end; the failures become one list on the applicant's time.
    await suite.sleepUntil('2026-10-09T10:00:00+08:00');
    view = await strong(id);
    const waiting = matterOf(view, 'JG07');
    expect(waiting.joint.participants.find((p: any) => p.department === 'MET').opinion).toMatchObject({ kind: 'deemedConsent', at: '2026-10-09T00:00:00.000+08:00', round: 1 });
    expect(waiting).toMatchObject({ status: 'suspended', clockRunning: false, joint: { rectification: { items: [{ department: 'CAD', item: '人防门未安装到位' }, { department: 'CAD', item: '防化通风设备未调试' }], submittedAt: null } } });
    expect(kindsOf(view, 'opinionDeemedConsent')).toEqual([expect.objectContaining({ matter: 'JG07', at: '2026-10-09T00:00:00.000+08:00', data: { department: 'MET', round: 1 } })]);
    expect(kindsOf(view, 'rectificationRequested').map((e: any) => e.data.departments)).toEqual([['CAD']]);
    expectRefused(await opinion(officerToken('MET'), { opinion: 'pass' }), 409, 'INVALID_STATE');

    // The applicant rectifies; only CAD re-inspects, on a new limit of its own.
    await suite.sleepUntil('2026-10-12T10:00:00+08:00');
    expectRefused(await call('POST', at('matters/JG07/rectification'), TOKENS.otherApplicant, { note: '试探' }), 403, 'NOT_A_PARTY');
    const rectified = await call('POST', at('matters/JG07/rectification'), TOKENS.applicant, { note: '人防门已安装，防化通风设备已调试合格' });
    expect(rectified).toMatchObject({ status: 200, body: { status: 'inProgress', clockRunning: true, joint: { round: 2, rectification: { submittedAt: around('2026-10-12T10:00') } } } });
    expect(rectified.body.joint.participants.map((p: any) => [p.department, p.waiting, p.due?.dueOn ?? null])).toEqual([
      ['NRP', false, null],
      ['MET', false, null],
      ['CAD', true, '2026-10-19'],
    ]);

    await suite.sleepUntil('2026-10-14T10:00:00+08:00');
    const reinspected = await opinion(officerToken('CAD'), { opinion: 'pass', note: '复验合格' });
    expect(reinspected.body.joint.participants.find((p: any) => p.department === 'CAD')).toMatchObject({ opinion: { kind: 'pass', round: 2 }, earlier: [{ kind: 'fail', round: 1 }] });
    expect((await call('POST', at('matters/JG07/decision'), hud, { decision: 'approve', result: { number: '浏住建验〔2026〕7号' } })).body).toMatchObject({ status: 'approved' });
    expect((await call('POST', at('matters/JG06/decision'), hud, { decision: 'approve', result: { number: '浏住建备〔2026〕6号' } })).body).toMatchObject({ status: 'approved' });

    view = await strong(id);
    expect(view.status).toBe('completed');
    // The rectification was the applicant's time: 9 Oct 00:00 → 12 Oct 10:00, two working days (9 Oct and the make-up Saturday 10 Oct).
    expect(matterOf(view, 'JG07').stops).toEqual([expect.objectContaining({ kind: 'rectification', workingDays: 2 })]);
    expect(kindsOf(view, 'opinionsComplete').filter((e: any) => e.matter === 'JG07').map((e: any) => e.data.round)).toEqual([2]);
  });
});

describe('work assigned to officers over HTTP: claim, reassignment by the head, an out-of-office delegate across the Dragon Boat holiday', () => {
  const suite = apiSuite('e2e-reform-assignment', { initialTime: '2026-06-08T09:00:00+08:00' });
  const { call } = suite;
  const drc = officerToken('DRC');
  const colleague = colleagueToken('DRC');
  const head = headToken('DRC');

  it('lets only the assignee, its delegate on the delegation’s dates or the head act on an assigned matter', async () => {
    const started = await call('POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT', projectName: '浏阳市第一中学新校区建设项目', materials: allMaterials('GOV_INVESTMENT') });
    const id: string = started.body.applicationId;
    const act = (code: string, path: string, token: string, body: unknown = {}) => call('POST', `/applications/${id}/matters/${code}/${path}`, token, body);
    const approveBody = (code: string) => ({ decision: 'approve', result: { number: `浏发改〔2026〕${code}号` } });

    const claimed = await act('LY01', 'claim', drc);
    expect(claimed).toMatchObject({ status: 200, body: { assignee: { officer: 'officer-drc', by: 'officer officer-drc (DRC)', since: around('2026-06-08T09:00') } } });
    expectRefused(await act('LY01', 'claim', colleague), 409, 'ALREADY_ASSIGNED');
    expectRefused(await act('LY01', 'special-procedure', colleague, { kind: 'expertReview', expectedWorkingDays: 3, reason: '专家评审' }), 403, 'NOT_ASSIGNED');
    expectRefused(await act('LY01', 'claim', officerToken('NRP')), 403, 'WRONG_DEPARTMENT');

    // The head reassigns; an officer who is not the head may not, and only to an officer of the matter's department.
    expectRefused(await act('LY01', 'assign', drc, { officer: 'officer-drc-2' }), 403, 'NOT_PERMITTED');
    const outside = await act('LY01', 'assign', head, { officer: 'officer-nrp' });
    expectInvalid(outside, 'body.officer');
    expect(outside.body.errors[0].message).toBe('is not an officer of department DRC, which matter LY01 belongs to');
    expectInvalid(await act('LY01', 'assign', head, { officer: 'head drc' }), 'body.officer');
    const reassigned = await act('LY01', 'assign', head, { officer: 'officer-drc-2', reason: '原承办人外出培训' });
    expect(reassigned).toMatchObject({ status: 200, body: { assignee: { officer: 'officer-drc-2', by: 'officer head-drc (DRC)' } } });
    expectRefused(await act('LY01', 'decision', drc, approveBody('LY01')), 403, 'NOT_ASSIGNED');
    expect((await act('LY06', 'claim', colleague)).status).toBe(200);

    // officer-drc-2 is away 15–21 June (端午 19–21) and names officer-drc.
    expectInvalid(await call('POST', '/officers/delegations', colleague, { delegate: 'officer-nrp', from: '2026-06-15', until: '2026-06-21' }), 'body.delegate');
    const delegated = await call('POST', '/officers/delegations', colleague, { delegate: 'officer-drc', from: '2026-06-15', until: '2026-06-21', reason: '外出培训' });
    expect(delegated).toMatchObject({ status: 201, body: { officer: 'officer-drc-2', delegate: 'officer-drc', from: '2026-06-15', until: '2026-06-21', revokedAt: null } });
    await suite.sleepUntil('2026-06-12T10:00:00+08:00');
    expectRefused(await act('LY01', 'decision', drc, approveBody('LY01')), 403, 'NOT_ASSIGNED');

    await suite.sleepUntil('2026-06-15T10:00:00+08:00');
    const byDelegate = await act('LY01', 'decision', drc, approveBody('LY01'));
    expect(byDelegate).toMatchObject({ status: 200, body: { status: 'approved', decision: { by: 'officer officer-drc (DRC)' }, assignee: { officer: 'officer-drc-2' } } });
    expect(await act('LY06', 'special-procedure', drc, { kind: 'expertReview', expectedWorkingDays: 5, reason: '节能报告专家评审' })).toMatchObject({ status: 200, body: { status: 'suspended' } });

    // Back after the holiday: the delegation has ended.
    await suite.sleepUntil('2026-06-22T10:00:00+08:00');
    expectRefused(await act('LY06', 'special-procedure/end', drc, { reason: '评审结束' }), 403, 'NOT_ASSIGNED');
    expect((await act('LY06', 'special-procedure/end', colleague, { reason: '评审结束' })).body).toMatchObject({ status: 'inProgress' });
    // The assignee returns it to the pool; another officer claims it; the head acts on any assigned matter.
    expectRefused(await act('LY06', 'release', drc, { reason: '试探' }), 403, 'NOT_PERMITTED');
    expect(await act('LY06', 'release', colleague, { reason: '手头事项较多' })).toMatchObject({ status: 200, body: { assignee: null } });
    expectRefused(await act('LY06', 'release', colleague), 409, 'INVALID_STATE');
    expect((await act('LY06', 'claim', drc)).body.assignee.officer).toBe('officer-drc');
    expect(await act('LY06', 'decision', head, approveBody('LY06'))).toMatchObject({ status: 200, body: { status: 'approved', decision: { by: 'officer head-drc (DRC)' } } });

    const view = (await call('GET', `/applications/${id}?consistency=strong`, drc)).body;
    expect(view.events.filter((e: any) => e.kind === 'assigned' || e.kind === 'returnedToPool').map((e: any) => [e.matter, e.kind, e.actor, e.data])).toEqual([
      ['LY01', 'assigned', 'officer officer-drc (DRC)', { officer: 'officer-drc', previous: null, how: 'claim' }],
      ['LY01', 'assigned', 'officer head-drc (DRC)', { officer: 'officer-drc-2', previous: 'officer-drc', how: 'reassign' }],
      ['LY06', 'assigned', 'officer officer-drc-2 (DRC)', { officer: 'officer-drc-2', previous: null, how: 'claim' }],
      ['LY06', 'returnedToPool', 'officer officer-drc-2 (DRC)', { officer: 'officer-drc-2' }],
      ['LY06', 'assigned', 'officer officer-drc (DRC)', { officer: 'officer-drc', previous: null, how: 'claim' }],
    ]);
  });
});

describe('remedies over HTTP: one supplement unless the head approves another, and deemed withdrawal (视为撤回) with the reminder', () => {
  const suite = apiSuite('e2e-reform-remedies', { initialTime: '2026-04-20T09:00:00+08:00' });
  const { call } = suite;
  const nrp = officerToken('NRP');

  it('refuses a second supplement request without the head’s approval, reminds the applicant three working days before, and deems the application withdrawn', async () => {
    const started = await call('POST', '/applications', TOKENS.applicant, { processCode: 'SOCIAL_REFORM', projectName: '经开区智能装备产业园', materials: allMaterials('SOCIAL_REFORM') });
    const id: string = started.body.applicationId;
    const supplement = (body: unknown) => call('POST', `/applications/${id}/matters/LY04/supplement`, nrp, body);

    await suite.sleepUntil('2026-04-21T10:00:00+08:00');
    const first = await supplement({ items: ['M_SITE_MAP'], reason: '红线图比例不符' });
    // The first request's lapse: 20 working days from 21 Apr, across the Labour Day holiday and its make-up Saturday.
    expect(first).toMatchObject({ status: 200, body: { status: 'suspended', withdrawal: { withdrawnOn: '2026-05-21', remindedAt: null } } });
    await suite.sleepUntil('2026-04-23T10:00:00+08:00');
    expect((await call('POST', `/applications/${id}/materials`, TOKENS.applicant, { items: ['M_SITE_MAP'] })).status).toBe(200);

    await suite.sleepUntil('2026-04-24T10:00:00+08:00');
    const second = await supplement({ items: ['M_LAND_REPORT'], reason: '土地勘测报告缺页' });
    expectRefused(second, 409, 'SUPPLEMENT_LIMIT');
    expect(second.body.detail).toMatch(/^matter LY04 had its one supplement request on 2026-04-21 \(一次性告知\); another needs the department head's approval, named in approvedBy$/);
    expectInvalid(await supplement({ items: ['M_LAND_REPORT'], reason: '土地勘测报告缺页', approvedBy: 'x'.repeat(101) }), 'body.approvedBy');
    const approved = await supplement({ items: ['M_LAND_REPORT'], reason: '土地勘测报告缺页', approvedBy: '自然资源和规划局 王局长' });
    expect(approved).toMatchObject({ status: 200, body: { status: 'suspended', withdrawal: { withdrawnOn: '2026-05-26', remindedAt: null } } });
    expect(approved.body.stops.map((s: any) => [s.kind, s.approvedBy])).toEqual([
      ['supplement', null],
      ['supplement', '自然资源和规划局 王局长'],
    ]);

    // 17 working days on (21 May) the applicant is told; nothing arrives.
    await suite.sleepUntil('2026-05-22T10:00:00+08:00');
    let view = (await call('GET', `/applications/${id}?consistency=strong`, TOKENS.applicant)).body;
    expect(view.status).toBe('running');
    expect(matterOf(view, 'LY04').withdrawal).toEqual({ withdrawnOn: '2026-05-26', remindedAt: '2026-05-22T00:00:00.000+08:00' });
    expect(kindsOf(view, 'withdrawalReminder')).toEqual([expect.objectContaining({ matter: 'LY04', at: '2026-05-22T00:00:00.000+08:00', data: { items: ['M_LAND_REPORT'], withdrawnOn: '2026-05-26' } })]);

    // At the end of 26 May LY04 is deemed withdrawn; a milestone of S1, it ends the application.
    await suite.sleepUntil('2026-05-27T10:00:00+08:00');
    view = (await call('GET', `/applications/${id}?consistency=strong`, TOKENS.applicant)).body;
    expect(view.status).toBe('withdrawn');
    expect(matterOf(view, 'LY04')).toMatchObject({ status: 'withdrawn', decision: { kind: 'withdrawn', at: '2026-05-27T00:00:00.000+08:00' } });
    expect(kindsOf(view, 'deemedWithdrawn')).toEqual([expect.objectContaining({ matter: 'LY04', at: '2026-05-27T00:00:00.000+08:00', data: { items: ['M_LAND_REPORT'], withdrawnOn: '2026-05-26' } })]);
    expectRefused(await call('POST', `/applications/${id}/materials`, TOKENS.applicant, { items: ['M_LAND_REPORT'] }), 409, 'APPLICATION_CLOSED');
  });
});
