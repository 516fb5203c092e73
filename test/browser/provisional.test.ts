import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { officerToken, TOKENS } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { allMaterials } from '../helpers/temporal';
import { publishCalendarSignal } from '../../workflows/messages';
import { MOVES_FROM_25_JAN as DUE, OFFICIAL_2027, PROVISIONAL_2027 } from '../unit/engine/provisional-figures';
import { accessibilityViolations, browserSuite, screenshot, signIn } from './harness';

/**
 * Provisional calendars in chromium (time-skipping from Monday 25 Jan 2027): the officer sees 暂定
 * beside a due date counted on the provisional year; after the official notice the supervision
 * office's 期限调整 page lists what it moved; the admin's form fills in a provisional year.
 */
describe('provisional calendar pages (chromium, time-skipping server)', () => {
  const suite = apiSuite('web-provisional', { initialTime: '2027-01-25T09:00:00+08:00' });
  const browsers = browserSuite();

  it('tags provisional due dates, lists the moved deadlines for the supervision office, and fills in a provisional year for the admin', async () => {
    writeFileSync(path.join(suite.definitionsDir, 'calendars', '2027.json'), JSON.stringify(PROVISIONAL_2027));
    expect((await suite.call('POST', '/admin/definitions/reload', TOKENS.admin)).status).toBe(200);
    const started = await suite.call('POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT', projectName: '暂定日历页面测试', materials: allMaterials('GOV_INVESTMENT') });
    const id: string = started.body.applicationId;

    const officer = await (await browsers.context()).newPage();
    await signIn(officer, suite.baseUrl, officerToken('DRC'));
    const ly01 = officer.locator(`[data-testid=inbox-row][data-application="${id}"][data-matter="LY01"]`);
    await ly01.waitFor();
    await expect.poll(() => ly01.textContent()).toContain(DUE[7][0]);
    expect(await ly01.locator('[data-testid=provisional]').textContent()).toBe('暂定');
    expect(await ly01.locator('[data-testid=provisional]').getAttribute('title')).toMatch(/正式日历发布后可能调整/);

    await suite.sleepUntil('2027-02-01T10:00:00+08:00');
    await suite.env.client.workflow.getHandle(id).signal(publishCalendarSignal, { actor: { id: 'admin', role: 'admin' }, calendar: OFFICIAL_2027 });
    await expect.poll(async () => (await suite.call('GET', '/supervision/moved-deadlines', TOKENS.supervisor)).body.items.length, { timeout: 20_000 }).toBe(5);

    const supervisor = await (await browsers.context()).newPage();
    await signIn(supervisor, suite.baseUrl, TOKENS.supervisor, '/supervision/moved-deadlines');
    const rows = supervisor.locator('[data-testid=moved-row]');
    await expect.poll(() => rows.count()).toBe(5);
    const moved = supervisor.locator('[data-testid=moved-row][data-matter="LY01"]');
    expect(await moved.locator('[data-testid=moved-to]').textContent()).toBe(DUE[7][1]);
    expect(await moved.textContent()).toMatch(/提前 1 天/);
    expect(await supervisor.locator('[data-testid=moved-row][data-matter="LY04"]').textContent()).toMatch(/推后 5 天/);
    // A department's moved deadlines, the filter kept in the address.
    await supervisor.goto(`${suite.baseUrl}/ui/supervision/moved-deadlines?department=NRP`);
    await expect.poll(() => supervisor.locator('[data-testid=moved-row]').count()).toBe(1);
    expect(await accessibilityViolations(supervisor)).toEqual([]);
    await screenshot(supervisor, 'supervision-moved-deadlines');

    // The officer's inbox now shows the official date, untagged.
    await officer.reload();
    await ly01.waitFor();
    await expect.poll(() => ly01.textContent()).toContain(DUE[7][1]);
    expect(await ly01.locator('[data-testid=provisional]').count()).toBe(0);

    const admin = await (await browsers.context()).newPage();
    await signIn(admin, suite.baseUrl, TOKENS.admin, '/admin');
    await admin.locator('[data-testid=calendar-provisional]').click();
    await admin.locator('[data-testid=calendar-template]').click();
    const json = JSON.parse(await admin.locator('#calendar-json').inputValue());
    expect(json).toMatchObject({ year: 2028, provisional: true, makeupWorkingDays: [] });
    expect(json.holidays.map((h: { name: string; from: string; to: string }) => `${h.name} ${h.from}–${h.to}`)).toEqual(['元旦 2028-01-01–2028-01-01', '劳动节 2028-05-01–2028-05-02', '国庆节 2028-10-01–2028-10-03']);
    expect(await accessibilityViolations(admin)).toEqual([]);
  });
});
