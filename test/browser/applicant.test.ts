import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { officerToken, TOKENS } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { allMaterials } from '../helpers/temporal';
import { accessibilityViolations, browserSuite, screenshot, signIn } from './harness';

/**
 * The applicant's and the agent's pages in chromium against the real system (dev server,
 * PostgreSQL read model): the start wizard, the application page following an officer's
 * notice live, the supply form, choosing an intermediary, withdrawal, and the agent's list.
 */
const DEVICE = { width: 390, height: 844 };
const matter = (page: Page, code: string) => page.getByTestId(`matter-${code}`);

/** What a page shows has settled: no loading state left on it. */
async function settled(page: Page, testId: string): Promise<void> {
  await page.getByTestId(testId).waitFor();
  await expect.poll(() => page.getByRole('status').filter({ hasText: /加载中|Loading/ }).count()).toBe(0);
}

/** Nothing wider than the viewport: no sideways scrolling of the page itself. */
async function overflow(page: Page): Promise<number> {
  return page.evaluate(() => {
    const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return d.scrollWidth - d.clientWidth;
  });
}

describe('applicant and agent pages (chromium)', () => {
  const suite = apiSuite('web-applicant');
  const browsers = browserSuite();
  const project = `浏阳市第一中学新校区建设项目-${Date.now().toString(36)}`;
  let applicationId = '';

  it('starts an application through the wizard with materials missing, and a double click starts exactly one', async () => {
    const page = await (await browsers.context()).newPage();
    const starts: (string | undefined)[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && new URL(r.url()).pathname === '/applications') starts.push(r.headers()['idempotency-key']);
    });
    await signIn(page, suite.baseUrl, TOKENS.applicant);
    expect(new URL(page.url()).pathname).toBe('/ui/applications');
    await settled(page, 'applications-page');
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByTestId('start-link').click();
    await page.waitForURL(/\/ui\/applications\/new$/);
    await settled(page, 'wizard-page');
    await page.getByTestId('process-GOV_INVESTMENT').click();
    // A name pasted with a hidden bidirectional override, which the API refuses.
    await page.locator('#project-name').fill(`${project}\u202E`);
    await page.getByTestId('wizard-next').click();

    // The published lists: each matter with its limit, materials (容缺 marked), fees and prerequisites.
    const ly02 = page.getByTestId('catalogue-matter-LY02');
    await expect.poll(() => ly02.textContent()).toContain('可行性研究报告审批');
    expect(await ly02.textContent()).toMatch(/20 个工作日[\s\S]*资金来源证明[\s\S]*容缺（10 个工作日内补交）[\s\S]*不收费[\s\S]*LY01/);
    await page.getByTestId('wizard-next').click();

    // Everything in hand but the project code (the window will list it) and the EIA report (a provider will write it).
    await page.getByTestId('materials-all').click();
    await page.getByTestId('material-M_PROJECT_CODE').click();
    await page.getByTestId('material-M_EIA_DOCUMENT').click();
    const outlook = await page.getByTestId('materials-outlook').textContent();
    expect(outlook).toMatch(/一次性告知：\s*投资项目代码赋码证明/);
    expect(outlook).toMatch(/需委托中介服务：\s*环境影响报告书（表）/);
    await page.getByTestId('wizard-next').click();

    await page.getByTestId('wizard-summary').waitFor();
    expect(await page.getByTestId('wizard-summary').textContent()).toContain('已备 32 / 34 项');
    expect(await accessibilityViolations(page)).toEqual([]);

    // The refusal is shown at the form; the corrected form is a new intent with a new key.
    await page.getByTestId('wizard-submit').click();
    const refusal = page.getByTestId('wizard-form').getByRole('alert');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain('body.projectName');
    expect(await page.getByTestId('wizard-submit').isEnabled()).toBe(true);
    for (let i = 0; i < 3; i++) await page.getByRole('button', { name: '上一步' }).click();
    await page.locator('#project-name').fill(project);
    for (let i = 0; i < 3; i++) await page.getByTestId('wizard-next').click();
    expect(await page.getByTestId('wizard-form').getByRole('alert').count()).toBe(0);
    await page.getByTestId('wizard-submit').dblclick();
    await page.waitForURL(/\/ui\/applications\/app-[0-9a-f-]{36}$/);
    applicationId = new URL(page.url()).pathname.split('/').pop()!;

    // Every start the double click sent carried the one key of this intent, another than the refused one's,
    // and the applicant has one application of that name.
    const [refused, ...sent] = starts;
    expect(refused).toMatch(/^web-/);
    expect(sent.length).toBeGreaterThanOrEqual(1);
    expect(new Set(sent).size).toBe(1);
    expect(sent[0]).toMatch(/^web-/);
    expect(sent[0]).not.toBe(refused);
    // The list is the read model's: once the projection holds the application, it holds one of that name.
    const named = async () => {
      const listed = await suite.call('GET', '/applications?limit=100', TOKENS.applicant);
      expect(listed.status).toBe(200);
      return listed.body.items.filter((a: { projectName: string }) => a.projectName === project).map((a: { applicationId: string }) => a.applicationId);
    };
    await expect.poll(named, { timeout: 10_000 }).toEqual([applicationId]);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await named()).toEqual([applicationId]);

    const view = (await suite.call('GET', `/applications/${applicationId}`, TOKENS.applicant)).body;
    expect(view.materials).not.toContain('M_PROJECT_CODE');
    expect(view.materials).toContain('M_PROPOSAL');
  });

  it('shows stage 1 current, the officer’s one-time notice as it is issued, and the clock starting once the applicant supplies the items', async () => {
    expect(applicationId).not.toBe('');
    const page = await (await browsers.context()).newPage();
    await signIn(page, suite.baseUrl, TOKENS.applicant, `/applications/${applicationId}`);
    await settled(page, 'application-page');
    await matter(page, 'LY01').waitFor();

    const s1 = page.getByTestId('stage-S1');
    expect(await s1.getAttribute('aria-current')).toBe('step');
    expect(await s1.textContent()).toContain('当前阶段');
    expect(await page.getByTestId('stage-S2').getAttribute('aria-current')).toBeNull();
    expect(await matter(page, 'LY01').getAttribute('data-status')).toBe('intake');
    expect(await matter(page, 'LY01').textContent()).toMatch(/受理中[\s\S]*缺少材料: 投资项目代码赋码证明/);
    expect(await page.getByTestId('notice-S1').count()).toBe(0);

    // The lead department's window issues the one notice; the page follows without a reload.
    const notice = await suite.call('POST', `/applications/${applicationId}/stages/S1/missing-notice`, officerToken('DRC'), { note: '请补齐投资项目代码赋码证明后再办理' });
    expect(notice.status).toBe(200);
    const shown = page.getByTestId('notice-S1');
    await shown.waitFor({ timeout: 10_000 });
    expect(await shown.textContent()).toMatch(/一次性告知书[\s\S]*请补齐投资项目代码赋码证明后再办理[\s\S]*投资项目代码赋码证明[\s\S]*LY01[\s\S]*待补交/);
    expect(await page.getByTestId('notice-item-M_PROJECT_CODE').textContent()).toContain('待补交');

    // The supply form offers what is owed, checked; supplying it accepts the matters and LY01's clock starts.
    const owed = page.getByTestId('supply-M_PROJECT_CODE');
    expect(await owed.textContent()).toContain('投资项目代码赋码证明');
    expect(await owed.locator('input[type=checkbox]').isChecked()).toBe(true);
    await page.getByTestId('supply-submit').click();
    await expect.poll(() => matter(page, 'LY01').getAttribute('data-status'), { timeout: 10_000 }).toBe('inProgress');
    const server = (await suite.call('GET', `/applications/${applicationId}`, TOKENS.applicant)).body;
    const ly01 = server.stages[0].matters.find((m: { code: string }) => m.code === 'LY01');
    expect(ly01).toMatchObject({ status: 'inProgress', acceptance: 'afterNotice', dueOn: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/) });
    expect(await matter(page, 'LY01').getByTestId('matter-due').textContent()).toContain(ly01.dueOn);
    expect(await matter(page, 'LY01').textContent()).toMatch(/办理中[\s\S]*正常[\s\S]*补齐后受理[\s\S]*已用 0 \/ 7 个工作日[\s\S]*剩余 7 个工作日/);
    await expect.poll(() => page.getByTestId('notice-item-M_PROJECT_CODE').textContent()).toContain('已补交');
    expect(await page.getByTestId('supply-form').count()).toBe(0);
    // LY07 waits for the EIA report a provider still has to write.
    expect(await matter(page, 'LY07').getAttribute('data-status')).toBe('waitingPrerequisites');

    // The timeline draws LY01 running and its due marker at the end of its due day (Shanghai).
    const drawn = await page.getByTestId('timeline-chart').evaluate((el) => {
      const option = (el as unknown as { __chart: { getOption(): { series: { id: string; data: { name: string; kind: string; value: number[] }[] }[] } } }).__chart.getOption();
      return option.series.find((s) => s.id === 'matters')!.data.filter((d) => d.name === 'LY01').map((d) => ({ kind: d.kind, at: d.value[0] }));
    });
    expect(drawn.map((d) => d.kind)).toEqual(['intake', 'running', 'due']);
    expect(drawn[2]!.at).toBe(Date.parse(`${ly01.dueOn}T00:00:00+08:00`) + 86_400_000);

    // The EIA report: chosen directly from the registry; the contract's own clock shows its due date.
    const eia = page.getByTestId('service-EIA_REPORT');
    expect(await eia.getAttribute('data-status')).toBe('needed');
    await page.getByTestId('provider-select-EIA_REPORT').click();
    await page.getByRole('option', { name: /绿源环境科技有限公司/ }).click();
    await page.getByTestId('choose-submit-EIA_REPORT').click();
    await expect.poll(() => eia.getAttribute('data-status'), { timeout: 10_000 }).toBe('contracted');
    const contract = page.getByTestId('contract-EIA_REPORT');
    expect(await contract.textContent()).toMatch(/绿源环境科技有限公司[\s\S]*直接选取[\s\S]*30 个自然日/);
    expect(await contract.getByTestId('contract-due').textContent()).toMatch(/\d{4}-\d{2}-\d{2}/);

    expect(await page.getByTestId('time-section').textContent()).toMatch(/目标 100 天/);
    expect(await page.getByTestId('audit-section').textContent()).toMatch(/一次性告知[\s\S]*补交材料|补交材料[\s\S]*一次性告知/);
    await screenshot(page, 'applicant-1280');
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('fits a phone: the application page at 390×844, in Chinese and in English', async () => {
    const page = await (await browsers.context(DEVICE)).newPage();
    await signIn(page, suite.baseUrl, TOKENS.applicant, `/applications/${applicationId}`);
    await settled(page, 'application-page');
    await matter(page, 'LY01').waitFor();
    await page.getByTestId('timeline-chart').waitFor();
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    await screenshot(page, 'applicant-390');
    expect(await accessibilityViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.getByTestId('matters-section').textContent()).toContain('Matters');
    expect(await matter(page, 'LY01').textContent()).toMatch(/In progress[\s\S]*7 working days/);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
  });

  it('withdraws only after the confirmation, with a reason', async () => {
    const started = await suite.call('POST', '/applications', TOKENS.applicant, { processCode: 'SOCIAL_APPROVAL', projectName: `智能装备产业园-${Date.now().toString(36)}`, materials: allMaterials('SOCIAL_APPROVAL') });
    expect(started.status).toBe(201);
    const id: string = started.body.applicationId;
    const page = await (await browsers.context()).newPage();
    await signIn(page, suite.baseUrl, TOKENS.applicant, `/applications/${id}`);
    await settled(page, 'application-page');
    expect(await page.getByTestId('application-status').getAttribute('data-status')).toBe('running');

    // Cancelled: nothing happens.
    await page.getByTestId('withdraw').click();
    const box = page.locator('.withdraw-box');
    await box.waitFor();
    expect(await box.textContent()).toContain('撤回后，所有未办结的事项将被取消');
    await box.getByRole('button', { name: '取消' }).click();
    await box.waitFor({ state: 'hidden' });
    expect((await suite.call('GET', `/applications/${id}`, TOKENS.applicant)).body.status).toBe('running');

    // Confirmed without a reason: the box says a reason is needed; with one, the application is withdrawn.
    await page.getByTestId('withdraw').click();
    await box.waitFor();
    await box.getByRole('button', { name: '确认撤回' }).click();
    await expect.poll(() => box.textContent()).toContain('请填写撤回原因');
    await box.locator('input').fill('企业调整投资计划');
    await box.getByRole('button', { name: '确认撤回' }).click();
    await expect.poll(() => page.getByTestId('application-status').getAttribute('data-status'), { timeout: 10_000 }).toBe('withdrawn');
    expect(await page.getByTestId('outcome').textContent()).toContain('企业调整投资计划');
    expect(await page.getByTestId('withdraw').count()).toBe(0);
    const after = (await suite.call('GET', `/applications/${id}`, TOKENS.applicant)).body;
    expect(after).toMatchObject({ status: 'withdrawn', outcome: { reason: '企业调整投资计划' } });
  });

  it('shows an agent the applications of the applicant it acts for, and names that applicant in the wizard', async () => {
    const mine = (await suite.call('GET', '/applications?limit=100', TOKENS.applicant)).body.items as { applicationId: string; projectName: string }[];
    expect(mine.length).toBeGreaterThanOrEqual(2);
    const page = await (await browsers.context(DEVICE)).newPage();
    await signIn(page, suite.baseUrl, TOKENS.agent);
    expect(new URL(page.url()).pathname).toBe('/ui/applications');
    await settled(page, 'applications-page');
    expect(await page.getByTestId('applications-page').textContent()).toContain('代办申请人：ent-001');
    for (const a of mine) expect(await page.getByTestId(`application-${a.applicationId}`).textContent()).toContain(a.projectName);
    expect(await page.getByTestId(`application-${applicationId}`).textContent()).toContain('进行中');
    expect(await overflow(page)).toBeLessThanOrEqual(0);

    await page.getByTestId(`application-${applicationId}`).getByRole('link').click();
    await page.waitForURL(new RegExp(`/ui/applications/${applicationId}$`));
    await matter(page, 'LY01').waitFor();

    await page.goto(`${suite.baseUrl}/ui/applications/new`);
    await settled(page, 'wizard-page');
    await expect.poll(() => page.locator('#applicant-name').inputValue()).toBe('浏阳市教育投资有限公司');
    const forApplicant = `帮代办项目-${Date.now().toString(36)}`;
    await page.locator('#project-name').fill(forApplicant);
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('materials-all').click();
    await page.getByTestId('wizard-next').click();
    expect(await page.getByTestId('wizard-summary').textContent()).toContain('浏阳市教育投资有限公司 (ent-001)');
    await page.getByTestId('wizard-submit').click();
    await page.waitForURL(/\/ui\/applications\/app-[0-9a-f-]{36}$/);
    const started = new URL(page.url()).pathname.split('/').pop()!;
    expect((await suite.call('GET', `/applications/${started}`, TOKENS.applicant)).body).toMatchObject({
      projectName: forApplicant,
      applicant: { id: 'ent-001', name: '浏阳市教育投资有限公司' },
      startedBy: { id: 'agent-park-01', role: 'agent' },
    });

    // The marketplace: the registry with committed days, and the record of the contract made above.
    await page.getByRole('link', { name: '中介服务' }).click();
    await page.waitForURL(/\/ui\/providers$/);
    await settled(page, 'providers-page');
    expect(await page.getByTestId('provider-P_GREEN_ENV').textContent()).toMatch(/绿源环境科技有限公司[\s\S]*承诺 30 个自然日[\s\S]*有效至 2028-03-31/);
    expect(await page.getByTestId('provider-P_OLD_SURVEY').textContent()).toContain('已过期');
    const record = page.getByTestId('record-P_GREEN_ENV-EIA_REPORT');
    await record.waitFor();
    expect(await record.textContent()).toMatch(/^\s*绿源环境科技有限公司\s*环境影响报告书（表）编制\s*1\s*—\s*0 \/ 0 份按时/);
    expect(await overflow(page)).toBeLessThanOrEqual(0);
    expect(await accessibilityViolations(page)).toEqual([]);
  });
});
