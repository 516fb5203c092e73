import { describe, expect, it } from 'vitest';
import { colleagueToken, headToken, officerToken, TOKENS, type HttpResult } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { allMaterials } from '../helpers/temporal';
import { until } from '../helpers/until';

/**
 * The read-model routes of issue 12 over HTTP on the time-skipping server, from Monday 2 March
 * 2026: the inbox of a department and of one officer (with an out-of-office delegate on and off its
 * dates), a commitment's verification among a department's work, the head's figures of its
 * officers, delegations and their validation, and the supervision office's credit records.
 */

function expectRefused(r: HttpResult, status: number, code: string) {
  expect(r.contentType).toMatch(/^application\/problem\+json/);
  expect({ status: r.status, code: r.body.code }).toEqual({ status, code });
}

function expectInvalid(r: HttpResult, field: string) {
  expectRefused(r, 400, 'INVALID_REQUEST');
  expect(r.body.errors.map((e: { field: string }) => e.field)).toContain(field);
}

describe('inbox, delegations, figures and credit records over HTTP', () => {
  const suite = apiSuite('e2e-reform-reads', { initialTime: '2026-03-02T09:00:00+08:00' });
  const { call } = suite;
  const drc = officerToken('DRC');
  const drc2 = colleagueToken('DRC');
  const items = async (token: string, view?: 'mine' | 'department', id?: string) => {
    const r = await call('GET', `/officers/inbox${view ? `?view=${view}` : ''}`, token);
    expect(r.status).toBe(200);
    return (r.body.items as any[]).filter((i) => !id || i.applicationId === id).map((i) => `${i.kind} ${i.code}${i.assignee ? ` @${i.assignee}` : ''}`);
  };

  it('lists a department’s and an officer’s work, lets an officer name a colleague for some days, shows the head its officers’ figures and the supervision office the credit records', async () => {
    const started = await call('POST', '/applications', TOKENS.applicant, {
      processCode: 'GOV_INVESTMENT',
      projectName: '浏阳市第一中学新校区建设项目',
      materials: allMaterials('GOV_INVESTMENT'),
      commitments: [{ matter: 'LY06', statement: '本公司承诺：项目能效水平达到先进值。' }],
    });
    expect(started.status).toBe(201);
    const id: string = started.body.applicationId;
    const at = (path: string) => `/applications/${id}/${path}`;

    expect((await call('POST', at('matters/LY01/claim'), drc, {})).body).toMatchObject({ assignee: { officer: 'officer-drc' } });
    expect((await call('POST', at('matters/LY06/decision'), drc, { decision: 'approve', result: { number: '浏发改〔2026〕6号' } })).status).toBe(200);

    // The department sees everything it owes: LY01 (claimed), the other matters and LY06's verification, due 14 Apr (30 working days from 2 Mar, 清明 off).
    const department = await until('the verification in DRC’s inbox', async () => {
      const list = await items(drc, 'department', id);
      return list.includes('verification LY06') ? list : undefined;
    });
    expect(department).toContain('matter LY01 @officer-drc');
    expect(await items(drc, undefined, id)).toEqual(department);
    const page = await call('GET', '/officers/inbox', drc);
    expect(page.body.items.find((i: any) => i.applicationId === id && i.kind === 'verification')).toMatchObject({ code: 'LY06', status: 'open', dueOn: '2026-04-14', level: 'normal', assignee: null, warning: false, overdue: false });
    // Mine: only what is assigned to me.
    expect(await items(drc, 'mine', id)).toEqual(['matter LY01 @officer-drc']);
    expect(await items(drc2, 'mine', id)).toEqual([]);
    expectInvalid(await call('GET', '/officers/inbox?view=everyone', drc), 'query.view');

    // Delegations: another officer of the same department, a period that does not end before it starts.
    const delegate = (token: string, body: unknown) => call('POST', '/officers/delegations', token, body);
    expectInvalid(await delegate(drc, { delegate: 'officer-nrp', from: '2026-03-04', until: '2026-03-05' }), 'body.delegate');
    expectInvalid(await delegate(drc, { delegate: 'officer-drc', from: '2026-03-04', until: '2026-03-05' }), 'body.delegate');
    expectInvalid(await delegate(drc, { delegate: 'officer-drc-2', from: '2026-03-05', until: '2026-03-04' }), 'body.until');
    expectInvalid(await delegate(drc, { delegate: 'officer-drc-2', from: '2026-02-30', until: '2026-03-04' }), 'body.from');
    const created = await delegate(drc, { delegate: 'officer-drc-2', from: '2026-03-04', until: '2026-03-05', reason: '赴省厅培训' });
    expect(created).toMatchObject({ status: 201, body: { officer: 'officer-drc', delegate: 'officer-drc-2', department: 'DRC', from: '2026-03-04', until: '2026-03-05', reason: '赴省厅培训', revokedAt: null } });
    const delegationId: string = created.body.id;
    expect((await call('GET', '/officers/delegations', drc)).body).toEqual({ given: [created.body], received: [] });
    expect((await call('GET', '/officers/delegations', drc2)).body).toEqual({ given: [], received: [created.body] });

    // Before the first day the delegate's inbox is its own; on the delegation's days it holds the absent officer's work too; after, no longer.
    expect(await items(drc2, 'mine', id)).toEqual([]);
    await suite.sleepUntil('2026-03-04T10:00:00+08:00');
    expect(await items(drc2, 'mine', id)).toEqual(['matter LY01 @officer-drc']);
    await suite.sleepUntil('2026-03-06T10:00:00+08:00');
    expect(await items(drc2, 'mine', id)).toEqual([]);

    // Only the officer who gave it revokes it; the row stays with the instant.
    expectRefused(await call('DELETE', `/officers/delegations/${delegationId}`, drc2), 403, 'NOT_PERMITTED');
    expectRefused(await call('DELETE', '/officers/delegations/987654', drc), 404, 'NOT_FOUND');
    expectInvalid(await call('DELETE', '/officers/delegations/not-an-id', drc), 'path.id');
    const revoked = await call('DELETE', `/officers/delegations/${delegationId}`, drc);
    expect(revoked.status).toBe(204);
    expect((await call('GET', '/officers/delegations', drc)).body.given).toEqual([{ ...created.body, revokedAt: expect.stringMatching(/^2026-03-06T10:00/) }]);

    // LY01 decided by its assignee on 6 Mar (due 11 Mar): the head sees it among officer-drc's figures for March.
    const decided = await call('POST', at('matters/LY01/decision'), drc, { decision: 'approve', result: { number: '浏发改〔2026〕1号' } });
    expect(decided.status).toBe(200);
    const used: number = decided.body.workingDaysUsed;
    expectRefused(await call('GET', '/officers/figures?from=2026-03-01&to=2026-03-31', drc), 403, 'NOT_PERMITTED');
    expectInvalid(await call('GET', '/officers/figures?from=2026-03-31&to=2026-03-01', headToken('DRC')), 'query.to');
    const figures = await until('LY01’s decision in the figures', async () => {
      const r = await call('GET', '/officers/figures?from=2026-03-01&to=2026-03-31', headToken('DRC'));
      return r.body.officers?.find((o: any) => o.officer === 'officer-drc')?.decided === 1 ? r : undefined;
    });
    expect(figures.body).toEqual({
      department: 'DRC',
      from: '2026-03-01',
      to: '2026-03-31',
      officers: [
        { officer: 'officer-drc', name: null, assignedOpen: 0, decided: 1, decidedOnTime: 1, overdueOpen: 0, medianWorkingDaysUsed: used },
        { officer: 'officer-drc-2', name: null, assignedOpen: 0, decided: 0, decidedOnTime: 0, overdueOpen: 0, medianWorkingDaysUsed: null },
        { officer: 'head-drc', name: null, assignedOpen: 0, decided: 0, decidedOnTime: 0, overdueOpen: 0, medianWorkingDaysUsed: null },
      ],
    });

    // The commitment found false: the verification leaves the inbox, and the supervision office sees the applicant's credit record.
    const found = await call('POST', at('matters/LY06/verification'), drc, { outcome: 'false', reason: '现场核查：实测能效未达承诺值' });
    expect(found.status).toBe(200);
    const records = await until('the credit record', async () => {
      const r = await call('GET', '/supervision/credit-records?applicant=ent-001', TOKENS.supervisor);
      return r.body.items?.length ? r : undefined;
    });
    expect(records.body).toEqual({
      items: [
        {
          applicationId: id,
          seq: expect.any(Number),
          applicantId: 'ent-001',
          applicantName: '浏阳市教育投资有限公司',
          kind: 'falseCommitment',
          matter: 'LY06',
          department: 'DRC',
          reason: '现场核查：实测能效未达承诺值',
          at: expect.stringMatching(/^2026-03-06T10:00/),
        },
      ],
      next: null,
    });
    expect((await call('GET', '/supervision/credit-records', TOKENS.admin)).body.items).toHaveLength(1);
    expect((await call('GET', '/supervision/credit-records?applicant=ent-002', TOKENS.supervisor)).body).toEqual({ items: [], next: null });
    expectRefused(await call('GET', '/supervision/credit-records', drc), 403, 'ROLE_NOT_ALLOWED');
    expect(await items(drc, 'department', id)).not.toContain('verification LY06');

    // Scorecards of March: one verification concluded (on time) and one result revoked at DRC, in JSON and CSV.
    const cards = await call('GET', '/supervision/scorecards?from=2026-03-01&to=2026-03-31&department=DRC', TOKENS.supervisor);
    expect(cards.body.departments).toEqual([expect.objectContaining({ department: 'DRC', verificationsOnTime: 1, verificationsLate: 0, revocations: 1 })]);
    const csv = await call('GET', '/supervision/scorecards.csv?from=2026-03-01&to=2026-03-31&department=DRC', TOKENS.supervisor);
    const [header, row] = (csv.body as string).split('\r\n');
    expect(header!.split(',').slice(-3)).toEqual(['verifications_on_time', 'verifications_late', 'revocations']);
    expect(row!.split(',').slice(-3)).toEqual(['1', '0', '1']);
  });
});
