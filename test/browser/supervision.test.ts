import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { officerToken, TOKENS } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { allMaterials } from '../helpers/temporal';
import { accessibilityViolations, browserSuite, screenshot, signIn } from './harness';

/**
 * The supervision office's pages (督查室) in chromium on the real stack, weeks of simulated
 * time later: the alerts board with its filters, "load more", urge and escalate; the
 * department × stage view; scorecards as charts with their CSV; provider statistics.
 */
describe('supervision pages: alerts board, department × stage, scorecards, providers (chromium, time-skipping server)', () => {
  const suite = apiSuite('web-supervision', { initialTime: '2026-05-11T09:00:00+08:00' });
  const browsers = browserSuite();
  const ids = { a: '', b: '', c: '' };
  const alertsOf = async (query = '') => (await suite.call('GET', `/supervision/alerts?limit=500${query}`, TOKENS.supervisor)).body;
  const rowOf = (page: Page, app: string, code: string) => page.locator(`[data-testid=alert-row][data-application="${app}"][data-matter="${code}"]`);
  const departmentNames = async (): Promise<Record<string, string>> =>
    Object.fromEntries((await suite.call('GET', '/catalogue/departments')).body.departments.map((d: { code: string; name: string }) => [d.code, d.name]));
  /** Polls the API until `ok` holds (the projection writes a moment after the workflow moves). */
  const until = async <T>(read: () => Promise<T>, ok: (v: T) => boolean): Promise<T> => {
    let v = await read();
    for (let i = 0; i < 80 && !ok(v); i++) {
      await new Promise((r) => setTimeout(r, 250));
      v = await read();
    }
    expect(ok(v)).toBe(true);
    return v;
  };
  /** Scans once transitions (a dialog fading in) have ended: half-faded text is not what a user reads. */
  const noSeriousViolations = async (page: Page) => {
    await page.evaluate(async () => {
      const d = (globalThis as unknown as { document: { getAnimations(): { finished: Promise<unknown> }[] } }).document;
      await Promise.all(d.getAnimations().map((a) => a.finished.catch(() => undefined)));
    });
    expect(await accessibilityViolations(page)).toEqual([]);
  };

  it('after weeks pass, the board shows the overdue matter on its rung; the supervisor urges it through the form and the urge count shows', async () => {
    const start = async (name: string, materials = allMaterials('GOV_INVESTMENT')) =>
      (await suite.call('POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT', projectName: name, materials })).body.applicationId as string;
    ids.a = await start('浏阳市一中新校区');
    // C waits for its environmental impact report: a contract the provider delivers on time.
    ids.c = await start('智能制造产业园', allMaterials('GOV_INVESTMENT').filter((m) => m !== 'M_EIA_DOCUMENT'));
    expect((await suite.call('POST', `/applications/${ids.c}/services/EIA_REPORT/contract`, TOKENS.applicant, { selection: { method: 'direct', provider: 'P_GREEN_ENV' } })).status).toBe(200);
    await suite.sleepUntil('2026-05-13T09:00:00+08:00');
    ids.b = await start('城东污水处理厂');
    expect((await suite.call('POST', `/applications/${ids.c}/services/EIA_REPORT/delivery`, TOKENS.providerGreen, { note: '环境影响报告书' })).status).toBe(200);
    expect((await suite.call('POST', `/applications/${ids.c}/services/EIA_REPORT/review`, officerToken('EEB'), { decision: 'accept' })).status).toBe(200);
    for (const code of ['LY01', 'LY06']) {
      const r = await suite.call('POST', `/applications/${ids.a}/matters/${code}/decision`, officerToken('DRC'), { decision: 'approve', result: { number: `浏发改〔2026〕${code}号` } });
      expect(r.status).toBe(200);
    }
    await suite.sleepUntil('2026-05-26T10:00:00+08:00');
    // B's LY01 (accepted 13 May, 7 working days): due 22 May, overdue from the 23rd, department head one working day later.
    const all = await until(alertsOf, (x) => x.asOf === '2026-05-26' && x.items.some((i: any) => i.applicationId === ids.b && i.code === 'LY01' && i.level === 'departmentHead'));
    const target = all.items.find((i: any) => i.applicationId === ids.b && i.code === 'LY01');
    expect(target).toMatchObject({ department: 'DRC', level: 'departmentHead', urgeCount: 0 });

    const page = await (await browsers.context()).newPage();
    await signIn(page, suite.baseUrl, TOKENS.supervisor);
    expect(new URL(page.url()).pathname).toBe('/ui/supervision/alerts');
    const row = rowOf(page, ids.b, 'LY01');
    await row.waitFor();
    expect(await row.getAttribute('data-level')).toBe(target.level);
    expect(await row.getByTestId('alert-level').textContent()).toContain('部门负责人督办');
    expect(await row.textContent()).toContain('城东污水处理厂');
    expect(await row.textContent()).toContain('2026-05-22');
    expect(await row.getByTestId('alert-over').textContent()).toContain(target.workingDaysOver === 0 ? '未超期' : `${target.workingDaysOver} 个工作日`);
    expect(await row.getByTestId('alert-urges').textContent()).toContain('0 次');
    // The board lists what the API lists, in its order (most severe first).
    const shown = await page.getByTestId('alert-row').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-application')}/${r.getAttribute('data-matter')}`));
    expect(shown).toEqual(all.items.slice(0, 50).map((i: any) => `${i.applicationId}/${i.code}`));
    await screenshot(page, 'supervision-1280');
    await noSeriousViolations(page);

    await row.getByTestId('urge').click();
    const form = page.getByTestId('urge-form');
    await form.waitFor();
    await noSeriousViolations(page);
    await form.getByLabel('督办意见').fill('请于两个工作日内办结并反馈');
    await form.getByTestId('action-submit').click();
    await expect.poll(() => page.getByTestId('action-sent').textContent()).toContain('已向发展和改革局发出督办');
    await expect.poll(() => row.getByTestId('alert-urges').textContent(), { timeout: 20_000 }).toContain('1 次');
    const after = (await alertsOf()).items.find((i: any) => i.applicationId === ids.b && i.code === 'LY01');
    expect(after.urgeCount).toBe(1);
    expect((await suite.call('GET', `/applications/${ids.b}/audit`, TOKENS.supervisor)).body.events.filter((e: any) => e.kind === 'urged').map((e: any) => e.reason)).toEqual(['请于两个工作日内办结并反馈']);

    // In English the level is still a tag with its text.
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => row.getByTestId('alert-level').textContent()).toContain('Department head');
    await page.getByRole('button', { name: '中文' }).click();
    await expect.poll(() => row.getByTestId('alert-level').textContent()).toContain('部门负责人督办');
  });

  it('filters by level through the form, pages by "load more", and keeps the filters in the address', async () => {
    const page = await (await browsers.context()).newPage();
    await signIn(page, suite.baseUrl, TOKENS.supervisor, '/supervision/alerts?limit=3');
    const all = (await alertsOf()).items.map((i: any) => `${i.applicationId}/${i.code}`);
    expect(all.length).toBeGreaterThan(6);
    const keys = () => page.getByTestId('alert-row').evaluateAll((rows) => rows.map((r) => `${r.getAttribute('data-application')}/${r.getAttribute('data-matter')}`));
    await expect.poll(keys).toEqual(all.slice(0, 3));
    await page.getByTestId('load-more').click();
    await expect.poll(keys).toEqual(all.slice(0, 6));

    await page.getByTestId('filter-level').click();
    await page.getByRole('option', { name: '红色超期', exact: true }).click();
    await page.getByTestId('filter-apply').click();
    await page.waitForURL(/level=overdue/);
    const overdue = (await alertsOf('&level=overdue')).items.map((i: any) => `${i.applicationId}/${i.code}`);
    expect(overdue.length).toBeGreaterThan(0);
    await expect.poll(keys).toEqual(overdue.slice(0, 3));
    expect(await page.getByTestId('alert-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-level')))).toEqual(overdue.slice(0, 3).map(() => 'overdue'));
    expect(new URL(page.url()).searchParams.get('limit')).toBe('3');
    // The menu's link is the whole board again.
    await page.getByRole('navigation').getByRole('link', { name: '预警督办' }).click();
    await page.waitForURL((u) => u.pathname === '/ui/supervision/alerts' && u.search === '');
    await expect.poll(keys).toEqual(all.slice(0, 50));
  });

  it('shows a refused escalation at the form with the server’s reason, and an accepted one moves the matter up the ladder', async () => {
    const overdue = (await alertsOf('&level=overdue')).items.filter((i: any) => i.applicationId === ids.a);
    expect(overdue.length).toBeGreaterThanOrEqual(2);
    const [up, decided] = overdue as any[];
    const page = await (await browsers.context()).newPage();
    await signIn(page, suite.baseUrl, TOKENS.supervisor);

    const decidedRow = rowOf(page, ids.a, decided.code);
    await decidedRow.getByTestId('escalate').click();
    const form = page.getByTestId('escalate-form');
    await form.waitFor();
    // The department decides the matter while the form is open.
    const approved = await suite.call('POST', `/applications/${ids.a}/matters/${decided.code}/decision`, officerToken(decided.department), { decision: 'approve', result: { number: `浏审〔2026〕${decided.code}号` } });
    expect(approved.status).toBe(200);
    await form.getByLabel('升级理由').fill('超期未办结');
    await form.getByTestId('action-submit').click();
    const refusal = form.getByRole('alert');
    await expect.poll(() => refusal.textContent()).toContain(`matter ${decided.code} is already approved`);
    await noSeriousViolations(page);
    await page.getByRole('button', { name: '取消' }).click();
    await expect.poll(() => decidedRow.count()).toBe(0);

    const upRow = rowOf(page, ids.a, up.code);
    await upRow.getByTestId('escalate').click();
    await page.getByTestId('escalate-form').getByLabel('升级理由').fill('超期且无进展，提请部门负责人督办');
    await page.getByTestId('escalate-form').getByTestId('action-submit').click();
    await expect.poll(() => page.getByTestId('action-sent').textContent()).toContain('已升级');
    const moved = await until(alertsOf, (x) => x.items.some((i: any) => i.applicationId === ids.a && i.code === up.code && i.level === 'departmentHead'));
    expect(moved.items.find((i: any) => i.applicationId === ids.a && i.code === up.code).level).toBe('departmentHead');
    await expect.poll(() => upRow.getAttribute('data-level'), { timeout: 20_000 }).toBe('departmentHead');
  });

  it('shows the department × stage counts of the summary in the heatmap and in the table', async () => {
    const counts: { department: string; stage: string | null; level: string; count: number }[] = (await suite.call('GET', '/supervision/alerts/summary', TOKENS.supervisor)).body.counts;
    const listed = (await alertsOf()).items;
    expect(counts.reduce((n, c) => n + c.count, 0)).toBe(listed.length);
    const page = await (await browsers.context()).newPage();
    await signIn(page, suite.baseUrl, TOKENS.supervisor, '/supervision/overview');
    const table = page.getByTestId('overview-table');
    await table.waitFor();
    const sum = (d: string, s: string | null, level?: string) => counts.filter((c) => c.department === d && c.stage === s && (!level || c.level === level)).reduce((n, c) => n + c.count, 0);
    const cells = await page.getByTestId('overview-cell').evaluateAll((tds) => tds.map((td) => [td.getAttribute('data-department'), td.getAttribute('data-stage'), Number(td.getAttribute('data-count')), td.textContent]));
    expect(cells.length).toBeGreaterThan(0);
    for (const [d, s, n] of cells) expect(n).toBe(sum(d as string, s === '' ? null : (s as string)));
    expect(await page.getByTestId('overview-total').textContent()).toContain(String(listed.length));
    const chart = async () => page.getByTestId('overview-chart').evaluate((el) => (el as unknown as { __chart: { getOption(): any } }).__chart.getOption());
    await expect.poll(async () => (await chart()).series[0].data.reduce((n: number, v: number[]) => n + v[2]!, 0)).toBe(listed.length);
    const option = await chart();
    const names = await departmentNames();
    // Every heatmap cell is the summary's figure for its department and stage.
    const drc = option.yAxis[0].data.indexOf(names.DRC);
    const s1 = option.xAxis[0].data.findIndex((x: string) => x.startsWith('S1 '));
    expect(option.series[0].data.find((v: number[]) => v[0] === s1 && v[1] === drc)[2]).toBe(sum('DRC', 'S1'));
    await screenshot(page, 'supervision-overview-1280');
    await noSeriousViolations(page);

    // One level: the same figures for departmentHead only; a figure leads to its list.
    await page.getByTestId('overview-measure').click();
    await page.getByRole('option', { name: '部门负责人督办', exact: true }).click();
    await page.waitForURL(/level=departmentHead/);
    await expect.poll(async () => (await chart()).series[0].data.reduce((n: number, v: number[]) => n + v[2]!, 0)).toBe(counts.filter((c) => c.level === 'departmentHead').reduce((n, c) => n + c.count, 0));
    const link = page.locator(`[data-testid=overview-cell][data-department=DRC][data-stage=S1] a`);
    await link.click();
    await page.waitForURL(/\/ui\/supervision\/alerts\?/);
    const url = new URL(page.url());
    expect(Object.fromEntries(url.searchParams)).toEqual({ department: 'DRC', stage: 'S1', level: 'departmentHead' });
    await expect.poll(() => page.getByTestId('alert-row').count()).toBe(sum('DRC', 'S1', 'departmentHead'));
  });

  it('draws the scorecards of a period with the API’s figures, refuses a period that ends before it starts at the form, and downloads the CSV', async () => {
    const period = { from: '2026-05-01', to: '2026-05-31' };
    const api = (await suite.call('GET', `/supervision/scorecards?from=${period.from}&to=${period.to}`, TOKENS.supervisor)).body;
    expect(api.departments.length).toBeGreaterThan(0);
    expect(api.departments.find((d: any) => d.department === 'DRC')).toMatchObject({ decided: 2, onTime: 2, urges: 1 });
    const names = await departmentNames();
    const page = await (await browsers.context()).newPage();
    await signIn(page, suite.baseUrl, TOKENS.supervisor, `/supervision/scorecards?from=${period.from}&to=${period.to}`);
    const optionOf = (metric: string) => page.getByTestId(`chart-${metric}`).evaluate((el) => (el as unknown as { __chart: { getOption(): any } }).__chart.getOption());
    await page.getByTestId('chart-urges').waitFor();
    for (const metric of ['onTimeRate', 'overdue', 'avgUsedRatio', 'supplementRate', 'urges']) {
      await expect.poll(async () => (await optionOf(metric)).series[0].data).toEqual(api.departments.map((d: any) => d[metric]));
      expect((await optionOf(metric)).yAxis[0].data).toEqual(api.departments.map((d: any) => names[d.department]));
    }
    // The tables say the same: DRC decided both its matters on time.
    expect(await page.getByTestId('table-onTimeRate').locator('tr[data-department=DRC]').textContent()).toContain('100.0%');
    expect(await page.getByTestId('table-urges').locator('tr[data-department=DRC]').textContent()).toContain('1');
    await screenshot(page, 'supervision-scorecards-1280');
    await noSeriousViolations(page);

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv-download').click()]);
    expect(download.suggestedFilename()).toBe(`scorecards-${period.from}-${period.to}.csv`);
    const csv = readFileSync((await download.path())!, 'utf8');
    expect(csv.split('\r\n')[0]).toBe('department,decided,decided_with_due,on_time,early,on_time_rate,early_rate,overdue,avg_working_days_used,avg_used_ratio,with_supplement,supplement_rate,urges,verifications_on_time,verifications_late,revocations');
    expect(csv).toBe((await suite.call('GET', `/supervision/scorecards.csv?from=${period.from}&to=${period.to}`, TOKENS.supervisor)).body);

    await page.goto(`${suite.baseUrl}/ui/supervision/scorecards?from=2026-06-01&to=2026-05-01`);
    await expect.poll(() => page.getByTestId('period-form').getByRole('alert').textContent()).toContain('the period ends before it starts');
  });

  it('lists provider statistics in a table and charts with the API’s figures', async () => {
    const stats = (await suite.call('GET', '/supervision/providers', TOKENS.supervisor)).body.providers;
    expect(stats).toEqual([expect.objectContaining({ provider: 'P_GREEN_ENV', serviceType: 'EIA_REPORT', contracts: 1, delivered: 1, onTime: 1, onTimeRate: 1 })]);
    const page = await (await browsers.context()).newPage();
    await signIn(page, suite.baseUrl, TOKENS.supervisor, '/supervision/providers');
    const row = page.locator('[data-testid=provider-row][data-provider=P_GREEN_ENV][data-service=EIA_REPORT]');
    await row.waitFor();
    expect(await row.textContent()).toContain('100.0%');
    const option = await page.getByTestId('chart-provider-rate').evaluate((el) => (el as unknown as { __chart: { getOption(): any } }).__chart.getOption());
    expect(option.series[0].data).toEqual(stats.map((s: any) => s.onTimeRate));
    const counts = await page.getByTestId('chart-provider-counts').evaluate((el) => (el as unknown as { __chart: { getOption(): any } }).__chart.getOption());
    expect(counts.series.map((s: any) => s.data)).toEqual([stats.map((s: any) => s.contracts), stats.map((s: any) => s.terminated), stats.map((s: any) => s.reworks)]);
    await noSeriousViolations(page);
  });

  it('fits a phone (390×844) on every supervision page, and shows the administrator the board without urge or escalate', async () => {
    const page = await (await browsers.context({ width: 390, height: 844 })).newPage();
    await signIn(page, suite.baseUrl, TOKENS.supervisor);
    const overflow = () =>
      page.evaluate(() => {
        const w = globalThis as unknown as { innerWidth: number; document: { documentElement: { scrollWidth: number } } };
        return w.document.documentElement.scrollWidth - w.innerWidth;
      });
    for (const [path, ready] of [
      ['/supervision/alerts', 'alert-row'],
      ['/supervision/overview', 'overview-table'],
      ['/supervision/scorecards?from=2026-05-01&to=2026-05-31', 'chart-urges'],
      ['/supervision/providers', 'provider-row'],
    ] as const) {
      await page.goto(`${suite.baseUrl}/ui${path}`);
      await page.getByTestId(ready).first().waitFor();
      expect(await overflow(), path).toBeLessThanOrEqual(0);
      if (ready === 'alert-row') await screenshot(page, 'supervision-390');
      await noSeriousViolations(page);
    }

    const admin = await (await browsers.context({ width: 390, height: 844 })).newPage();
    await signIn(admin, suite.baseUrl, TOKENS.admin, '/supervision/alerts');
    await admin.getByTestId('alert-row').first().waitFor();
    expect(await admin.getByTestId('urge').count()).toBe(0);
    expect(await admin.getByTestId('escalate').count()).toBe(0);
    expect(await admin.getByText('管理员可查看').count()).toBe(1);
  });
});
