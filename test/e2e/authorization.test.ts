import { createHash } from 'node:crypto';
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { snapshotFor } from '../../catalogue/loader';
import { allMatters } from '../../catalogue/snapshot';
import { colleagueToken, headToken, officerToken, TOKENS, type HttpResult } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { catalogue } from '../helpers/temporal';
import { until } from '../helpers/until';
import { shanghaiDate } from '../../domain/time';

/**
 * The authorization matrix on the real stack (README "Who may see what"): reads of the status
 * view and the audit trail, and actions, for every kind of caller, party or not.
 */

/**
 * Government investment cut to its first stage and the water connection (UT01, started at once):
 * DRC, NRP, EEB, WRB and the water company hold matters, MET and the power company hold none.
 */
function firstStageSnapshot() {
  const full = snapshotFor(catalogue, 'GOV_INVESTMENT')!;
  return {
    ...full,
    // A process of its own: the read model keeps one snapshot per definition hash and process, and
    // a cut snapshot under the full one's hash would stand for every GOV_INVESTMENT application.
    definitionHash: createHash('sha256').update(`first-stage-only/${full.definitionHash}`).digest('hex'),
    stages: [full.stages[0]!],
    alongside: full.alongside.filter((m) => m.code === 'UT01').map((m) => ({ ...m, prerequisites: [] })),
  };
}

/**
 * Social investment (reform pilot) cut to its completion stage: the joint acceptance JG07 (HUD
 * leads; NRP, MET and CAD give opinions) is accepted at the start. Only HUD holds a matter: the
 * participants are parties as participants alone.
 */
function acceptanceStageSnapshot() {
  const full = snapshotFor(catalogue, 'SOCIAL_REFORM')!;
  return {
    ...full,
    definitionHash: createHash('sha256').update(`acceptance-stage-only/${full.definitionHash}`).digest('hex'),
    stages: [full.stages.find((s) => s.code === 'S4')!],
    alongside: [],
  };
}

/** Every officer action on an application, with a body that passes validation. */
const OFFICER_ACTIONS: [string, unknown][] = [
  ['matters/LY01/decision', { decision: 'approve', result: { number: '浏发改〔2026〕1号' } }],
  ['matters/LY01/accept', { reason: '材料齐全' }],
  ['matters/LY01/supplement', { items: ['M_PROPOSAL'], reason: '补充建议书' }],
  ['matters/LY01/special-procedure', { kind: 'expertReview', expectedWorkingDays: 3, reason: '专家评审' }],
  ['matters/LY01/special-procedure/end', { reason: '评审结束' }],
  ['matters/LY01/extension', { days: 5, approvedBy: '局长', reason: '情况复杂' }],
  ['stages/S1/missing-notice', { note: '' }],
  ['services/EIA_REPORT/review', { decision: 'accept' }],
  ['matters/LY06/verification', { outcome: 'confirmed', reason: '核查属实' }],
  ['matters/LY04/hold/lift', { reason: '恢复办理' }],
  ['matters/LY01/session', { on: '2026-12-30', time: '09:30', place: '会议室' }],
  ['matters/LY01/session/move', { on: '2026-12-31', time: '09:30', place: '会议室', reason: '改期' }],
  ['matters/LY01/opinion', { opinion: 'pass' }],
  ['matters/LY01/claim', {}],
  ['matters/LY01/assign', { officer: 'officer-drc-2' }],
  ['matters/LY01/release', {}],
];

describe('authorization by object: who may read, audit and act on an application', () => {
  const suite = apiSuite('e2e-authz');
  const { call } = suite;
  /** ent-001's application, started by the applicant itself; EIA report contracted to P_GREEN_ENV. */
  let own: string;
  /** ent-002's application, started by the integrator other-system (authorised at the time). */
  let startedByOther: string;

  const get = (id: string, token: string) => call('GET', `/applications/${id}`, token);
  const audit = (id: string, token: string) => call('GET', `/applications/${id}/audit`, token);

  beforeAll(async () => {
    const snapshot = firstStageSnapshot();
    const materials = [...new Set(allMatters(snapshot).flatMap((m) => m.materials.map((x) => x.code)))].filter((m) => m !== 'M_EIA_DOCUMENT');
    own = (await suite.start('GOV_INVESTMENT', { applicationId: `app-${randomUUID()}`, snapshot, materials })).workflowId;
    startedByOther = (
      await suite.start('GOV_INVESTMENT', {
        applicationId: `app-${randomUUID()}`,
        applicant: { id: 'ent-002', name: '另一家企业' },
        snapshot,
        materials,
        startedBy: { id: 'other-system', role: 'integrator' },
      })
    ).workflowId;
    const contracted = await call('POST', `/applications/${own}/services/EIA_REPORT/contract`, TOKENS.applicant, { selection: { method: 'direct', provider: 'P_GREEN_ENV' } });
    expect(contracted.status).toBe(200);
    // The audit trail is the read model's: wait until the projection holds both applications and the contract.
    for (const id of [own, startedByOther]) {
      await until(`${id} in the read model`, async () => ((await audit(id, TOKENS.supervisor)).body.events?.some((e: any) => e.kind === 'applicationStarted') ? true : undefined));
    }
    await until('the contract in the read model', async () => ((await audit(own, TOKENS.supervisor)).body.events.some((e: any) => e.kind === 'contracted') ? true : undefined));
  });

  it('lets the applicant read, audit and act on its own application, and refuses another applicant on each', async () => {
    expect((await get(own, TOKENS.applicant)).status).toBe(200);
    expect((await audit(own, TOKENS.applicant)).status).toBe(200);
    expect((await call('POST', `/applications/${own}/materials`, TOKENS.applicant, { items: ['M_APPLICATION_FORM'] })).status).toBe(200);
    for (const r of [
      await get(own, TOKENS.otherApplicant),
      await audit(own, TOKENS.otherApplicant),
      await call('POST', `/applications/${own}/materials`, TOKENS.otherApplicant, { items: ['M_APPLICATION_FORM'] }),
      await call('POST', `/applications/${own}/withdraw`, TOKENS.otherApplicant, { reason: '试探' }),
    ]) {
      expect(r).toMatchObject({ status: 403, body: { code: 'NOT_A_PARTY' } });
      expect(r.body.detail).not.toContain('ent-001');
    }
  });

  it('lets an agent holding the applicant’s delegation read, audit and act, and refuses an agent without it', async () => {
    expect((await get(own, TOKENS.agent)).status).toBe(200);
    expect((await audit(own, TOKENS.agent)).status).toBe(200);
    expect((await call('POST', `/applications/${own}/materials`, TOKENS.agent, { items: ['M_PROJECT_CODE'] })).status).toBe(200);
    expect((await get(own, TOKENS.otherAgent)).status).toBe(403);
    expect((await audit(own, TOKENS.otherAgent)).status).toBe(403);
    expect((await call('POST', `/applications/${own}/materials`, TOKENS.otherAgent, { items: ['M_PROJECT_CODE'] })).status).toBe(403);
  });

  it('lets an officer of a department holding a matter read the whole application and its audit trail and act, the workflow still guarding other departments’ matters', async () => {
    const view = await get(own, officerToken('DRC'));
    expect(view.status).toBe(200);
    expect(view.body.stages[0].matters.map((m: any) => m.department)).toEqual(expect.arrayContaining(['DRC', 'NRP', 'EEB']));
    const trail = await audit(own, officerToken('DRC'));
    expect(trail.status).toBe(200);
    expect(new Set(trail.body.events.map((e: any) => e.matter).filter(Boolean)).size).toBeGreaterThan(1);
    const acted = await call('POST', `/applications/${own}/matters/LY01/special-procedure`, officerToken('DRC'), { kind: 'expertReview', expectedWorkingDays: 3, reason: '专家评审' });
    expect(acted).toMatchObject({ status: 200, body: { code: 'LY01', status: 'suspended' } });
    const otherMatter = await call('POST', `/applications/${own}/matters/LY04/decision`, officerToken('DRC'), { decision: 'approve', result: { number: 'x' } });
    expect(otherMatter).toMatchObject({ status: 403, body: { code: 'WRONG_DEPARTMENT' } });
  });

  it('refuses an officer of an uninvolved department on read, audit and every officer action, before the workflow is asked', async () => {
    const met = officerToken('MET');
    expect(await get(own, met)).toMatchObject({ status: 403, body: { code: 'NOT_A_PARTY' } });
    expect(await audit(own, met)).toMatchObject({ status: 403, body: { code: 'NOT_A_PARTY' } });
    // NOT_A_PARTY is the API's answer; the workflow would have said WRONG_DEPARTMENT.
    for (const [path, body] of OFFICER_ACTIONS) {
      const r = await call('POST', `/applications/${own}/${path}`, met, body);
      expect({ path, status: r.status, code: r.body.code }).toEqual({ path, status: 403, code: 'NOT_A_PARTY' });
    }
  });

  it('shows a utility’s officer the header and its own matters only, lets it act on those alone, and refuses a utility holding no matter', async () => {
    const wsc = officerToken('WSC');
    const view = await get(own, wsc);
    expect(view.status).toBe(200);
    expect(view.body).toMatchObject({ applicationId: own, applicant: { id: 'ent-001' }, status: 'running' });
    expect(view.body.stages).toEqual([]);
    expect(view.body.alongside.map((m: any) => m.code)).toEqual(['UT01']);
    expect(view.body).not.toHaveProperty('accounting');
    expect(view.body.events.every((e: any) => e.matter === 'UT01')).toBe(true);
    const trail = await audit(own, wsc);
    expect(trail.status).toBe(200);
    expect(trail.body.events.length).toBeGreaterThan(0);
    expect(trail.body.events.every((e: any) => e.matter === 'UT01')).toBe(true);

    const own01 = await call('POST', `/applications/${own}/matters/UT01/supplement`, wsc, { items: ['M_WATER_APPLICATION'], reason: '补充用水申请' });
    expect(own01).toMatchObject({ status: 200, body: { code: 'UT01', status: 'suspended' } });
    const notOwn = await call('POST', `/applications/${own}/matters/LY01/decision`, wsc, { decision: 'approve', result: { number: 'x' } });
    expect(notOwn).toMatchObject({ status: 403, body: { code: 'NOT_A_PARTY' } });
    expect(notOwn.body.detail).not.toMatch(/DRC|ent-001/);
    for (const [path, body] of [['matters/LY01/claim', {}], ['matters/LY01/opinion', { opinion: 'pass' }], ['matters/LY06/verification', { outcome: 'false', reason: 'x' }]] as const) {
      expect(await call('POST', `/applications/${own}/${path}`, wsc, body)).toMatchObject({ status: 403, body: { code: 'NOT_A_PARTY' } });
    }
    expect((await call('POST', `/applications/${own}/matters/UT01/claim`, wsc, {})).status).toBe(200);

    const psc = officerToken('PSC');
    expect((await get(own, psc)).status).toBe(403);
    expect((await audit(own, psc)).status).toBe(403);
  });

  it('lets an integrator read and audit the applications it started or whose applicant authorised it, and refuses one that is no party', async () => {
    // provincial-platform: authorised by ent-001. other-system: started ent-002's, authorised by no one.
    expect((await get(own, TOKENS.integrator)).status).toBe(200);
    expect((await audit(own, TOKENS.integrator)).status).toBe(200);
    const started = await get(startedByOther, TOKENS.otherIntegrator);
    expect(started).toMatchObject({ status: 200, body: { startedBy: { id: 'other-system', role: 'integrator' } } });
    expect((await audit(startedByOther, TOKENS.otherIntegrator)).status).toBe(200);
    for (const r of [await get(own, TOKENS.otherIntegrator), await audit(own, TOKENS.otherIntegrator), await get(startedByOther, TOKENS.integrator), await audit(startedByOther, TOKENS.integrator)]) {
      expect(r).toMatchObject({ status: 403, body: { code: 'NOT_A_PARTY' } });
      expect(r.body.detail).not.toMatch(/ent-00|other-system/);
    }
  });

  it('lets an integrator start only for an applicant that authorised it, refusing any other without naming anyone else', async () => {
    const body = (applicantId: string) => ({ processCode: 'GOV_INVESTMENT', projectName: '省平台推送项目', applicant: { id: applicantId, name: '企业' } });
    const refused = await call('POST', '/applications', TOKENS.integrator, body('ent-002'));
    expect(refused).toMatchObject({ status: 403, body: { code: 'NOT_AUTHORISED_BY_APPLICANT', detail: 'integrator provincial-platform holds no authorisation from applicant ent-002' } });
    const unauthorised = await call('POST', '/applications', TOKENS.otherIntegrator, body('ent-001'));
    expect(unauthorised).toMatchObject({ status: 403, body: { detail: 'integrator other-system holds no authorisation from applicant ent-001' } });

    const ok = await call('POST', '/applications', TOKENS.integrator, body('ent-001'));
    expect(ok.status).toBe(201);
    const view = await get(ok.body.applicationId, TOKENS.integrator);
    expect(view).toMatchObject({ status: 200, body: { applicant: { id: 'ent-001' }, startedBy: { id: 'provincial-platform', role: 'integrator' } } });
    expect((await get(ok.body.applicationId, TOKENS.otherIntegrator)).status).toBe(403);
  });

  it('shows a provider only the applications where it holds a contract, and refuses another provider’s delivery without naming the contract holder', async () => {
    const green = await get(own, TOKENS.providerGreen);
    expect(Object.keys(green.body).sort()).toEqual(['applicant', 'applicationId', 'process', 'projectName', 'projection', 'services', 'status']);
    expect((await get(startedByOther, TOKENS.providerGreen)).status).toBe(403);

    expect(await get(own, TOKENS.providerHuazhong)).toMatchObject({ status: 403, body: { code: 'NOT_A_PARTY' } });
    const delivery = await call('POST', `/applications/${own}/services/EIA_REPORT/delivery`, TOKENS.providerHuazhong, { note: '报告书' });
    expect(delivery).toMatchObject({ status: 403, body: { code: 'NOT_A_PARTY' } });
    expect(delivery.body.detail).not.toContain('P_GREEN_ENV');

    // The holder's delivery is answered with what a provider sees, not the whole application.
    const delivered = await call('POST', `/applications/${own}/services/EIA_REPORT/delivery`, TOKENS.providerGreen, { note: '报告书' });
    expect(delivered.status).toBe(200);
    expect(Object.keys(delivered.body).sort()).toEqual(['applicant', 'applicationId', 'process', 'projectName', 'services', 'status']);
  });

  it('lets the supervision office and admins read and audit every application, and the supervision office urge any open matter', async () => {
    for (const token of [TOKENS.supervisor, TOKENS.admin]) {
      for (const id of [own, startedByOther]) {
        expect((await get(id, token)).status).toBe(200);
        expect((await audit(id, token)).status).toBe(200);
      }
    }
    expect((await call('POST', `/applications/${startedByOther}/matters/LY04/urge`, TOKENS.supervisor, { note: '请按时办结' })).status).toBe(202);
  });

  describe('the reform’s routes: commitment, verification, holds, joint sessions and opinions, rectification, assignment', () => {
    /** ent-001's first stage with a commitment on LY06; LY08 waits in intake for its soil and water plan. */
    let committed: string;
    /** ent-001's joint acceptance, under way from the start. */
    let joint: string;
    const statement = '本公司承诺按报告落实各项措施。';
    /** What each caller got, as `status code`, to compare with the expected matrix at once. */
    const outcome = (r: HttpResult) => `${r.status} ${r.status < 300 ? 'ok' : r.body.code}`;
    const asEach = async (path: string, body: unknown, callers: Record<string, string>) => {
      const got: Record<string, string> = {};
      for (const [who, token] of Object.entries(callers)) got[who] = outcome(await call('POST', path, token, body));
      return got;
    };

    beforeAll(async () => {
      const snapshot = firstStageSnapshot();
      const materials = [...new Set(allMatters(snapshot).flatMap((m) => m.materials.map((x) => x.code)))].filter((m) => m !== 'M_EIA_DOCUMENT' && m !== 'M_SOIL_WATER_PLAN');
      committed = (await suite.start('GOV_INVESTMENT', { applicationId: `app-${randomUUID()}`, snapshot, materials, commitments: [{ matter: 'LY06', statement }] })).workflowId;
      const acceptance = acceptanceStageSnapshot();
      joint = (await suite.start('SOCIAL_REFORM', { applicationId: `app-${randomUUID()}`, snapshot: acceptance, materials: [...new Set(allMatters(acceptance).flatMap((m) => m.materials.map((x) => x.code)))] })).workflowId;
    });

    it('lets the applicant and its agent commit before acceptance, refusing another applicant or agent as no party and every other role', async () => {
      const path = `/applications/${committed}/matters/LY08/commitment`;
      expect(
        await asEach(path, { statement }, {
          otherApplicant: TOKENS.otherApplicant,
          otherAgent: TOKENS.otherAgent,
          officer: officerToken('WRB'),
          supervisor: TOKENS.supervisor,
          integrator: TOKENS.integrator,
          admin: TOKENS.admin,
          provider: TOKENS.providerGreen,
          agent: TOKENS.agent,
          applicant: TOKENS.applicant,
        }),
      ).toEqual({
        otherApplicant: '403 NOT_A_PARTY',
        otherAgent: '403 NOT_A_PARTY',
        officer: '403 ROLE_NOT_ALLOWED',
        supervisor: '403 ROLE_NOT_ALLOWED',
        integrator: '403 ROLE_NOT_ALLOWED',
        admin: '403 ROLE_NOT_ALLOWED',
        provider: '403 ROLE_NOT_ALLOWED',
        agent: '200 ok',
        // Once is enough: the agent committed for it.
        applicant: '409 INVALID_STATE',
      });
      // After acceptance the rule refuses: LY06 was committed on at the start, LY01 allows no commitment.
      expect(outcome(await call('POST', `/applications/${committed}/matters/LY01/commitment`, TOKENS.applicant, { statement }))).toBe('422 COMMITMENT_NOT_ALLOWED');
    });

    it('lets an officer of the matter’s department record the verification and lift a hold; another department is refused by the workflow, an uninvolved one by the API', async () => {
      expect(outcome(await call('POST', `/applications/${committed}/matters/LY06/decision`, officerToken('DRC'), { decision: 'approve', result: { number: '浏发改〔2026〕6号' } }))).toBe('200 ok');
      const verification = `/applications/${committed}/matters/LY06/verification`;
      expect(
        await asEach(verification, { outcome: 'confirmed', reason: '现场核查属实' }, {
          applicant: TOKENS.applicant,
          supervisor: TOKENS.supervisor,
          uninvolved: officerToken('MET'),
          utility: officerToken('WSC'),
          otherDepartment: officerToken('NRP'),
          department: officerToken('DRC'),
        }),
      ).toEqual({
        applicant: '403 ROLE_NOT_ALLOWED',
        supervisor: '403 ROLE_NOT_ALLOWED',
        uninvolved: '403 NOT_A_PARTY',
        utility: '403 NOT_A_PARTY',
        otherDepartment: '403 WRONG_DEPARTMENT',
        department: '200 ok',
      });
      expect(
        await asEach(`/applications/${committed}/matters/LY04/hold/lift`, { reason: '恢复办理' }, {
          applicant: TOKENS.applicant,
          uninvolved: officerToken('MET'),
          otherDepartment: officerToken('DRC'),
          // LY04 is not held: the rule refuses its own department.
          department: officerToken('NRP'),
        }),
      ).toEqual({ applicant: '403 ROLE_NOT_ALLOWED', uninvolved: '403 NOT_A_PARTY', otherDepartment: '403 WRONG_DEPARTMENT', department: '409 INVALID_STATE' });
    });

    it('lets the lead department schedule and move a joint session, and only participating departments give opinions, each a party by taking part', async () => {
      const today = shanghaiDate(Date.now());
      const at = (path: string) => `/applications/${joint}/matters/JG07/${path}`;
      // MET, NRP and CAD hold no matter here: their part in JG07 makes them parties.
      const read = await get(joint, officerToken('MET'));
      expect(read.status).toBe(200);
      expect(read.body.stages[0].matters.find((m: any) => m.code === 'JG07').joint.participants.map((p: any) => p.department)).toEqual(['NRP', 'MET', 'CAD']);
      expect((await get(joint, officerToken('DRC'))).status).toBe(403);
      // The audit trail too (the read model's parties count a joint matter's participants).
      await until('JG07 accepted in the read model', async () => ((await audit(joint, TOKENS.supervisor)).body.events?.some((e: any) => e.kind === 'accepted' && e.matter === 'JG07') ? true : undefined));
      expect((await audit(joint, officerToken('MET'))).status).toBe(200);
      expect((await audit(joint, officerToken('DRC'))).status).toBe(403);

      const sessionCallers = { applicant: TOKENS.applicant, uninvolved: officerToken('DRC'), participant: officerToken('NRP'), lead: officerToken('HUD') };
      expect(await asEach(at('session'), { on: today, time: '16:00', place: '市民中心三楼' }, sessionCallers)).toEqual({
        applicant: '403 ROLE_NOT_ALLOWED',
        uninvolved: '403 NOT_A_PARTY',
        participant: '403 WRONG_DEPARTMENT',
        lead: '200 ok',
      });
      expect(await asEach(at('session/move'), { on: today, time: '17:00', place: '项目现场', reason: '改在现场' }, sessionCallers)).toEqual({
        applicant: '403 ROLE_NOT_ALLOWED',
        uninvolved: '403 NOT_A_PARTY',
        participant: '403 WRONG_DEPARTMENT',
        lead: '200 ok',
      });
      // A matter that is not joint has no session: the rule refuses.
      expect(outcome(await call('POST', `/applications/${own}/matters/LY01/session`, officerToken('DRC'), { on: today, time: '16:00', place: '会议室' }))).toBe('409 NOT_JOINT');

      expect(
        await asEach(at('opinion'), { opinion: 'pass', note: '同意' }, {
          applicant: TOKENS.applicant,
          supervisor: TOKENS.supervisor,
          uninvolved: officerToken('DRC'),
          utility: officerToken('WSC'),
          lead: officerToken('HUD'),
          met: officerToken('MET'),
          nrp: officerToken('NRP'),
        }),
      ).toEqual({
        applicant: '403 ROLE_NOT_ALLOWED',
        supervisor: '403 ROLE_NOT_ALLOWED',
        uninvolved: '403 NOT_A_PARTY',
        utility: '403 NOT_A_PARTY',
        lead: '403 WRONG_DEPARTMENT',
        met: '200 ok',
        nrp: '200 ok',
      });

      // No rectification is outstanding: the applicant and its agent are refused by the rule, anyone else before it.
      expect(
        await asEach(at('rectification'), { note: '已整改' }, {
          officer: officerToken('HUD'),
          otherApplicant: TOKENS.otherApplicant,
          otherAgent: TOKENS.otherAgent,
          applicant: TOKENS.applicant,
          agent: TOKENS.agent,
        }),
      ).toEqual({ officer: '403 ROLE_NOT_ALLOWED', otherApplicant: '403 NOT_A_PARTY', otherAgent: '403 NOT_A_PARTY', applicant: '409 INVALID_STATE', agent: '409 INVALID_STATE' });
    });

    it('lets an officer of the department claim, only its head assign, and only the assignee or the head return a matter to the pool', async () => {
      const at = (path: string) => `/applications/${committed}/matters/LY01/${path}`;
      expect(
        await asEach(at('claim'), {}, { applicant: TOKENS.applicant, supervisor: TOKENS.supervisor, uninvolved: officerToken('MET'), otherDepartment: officerToken('NRP'), officer: officerToken('DRC'), colleague: colleagueToken('DRC') }),
      ).toEqual({
        applicant: '403 ROLE_NOT_ALLOWED',
        supervisor: '403 ROLE_NOT_ALLOWED',
        uninvolved: '403 NOT_A_PARTY',
        otherDepartment: '403 WRONG_DEPARTMENT',
        officer: '200 ok',
        colleague: '409 ALREADY_ASSIGNED',
      });
      expect(
        await asEach(at('assign'), { officer: 'officer-drc-2', reason: '调整分工' }, {
          admin: TOKENS.admin,
          uninvolved: officerToken('MET'),
          otherDepartment: officerToken('NRP'),
          otherHead: headToken('EEB'),
          colleague: colleagueToken('DRC'),
          head: headToken('DRC'),
        }),
      ).toEqual({
        admin: '403 ROLE_NOT_ALLOWED',
        uninvolved: '403 NOT_A_PARTY',
        otherDepartment: '403 WRONG_DEPARTMENT',
        otherHead: '403 WRONG_DEPARTMENT',
        colleague: '403 NOT_PERMITTED',
        head: '200 ok',
      });
      expect(
        await asEach(at('release'), { reason: '退回' }, { provider: TOKENS.providerGreen, uninvolved: officerToken('MET'), formerAssignee: officerToken('DRC'), assignee: colleagueToken('DRC'), head: headToken('DRC') }),
      ).toEqual({ provider: '403 ROLE_NOT_ALLOWED', uninvolved: '403 NOT_A_PARTY', formerAssignee: '403 NOT_PERMITTED', assignee: '200 ok', head: '409 INVALID_STATE' });
    });
  });
});
