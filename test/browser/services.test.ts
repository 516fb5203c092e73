import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { TOKENS } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { allMaterials } from '../helpers/temporal';
import { browserSuite, signIn } from './harness';

/**
 * The applicant commissions its intermediaries on the application page (中介服务超市): the EIA
 * report by bidding, the soil-and-water plan by a reproducible draw; weeks later the drawn
 * provider is late, and the page offers its replacement, which the applicant makes by a new draw.
 * Time-skipping server from Monday 2 March 2026; the same figures as test/workflows/intermediary.test.ts.
 */
describe('intermediary services on the application page: bidding, a draw, a late provider replaced (chromium, time-skipping)', () => {
  const suite = apiSuite('web-services', { initialTime: '2026-03-02T09:00:00+08:00' });
  const browsers = browserSuite();

  const view = async (id: string) => (await suite.call('GET', `/applications/${id}?consistency=strong`, TOKENS.applicant)).body;
  const service = (page: Page, type: string) => page.getByTestId(`service-${type}`);

  it('contracts the lowest bidder and a drawn provider through the forms, then replaces the drawn one once it is late', async () => {
    const materials = allMaterials('GOV_INVESTMENT').filter((m) => m !== 'M_EIA_DOCUMENT' && m !== 'M_SOIL_WATER_PLAN');
    const started = await suite.call('POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT', projectName: '中介服务演示项目', materials });
    expect(started.status).toBe(201);
    const id = started.body.applicationId as string;

    const page = await (await browsers.context()).newPage();
    await signIn(page, suite.baseUrl, TOKENS.applicant, `/applications/${id}`);
    const eia = service(page, 'EIA_REPORT');
    await eia.waitFor();
    expect(await eia.getAttribute('data-status')).toBe('needed');

    // EIA by bidding: the lower quote (绿源, 30 calendar days) wins over the faster, dearer one.
    const bidForm = page.getByTestId('choose-form-EIA_REPORT');
    await bidForm.getByText('竞价选取').click();
    await bidForm.getByRole('spinbutton', { name: /绿源/ }).fill('80000');
    await bidForm.getByRole('spinbutton', { name: /华中/ }).fill('95000');
    await page.getByTestId('choose-submit-EIA_REPORT').click();
    const eiaContract = page.getByTestId('contract-EIA_REPORT');
    await eiaContract.waitFor();
    expect(await eiaContract.getAttribute('data-status')).toBe('open');
    expect(await eiaContract.textContent()).toContain('绿源');
    expect(await eiaContract.getByTestId('contract-due').textContent()).toContain('2026-04-01');

    // Soil and water by a reproducible draw among the qualified providers: 20 calendar days.
    const drawForm = page.getByTestId('choose-form-SOIL_WATER_PLAN');
    await drawForm.getByText('随机抽取').click();
    await page.getByTestId('choose-submit-SOIL_WATER_PLAN').click();
    const soilContract = page.getByTestId('contract-SOIL_WATER_PLAN');
    await soilContract.waitFor();
    expect(await soilContract.getByTestId('contract-due').textContent()).toContain('2026-03-22');
    const afterChoice = await view(id);
    const soil = afterChoice.services.find((s: { serviceType: string }) => s.serviceType === 'SOIL_WATER_PLAN');
    const drawn = soil.contracts[0].provider as string;
    expect(soil.contracts[0].selection).toMatchObject({ method: 'randomDraw', candidates: ['P_HENGYUAN_WATER', 'P_HUAZHONG_ENV'] });
    expect(afterChoice.services.find((s: { serviceType: string }) => s.serviceType === 'EIA_REPORT').contracts[0]).toMatchObject({ provider: 'P_GREEN_ENV', selection: { method: 'bidding' } });
    // Nothing to replace while the drawn provider is on time.
    expect(await page.getByTestId('replace-form-SOIL_WATER_PLAN').count()).toBe(0);

    // Past its committed date (22 Mar) the provider is late; on 26 Mar the page offers the replacement.
    await suite.sleepUntil('2026-03-26T10:00:00+08:00');
    await page.reload();
    const replaceForm = page.getByTestId('replace-form-SOIL_WATER_PLAN');
    await replaceForm.waitFor({ timeout: 15_000 });
    await replaceForm.getByText('随机抽取').click();
    // A replacement needs its reason: the button waits for one.
    expect(await page.getByTestId('replace-submit-SOIL_WATER_PLAN').isDisabled()).toBe(true);
    await replaceForm.getByRole('textbox').fill('原中介机构逾期未交付');
    await page.getByTestId('replace-submit-SOIL_WATER_PLAN').click();
    const second = page.getByTestId('contract-SOIL_WATER_PLAN#2');
    await second.waitFor();
    expect(await second.getAttribute('data-status')).toBe('open');
    expect(await second.getByTestId('contract-due').textContent()).toContain('2026-04-15');
    expect(await page.getByTestId('contract-SOIL_WATER_PLAN').getAttribute('data-status')).toBe('terminated');
    const replaced = (await view(id)).services.find((s: { serviceType: string }) => s.serviceType === 'SOIL_WATER_PLAN');
    expect(replaced.contracts.map((c: { provider: string; status: string }) => [c.provider, c.status])).toEqual([
      [drawn, 'terminated'],
      [drawn === 'P_HUAZHONG_ENV' ? 'P_HENGYUAN_WATER' : 'P_HUAZHONG_ENV', 'open'],
    ]);
  });
});
