import type { AddressInfo } from 'node:net';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { createApi } from '../../api/app';
import { principalRegistry } from '../../api/auth';
import { parseAllowlist } from '../../readmodel/destinations';
import type { Logger } from '../../api/log';
import type { ApiMetrics } from '../../api/metrics';
import type { RateLimits } from '../../api/rate-limit';
import { listen } from '../../api/server';
import type { Pool } from 'pg';
import type { CatalogueHolder } from '../../api/catalogue-holder';
import type { ResponseCheck } from '../../api/operation';
import { catalogue } from './temporal';
import type { DemoPrincipal } from '../../api/web';

/**
 * Test principals: one token per role, an officer per department, and for the authorization
 * matrix a second agent, integrator and provider that are no party to ent-001's applications.
 */
export const TOKENS = {
  applicant: 'tok-applicant-ent-001-xxxx',
  otherApplicant: 'tok-applicant-ent-002-xxxx',
  agent: 'tok-agent-park-01-xxxxxxxx',
  otherAgent: 'tok-agent-other-02-xxxxxxx',
  supervisor: 'tok-supervisor-sup-01-xxx',
  integrator: 'tok-integrator-platform-x',
  otherIntegrator: 'tok-integrator-other-sys-x',
  admin: 'tok-admin-xxxxxxxxxxxxxxxx',
  providerGreen: 'tok-provider-green-env-xx',
  providerHuazhong: 'tok-provider-huazhong-env',
} as const;
export const officerToken = (dept: string) => `tok-officer-${dept.toLowerCase()}-xxxxxxxx`;
/** A second officer of the department (DRC, HUD, EEB): `officer-drc-2`. */
export const colleagueToken = (dept: string) => `tok-officer2-${dept.toLowerCase()}-xxxxxxx`;
/** The department's head (DRC, HUD, EEB): `head-drc`. */
export const headToken = (dept: string) => `tok-head-${dept.toLowerCase()}-xxxxxxxxxxx`;

export const principals = principalRegistry([
  { token: TOKENS.applicant, id: 'ent-001', name: '浏阳市教育投资有限公司', role: 'applicant' },
  { token: TOKENS.otherApplicant, id: 'ent-002', name: '另一家企业', role: 'applicant' },
  { token: TOKENS.agent, id: 'agent-park-01', role: 'agent', applicants: ['ent-001'] },
  { token: TOKENS.otherAgent, id: 'agent-other-02', role: 'agent', applicants: ['ent-002'] },
  { token: TOKENS.supervisor, id: 'sup-01', role: 'supervisor', department: 'SUP' },
  { token: TOKENS.integrator, id: 'provincial-platform', role: 'integrator', applicants: ['ent-001'] },
  { token: TOKENS.otherIntegrator, id: 'other-system', role: 'integrator' },
  { token: TOKENS.admin, id: 'admin', role: 'admin' },
  { token: TOKENS.providerGreen, id: 'P_GREEN_ENV', name: '绿源环境科技有限公司', role: 'provider' },
  { token: TOKENS.providerHuazhong, id: 'P_HUAZHONG_ENV', role: 'provider' },
  ...catalogue.departments.map((d) => ({ token: officerToken(d.code), id: `officer-${d.code.toLowerCase()}`, role: 'officer' as const, department: d.code })),
  // A second officer and the head of some departments: work assignment within the department.
  ...['DRC', 'HUD', 'EEB'].flatMap((d) => [
    { token: colleagueToken(d), id: `officer-${d.toLowerCase()}-2`, role: 'officer' as const, department: d },
    { token: headToken(d), id: `head-${d.toLowerCase()}`, role: 'officer' as const, department: d, head: true },
  ]),
]);

/**
 * Every JSON answer the test APIs of this file gave, checked against its operation's declared
 * schema: test/e2e/contract.test.ts asserts that each operation answered and none mismatched.
 */
export const responseChecks: ResponseCheck[] = [];

export interface RunningApi {
  url: string;
  close(): Promise<void>;
}

/** Limits no test reaches unless it means to: a fuzz suite sends thousands of requests a minute. */
export const GENEROUS_RATE_LIMITS: RateLimits = { perPrincipalPerMinute: 100_000, anonymousPerMinute: 100_000 };

export async function startApi(
  env: Pick<TestWorkflowEnvironment, 'client'>,
  taskQueue: string,
  deps: { pool: Pool; catalogue: CatalogueHolder; definitionsDir?: string; demoPrincipals?: readonly DemoPrincipal[]; clock?: () => number },
  options: { rateLimits?: RateLimits; logger?: Logger; metrics?: ApiMetrics } = {},
): Promise<RunningApi> {
  // Test receivers listen on loopback, which webhooks may otherwise never reach.
  const app = createApi({ client: env.client, taskQueue, principals, webDir: process.env.WEB_DIST_DIR, ...deps, rateLimits: options.rateLimits ?? GENEROUS_RATE_LIMITS, logger: options.logger, metrics: options.metrics, webhookAllowlist: parseAllowlist('127.0.0.1/32'), onResponseChecked: (c) => responseChecks.push(c) });
  const server = await listen(app, 0, '127.0.0.1', options.logger);
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      // Open live streams would hold the server open: the hub ends them and releases its LISTEN connection.
      await app.live.close();
      await closed;
      // Every suite over a test API holds its answers to their declared schemas, not only the contract test.
      const wrong = responseChecks.filter((c) => c.issues.length > 0);
      if (wrong.length) throw new Error(`answers that do not match their declared schema:\n${wrong.slice(0, 5).map((c) => `${c.operation} ${c.status}: ${c.issues.join('; ')}`).join('\n')}`);
    },
  };
}

export interface HttpResult<T = any> {
  status: number;
  body: T;
  contentType: string;
}

export async function http<T = any>(base: string, method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult<T>> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const contentType = res.headers.get('content-type') ?? '';
  // An event stream never ends by itself (GET /live): the status and type are the answer.
  if (contentType.startsWith('text/event-stream')) {
    await res.body?.cancel();
    return { status: res.status, body: '' as T, contentType };
  }
  const text = await res.text();
  return { status: res.status, body: text && /json/.test(contentType) ? JSON.parse(text) : text, contentType };
}
