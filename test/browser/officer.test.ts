import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { officerToken, TOKENS } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { allMaterials } from '../helpers/temporal';
import { accessibilityViolations, browserSuite, screenshot, signIn } from './harness';

/** Nothing on the page is wider than the viewport (a table collapses to cards on a phone). */
const overflow = (page: Page) =>
  page.evaluate(() => {
    const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return root.scrollWidth - root.clientWidth;
  });

describe('the officer workbench and the admin page (chromium)', () => {
  const suite = apiSuite('web-officer');
  const browsers = browserSuite();

  /** A government-investment application of ent-001 with every material, once DRC's inbox lists its LY01. */
  async function started(projectName: string): Promise<string> {
    const r = await suite.call('POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT', projectName, materials: allMaterials('GOV_INVESTMENT') });
    expect(r.status).toBe(201);
    const id: string = r.body.applicationId;
    await expect
      .poll(async () => (await suite.call('GET', '/officers/inbox?limit=500', officerToken('DRC'))).body.items.some((i: { applicationId: string; code: string }) => i.applicationId === id && i.code === 'LY01'), { timeout: 20_000 })
      .toBe(true);
    return id;
  }

  it("an officer finds LY01 in the inbox in due order and approves it through the form; the applicant's page, open all along, shows it approved within 2 s without a reload", async () => {
    const id = await started('浏阳市第一中学新校区建设项目');

    // The applicant's page is open before the approval, with its live stream up.
    const applicant = await (await browsers.context()).newPage();
    await signIn(applicant, suite.baseUrl, TOKENS.applicant, `/applications/${id}`);
    await applicant.locator('[data-testid=matter-LY01][data-status=inProgress]').waitFor({ timeout: 15_000 });
    await applicant.locator('header .live[data-mode=live]').waitFor({ timeout: 10_000 });
    let navigations = 0;
    applicant.on('framenavigated', (frame) => {
      if (frame === applicant.mainFrame()) navigations++;
    });
    await applicant.evaluate(() => ((globalThis as unknown as { __stillHere: boolean }).__stillHere = true));

    const page = await (await browsers.context()).newPage();
    await signIn(page, suite.baseUrl, officerToken('DRC'));
    expect(new URL(page.url()).pathname).toBe('/ui/inbox');
    const row = page.locator(`[data-testid=inbox-row][data-application="${id}"][data-matter=LY01]`);
    await row.waitFor({ timeout: 10_000 });
    // The level is a tag with its text, the working days left are labelled 工作日, rows come soonest due first.
    expect(await row.textContent()).toMatch(/正常.*2\d{3}-\d{2}-\d{2}.*剩 \d+ 个工作日.*LY01 项目建议书审批/s);
    const dueDates = await page.locator('[data-testid=inbox-row]').evaluateAll((rows) => rows.map((r) => (r as unknown as { children: { textContent: string }[] }).children[1]!.textContent.trim()));
    const running = dueDates.filter((d) => /^\d{4}-/.test(d));
    expect(running).toEqual([...running].sort());
    expect(running.length).toBeGreaterThan(0);
    expect(dueDates.slice(running.length).every((d) => d === '—')).toBe(true);

    // The filters narrow the rows and live in the URL: a level nobody has empties the list, the search finds the row.
    await page.locator('#inbox-search').fill('LY01');
    await expect.poll(() => page.locator('[data-testid=inbox-row]').count()).toBe(1);
    expect(new URL(page.url()).searchParams.get('q')).toBe('LY01');
    await page.locator('#inbox-search').fill('no-such-project-anywhere');
    await page.getByText('没有符合筛选条件的事项').waitFor();
    await page.locator('#inbox-search').fill('');
    await row.waitFor();

    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'officer-inbox-1280');

    await row.getByTestId('inbox-open').click();
    await page.waitForURL(`**/ui/applications/${id}/matters/LY01`);
    const facts = page.locator('[data-testid=matter-facts][data-status=inProgress]');
    await facts.waitFor();
    expect(await facts.textContent()).toMatch(/办理中.*正常.*发展和改革局.*7 个工作日/s);
    // Materials from the catalogue's list, with what the application has handed in; history and prerequisites.
    expect(await page.getByTestId('matter-materials').textContent()).toMatch(/M_PROPOSAL.*已提交/s);
    expect(await page.getByTestId('matter-prerequisites').textContent()).toContain('无前置事项');
    expect(await page.getByTestId('matter-history').textContent()).toContain('受理');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'officer-matter-1280');

    const form = page.getByTestId('form-decision');
    expect(await page.getByRole('tab', { name: '办结' }).getAttribute('aria-selected')).toBe('true');
    await form.locator('#act-decision-number').fill('浏发改〔2026〕101号');
    await form.getByRole('button', { name: '办结并出件' }).click();

    // Live: the applicant's page shows the approval without being reloaded.
    await applicant.locator('[data-testid=matter-LY01][data-status=approved]').waitFor({ timeout: 2000 });
    expect(navigations).toBe(0);
    expect(await applicant.evaluate(() => (globalThis as unknown as { __stillHere?: boolean }).__stillHere)).toBe(true);

    // The officer's page reads its own write: approved, with the result number in the history, no form left.
    await page.locator('[data-testid=matter-facts][data-status=approved]').waitFor({ timeout: 5000 });
    expect(await page.getByTestId('matter-decision').textContent()).toContain('浏发改〔2026〕101号');
    expect(await page.getByTestId('matter-history').textContent()).toMatch(/办结（准予许可）.*浏发改〔2026〕101号/s);
    expect(await page.getByTestId('form-decision').count()).toBe(0);
    expect(await form.locator('[role=alert]').count()).toBe(0);
    // And the inbox no longer lists it.
    await page.getByRole('link', { name: /返回待办/ }).click();
    await page.getByTestId('inbox-table').waitFor();
    await expect.poll(() => page.locator(`[data-testid=inbox-row][data-application="${id}"][data-matter=LY01]`).count()).toBe(0);
  });

  it("shows the server's own refusal at the form (approving a matter still waiting for its prerequisites), on a phone, in English too; a utility's officer sees only its own matter", async () => {
    const id = await started('浏阳市第二中学建设项目');
    // What the server says to this very request: it changes nothing, so it can be asked first.
    const direct = await suite.call('POST', `/applications/${id}/matters/LY02/decision`, officerToken('DRC'), { decision: 'approve', result: { number: '浏发改〔2026〕7号' } });
    expect(direct.status).toBe(409);
    expect(direct.body.detail).toMatch(/waiting for its prerequisites/);

    const page = await (await browsers.context({ width: 390, height: 844 })).newPage();
    const posted: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posted.push(new URL(r.url()).pathname);
    });
    await signIn(page, suite.baseUrl, officerToken('DRC'), `/applications/${id}/matters/LY02`);
    await page.locator('[data-testid=matter-facts][data-status=waitingPrerequisites]').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('matter-prerequisites').textContent()).toMatch(/LY01.*尚未出件/s);
    expect(await overflow(page)).toBeLessThanOrEqual(0);

    const form = page.getByTestId('form-decision');
    // A number left empty is said at once, and nothing is sent.
    await form.getByRole('button', { name: '办结并出件' }).click();
    await form.locator('[role=alert][data-source=client]').waitFor();
    expect(await form.locator('[role=alert]').textContent()).toContain('批文/证照文号');
    expect(posted.filter((p) => p.endsWith('/decision'))).toEqual([]);

    await form.locator('#act-decision-number').fill('浏发改〔2026〕7号');
    await form.getByRole('button', { name: '办结并出件' }).click();
    const refusal = form.locator('[role=alert][data-source=server]');
    await refusal.waitFor({ timeout: 10_000 });
    expect(await refusal.textContent()).toContain(direct.body.detail);
    expect(posted.filter((p) => p.endsWith('/decision'))).toEqual([`/applications/${id}/matters/LY02/decision`]);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'officer-refusal-390');

    // The same page in English: the words change, the server's reason stays at the form.
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('tab', { name: 'Decide' }).waitFor();
    expect(await page.getByTestId('matter-facts').textContent()).toMatch(/Waiting for prerequisites/);
    expect(await refusal.textContent()).toContain(`Refused by the server: ${direct.body.detail}`);
    await page.getByRole('button', { name: '中文' }).click();

    // The inbox on a phone: rows become cards, nothing wider than the screen.
    await page.goto(`${suite.baseUrl}/ui/inbox`);
    await page.locator(`[data-testid=inbox-row][data-application="${id}"]`).first().waitFor({ timeout: 10_000 });
    expect(await overflow(page)).toBeLessThanOrEqual(0);

    // A utility's officer sees its own matter and nothing of the others': their state is "not visible".
    const utility = await (await browsers.context()).newPage();
    await signIn(utility, suite.baseUrl, officerToken('WSC'), `/applications/${id}/matters/UT01`);
    await utility.getByTestId('matter-facts').waitFor({ timeout: 10_000 });
    expect(await utility.getByTestId('matter-facts').textContent()).toContain('供水公司');
    expect(await utility.getByTestId('matter-prerequisites').textContent()).toMatch(/GC02.*不可见/s);
    expect(await utility.locator('main').textContent()).not.toContain('LY01');
    await utility.goto(`${suite.baseUrl}/ui/applications/${id}/matters/LY01`);
    await utility.getByText('该申请中没有事项 LY01，或您无权查看。').waitFor();
  });

  it('the other forms post what the workflow expects: one-time notice, acceptance, special procedure start and end, a refused extension, supplement', async () => {
    // Every matter of S1 lacks the project code: all wait at intake, DRC is the stage's window.
    const materials = allMaterials('GOV_INVESTMENT').filter((m) => m !== 'M_PROJECT_CODE');
    const r = await suite.call('POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT', projectName: '浏阳市第三中学建设项目', materials });
    expect(r.status).toBe(201);
    const id: string = r.body.applicationId;
    const page = await (await browsers.context()).newPage();
    await signIn(page, suite.baseUrl, officerToken('DRC'), `/applications/${id}/matters/LY01`);
    const status = (s: string) => page.locator(`[data-testid=matter-facts][data-status=${s}]`).waitFor({ timeout: 10_000 });
    await status('intake');
    expect(await page.getByRole('tab', { name: '受理', exact: true }).getAttribute('aria-selected')).toBe('true');
    expect(await page.getByTestId('matter-materials').textContent()).toMatch(/M_PROJECT_CODE.*未提交/s);

    await page.getByRole('tab', { name: '一次性告知' }).click();
    await page.locator('#act-notice-note').fill('请补交项目代码');
    await page.getByTestId('form-notice').getByRole('button', { name: '出具一次性告知书' }).click();
    await expect.poll(() => page.getByTestId('matter-history').textContent(), { timeout: 5000 }).toContain('请补交项目代码');
    expect(await page.getByTestId('form-notice').locator('[role=alert]').count()).toBe(0);

    await page.getByRole('tab', { name: '受理', exact: true }).click();
    await page.locator('#act-accept-reason').fill('窗口核实项目代码已当场补交');
    await page.getByTestId('form-accept').getByRole('button', { name: '确认受理' }).click();
    await status('inProgress');
    expect(await page.getByTestId('matter-facts').textContent()).toContain('窗口确认受理');

    await page.getByRole('tab', { name: '特别程序', exact: true }).click();
    const special = page.getByTestId('form-special');
    expect(await special.getByRole('radio', { name: '专家评审' }).isChecked()).toBe(true);
    await page.locator('#act-special-reason').fill('组织专家评审项目建议书');
    await special.getByRole('button', { name: '启动特别程序' }).click();
    await status('suspended');
    // The page moves to the ending form once it has re-read the matter: wait for it, as a user would.
    await expect.poll(() => page.getByRole('tab', { name: '结束特别程序' }).getAttribute('aria-selected')).toBe('true');
    await page.locator('#act-end-reason').fill('专家评审通过');
    await page.getByTestId('form-end-special').getByRole('button', { name: /结束特别程序/ }).click();
    await status('inProgress');
    expect(await page.getByTestId('matter-history').textContent()).toMatch(/结束特别程序.*启动特别程序.*专家评审/s);

    // LY01 allows no extension by law: the workflow's refusal, at the form.
    await page.getByRole('tab', { name: '延期' }).click();
    const extension = page.getByTestId('form-extension');
    await page.locator('#act-extension-head').fill('王局长');
    await page.locator('#act-extension-reason').fill('需要更多时间');
    await extension.getByRole('button', { name: '延期', exact: true }).click();
    await extension.locator('[role=alert][data-source=server]').waitFor({ timeout: 5000 });
    expect(await extension.locator('[role=alert]').textContent()).toContain('matter LY01 allows no extension by law');

    await page.getByRole('tab', { name: '补正' }).click();
    const supplement = page.getByTestId('form-supplement');
    await supplement.locator('label.el-checkbox', { hasText: 'M_PROPOSAL' }).click();
    await page.locator('#act-supplement-reason').fill('项目建议书缺少投资估算');
    await supplement.getByRole('button', { name: '发出补正通知' }).click();
    await status('suspended');
    expect(await page.getByTestId('matter-materials').textContent()).toMatch(/M_PROPOSAL.*补正待交/s);
  });

  it('the admin page lists the published calendars and definitions; publishing a definition version reports whether it changed, and a calendar year is validated by the server', async () => {
    const page = await (await browsers.context()).newPage();
    await signIn(page, suite.baseUrl, TOKENS.admin);
    expect(new URL(page.url()).pathname).toBe('/ui/admin');
    const published = (await suite.call('GET', '/catalogue/calendars')).body.calendars as { year: number; source: { number: string } }[];
    expect(published.length).toBeGreaterThanOrEqual(2);
    for (const c of published) {
      expect(await page.locator(`[data-testid=calendar-row][data-year="${c.year}"]`).textContent()).toContain(c.source.number);
    }
    const before = (await suite.call('GET', '/catalogue/processes')).body.definitionHash as string;
    expect(await page.getByTestId('definition-hash').textContent()).toBe(before);
    expect(await page.getByTestId('admin-processes').textContent()).toContain('GOV_INVESTMENT');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'officer-admin-1280');

    // Nothing changed on disk: the same version stays.
    const publish = page.getByTestId('form-publish-definitions').getByRole('button', { name: '发布定义' });
    await publish.click();
    await page.locator('[data-testid=publish-result][data-changed=false]').waitFor();
    expect(await page.getByTestId('publish-result').textContent()).toContain(`当前版本仍为 ${before}`);

    // A changed definition file becomes a new version, for applications started afterwards.
    const file = path.join(suite.definitionsDir, 'matters.json');
    const original = readFileSync(file, 'utf8');
    const json = JSON.parse(original);
    json.matters.find((m: { code: string }) => m.code === 'LY01').timeLimitDays = 6;
    writeFileSync(file, JSON.stringify(json));
    try {
      await publish.click();
      await page.locator('[data-testid=publish-result][data-changed=true]').waitFor();
      const after = (await suite.call('GET', '/catalogue/processes')).body.definitionHash as string;
      expect(after).not.toBe(before);
      const result = await page.getByTestId('publish-result').textContent();
      expect(result).toContain(`已发布新版本 ${after}`);
      // Every version this process published, the new one marked current.
      expect(result).toContain(`${after} (当前)`);
      expect(result).toContain(before);
      await expect.poll(() => page.getByTestId('definition-hash').textContent()).toBe(after);
    } finally {
      writeFileSync(file, original);
    }

    // A calendar year: the template, a field the server refuses (shown at the form), then published.
    const form = page.getByTestId('form-publish-calendar');
    await page.getByTestId('calendar-template').click();
    const year = Math.max(...published.map((c) => c.year)) + 1;
    const template = JSON.parse(await form.locator('#calendar-json').inputValue());
    expect(template.year).toBe(year);
    const wednesday = [...Array(7).keys()].map((d) => `${year}-03-0${d + 1}`).find((d) => new Date(`${d}T00:00:00Z`).getUTCDay() === 3)!;
    await form.locator('#calendar-json').fill(JSON.stringify({ ...template, makeupWorkingDays: [{ date: wednesday, for: '春节' }] }));
    await form.getByRole('button', { name: '发布日历' }).click();
    const refusal = form.locator('[role=alert][data-source=server]');
    await refusal.waitFor();
    expect(await refusal.textContent()).toContain(`body.makeupWorkingDays.0: make-up working day ${wednesday} is not a Saturday or Sunday`);

    await form.locator('#calendar-json').fill('{ "year": ');
    await form.getByRole('button', { name: '发布日历' }).click();
    await form.locator('[role=alert][data-source=client]').waitFor();
    expect(await form.locator('[role=alert]').textContent()).toContain('不是有效的 JSON');

    await form.locator('#calendar-json').fill(JSON.stringify({ ...template, source: { ...template.source, number: `fixture-${year}` } }));
    await form.getByRole('button', { name: '发布日历' }).click();
    await page.getByTestId('calendar-result').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('calendar-result').textContent()).toContain(`fixture-${year}`);
    expect(await page.locator(`[data-testid=calendar-row][data-year="${year}"]`).textContent()).toContain(`fixture-${year}`);
    expect(await form.locator('[role=alert]').count()).toBe(0);
  });
});
