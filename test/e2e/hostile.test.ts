import { gzipSync } from 'node:zlib';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { beforeAll, describe, expect, it } from 'vitest';
import { chooseProviderUpdate, supplyMaterialsUpdate, withdrawUpdate } from '../../workflows/messages';
import { isWellFormed } from '../../domain/text';
import { officerToken, TOKENS } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { allMaterials, applicant } from '../helpers/temporal';

const TASK_QUEUE = 'e2e-hostile';

/** Each reproduction of the hostile-input report: the attack gets a 4xx problem, and everything else goes on. */
describe('one bad request never stops the system (dev server, real PostgreSQL)', () => {
  const suite = apiSuite(TASK_QUEUE);
  const { call } = suite;
  let target = '';
  let bystander = '';
  const withoutEia = allMaterials('GOV_INVESTMENT').filter((m) => m !== 'M_EIA_DOCUMENT');

  const start = async (projectName: string) => {
    const r = await call('POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT', projectName, materials: withoutEia });
    expect(r.status).toBe(201);
    return r.body.applicationId as string;
  };

  beforeAll(async () => {
    target = await start('被攻击的项目');
    bystander = await start('旁观的项目');
  });

  /** A bystander's officer Update succeeds right after the attack: the worker is still polling. */
  let bystanderSeq = 0;
  async function bystanderIsServed() {
    // Read your writes: the read model answers once it holds the last approval.
    const view = (await call('GET', `/applications/${bystander}?minSeq=${bystanderSeq}`, TOKENS.applicant)).body;
    const open = view.stages.flatMap((s: any) => s.matters).find((m: any) => m.status === 'inProgress');
    expect(open, 'the bystander has a matter in progress').toBeDefined();
    const r = await call('POST', `/applications/${bystander}/matters/${open.code}/decision`, officerToken(open.department), {
      decision: 'approve',
      result: { number: `浏${open.department}〔2026〕${open.code}号` },
    });
    expect(r.status).toBe(200);
    bystanderSeq = r.body.applicationSeq;
  }

  const expectProblem = (r: { status: number; contentType: string; body: any }, status: number) => {
    expect(r.status).toBe(status);
    expect(r.contentType).toMatch(/^application\/problem\+json/);
    expect(r.body).toMatchObject({ status, code: expect.any(String) });
    expect(JSON.stringify(r.body).length).toBeLessThan(16_384);
  };

  it('a lone surrogate in a provider code is a 400 naming the field, and other applications go on', async () => {
    // The 53-byte request of the report, sent as raw JSON text so the server parses a lone surrogate.
    const r = await call('POST', `/applications/${target}/services/EIA_REPORT/contract`, TOKENS.applicant, '{"selection":{"method":"direct","provider":"\\ud800"}}');
    expectProblem(r, 400);
    expect(r.body.errors[0].field).toBe('body.selection.provider');
    await bystanderIsServed();
  });

  it('the workflow refuses a lone surrogate that bypassed the edge with a well-formed message, and the worker keeps polling', async () => {
    const handle = suite.env.client.workflow.getHandle(target);
    const refusal = await handle
      .executeUpdate(chooseProviderUpdate, { args: [{ actor: applicant, serviceType: 'EIA_REPORT', selection: { method: 'direct', provider: 'P\ud800X' } }] })
      .catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(WorkflowUpdateFailedError);
    const message = ((refusal as WorkflowUpdateFailedError).cause as Error).message;
    expect(message).toMatch(/not in the registry|not qualified|unknown/i);
    expect(isWellFormed(message)).toBe(true);
    await bystanderIsServed();
    // The same worker still serves the application that was attacked.
    const fine = await call('POST', `/applications/${target}/services/EIA_REPORT/contract`, TOKENS.applicant, { selection: { method: 'direct', provider: 'P_GREEN_ENV' } });
    expect(fine.status).toBe(200);
  });

  it('a megabyte code is refused before Temporal sees it, and a refusal never echoes it whole', async () => {
    const huge = 'M'.repeat(1_000_000);
    expectProblem(await call('POST', `/applications/${target}/materials`, TOKENS.applicant, { items: [huge] }), 413);
    const large = await call('POST', `/applications/${target}/materials`, TOKENS.applicant, { items: ['M'.repeat(90_000)] });
    expectProblem(large, 400);
    expect(large.body.errors[0].field).toBe('body.items.0');
    // Past the edge, straight to the workflow: the refusal is bounded.
    const refusal = await suite.env.client.workflow
      .getHandle(target)
      .executeUpdate(supplyMaterialsUpdate, { args: [{ actor: applicant, items: ['X'.repeat(500_000)] }] })
      .catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(((refusal as WorkflowUpdateFailedError).cause as Error).message.length).toBeLessThanOrEqual(600);
    await bystanderIsServed();
  });

  it('a body of thousands of bad values gets a small problem listing at most 20 of them, quickly', async () => {
    const items = Array.from({ length: 8000 }, (_, i) => `bad ${i}`);
    const t0 = Date.now();
    const r = await call('POST', `/applications/${target}/materials`, TOKENS.applicant, { items });
    expectProblem(r, 400);
    expect(r.body.errors.length).toBeLessThanOrEqual(20);
    expect(Date.now() - t0).toBeLessThan(5_000);
  });

  it('a NUL in a text field is a 400; one that reached the workflow never keeps the application out of the read model', async () => {
    const viaApi = await call('POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT', projectName: 'name\u0000with NUL', materials: withoutEia });
    expectProblem(viaApi, 400);
    expect(viaApi.body.errors[0]).toMatchObject({ field: 'body.projectName', message: expect.stringMatching(/U\+0000/) });
    const withdrawn = await start('要撤回的项目');
    const refusedReason = await call('POST', `/applications/${withdrawn}/withdraw`, TOKENS.applicant, { reason: 'no longer\u0000 needed' });
    expectProblem(refusedReason, 400);
    // Straight to the workflow, as an older API or another client might: the read model still follows.
    await suite.env.client.workflow.getHandle(withdrawn).executeUpdate(withdrawUpdate, { args: [{ actor: applicant, reason: 'no longer\u0000 needed' }] });
    let row: { status: string; outcome_reason: string } | undefined;
    for (let i = 0; i < 100 && row?.status !== 'withdrawn'; i++) {
      row = (await suite.db.pool.query('SELECT status, outcome_reason FROM applications WHERE application_id = $1', [withdrawn])).rows[0];
      if (row?.status !== 'withdrawn') await new Promise((r) => setTimeout(r, 200));
    }
    expect(row?.status).toBe('withdrawn');
    expect(row?.outcome_reason).not.toContain('\u0000');
    const inbox = await call('GET', '/officers/inbox?limit=500', officerToken('DRC'));
    expect(inbox.body.items.map((m: any) => m.applicationId)).not.toContain(withdrawn);
  });

  const cursor = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');

  it.each([
    ['a gzip body that is not gzip', 'POST', '/applications', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, '{"processCode":"GOV_INVESTMENT"}', 400],
    ['an unknown Content-Encoding', 'POST', '/applications', { 'content-type': 'application/json', 'content-encoding': 'zstd-x' }, '{}', 415],
    ['a latin1 charset', 'POST', '/applications', { 'content-type': 'application/json; charset=latin1' }, '{}', 415],
    ['a body that is not JSON', 'POST', '/applications', { 'content-type': 'text/plain' }, 'processCode=GOV_INVESTMENT', 415],
    ['a body over the limit', 'POST', '/applications', { 'content-type': 'application/json' }, JSON.stringify({ projectName: 'x'.repeat(200_000) }), 413],
    ['invalid JSON', 'POST', '/applications', { 'content-type': 'application/json' }, '{"processCode":', 400],
    ['"%" as an application id', 'GET', '/applications/%', {}, undefined, 400],
    ['a cursor with a bad timestamp', 'GET', `/officers/inbox?after=${cursor(['not a time', 'app-x', 'LY01'])}`, {}, undefined, 400],
    ['a cursor with a NUL', 'GET', `/officers/inbox?after=${cursor(['2026-01-01T00:00:00+08:00', 'app\u0000', 'LY01'])}`, {}, undefined, 400],
    ['a cursor with an out-of-range severity', 'GET', `/supervision/alerts?after=${cursor([99, '2026-01-01T00:00:00+08:00', 'app-x', 'LY01'])}`, {}, undefined, 400],
    ['a date past 2199', 'GET', '/supervision/alerts?to=9999-12-31', {}, undefined, 400],
    ['an unknown department filter', 'GET', '/supervision/alerts?department=NOPE', {}, undefined, 400],
    ['an unknown stage filter', 'GET', '/supervision/alerts?stage=S9', {}, undefined, 400],
    ['an empty workingDays', 'GET', '/calendar/due?acceptedOn=2026-09-30&workingDays=', {}, undefined, 400],
    ['a list filter given twice', 'GET', '/supervision/alerts?department=EEB&department=DRC', {}, undefined, 400],
    ['an Idempotency-Key with spaces', 'POST', '/applications', { 'content-type': 'application/json', 'idempotency-key': 'key with spaces' }, '{"processCode":"GOV_INVESTMENT","projectName":"x"}', 400],
    ['an Idempotency-Key of 5,000 characters', 'POST', '/applications', { 'content-type': 'application/json', 'idempotency-key': 'k'.repeat(5000) }, '{"processCode":"GOV_INVESTMENT","projectName":"x"}', 400],
  ])('%s is a 4xx problem naming the rule', async (_what, method, path, headers, body, status) => {
    const token = path.startsWith('/officers') ? officerToken('DRC') : path.startsWith('/supervision') ? TOKENS.supervisor : TOKENS.applicant;
    const res = await fetch(`${suite.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(headers as Record<string, string>) }, body });
    const text = await res.text();
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(text)).toMatchObject({ status, code: expect.any(String) });
  });

  it('a valid gzip body is still read', async () => {
    const body = gzipSync(JSON.stringify({ processCode: 'GOV_INVESTMENT', projectName: '压缩的项目', materials: withoutEia }));
    const res = await fetch(`${suite.baseUrl}/applications`, { method: 'POST', headers: { authorization: `Bearer ${TOKENS.applicant}`, 'content-type': 'application/json', 'content-encoding': 'gzip' }, body });
    expect(res.status).toBe(201);
  });

  it('after every attack above, the attacked and the bystander applications still answer and act', async () => {
    await bystanderIsServed();
    const view = await call('GET', `/applications/${target}?consistency=strong`, TOKENS.applicant);
    expect(view.body.status).toBe('running');
    expect(view.body.services.find((s: any) => s.serviceType === 'EIA_REPORT').status).toBe('contracted');
  });
});
