import { describe, expect, it } from 'vitest';
import { allMaterials } from '../helpers/temporal';
import { officerToken, TOKENS } from '../helpers/api';
import { apiSuite } from '../helpers/suite';

const TASK_QUEUE = 'e2e-api';

describe('HTTP API against the Temporal dev server', () => {
  const { call } = apiSuite(TASK_QUEUE);

  it('answers health once Temporal is reachable', async () => {
    expect(await call('GET', '/health')).toEqual(expect.objectContaining({ status: 200, body: { status: 'up' } }));
  });

  it('computes legal due dates and names the bad field', async () => {
    expect((await call('GET', '/calendar/due?acceptedOn=2026-09-30&workingDays=3')).body).toMatchObject({ dueOn: '2026-10-10' });
    const bad = await call('GET', '/calendar/due?acceptedOn=2026-13-01&workingDays=-1');
    expect(bad.status).toBe(400);
    expect(bad.contentType).toMatch(/application\/problem\+json/);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(['query.acceptedOn', 'query.workingDays']);
    const outside = await call('GET', '/calendar/due?acceptedOn=2026-12-28&workingDays=10');
    expect(outside.status).toBe(422);
    expect(outside.body.detail).toMatch(/no working-day calendar is published for 2027/);
  });

  it('refuses unauthenticated callers and bad bodies with the failing field', async () => {
    expect((await call('POST', '/applications', undefined, {})).status).toBe(401);
    expect((await call('POST', '/applications', 'not-a-token', {})).status).toBe(401);
    const noName = await call('POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT' });
    expect(noName.status).toBe(400);
    expect(noName.body.errors[0].field).toBe('body.projectName');
    const unknown = await call('POST', '/applications', TOKENS.applicant, { processCode: 'NOPE', projectName: 'x' });
    expect(unknown).toMatchObject({ status: 400, body: { code: 'INVALID_REQUEST', errors: [{ field: 'body.processCode', message: expect.stringMatching(/^is not a published process; published: GOV_INVESTMENT/) }] } });
    const badMaterial = await call('POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT', projectName: 'x', materials: ['M_NOPE'] });
    expect(badMaterial.body.detail).toMatch(/body\.materials: M_NOPE/);
    expect((await call('POST', '/applications', TOKENS.applicant, '{"processCode":')).status).toBe(400);
    expect((await call('POST', '/applications', officerToken('DRC'), { processCode: 'GOV_INVESTMENT', projectName: 'x' })).status).toBe(403);
    expect((await call('GET', '/applications/not-an-id', TOKENS.applicant)).body.errors[0].field).toBe('path.id');
    expect((await call('GET', '/applications/app-00000000-0000-0000-0000-000000000000', TOKENS.applicant)).status).toBe(404);
  });

  it('drives one application from start to completed through the API', async () => {
    const started = await call('POST', '/applications', TOKENS.applicant, {
      processCode: 'GOV_INVESTMENT',
      projectName: '浏阳市第一中学新校区建设项目',
      materials: allMaterials('GOV_INVESTMENT'),
    });
    expect(started.status).toBe(201);
    const id: string = started.body.applicationId;

    let view = (await call('GET', `/applications/${id}`, TOKENS.applicant)).body;
    expect(view).toMatchObject({ status: 'running', currentStage: 'S1', applicant: { id: 'ent-001' } });
    expect((await call('GET', `/applications/${id}`, TOKENS.otherApplicant)).status).toBe(403);
    expect((await call('GET', `/applications/${id}`, TOKENS.agent)).status).toBe(200);

    const wrongDept = await call('POST', `/applications/${id}/matters/LY04/decision`, officerToken('DRC'), { decision: 'approve', result: { number: 'x' } });
    expect(wrongDept).toMatchObject({ status: 403, body: { code: 'WRONG_DEPARTMENT' } });
    const notYet = await call('POST', `/applications/${id}/matters/LY02/decision`, officerToken('DRC'), { decision: 'approve', result: { number: 'x' } });
    expect(notYet).toMatchObject({ status: 409, body: { detail: expect.stringMatching(/waiting for its prerequisites/) } });
    const noReason = await call('POST', `/applications/${id}/matters/LY01/decision`, officerToken('DRC'), { decision: 'reject', reason: ' ' });
    expect(noReason.body.errors[0]).toEqual({ field: 'body.reason', message: 'a reason is required' });

    let decided = 0;
    let seq = 0;
    for (let round = 0; round < 40 && view.status === 'running'; round++) {
      const running = [...view.stages.flatMap((s: any) => s.matters), ...view.alongside].filter((m: any) => m.status === 'inProgress');
      for (const m of running) {
        const r = await call('POST', `/applications/${id}/matters/${m.code}/decision`, officerToken(m.department), {
          decision: 'approve',
          result: { number: `浏${m.department}〔2026〕${m.code}号` },
        });
        expect(r.status).toBe(200);
        seq = Math.max(seq, r.body.applicationSeq);
        decided++;
      }
      // Read your writes: the read model answers once it holds the last decision's seq.
      view = (await call('GET', `/applications/${id}?minSeq=${seq}`, TOKENS.applicant)).body;
      expect(view.projection.seq).toBeGreaterThanOrEqual(seq);
    }
    expect(decided).toBe(27);
    expect(view.status).toBe('completed');
    expect(view.outcome.results).toHaveLength(27);
    expect(view.events.map((e: any) => e.kind)).toContain('applicationCompleted');

    const late = await call('POST', `/applications/${id}/withdraw`, TOKENS.applicant, { reason: 'too late' });
    expect(late).toMatchObject({ status: 409, body: { code: 'APPLICATION_CLOSED' } });
  });
});

describe('HTTP actions of officers, applicants, agents and the supervision office', () => {
  const { call } = apiSuite(`${TASK_QUEUE}-2`);

  it('stops and restarts a clock, records urges and escalations, and lets an agent withdraw for its applicant', async () => {
    const started = await call('POST', '/applications', TOKENS.agent, {
      processCode: 'SOCIAL_APPROVAL',
      projectName: '经开区智能装备产业园',
      applicant: { id: 'ent-001', name: '浏阳市教育投资有限公司' },
      materials: allMaterials('SOCIAL_APPROVAL'),
    });
    expect(started.status).toBe(201);
    const id = started.body.applicationId;
    const strangerAgent = await call('POST', '/applications', TOKENS.agent, { processCode: 'SOCIAL_APPROVAL', projectName: 'x', applicant: { id: 'ent-009', name: 'x' } });
    expect(strangerAgent).toMatchObject({ status: 403, body: { detail: 'agent agent-park-01 holds no delegation from applicant ent-009' } });

    const eeb = officerToken('EEB');
    const stopped = await call('POST', `/applications/${id}/matters/LY07/supplement`, eeb, { items: ['M_EIA_DOCUMENT'], reason: '补充地下水影响评价' });
    expect(stopped).toMatchObject({ status: 200, body: { status: 'suspended', clockRunning: false, owedForSupplement: ['M_EIA_DOCUMENT'] } });
    const badKind = await call('POST', `/applications/${id}/matters/LY07/special-procedure`, eeb, { kind: 'lottery', expectedWorkingDays: 3, reason: 'x' });
    expect(badKind.body.errors[0].field).toBe('body.kind');
    const supplied = await call('POST', `/applications/${id}/materials`, TOKENS.applicant, { items: ['M_EIA_DOCUMENT'] });
    expect(supplied.status).toBe(200);
    const ly07 = [...supplied.body.stages[0].matters].find((m: any) => m.code === 'LY07');
    expect(ly07).toMatchObject({ status: 'inProgress', stops: [{ kind: 'supplement', items: ['M_EIA_DOCUMENT'] }] });

    const urged = await call('POST', `/applications/${id}/matters/LY03/urge`, TOKENS.supervisor, { note: '请三日内办结' });
    expect(urged.status).toBe(202);
    expect((await call('POST', `/applications/${id}/matters/LY03/urge`, officerToken('DRC'), { note: 'x' })).status).toBe(403);
    await call('POST', `/applications/${id}/matters/LY04/decision`, officerToken('NRP'), { decision: 'approve', result: { number: '浏自然资〔2026〕4号' } });
    const decidedUrge = await call('POST', `/applications/${id}/matters/LY04/urge`, TOKENS.supervisor, { note: 'x' });
    expect(decidedUrge).toMatchObject({ status: 409, body: { detail: 'matter LY04 is already approved' } });
    expect((await call('POST', `/applications/${id}/matters/LY06/escalate`, TOKENS.supervisor, { reason: '多次催办未果' })).status).toBe(202);

    // Signals answer before they are applied: a strongly consistent read asks the workflow itself.
    const view = (await call('GET', `/applications/${id}?consistency=strong`, TOKENS.supervisor)).body;
    expect(view.projection).toMatchObject({ source: 'workflow', projectedAt: null });
    const s1 = view.stages[0].matters;
    expect(s1.find((m: any) => m.code === 'LY03').urges).toEqual([{ at: expect.any(String), by: 'supervisor sup-01 (SUP)', note: '请三日内办结' }]);
    expect(s1.find((m: any) => m.code === 'LY06').level).toBe('departmentHead');

    const withdrawn = await call('POST', `/applications/${id}/withdraw`, TOKENS.agent, { reason: '企业调整投资计划' });
    expect(withdrawn).toMatchObject({ status: 200, body: { status: 'withdrawn', outcome: { by: 'agent agent-park-01 for applicant ent-001' } } });
    expect((await call('POST', `/applications/${id}/materials`, TOKENS.otherApplicant, { items: ['M_EIA_DOCUMENT'] })).status).toBe(403);
  });
});

describe('HTTP intermediary services', () => {
  const { call } = apiSuite(`${TASK_QUEUE}-3`);

  it('lists qualified providers, contracts one, takes its delivery from the provider and starts the matter on acceptance', async () => {
    const providers = await call('GET', '/catalogue/providers?serviceType=EIA_REPORT&on=2027-01-15');
    expect(providers.body.providers.map((p: any) => [p.code, p.qualifications[0].valid])).toEqual([
      ['P_GREEN_ENV', true],
      ['P_HUAZHONG_ENV', false],
    ]);
    const unknownZone = await call('POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT', projectName: 'x', zone: 'NOPE' });
    expect(unknownZone.body.detail).toMatch(/^body\.zone: is not a published zone; published: LYEDZ/);

    const materials = allMaterials('GOV_INVESTMENT').filter((m) => m !== 'M_EIA_DOCUMENT');
    const id = (await call('POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT', projectName: '智能制造产业园', materials })).body.applicationId;
    expect((await call('GET', `/applications/${id}`, TOKENS.providerGreen)).status).toBe(403); // no contract yet

    const badSelection = await call('POST', `/applications/${id}/services/EIA_REPORT/contract`, TOKENS.applicant, { selection: { method: 'lottery' } });
    expect(badSelection.body.errors[0].field).toBe('body.selection.method');
    const contracted = await call('POST', `/applications/${id}/services/EIA_REPORT/contract`, TOKENS.applicant, { selection: { method: 'direct', provider: 'P_GREEN_ENV' } });
    expect(contracted.status).toBe(200);
    expect(contracted.body.services.find((s: any) => s.serviceType === 'EIA_REPORT').status).toBe('contracted');

    const seen = await call('GET', `/applications/${id}`, TOKENS.providerGreen);
    expect(Object.keys(seen.body).sort()).toEqual(['applicant', 'applicationId', 'process', 'projectName', 'projection', 'services', 'status']);
    expect(seen.body.services.map((s: any) => s.serviceType)).toEqual(['EIA_REPORT']);
    const delivered = await call('POST', `/applications/${id}/services/EIA_REPORT/delivery`, TOKENS.providerGreen, { note: '报告书' });
    expect(delivered.status).toBe(200);
    const wrongReviewer = await call('POST', `/applications/${id}/services/EIA_REPORT/review`, officerToken('DRC'), { decision: 'accept' });
    expect(wrongReviewer).toMatchObject({ status: 403, body: { code: 'WRONG_DEPARTMENT' } });
    const accepted = await call('POST', `/applications/${id}/services/EIA_REPORT/review`, officerToken('EEB'), { decision: 'accept' });
    const ly07 = accepted.body.stages[0].matters.find((m: any) => m.code === 'LY07');
    expect(ly07.status).toBe('inProgress');
    expect(accepted.body.accounting.intermediary.services.find((s: any) => s.serviceType === 'EIA_REPORT')).toMatchObject({ commissionedBy: 'owner', contracts: 1 });
  });
});
