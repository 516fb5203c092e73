import { describe, expect, it } from 'vitest';
import { officerToken, TOKENS } from '../helpers/api';
import { allMaterials } from '../helpers/temporal';
import { apiSuite } from '../helpers/suite';
import { browserSuite, signIn } from './harness';

describe('the pages are served on the API origin under /ui/, and a user signs in and out (chromium)', () => {
  const suite = apiSuite('web-shell', { demoPrincipals: [{ token: TOKENS.supervisor, id: 'sup-01', name: '市政府督查室', role: 'supervisor', department: 'SUP' }] });
  const browsers = browserSuite();

  it('serves the app for every page path, refuses a missing file, keeps API paths apart and leads / to /ui/', async () => {
    const root = await fetch(`${suite.baseUrl}/`, { redirect: 'manual' });
    expect(root.status).toBe(302);
    expect(root.headers.get('location')).toBe('/ui/');
    for (const p of ['/ui/', '/ui/applications/app-00000000-0000-0000-0000-000000000000', '/ui/supervision/alerts?level=overdue']) {
      const page = await fetch(`${suite.baseUrl}${p}`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-type')).toMatch(/text\/html/);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await page.text()).toContain('<div id="app">');
    }
    const missing = await suite.call('GET', '/ui/assets/no-such-chunk-1234.js');
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('NOT_FOUND');
    // An API path answers as the API still does.
    expect((await suite.call('GET', '/applications', TOKENS.applicant)).contentType).toMatch(/json/);
    expect((await suite.call('GET', '/me', TOKENS.agent)).body).toEqual({ id: 'agent-park-01', name: null, role: 'agent', department: null, head: false, applicants: ['ent-001'] });
  });

  it('refuses a wrong token at the form, signs in with a pasted one, switches to English, and forgets the token on sign-out', async () => {
    const page = await (await browsers.context()).newPage();
    await page.goto(`${suite.baseUrl}/ui/inbox`);
    await page.waitForURL((u) => u.pathname === '/ui/sign-in' && u.searchParams.get('next') === '/inbox');
    await page.locator('#token-input').fill('not-a-token-of-anyone-here');
    await page.getByRole('button', { name: '登录', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('the bearer token is not valid');

    await signIn(page, suite.baseUrl, TOKENS.supervisor);
    expect(new URL(page.url()).pathname).toBe('/ui/supervision/alerts');
    await expect.poll(() => page.locator('header').textContent()).toContain('督查室');
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.locator('header').textContent()).toContain('Sign out');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/ui\/sign-in$/);
    expect(await page.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(k: string): string | null } }).sessionStorage.getItem('approvals.token'))).toBeNull();
    // Back to a protected page: the sign-in page again, nothing remembered.
    await page.goto(`${suite.baseUrl}/ui/supervision/alerts`);
    await page.waitForURL(/\/ui\/sign-in/);
  });

  it('lists the demo principals to pick from only when the run turns it on', async () => {
    const listed = await suite.call('GET', '/demo/principals');
    expect(listed.body.principals.map((p: { id: string }) => p.id)).toEqual(['sup-01']);
    const page = await (await browsers.context({ width: 390, height: 844 })).newPage();
    await page.goto(`${suite.baseUrl}/ui/sign-in`);
    await page.getByRole('button', { name: /市政府督查室/ }).click();
    await page.waitForURL(/\/ui\/supervision\/alerts/);
  });

  it('keeps an open page current by polling while the live stream cannot be held, and says so', async () => {
    const started = await suite.call('POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT', projectName: '无实时通道的项目', materials: allMaterials('GOV_INVESTMENT') });
    expect(started.status).toBe(201);
    const id = started.body.applicationId as string;
    const context = await browsers.context();
    // A proxy that refuses streams: every /live request fails.
    await context.route(/\/live$/, (route) => route.abort('connectionrefused'));
    const page = await context.newPage();
    await signIn(page, suite.baseUrl, TOKENS.applicant, `/applications/${id}`);
    await page.locator('[data-testid=matter-LY01]').waitFor();
    await expect.poll(() => page.locator('header .live').getAttribute('data-mode')).toBe('polling');
    expect(await page.locator('header .live').textContent()).toContain('定时刷新');
    const approved = await suite.call('POST', `/applications/${id}/matters/LY01/decision`, officerToken('DRC'), { decision: 'approve', result: { number: '浏发改〔2026〕77号' } });
    expect(approved.status).toBe(200);
    // One poll period (5 s) and the read: no reload.
    await page.locator('[data-testid=matter-LY01][data-status=approved]').waitFor({ timeout: 8000 });
    expect(new URL(page.url()).pathname).toBe(`/ui/applications/${id}`);
  });
});
