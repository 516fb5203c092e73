import { describe, expect, it } from 'vitest';
import { officerToken, TOKENS } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { allMaterials } from '../helpers/temporal';
import { until } from '../helpers/until';
import { accessibilityViolations, browserSuite, screenshot, signIn } from './harness';

/**
 * Where the days went on the pages (chromium, time-skipping server from Monday 2 March 2026): the
 * applicant's application page splits the days of stage S1 by holder — an EIA report late from
 * its provider, EEB's review across 清明 (4–6 Apr) and LY07's clock — and the supervision office's
 * scorecards show April's days on the critical path and over the limit per department and provider.
 */
describe('where the days went: application page and scorecards (chromium, time-skipping server)', () => {
  const suite = apiSuite('web-attribution', { initialTime: '2026-03-02T09:00:00+08:00' });
  const browsers = browserSuite();

  it('shows the application’s days by holder adding up to the total, and April’s critical-path figures per department and provider, in Chinese and English', async () => {
    const started = await suite.call('POST', '/applications', TOKENS.applicant, {
      processCode: 'GOV_INVESTMENT',
      projectName: '智能制造产业园',
      materials: allMaterials('GOV_INVESTMENT').filter((m) => m !== 'M_EIA_DOCUMENT'),
    });
    const id: string = started.body.applicationId;
    const post = async (path: string, token: string, body: unknown) => expect((await suite.call('POST', `/applications/${id}/${path}`, token, body)).status).toBeLessThan(300);
    // P_GREEN_ENV: 30 calendar days from 2 Mar, committed date 1 Apr.
    await post('services/EIA_REPORT/contract', TOKENS.applicant, { selection: { method: 'direct', provider: 'P_GREEN_ENV' } });
    for (const [code, department] of [['LY01', 'DRC'], ['LY04', 'NRP'], ['LY06', 'DRC'], ['LY08', 'WRB'], ['LY02', 'DRC'], ['LY05', 'NRP']] as const) {
      await post(`matters/${code}/decision`, officerToken(department), { decision: 'approve', result: { number: `浏审〔2026〕${code}号` } });
    }
    await suite.sleepUntil('2026-04-03T10:00:00+08:00');
    await post('services/EIA_REPORT/delivery', TOKENS.providerGreen, { note: '报告书' });
    await suite.sleepUntil('2026-04-07T10:00:00+08:00');
    await post('services/EIA_REPORT/review', officerToken('EEB'), { decision: 'accept', note: '' });
    await suite.sleepUntil('2026-04-09T10:00:00+08:00');
    await post('matters/LY07/decision', officerToken('EEB'), { decision: 'approve', result: { number: '浏环审〔2026〕7号' } });
    await until('S2 in the read model', async () => ((await suite.call('GET', `/applications/${id}`, TOKENS.applicant)).body.currentStage === 'S2' ? true : undefined));

    const context = await browsers.context();
    const page = await context.newPage();
    await signIn(page, suite.baseUrl, TOKENS.applicant, `/applications/${id}`);
    const where = page.getByTestId('where-table');
    await where.waitFor();
    // EEB: review 3 → 7 Apr 10:00 (4 d; 7 Apr) and LY07 7 → 9 Apr 10:00 (2 d; 8, 9 Apr).
    expect((await where.locator('tr[data-holder=EEB]').textContent())!.replace(/\s+/g, ' ')).toMatch(/生态环境局.*审批部门.*6 个自然日.*3 个工作日/);
    // 2 Mar 09:00 → 3 Apr 10:00: 32 d 1 h; 3–31 Mar (21) and 1–3 Apr = 24, of which 2 and 3 Apr past 1 Apr.
    expect((await where.locator('tr[data-holder=P_GREEN_ENV]').textContent())!.replace(/\s+/g, ' ')).toMatch(/绿源环境科技有限公司.*中介机构.*32 个自然日.*24 个工作日.*2 个工作日/);
    // 2 Mar 09:00 → 9 Apr 10:00 and a few seconds: 38 days; 24 + 3 = 27 working days.
    expect(await page.getByTestId('where-total').textContent()).toContain('38 个自然日');
    expect(await page.getByTestId('where-bar').locator('.slice').count()).toBeGreaterThanOrEqual(2);
    await page.getByTestId('where-section').scrollIntoViewIfNeeded();
    await screenshot(page, 'applicant-where-the-days-went-1280');
    expect(await accessibilityViolations(page)).toEqual([]);

    const supervisor = await (await browsers.context()).newPage();
    await signIn(supervisor, suite.baseUrl, TOKENS.supervisor, '/supervision/scorecards?from=2026-04-01&to=2026-04-30');
    const departments = supervisor.getByTestId('path-departments');
    await departments.locator('tr[data-holder=EEB]').waitFor();
    expect((await departments.locator('tr[data-holder=EEB]').textContent())!.replace(/\s+/g, ' ')).toMatch(/生态环境局.*6 个自然日 \/ 3 个工作日.*0 个自然日 \/ 0 个工作日.*1/);
    // 1 Apr 00:00 → 3 Apr 10:00 = 2.4 d; 1, 2, 3 Apr; past 1 Apr: 1.4 d, 2 working days.
    expect((await supervisor.getByTestId('path-providers').locator('tr[data-holder=P_GREEN_ENV]').textContent())!.replace(/\s+/g, ' ')).toMatch(/绿源环境科技有限公司.*2\.4 个自然日 \/ 3 个工作日.*1\.4 个自然日 \/ 2 个工作日/);
    await supervisor.getByTestId('critical-path').scrollIntoViewIfNeeded();
    await screenshot(supervisor, 'supervision-critical-path-1280');
    expect(await accessibilityViolations(supervisor)).toEqual([]);

    await supervisor.evaluate(() => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('approvals.locale', 'en'));
    await supervisor.reload();
    await supervisor.getByTestId('path-providers').locator('tr[data-holder=P_GREEN_ENV]').waitFor();
    expect(await supervisor.getByTestId('critical-path').locator('h2').textContent()).toBe('Where the days went: the critical path');
    expect((await supervisor.getByTestId('path-providers').locator('tr[data-holder=P_GREEN_ENV]').textContent())!.replace(/\s+/g, ' ')).toContain('2.4 calendar days / 3 working days');
  });
});
