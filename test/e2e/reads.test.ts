import { describe, expect, it } from 'vitest';
import { officerToken, TOKENS } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { allMaterials } from '../helpers/temporal';

/** Reads that do not need the worker: the status page is served from the read model. */
describe('status reads from the read model (dev server, real PostgreSQL)', () => {
  const suite = apiSuite('e2e-reads');
  const { call } = suite;

  it('answers the status, the audit trail and lists while the worker is down, and a strong read says it cannot', async () => {
    const started = await call('POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT', projectName: '读模型项目', materials: allMaterials('GOV_INVESTMENT') });
    const id = started.body.applicationId as string;
    const approved = await call('POST', `/applications/${id}/matters/LY01/decision`, officerToken('DRC'), { decision: 'approve', result: { number: '浏发改〔2026〕9号' } });
    expect(approved.status).toBe(200);
    const seq: number = approved.body.applicationSeq;
    expect(seq).toBeGreaterThan(1);

    // Read your writes: a read asking for the decision's seq waits for the projection.
    const fresh = await call('GET', `/applications/${id}?minSeq=${seq}`, TOKENS.applicant);
    expect(fresh.body.projection).toMatchObject({ source: 'readModel', seq: expect.any(Number), projectedAt: expect.any(String) });
    expect(fresh.body.projection.seq).toBeGreaterThanOrEqual(seq);
    expect(fresh.body.stages[0].matters.find((m: any) => m.code === 'LY01').status).toBe('approved');
    const strong = await call('GET', `/applications/${id}?consistency=strong`, TOKENS.applicant);
    const { projection: _a, asOf: _b, ...fromWorkflow } = strong.body;
    const { projection: _c, asOf: _d, ...fromReadModel } = (await call('GET', `/applications/${id}?minSeq=${strong.body.seq}`, TOKENS.applicant)).body;
    expect(fromReadModel).toEqual(fromWorkflow);

    await suite.stopWorker();

    const t0 = Date.now();
    const down = await call('GET', `/applications/${id}`, TOKENS.applicant);
    expect(down.status).toBe(200);
    expect(Date.now() - t0).toBeLessThan(2_000);
    expect(down.body.projection.source).toBe('readModel');
    // Working days left are computed as of this request from stored instants, not from the workflow.
    expect(down.body.stages[0].matters.find((m: any) => m.status === 'inProgress')).toMatchObject({ workingDaysLeft: expect.any(Number), dueOn: expect.any(String) });
    expect((await call('GET', `/applications/${id}/audit`, TOKENS.applicant)).status).toBe(200);
    expect((await call('GET', '/officers/inbox', officerToken('DRC'))).status).toBe(200);
    // Another party is still refused without the worker.
    expect((await call('GET', `/applications/${id}`, TOKENS.otherApplicant)).status).toBe(403);

    const t1 = Date.now();
    const strongDown = await call('GET', `/applications/${id}?consistency=strong`, TOKENS.applicant);
    expect(strongDown.status).toBe(503);
    expect(strongDown.contentType).toMatch(/problem\+json/);
    expect(Date.now() - t1).toBeLessThan(10_000);
  });
});
