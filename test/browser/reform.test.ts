import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { colleagueToken, headToken, officerToken, TOKENS } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { allMaterials } from '../helpers/temporal';
import { accessibilityViolations, browserSuite, screenshot, signIn } from './harness';

/**
 * The reform's instruments in the pages (issue 12), in a real browser against the API on the
 * time-skipping server: work assigned by the department head and the inbox's mine/department
 * toggle, a participating department's opinion on a joint drawing review, and the applicant's
 * commitment (告知承诺) at start and on the application page.
 */

/** Nothing on the page is wider than the viewport (a table collapses to cards on a phone). */
const overflow = (page: Page) =>
  page.evaluate(() => {
    const root = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
    return root.scrollWidth - root.clientWidth;
  });

/** What a page shows has settled: no loading state left on it. */
async function settled(page: Page, testId: string): Promise<void> {
  await page.getByTestId(testId).waitFor();
  await expect.poll(() => page.getByRole('status').filter({ hasText: /加载中|Loading/ }).count()).toBe(0);
}

const mattersOf = (view: any): any[] => [...view.stages.flatMap((s: any) => s.matters), ...view.alongside];

describe('the reform in the pages: assignment, joint opinions, commitment (chromium)', () => {
  const suite = apiSuite('web-reform', { initialTime: '2026-04-20T09:00:00+08:00' });
  const browsers = browserSuite();
  const strong = async (id: string) => (await suite.call('GET', `/applications/${id}?consistency=strong`, TOKENS.supervisor)).body;
  const inbox = async (token: string, view: 'mine' | 'department') => (await suite.call('GET', `/officers/inbox?limit=500&view=${view}`, token)).body.items as { applicationId: string; code: string; kind: string; assignee: string | null }[];

  it("the head assigns LY01 to a colleague on the matter page; the colleague's inbox lists it under 我的 with its assignee, the department's under 本科室, on a desk and on a phone", async () => {
    const r = await suite.call('POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT', projectName: '浏阳市第三中学改扩建项目', materials: allMaterials('GOV_INVESTMENT') });
    expect(r.status).toBe(201);
    const id: string = r.body.applicationId;
    await expect.poll(async () => (await inbox(officerToken('DRC'), 'department')).some((i) => i.applicationId === id && i.code === 'LY01'), { timeout: 20_000 }).toBe(true);

    // The head: the per-officer figures are in its menu; it assigns the matter from the 承办 tab.
    const head = await (await browsers.context()).newPage();
    await signIn(head, suite.baseUrl, headToken('DRC'), `/applications/${id}/matters/LY01`);
    await head.locator('[data-testid=matter-facts][data-status=inProgress]').waitFor({ timeout: 15_000 });
    expect(await head.getByRole('link', { name: '承办统计' }).count()).toBe(1);
    expect(await head.getByTestId('matter-assignee').textContent()).toContain('未分派');
    await head.getByRole('tab', { name: '承办' }).click();
    const assign = head.getByTestId('form-assign');
    await assign.locator('#act-assign-officer').fill('officer-drc-2');
    await assign.locator('#act-assign-reason').fill('按片区分工');
    await assign.getByRole('button', { name: '分派' }).click();
    await expect.poll(() => head.getByTestId('matter-assignee').textContent(), { timeout: 10_000 }).toContain('officer-drc-2');
    expect(await head.getByTestId('work-current').textContent()).toContain('当前承办人：officer-drc-2');
    expect(await head.getByTestId('matter-history').textContent()).toMatch(/分派承办人[\s\S]*按片区分工[\s\S]*officer-drc-2/);
    // Checked once the success message has faded out (axe judges a half-transparent one by its blend).
    await head.locator('.el-message').waitFor({ state: 'detached', timeout: 10_000 });
    expect(await accessibilityViolations(head)).toEqual([]);
    await screenshot(head, 'reform-assign-1280');

    // The colleague it went to: 本科室 lists it with its assignee; 我的 too, and the choice is in the address.
    const page = await (await browsers.context()).newPage();
    await signIn(page, suite.baseUrl, colleagueToken('DRC'));
    expect(new URL(page.url()).pathname).toBe('/ui/inbox');
    expect(await page.getByRole('link', { name: '承办统计' }).count()).toBe(0);
    const row = page.locator(`[data-testid=inbox-row][data-application="${id}"][data-matter=LY01]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.getAttribute('data-assignee')).toBe('officer-drc-2');
    expect(await row.getByTestId('inbox-kind').textContent()).toContain('事项');
    await page.getByTestId('inbox-view').getByText('我的').click();
    await page.waitForURL((u) => u.searchParams.get('view') === 'mine');
    await expect.poll(() => page.locator('[data-testid=inbox-row]').evaluateAll((rows) => rows.map((x) => (x as unknown as { dataset: { matter: string; assignee: string } }).dataset))).toEqual([
      expect.objectContaining({ matter: 'LY01', assignee: 'officer-drc-2' }),
    ]);
    expect(await page.getByText('分派给您').count()).toBeGreaterThan(0);
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'reform-inbox-mine-1280');

    // The officer it was not assigned to has nothing under 我的, and is told so.
    expect((await inbox(officerToken('DRC'), 'mine')).some((i) => i.applicationId === id)).toBe(false);
    const other = await (await browsers.context({ width: 390, height: 844 })).newPage();
    await signIn(other, suite.baseUrl, officerToken('DRC'), '/inbox?view=mine');
    await other.getByTestId('inbox-empty').waitFor({ timeout: 10_000 });
    expect(await other.getByTestId('inbox-empty').textContent()).toContain('没有分派给您的事项');
    await other.getByTestId('inbox-view').getByText('本科室').click();
    const theirs = other.locator(`[data-testid=inbox-row][data-application="${id}"][data-matter=LY01]`);
    await theirs.waitFor({ timeout: 10_000 });
    expect(await theirs.getByTestId('inbox-assignee').textContent()).toContain('officer-drc-2');
    expect(new URL(other.url()).searchParams.get('view')).toBeNull();
    expect(await overflow(other)).toBeLessThanOrEqual(0);
    expect(await accessibilityViolations(other)).toEqual([]);
    await screenshot(other, 'reform-inbox-department-390');

    // In English the toggle and the columns change words.
    await other.getByRole('button', { name: 'English' }).click();
    await other.getByTestId('inbox-view').getByText('Mine').waitFor();
    expect(await theirs.textContent()).toContain('Matter');
  });

  it("MET, a participant of the joint drawing review SG07, finds its opinion in its inbox and fails it with its items; the lead (HUD) schedules the session; the page shows each participant's opinion", async () => {
    const started = await suite.call('POST', '/applications', TOKENS.applicant, { processCode: 'SOCIAL_REFORM', projectName: '经开区智能装备产业园', materials: allMaterials('SOCIAL_REFORM') });
    expect(started.status).toBe(201);
    const id: string = started.body.applicationId;
    // The first two stages decided at once, until the joint review is under way.
    let view = await strong(id);
    for (let round = 0; round < 20 && mattersOf(view).find((m) => m.code === 'SG07').status !== 'inProgress'; round++) {
      for (const m of mattersOf(view).filter((x) => x.status === 'inProgress' && x.code !== 'SG07')) {
        const decided = await suite.call('POST', `/applications/${id}/matters/${m.code}/decision`, officerToken(m.department), { decision: 'approve', result: { number: `浏${m.department}〔2026〕${m.code}号` } });
        expect(decided.status).toBe(200);
      }
      view = await strong(id);
    }
    const sg07 = mattersOf(view).find((m) => m.code === 'SG07');
    expect(sg07).toMatchObject({ status: 'inProgress', joint: { round: 1, session: null } });
    expect(sg07.joint.participants.map((p: any) => [p.department, p.waiting])).toEqual([
      ['CAD', true],
      ['MET', true],
    ]);

    // The lead department schedules the session from its own page.
    const lead = await (await browsers.context()).newPage();
    await signIn(lead, suite.baseUrl, officerToken('HUD'), `/applications/${id}/matters/SG07`);
    await lead.getByTestId('matter-reform').waitFor({ timeout: 15_000 });
    expect(await lead.getByTestId('matter-session').textContent()).toContain('尚未安排会审');
    await lead.getByRole('tab', { name: '会审安排' }).click();
    const session = lead.getByTestId('form-session');
    await session.locator('#act-session-on').fill('2026-04-24');
    await session.locator('#act-session-on').press('Enter');
    await session.locator('#act-session-time').fill('09:30');
    await session.locator('#act-session-place').fill('市民中心三楼联合审图室');
    await session.getByRole('button', { name: '安排会审' }).click();
    await expect.poll(() => lead.getByTestId('matter-session').textContent(), { timeout: 10_000 }).toContain('2026-04-24 09:30 · 市民中心三楼联合审图室');
    // Once scheduled, the same form moves it (once, with a reason).
    expect(await session.getByRole('button', { name: '调整会审' }).count()).toBe(1);

    // MET's officer: its opinion is a row of its own in the department's inbox.
    const page = await (await browsers.context()).newPage();
    await signIn(page, suite.baseUrl, officerToken('MET'));
    const row = page.locator(`[data-testid=inbox-row][data-application="${id}"][data-matter=SG07][data-kind=opinion]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.getByTestId('inbox-kind').textContent()).toContain('会审意见');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'reform-inbox-opinion-1280');
    await row.getByTestId('inbox-open').click();
    await page.waitForURL(`**/ui/applications/${id}/matters/SG07`);
    await page.getByTestId('matter-participants').waitFor();
    expect(await page.getByText('您所在的 MET 是本联合事项的参与部门').count()).toBe(1);
    expect(await page.getByRole('tab', { name: '出具意见' }).getAttribute('aria-selected')).toBe('true');
    // Only the opinion: none of the lead's forms.
    expect(await page.getByRole('tab', { name: '办结' }).count()).toBe(0);
    expect(await page.getByTestId('matter-session').textContent()).toContain('2026-04-24 09:30');

    const form = page.getByTestId('form-opinion');
    await form.getByTestId('opinion-fail').click();
    // A failing opinion without its items is said at once.
    await form.getByRole('button', { name: '提交意见' }).click();
    await form.locator('[role=alert][data-source=client]').waitFor();
    await form.locator('#act-opinion-items').fill('防雷装置设计未标注接闪带规格\n屋面设备未纳入防雷保护范围');
    await form.locator('#act-opinion-note').fill('请按 GB 50057 修改后复审');
    await form.getByRole('button', { name: '提交意见' }).click();
    const met = page.locator('[data-testid=matter-participants] tr[data-department=MET]');
    await met.locator('xpath=self::*[@data-opinion="fail"]').waitFor({ timeout: 10_000 });
    expect(await met.textContent()).toMatch(/不通过[\s\S]*officer-met[\s\S]*防雷装置设计未标注接闪带规格、屋面设备未纳入防雷保护范围[\s\S]*GB 50057/);
    expect(await page.locator('[data-testid=matter-participants] tr[data-department=CAD]').getAttribute('data-opinion')).toBe('waiting');
    expect(await page.getByTestId('opinion-given').textContent()).toContain('不通过');
    // The opinion is no longer owed: it leaves MET's inbox.
    await page.getByRole('link', { name: /返回待办/ }).click();
    await page.getByTestId('inbox-page').waitFor();
    await expect.poll(() => page.locator(`[data-testid=inbox-row][data-application="${id}"][data-matter=SG07]`).count(), { timeout: 10_000 }).toBe(0);

    // The same page on a phone, as the lead sees it after MET's opinion.
    const phone = await (await browsers.context({ width: 390, height: 844 })).newPage();
    await signIn(phone, suite.baseUrl, officerToken('HUD'), `/applications/${id}/matters/SG07`);
    await phone.locator('[data-testid=matter-participants] tr[data-department=MET][data-opinion=fail]').waitFor({ timeout: 15_000 });
    expect(await overflow(phone)).toBeLessThanOrEqual(0);
    expect(await accessibilityViolations(phone)).toEqual([]);
    await screenshot(phone, 'reform-joint-lead-390');
  });

  it('the applicant commits on LY08 in the start wizard and on LY06 from the application page, the conditions shown and its statement recorded verbatim', async () => {
    const page = await (await browsers.context()).newPage();
    await signIn(page, suite.baseUrl, TOKENS.applicant, '/applications/new');
    await settled(page, 'wizard-page');
    await page.getByTestId('process-SOCIAL_REFORM').click();
    await page.locator('#project-name').fill('浏阳经开区新材料产业园二期');
    await page.getByTestId('wizard-next').click();

    // The matters that allow it offer the commitment, with its conditions, and ask the statement.
    const offer = page.getByTestId('wizard-commitments');
    await offer.waitFor();
    expect(await offer.textContent()).toMatch(/告知承诺制[\s\S]*LY06[\s\S]*LY08[\s\S]*GC03[\s\S]*SG06/);
    await page.getByTestId('commit-LY08').click();
    expect(await page.getByTestId('wizard-commitment-LY08').textContent()).toContain('水土保持设施与主体工程同时设计');
    expect(await page.getByTestId('wizard-next').isDisabled()).toBe(true);
    const wizardStatement = '本公司承诺按批准的水土保持方案落实各项防治措施，如有不实愿承担法律责任。';
    await page.getByTestId('statement-LY08').fill(wizardStatement);
    await page.getByTestId('wizard-next').click();
    // Everything in hand but the project code: the window will notice it, and nothing is accepted yet.
    await page.getByTestId('materials-all').click();
    await page.getByTestId('material-M_PROJECT_CODE').click();
    await page.getByTestId('wizard-next').click();
    expect(await page.getByTestId('wizard-summary-commitments').textContent()).toContain('LY08');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'reform-wizard-commitment-1280');
    await page.getByTestId('wizard-submit').click();
    await page.waitForURL(/\/ui\/applications\/app-/);
    const id = new URL(page.url()).pathname.split('/').at(-1)!;

    await settled(page, 'application-page');
    const ly08 = page.getByTestId('commitment-LY08');
    await ly08.waitFor({ timeout: 15_000 });
    expect(await ly08.getAttribute('data-state')).toBe('committed');
    expect(await ly08.textContent()).toContain(wizardStatement);

    // LY06, not yet accepted, offers the commitment with the catalogue's conditions.
    const ly06 = page.getByTestId('commitment-LY06');
    expect(await ly06.getAttribute('data-state')).toBe('eligible');
    expect(await ly06.getByTestId('commitment-conditions').textContent()).toContain('项目能效水平达到国家和省规定的先进值');
    // Without a statement nothing is sent.
    await ly06.getByTestId('commit-submit-LY06').click();
    expect(await ly06.getByRole('alert').textContent()).toContain('LY06');
    const statement = '本公司承诺：项目能效水平达到先进值，按节能报告落实各项节能措施。';
    await ly06.getByTestId('commit-statement-LY06').fill(statement);
    await ly06.getByTestId('commit-submit-LY06').click();
    await page.locator('[data-testid=commitment-LY06][data-state=committed]').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('commitment-LY06').textContent()).toContain(statement);
    expect(await page.locator('[data-testid=matter-LY06] [data-testid=matter-commitment]').textContent()).toContain('告知承诺');
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'reform-applicant-commitment-1280');

    // Recorded verbatim with who and when, as the API reports it.
    const recorded = mattersOf(await strong(id)).filter((m) => m.commitment);
    expect(recorded.map((m) => [m.code, m.commitment.statement, m.commitment.by])).toEqual([
      ['LY06', statement, 'applicant ent-001'],
      ['LY08', wizardStatement, 'applicant ent-001'],
    ]);

    // On a phone, in English.
    const phone = await (await browsers.context({ width: 390, height: 844 })).newPage();
    await signIn(phone, suite.baseUrl, TOKENS.applicant, `/applications/${id}`);
    await phone.locator('[data-testid=commitment-LY06][data-state=committed]').waitFor({ timeout: 15_000 });
    await phone.getByRole('button', { name: 'English' }).click();
    await phone.getByText('LY06', { exact: false }).first().waitFor();
    expect(await phone.getByTestId('reform-section').textContent()).toContain('Committed by');
    expect(await overflow(phone)).toBeLessThanOrEqual(0);
    expect(await accessibilityViolations(phone)).toEqual([]);
    await screenshot(phone, 'reform-applicant-commitment-390');
  });
  it("an officer delegates to a colleague while away and revokes it (the row stays); the head sees each officer's figures, others are told they are the head's; the supervision office finds the credit record of a false commitment", async () => {
    // Out of office: a delegation to oneself is refused at the form, one to a colleague is listed for both.
    const page = await (await browsers.context()).newPage();
    await signIn(page, suite.baseUrl, officerToken('DRC'));
    await page.getByRole('link', { name: '外出委托' }).click();
    await settled(page, 'delegations-page');
    const form = page.getByTestId('delegation-form');
    await form.locator('#delegate-input').fill('officer-drc');
    for (const [field, date] of [['#delegation-from', '2026-04-20'], ['#delegation-until', '2026-12-31']] as const) {
      await form.locator(field).fill(date);
      await form.locator(field).press('Enter');
    }
    await page.getByTestId('delegation-submit').click();
    await expect.poll(() => page.getByTestId('delegation-refusal').textContent(), { timeout: 10_000 }).toContain('body.delegate');
    await form.locator('#delegate-input').fill('officer-drc-2');
    await form.locator('#delegation-reason').fill('4月下旬参加省厅培训');
    await page.getByTestId('delegation-submit').click();
    const given = page.locator('[data-testid=delegations-given] [data-testid=delegation-row]');
    await given.first().waitFor({ timeout: 10_000 });
    expect(await given.first().textContent()).toMatch(/officer-drc-2[\s\S]*2026-04-20 至 2026-12-31[\s\S]*4月下旬参加省厅培训[\s\S]*生效中/);
    await page.locator('.el-message').waitFor({ state: 'detached', timeout: 10_000 });
    expect(await accessibilityViolations(page)).toEqual([]);
    await screenshot(page, 'reform-delegations-1280');

    const colleague = await (await browsers.context({ width: 390, height: 844 })).newPage();
    await signIn(colleague, suite.baseUrl, colleagueToken('DRC'), '/delegations');
    const received = colleague.locator('[data-testid=delegations-received] [data-testid=delegation-row]');
    await received.first().waitFor({ timeout: 10_000 });
    expect(await received.first().textContent()).toContain('officer-drc');
    expect(await overflow(colleague)).toBeLessThanOrEqual(0);

    // Revoked after a confirmation: listed still, as revoked, with nothing left to revoke.
    await given.first().getByTestId('delegation-revoke').click();
    await page.getByRole('dialog').getByRole('button', { name: '撤销' }).click();
    await page.locator('[data-testid=delegations-given] [data-testid=delegation-row][data-state=revoked]').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('delegation-revoke').count()).toBe(0);

    // The head's figures: every officer of the department, in a page other officers are told is not theirs.
    const head = await (await browsers.context()).newPage();
    await signIn(head, suite.baseUrl, headToken('DRC'));
    await head.getByRole('link', { name: '承办统计' }).click();
    await head.getByTestId('figures-table').waitFor({ timeout: 10_000 });
    const officers = await head.locator('[data-testid=figures-row]').evaluateAll((rows) => rows.map((r) => (r as unknown as { dataset: { officer: string } }).dataset.officer));
    expect([...officers].sort()).toEqual(['head-drc', 'officer-drc', 'officer-drc-2']);
    expect(await accessibilityViolations(head)).toEqual([]);
    await screenshot(head, 'reform-figures-1280');
    await colleague.goto(`${suite.baseUrl}/ui/officers/figures`);
    await colleague.getByTestId('figures-not-head').waitFor();

    // A false commitment: ent-002 commits on LY06, the result issues, the DRC finds it false.
    const started = await suite.call('POST', '/applications', TOKENS.otherApplicant, {
      processCode: 'GOV_INVESTMENT',
      projectName: '浏阳市某物流园项目',
      materials: allMaterials('GOV_INVESTMENT'),
      commitments: [{ matter: 'LY06', statement: '本公司承诺项目能效达到先进值。' }],
    });
    expect(started.status).toBe(201);
    const id: string = started.body.applicationId;
    const at = `/applications/${id}/matters/LY06`;
    expect((await suite.call('POST', `${at}/decision`, officerToken('DRC'), { decision: 'approve', result: { number: '浏发改能审〔2026〕9号' } })).status).toBe(200);
    expect((await suite.call('POST', `${at}/verification`, officerToken('DRC'), { outcome: 'false', reason: '现场核查：实际能耗高出节能报告30%' })).status).toBe(200);
    await expect.poll(async () => (await suite.call('GET', '/supervision/credit-records?applicant=ent-002', TOKENS.supervisor)).body.items.length, { timeout: 20_000 }).toBe(1);

    const sup = await (await browsers.context()).newPage();
    await signIn(sup, suite.baseUrl, TOKENS.supervisor);
    await sup.getByRole('link', { name: '失信记录' }).click();
    await sup.locator('#credit-applicant').fill('ent-002');
    await sup.getByTestId('credit-search').click();
    const record = sup.getByTestId('credit-row');
    await record.waitFor({ timeout: 10_000 });
    expect(await record.textContent()).toMatch(/另一家企业[\s\S]*ent-002[\s\S]*LY06[\s\S]*承诺不实/);
    expect(new URL(sup.url()).searchParams.get('applicant')).toBe('ent-002');
    expect(await accessibilityViolations(sup)).toEqual([]);
    await screenshot(sup, 'reform-credit-records-1280');
    // An applicant without any: said so.
    await sup.locator('#credit-applicant').fill('ent-001');
    await sup.getByTestId('credit-search').click();
    await sup.getByTestId('credit-none').waitFor({ timeout: 10_000 });

    // The officer's matter page shows the revocation and the verification's outcome.
    await page.goto(`${suite.baseUrl}/ui/applications/${id}/matters/LY06`);
    await page.getByTestId('matter-revoked').waitFor({ timeout: 15_000 });
    expect(await page.getByTestId('matter-verification').getAttribute('data-outcome')).toBe('false');
    expect(await page.getByTestId('matter-verification').textContent()).toContain('实际能耗高出节能报告30%');
  });
});
