import { describe, expect, it } from 'vitest';
import { officerToken, TOKENS } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { allMaterials } from '../helpers/temporal';
import { until } from '../helpers/until';

/**
 * Where the days went, over HTTP on the time-skipping server from Monday 2 March 2026: an EIA
 * report late from its provider and reviewed across 清明 (4–6 Apr), then LY07 with an expert review
 * and a supplement decides stage S1 on 16 Apr. The application's view (from the read model) splits
 * the 45 days by holder; the supervision office's April figures per department and provider, as
 * JSON and CSV. Instants are those of the steps below, give or take the seconds a request takes.
 */
describe('delay attribution over HTTP', () => {
  const suite = apiSuite('e2e-attribution', { initialTime: '2026-03-02T09:00:00+08:00' });
  const { call } = suite;
  const eeb = officerToken('EEB');

  it('shows the application’s days by holder and the period’s days on the critical path per department and provider', async () => {
    const started = await call('POST', '/applications', TOKENS.applicant, {
      processCode: 'GOV_INVESTMENT',
      projectName: '浏阳市第一中学新校区建设项目',
      materials: allMaterials('GOV_INVESTMENT').filter((m) => m !== 'M_EIA_DOCUMENT'),
    });
    expect(started.status).toBe(201);
    const id: string = started.body.applicationId;
    const at = (path: string) => `/applications/${id}/${path}`;
    const ok = async (method: string, path: string, token: string, body?: unknown) => {
      const r = await call(method, path, token, body);
      expect(r.status, `${method} ${path}: ${JSON.stringify(r.body)}`).toBeLessThan(300);
      return r;
    };
    const approve = (code: string, department: string) => ok('POST', at(`matters/${code}/decision`), officerToken(department), { decision: 'approve', result: { number: `浏审〔2026〕${code}号` } });

    // P_GREEN_ENV: 30 calendar days from 2 Mar, committed date 1 Apr.
    await ok('POST', at('services/EIA_REPORT/contract'), TOKENS.applicant, { selection: { method: 'direct', provider: 'P_GREEN_ENV' } });
    for (const [code, department] of [['LY01', 'DRC'], ['LY04', 'NRP'], ['LY06', 'DRC'], ['LY08', 'WRB'], ['LY02', 'DRC'], ['LY05', 'NRP']] as const) await approve(code, department);

    await suite.sleepUntil('2026-04-03T10:00:00+08:00');
    await ok('POST', at('services/EIA_REPORT/delivery'), TOKENS.providerGreen, { note: '报告书（送审稿）' });
    await suite.sleepUntil('2026-04-07T10:00:00+08:00');
    await ok('POST', at('services/EIA_REPORT/review'), eeb, { decision: 'accept', note: '技术审查通过' });
    await suite.sleepUntil('2026-04-08T10:00:00+08:00');
    await ok('POST', at('matters/LY07/special-procedure'), eeb, { kind: 'expertReview', reason: '组织专家评审', expectedWorkingDays: 2 });
    await suite.sleepUntil('2026-04-10T10:00:00+08:00');
    await ok('POST', at('matters/LY07/special-procedure/end'), eeb, { reason: '专家评审结束' });
    await suite.sleepUntil('2026-04-13T10:00:00+08:00');
    await ok('POST', at('matters/LY07/supplement'), eeb, { items: ['M_EIA_DOCUMENT'], reason: '按专家意见修改报告书' });
    await suite.sleepUntil('2026-04-15T10:00:00+08:00');
    await ok('POST', at('materials'), TOKENS.applicant, { items: ['M_EIA_DOCUMENT'] });
    await suite.sleepUntil('2026-04-16T10:00:00+08:00');
    const decided = await approve('LY07', 'EEB');

    const view = await until('S2 in the read model', async () => {
      const r = await call('GET', `/applications/${id}?minSeq=${decided.body.applicationSeq}`, TOKENS.supervisor);
      return r.body.currentStage === 'S2' ? r.body : undefined;
    });
    const a = view.attribution;
    // 2 Mar 09:00 → 16 Apr 10:00: 45 d 1 h; working days 3–31 Mar (21) and 1–3, 7–10, 13–16 Apr (11) = 32.
    expect(a.elapsed).toEqual({ calendarDays: 45, workingDays: 32 });
    expect(a.holders.map((h: any) => [h.kind, h.holder, h.calendarDays, h.workingDays, h.overLimitWorkingDays])).toEqual([
      // Review 3 Apr 10:00 → 7 Apr 10:00 (4 d, 7 Apr), clock 7 → 8 Apr (1 d, 8 Apr), 10 → 13 Apr (3 d, 13 Apr), 15 → 16 Apr (1 d, 16 Apr).
      ['department', 'EEB', 9, 4, 0],
      // S2's chain furthest behind starts with GC01's clock (NRP): it has held the path for the seconds since.
      ['department', 'NRP', 0, 0, 0],
      // 2 Mar 09:00 → 3 Apr 10:00: 32 d 1 h; 3–31 Mar (21) and 1–3 Apr = 24; past 1 Apr: 2, 3 Apr = 2.
      ['provider', 'P_GREEN_ENV', 32, 24, 2],
      // The supplement 13 Apr 10:00 → 15 Apr 10:00: 2 d; 14, 15 Apr.
      ['applicant', null, 2, 2, 0],
      // The expert review 8 Apr 10:00 → 10 Apr 10:00: 2 d; 9, 10 Apr.
      ['specialProcedure', 'expertReview', 2, 2, 0],
    ]);

    const april = await call('GET', '/supervision/scorecards/critical-path?from=2026-04-01&to=2026-04-30', TOKENS.supervisor);
    expect(april.status).toBe(200);
    expect(april.body).toMatchObject({
      from: '2026-04-01',
      to: '2026-04-30',
      // EEB's 9 days and 4 working days all fell in April; NRP (S2) has held the path for seconds.
      departments: [
        { department: 'EEB', applications: 1, calendarDays: 9, workingDays: 4, overLimitCalendarDays: 0, overLimitWorkingDays: 0 },
        { department: 'NRP', applications: 1, calendarDays: 0, workingDays: 0, overLimitCalendarDays: 0, overLimitWorkingDays: 0 },
      ],
      // 1 Apr 00:00 → 3 Apr 10:00: 2.4 d; 1, 2, 3 Apr; past 1 Apr: 2 Apr 00:00 → 3 Apr 10:00 = 1.4 d, 2 working days.
      providers: [{ provider: 'P_GREEN_ENV', applications: 1, calendarDays: 2.4, workingDays: 3, overLimitCalendarDays: 1.4, overLimitWorkingDays: 2 }],
    });
    const csv = await call('GET', '/supervision/scorecards/critical-path.csv?from=2026-04-01&to=2026-04-30', TOKENS.supervisor);
    expect(csv.contentType).toMatch(/^text\/csv/);
    expect(String(csv.body).split('\r\n').slice(0, 4)).toEqual([
      'kind,holder,applications,critical_path_calendar_days,critical_path_working_days,over_limit_calendar_days,over_limit_working_days',
      'department,EEB,1,9.0,4,0.0,0',
      'department,NRP,1,0.0,0,0.0,0',
      'provider,P_GREEN_ENV,1,2.4,3,1.4,2',
    ]);
    expect((await call('GET', '/supervision/scorecards/critical-path?from=2026-04-01&to=2026-04-30', eeb)).status).toBe(403);
    const refused = await call('GET', '/supervision/scorecards/critical-path?from=2026-04-01&to=2026-04-30&provider=P_NOBODY', TOKENS.supervisor);
    expect([refused.status, refused.body.errors?.map((e: { field: string }) => e.field)]).toEqual([400, ['query.provider']]);
  });
});
