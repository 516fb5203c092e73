import { describe, expect, it } from 'vitest';
import { createApi } from '../../api/app';
import { ROLES, type Role } from '../../api/operation';
import { openApiPath } from '../../api/openapi';
import { WEB_PAGES } from '../../api/web';
import { CatalogueHolder } from '../../api/catalogue-holder';
import { officerToken, principals, TOKENS } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { allMaterials, catalogue } from '../helpers/temporal';

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

describe('API contract: OpenAPI document, authorization matrix, idempotent starts', () => {
  const suite = apiSuite('contract');
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
});
