import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { TOKENS } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { accessibilityViolations, browserSuite, screenshot, signIn } from './harness';

/**
 * The registry codes in the applicant's pages (chromium against the real system): the wizard
 * sends the 项目代码 and the 统一社会信用代码 when given, shows the server's refusal of one at its
 * field, and the application page shows both.
 */
const PROJECT_CODE = '2026-430181-48-01-000123';
const CREDIT_CODE = '91350100M000100Y43';
/** The same code with a wrong check character (GB 32100-2015 gives 3 for the first 17). */
const WRONG_CREDIT_CODE = '91350100M000100Y44';

async function settled(page: Page, testId: string): Promise<void> {
  await page.getByTestId(testId).waitFor();
  await expect.poll(() => page.getByRole('status').filter({ hasText: /加载中|Loading/ }).count()).toBe(0);
}

describe('registry codes in the applicant pages (chromium)', () => {
  const suite = apiSuite('web-registry');
  const browsers = browserSuite();
  const project = `浏阳经开区智能制造产业园-${Date.now().toString(36)}`;

  const startedNamed = async (): Promise<string[]> => {
    const listed = await suite.call('GET', '/applications?limit=100', TOKENS.applicant);
    expect(listed.status).toBe(200);
    return listed.body.items.filter((a: { projectName: string }) => a.projectName === project).map((a: { applicationId: string }) => a.applicationId);
  };

  it('refuses a credit code with a wrong check character at its field and starts nothing, then starts with both codes and shows them on the application page', async () => {
    const page = await (await browsers.context()).newPage();
    const answers: { status: number; body: { errors?: { field: string; message: string }[] } }[] = [];
    page.on('response', async (r) => {
      if (r.request().method() === 'POST' && new URL(r.url()).pathname === '/applications') answers.push({ status: r.status(), body: await r.json().catch(() => ({})) });
    });
    await signIn(page, suite.baseUrl, TOKENS.applicant, '/applications/new');
    await settled(page, 'wizard-page');

    const step0 = page.getByTestId('wizard-step-process');
    expect(await step0.textContent()).toMatch(/项目代码（选填）[\s\S]*YYYY-XXXXXX-NN-NN-NNNNNN[\s\S]*统一社会信用代码（选填）[\s\S]*18 位代码/);
    await page.getByTestId('process-GOV_INVESTMENT').click();
    await page.locator('#project-name').fill(project);
    // Pasted with the spaces around it that a copy from a certificate brings: sent trimmed.
    await page.locator('#project-code').fill(` ${PROJECT_CODE} `);
    await page.locator('#credit-code').fill(WRONG_CREDIT_CODE);
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('materials-all').click();
    await page.getByTestId('wizard-next').click();
    const summary = await page.getByTestId('wizard-summary').textContent();
    expect(summary).toContain(PROJECT_CODE);
    expect(summary).toContain(WRONG_CREDIT_CODE);

    // The server is the one rule: its message comes back at the credit-code field, on the step that holds it.
    await page.getByTestId('wizard-submit').click();
    const fieldError = page.getByTestId('credit-code-error');
    await fieldError.waitFor();
    expect(answers).toHaveLength(1);
    expect(answers[0]!.status).toBe(400);
    const refused = answers[0]!.body.errors?.find((e) => e.field === 'body.applicantCreditCode');
    expect(refused?.message).toMatch(/check character/);
    expect((await fieldError.textContent())?.trim()).toBe(refused!.message);
    expect(await step0.isVisible()).toBe(true);
    expect(await page.locator('#credit-code').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByTestId('project-code-error').count()).toBe(0);
    await screenshot(page, 'registry-wizard-refused');
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(await startedNamed()).toEqual([]);

    // Corrected, the message goes; the start carries both codes and the page shows them.
    await page.locator('#credit-code').fill(CREDIT_CODE);
    await expect.poll(() => page.getByTestId('credit-code-error').count()).toBe(0);
    for (let i = 0; i < 3; i++) await page.getByTestId('wizard-next').click();
    expect(await page.getByTestId('wizard-summary-credit-code').textContent()).toBe(CREDIT_CODE);
    await page.getByTestId('wizard-submit').click();
    await page.waitForURL(/\/ui\/applications\/app-[0-9a-f-]{36}$/);
    const applicationId = new URL(page.url()).pathname.split('/').pop()!;
    expect(answers.map((a) => a.status)).toEqual([400, 201]);
    await expect.poll(startedNamed, { timeout: 10_000 }).toEqual([applicationId]);
    const view = (await suite.call('GET', `/applications/${applicationId}`, TOKENS.applicant)).body;
    expect(view).toMatchObject({ projectName: project, projectCode: PROJECT_CODE, applicantCreditCode: CREDIT_CODE });

    await settled(page, 'application-page');
    const codes = page.getByTestId('registry-codes');
    await codes.waitFor();
    expect(await page.getByTestId('project-code').textContent()).toBe(`项目代码 ${PROJECT_CODE}`);
    expect(await page.getByTestId('credit-code').textContent()).toBe(`统一社会信用代码 ${CREDIT_CODE}`);
    await screenshot(page, 'registry-application');
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => codes.textContent()).toMatch(new RegExp(`Project code ${PROJECT_CODE}\\s*Unified social credit code ${CREDIT_CODE}`));
  });

  it('shows no registry codes on an application started without them', async () => {
    const started = await suite.call('POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT', projectName: `无代码项目-${Date.now().toString(36)}` });
    expect(started.status).toBe(201);
    const page = await (await browsers.context()).newPage();
    await signIn(page, suite.baseUrl, TOKENS.applicant, `/applications/${started.body.applicationId}`);
    await settled(page, 'application-page');
    await page.getByTestId('as-of').waitFor();
    expect(await page.getByTestId('registry-codes').count()).toBe(0);
  });
});
