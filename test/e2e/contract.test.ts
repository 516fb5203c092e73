import { describe, expect, it } from 'vitest';
import { createApi } from '../../api/app';
import { ROLES, type Role } from '../../api/operation';
import { openApiPath } from '../../api/openapi';
import { WEB_PAGES } from '../../api/web';
import { CatalogueHolder } from '../../api/catalogue-holder';
import { shanghaiDate } from '../../domain/time';
import { createHash, randomUUID } from 'node:crypto';
import { snapshotFor } from '../../catalogue/loader';
import { colleagueToken, headToken, officerToken, principals, responseChecks, TOKENS } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { allMaterials, catalogue } from '../helpers/temporal';
import { until } from '../helpers/until';

const TOKEN_OF: Record<Role, string> = {
  applicant: TOKENS.applicant,
  agent: TOKENS.agent,
  officer: officerToken('DRC'),
  supervisor: TOKENS.supervisor,
  integrator: TOKENS.integrator,
  admin: TOKENS.admin,
  provider: TOKENS.providerGreen,
};

/** Express's own routing table: what the server really answers, whatever the document says. */
function expressRoutes(app: ReturnType<typeof createApi>): string[] {
  const out: string[] = [];
  const walk = (stack: any[]) => {
    for (const layer of stack) {
      // The web pages (api/web.ts) are files and history routes, not operations of the API.
      if (layer.handle?.[WEB_PAGES]) continue;
      if (layer.route) for (const m of Object.keys(layer.route.methods)) out.push(`${m} ${layer.route.path}`);
      else if (layer.handle?.stack) walk(layer.handle.stack);
    }
  };
  walk((app as any).router.stack);
  return out;
}

describe('API contract: OpenAPI document, authorization matrix, idempotent starts, declared answers', () => {
  const suite = apiSuite('contract', { demoPrincipals: [{ token: TOKENS.applicant, id: 'ent-001', name: '浏阳市教育投资有限公司', role: 'applicant' }] });
  const app = createApi({ client: {} as never, pool: {} as never, catalogue: new CatalogueHolder(catalogue), taskQueue: 'x', principals });

  it('documents every route the server answers in OpenAPI 3.1', async () => {
    const doc = (await suite.call('GET', '/openapi.json')).body;
    expect(doc.openapi).toBe('3.1.0');
    const documented = Object.entries(doc.paths).flatMap(([p, ms]) => Object.keys(ms as object).map((m) => `${m} ${p}`));
    const served = expressRoutes(app).map((r) => { const [m, p] = r.split(' '); return `${m} ${openApiPath(p!)}`; });
    expect(served.length).toBeGreaterThan(30);
    expect(served.filter((r) => !documented.includes(r))).toEqual([]);
    expect(doc.paths['/applications'].post.requestBody.content['application/json'].schema.required).toEqual(['processCode', 'projectName']);
    const docs = await suite.call('GET', '/docs');
    expect(docs.contentType).toMatch(/text\/html/);
  });

  it('answers every protected route with 401 without a token and 403 naming the rule for each role not allowed', async () => {
    const id = (await suite.call('POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT', projectName: 'matrix', materials: allMaterials('GOV_INVESTMENT') })).body.applicationId;
    const fill = (p: string) =>
      p.replace(':id', id).replace(':code', 'LY01').replace(':stage', 'S1').replace(':type', 'EIA_REPORT').replace(':sid', '00000000-0000-0000-0000-000000000000');
    const mismatches: string[] = [];
    let checked = 0;
    for (const op of app.operations) {
      if (op.roles === 'public') continue;
      const path = fill(op.path) + (op.path.startsWith('/supervision/scorecards') ? '?from=2026-01-01&to=2026-03-31' : '');
      const anonymous = await suite.call(op.method.toUpperCase(), path, undefined, op.method === 'get' ? undefined : {});
      if (anonymous.status !== 401) mismatches.push(`${op.method} ${op.path} without token → ${anonymous.status}`);
      for (const role of ROLES) {
        const r = await suite.call(op.method.toUpperCase(), path, TOKEN_OF[role], op.method === 'get' || op.method === 'delete' ? undefined : {});
        const roleRefusal = r.status === 403 && /^a \w+ may not /.test(r.body?.detail ?? '');
        const allowed = op.roles.includes(role);
        checked++;
        if (allowed === roleRefusal) mismatches.push(`${op.method} ${op.path} as ${role} → ${r.status} ${r.body?.detail ?? ''}`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(200);
  });

  it('starts once per Idempotency-Key: the same body returns the same application, another body is a 409', async () => {
    const body = { processCode: 'GOV_INVESTMENT', projectName: '幂等项目', materials: ['M_APPLICATION_FORM'] };
    const key = { 'Idempotency-Key': 'order-2026-000123' };
    const first = await suite.call('POST', '/applications', TOKENS.applicant, body, key);
    const again = await suite.call('POST', '/applications', TOKENS.applicant, body, key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.applicationId).toBe(first.body.applicationId);
    const other = await suite.call('POST', '/applications', TOKENS.applicant, { ...body, projectName: '另一个项目' }, key);
    expect(other).toMatchObject({ status: 409, body: { code: 'IDEMPOTENCY_KEY_REUSED', detail: expect.stringMatching(/this Idempotency-Key was used for a different request/) } });
    const short = await suite.call('POST', '/applications', TOKENS.applicant, body, { 'Idempotency-Key': 'x' });
    expect(short.body.detail).toMatch(/^header\.Idempotency-Key: /);
    // The same key from another caller is another request.
    const agent = await suite.call('POST', '/applications', TOKENS.agent, { ...body, applicant: { id: 'ent-001', name: 'x' } }, key);
    expect(agent.status).toBe(201);
    expect(agent.body.applicationId).not.toBe(first.body.applicationId);
  });

  /**
   * Runs last: every operation has by now answered the matrix's refusals, and here answers its
   * success. The API checks each JSON answer against the operation's declared schema (problems
   * against the problem schema) and records it in `responseChecks`.
   */
  it('answers every operation as its declaration says: each success and each problem matches its schema', async () => {
    const { call } = suite;
    const ok = async (method: string, path: string, token?: string, body?: unknown) => {
      const r = await call(method, path, token, body);
      expect({ path, status: r.status, body: r.status < 300 ? undefined : r.body }).toEqual({ path, status: expect.any(Number), body: undefined });
      return r;
    };
    for (const p of ['/health', '/ready', '/openapi.json', '/demo/principals', '/calendar/due?acceptedOn=2026-03-02&workingDays=5', '/catalogue/processes', '/catalogue/processes/GOV_INVESTMENT/matters', '/catalogue/departments', '/catalogue/providers', '/catalogue/providers?serviceType=EIA_REPORT', '/catalogue/zones', '/catalogue/calendars']) {
      expect((await call('GET', p)).status).toBeLessThan(503);
    }
    await ok('GET', '/me', TOKENS.applicant);

    // LY04 waits in intake for its land report; the EIA report is not in hand, so LY07 waits for its deliverable.
    const materials = allMaterials('GOV_INVESTMENT').filter((m) => m !== 'M_LAND_REPORT' && m !== 'M_EIA_DOCUMENT');
    // With the registry codes and a document reference, so the view's and the SPGL rows' answers carry them.
    const id = (
      await ok('POST', '/applications', TOKENS.applicant, {
        processCode: 'GOV_INVESTMENT',
        projectName: '契约检查项目',
        materials,
        projectCode: '2026-430181-47-01-000123',
        applicantCreditCode: '91350100M000100Y43',
        documents: [{ material: 'M_APPLICATION_FORM', name: '申请表.pdf', ref: 'https://docs.liuyang.gov.cn/files/af-001', type: 'pdf' }],
      })
    ).body.applicationId;
    const at = (path: string) => `/applications/${id}/${path}`;
    await ok('POST', at('stages/S1/missing-notice'), officerToken('DRC'), { note: '请补齐土地报告' });
    await ok('POST', at('matters/LY04/accept'), officerToken('NRP'), { reason: '容后补正' });
    await ok('POST', at('matters/LY04/special-procedure'), officerToken('NRP'), { kind: 'siteInspection', expectedWorkingDays: 2, reason: '现场踏勘' });
    await ok('POST', at('matters/LY04/special-procedure/end'), officerToken('NRP'), { reason: '踏勘完毕' });
    await ok('POST', at('matters/LY08/extension'), officerToken('WRB'), { days: 5, approvedBy: '局长', reason: '情况复杂' });
    await ok('POST', at('matters/LY01/supplement'), officerToken('DRC'), { items: ['M_PROPOSAL'], reason: '补充建议书' });
    await ok('POST', at('materials'), TOKENS.applicant, { items: ['M_PROPOSAL'], documents: [{ material: 'M_PROPOSAL', name: '项目建议书.pdf', ref: 'DOC-2026-0002' }] });
    await ok('POST', at('matters/LY06/decision'), officerToken('DRC'), { decision: 'approve', result: { number: '浏发改〔2026〕6号' } });
    await ok('POST', at('matters/LY08/urge'), TOKENS.supervisor, { note: '请三日内办结' });
    await ok('POST', at('matters/LY08/escalate'), TOKENS.supervisor, { reason: '多次催办未果' });
    await ok('POST', at('services/EIA_REPORT/contract'), TOKENS.applicant, { selection: { method: 'direct', provider: 'P_GREEN_ENV' } });
    await ok('POST', at('services/EIA_REPORT/delivery'), TOKENS.providerGreen, { note: '报告书' });
    await ok('POST', at('services/EIA_REPORT/review'), officerToken('EEB'), { decision: 'accept' });
    // Issue 12's application routes, each answering its success: a commitment on a matter not yet received, the verification
    // found false (its dependent held, the hold lifted), assignment, and a joint acceptance through its rectification.
    const reform = (await ok('POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT', projectName: '告知承诺项目', materials: allMaterials('GOV_INVESTMENT'), commitments: [{ matter: 'LY06', statement: '本公司承诺落实节能措施' }] })).body.applicationId;
    const on = (path: string) => `/applications/${reform}/${path}`;
    await ok('POST', on('matters/GC03/commitment'), TOKENS.applicant, { statement: '本公司承诺落实防雷措施' });
    for (const [code, dept] of [['LY01', 'DRC'], ['LY04', 'NRP'], ['LY06', 'DRC']]) await ok('POST', on(`matters/${code}/decision`), officerToken(dept!), { decision: 'approve', result: { number: `浏〔2026〕${code}号` } });
    await ok('POST', on('matters/LY02/claim'), officerToken('DRC'));
    await ok('POST', on('matters/LY02/assign'), headToken('DRC'), { officer: 'officer-drc-2', reason: '调整分工' });
    await ok('POST', on('matters/LY02/release'), headToken('DRC'), { reason: '退回' });
    await ok('POST', on('matters/LY06/verification'), officerToken('DRC'), { outcome: 'false', reason: '现场核查不实' });
    await ok('POST', on('matters/LY02/hold/lift'), officerToken('DRC'), { reason: '恢复办理' });
    const full = snapshotFor(catalogue, 'SOCIAL_REFORM')!;
    const acceptance = { ...full, definitionHash: createHash('sha256').update(`contract-acceptance/${full.definitionHash}`).digest('hex'), stages: full.stages.filter((s) => s.code === 'S4'), alongside: [] };
    const joint = (await suite.start('SOCIAL_REFORM', { applicationId: `app-${randomUUID()}`, snapshot: acceptance, materials: allMaterials('SOCIAL_REFORM') })).workflowId;
    const jg07 = (path: string) => `/applications/${joint}/matters/JG07/${path}`;
    const sessionOn = shanghaiDate(Date.now());
    await ok('POST', jg07('session'), officerToken('HUD'), { on: sessionOn, time: '16:00', place: '市民中心三楼' });
    await ok('POST', jg07('session/move'), officerToken('HUD'), { on: sessionOn, time: '17:00', place: '项目现场', reason: '改在现场' });
    for (const dept of ['NRP', 'MET']) await ok('POST', jg07('opinion'), officerToken(dept), { opinion: 'pass' });
    await ok('POST', jg07('opinion'), officerToken('CAD'), { opinion: 'fail', items: ['人防门未安装到位'] });
    await ok('POST', jg07('rectification'), TOKENS.applicant, { note: '已安装' });
    // The three shapes of the application: whole, a utility's share, a provider's share; from the read model and from the workflow.
    await ok('GET', `/applications/${id}`, TOKENS.applicant);
    await ok('GET', `/applications/${id}?consistency=strong`, TOKENS.supervisor);
    await ok('GET', `/applications/${id}`, officerToken('WSC'));
    await ok('GET', `/applications/${id}`, TOKENS.providerGreen);

    await until('the decision in the read model', async () => ((await call('GET', at('audit'), TOKENS.supervisor)).body.events?.some((e: { kind: string }) => e.kind === 'approved') ? true : undefined));
    await ok('GET', at('audit'), TOKENS.applicant);
    await ok('GET', '/applications', TOKENS.applicant);
    await ok('GET', '/officers/inbox', officerToken('DRC'));
    const today = shanghaiDate(Date.now());
    for (const p of ['/supervision/alerts', '/supervision/alerts/summary', `/supervision/scorecards?from=2026-01-01&to=${today}`, `/supervision/scorecards.csv?from=2026-01-01&to=${today}`, '/supervision/providers', `/supervision/scorecards/critical-path?from=2026-01-01&to=${today}`, `/supervision/scorecards/critical-path.csv?from=2026-01-01&to=${today}`]) {
      await ok('GET', p, TOKENS.supervisor);
    }
    await ok('GET', `/officers/figures?from=2026-01-01&to=${today}`, headToken('DRC'));
    const delegation = await ok('POST', '/officers/delegations', colleagueToken('DRC'), { delegate: 'officer-drc', from: today, until: today, reason: '外出' });
    await ok('DELETE', `/officers/delegations/${delegation.body.id}`, colleagueToken('DRC'));
    await ok('GET', at('prediction'), TOKENS.applicant);
    await ok('GET', '/supervision/moved-deadlines', TOKENS.supervisor);
    await ok('POST', at('withdraw'), TOKENS.applicant, { reason: '企业调整投资计划' });

    const created = await ok('POST', '/webhooks/subscriptions', TOKENS.integrator, { url: 'http://127.0.0.1:9/hook', eventTypes: ['approved'] });
    await ok('GET', '/webhooks/subscriptions', TOKENS.integrator);
    await ok('DELETE', `/webhooks/subscriptions/${created.body.id}`, TOKENS.integrator);
    const spgl = await ok('GET', '/spgl/XMSPSXBLXXXXB?limit=2', TOKENS.integrator);
    await ok('POST', '/spgl/XMSPSXBLXXXXB/receipts', TOKENS.integrator, [{ key: spgl.body.items[0]?.DFSJZJ ?? 'none', reason: '办理人员信息缺失' }]);
    await ok('GET', '/spgl/log', TOKENS.supervisor);

    await ok('POST', '/admin/definitions/reload', TOKENS.admin);
    const published = await ok('POST', '/admin/calendars', TOKENS.admin, catalogue.calendars.find((c) => c.year === 2026));
    await ok('GET', `/admin/calendars/broadcasts/${published.body.broadcastId}`, TOKENS.admin);

    const mismatches = responseChecks.filter((c) => c.issues.length > 0);
    expect(mismatches).toEqual([]);
    // Text answers (the docs page, the event stream, CSV) and a revocation's 204 are not JSON; replacing a provider needs a late one (test/workflows).
    const unchecked = new Set(['get /docs', 'get /live', 'get /supervision/scorecards.csv', 'get /supervision/scorecards/critical-path.csv', 'delete /officers/delegations/:id', 'post /applications/:id/services/:type/replace']);
    const answered = new Set(responseChecks.filter((c) => c.status < 300).map((c) => c.operation));
    expect(app.operations.map((op) => `${op.method} ${op.path}`).filter((op) => !answered.has(op) && !unchecked.has(op))).toEqual([]);
    expect(responseChecks.filter((c) => c.status >= 400).length).toBeGreaterThan(200);
  });
});
