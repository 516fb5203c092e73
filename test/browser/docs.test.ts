import { describe, expect, it } from 'vitest';
import { TOKENS } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { browserSuite, screenshot } from './harness';

describe('the API docs are Swagger UI served by the API itself, with try-it-out behind a bearer token (chromium)', () => {
  const suite = apiSuite('web-docs');
  const browsers = browserSuite();

  it('serves the page with no inline script under its own policy, the renderer from this origin, and a 404 problem for any other file', async () => {
    const page = await fetch(`${suite.baseUrl}/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toMatch(/^default-src 'none'/);
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).not.toContain('unsafe-eval');
    const html = await page.text();
    // Every script is a file of this origin: none inline, none from elsewhere.
    expect([...html.matchAll(/<script([^>]*)>([^<]*)<\/script>/g)].map(([, attrs, body]) => [attrs!.trim(), body!.trim()])).toEqual([
      ['src="/docs/assets/swagger-ui-bundle.js"', ''],
      ['src="/docs/assets/init.js"', ''],
    ]);
    expect(html).not.toMatch(/https?:\/\//);

    const bundle = await fetch(`${suite.baseUrl}/docs/assets/swagger-ui-bundle.js`);
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    const etag = bundle.headers.get('etag')!;
    await bundle.arrayBuffer();
    // (fetch would add `Cache-Control: no-cache` to a conditional request, as a browser's reload does; a revisit does not.)
    const again = await fetch(`${suite.baseUrl}/docs/assets/swagger-ui-bundle.js`, { headers: { 'if-none-match': etag, 'cache-control': 'max-age=0' } });
    expect(again.status).toBe(304);
    const init = await fetch(`${suite.baseUrl}/docs/assets/init.js`);
    expect(init.headers.get('content-type')).toMatch(/javascript/);
    expect(await init.text()).toContain('"url":"/openapi.json"');

    // The package's demo page and initializer (pointing at the public petstore) are not served, nor anything else.
    for (const p of ['/docs/assets/index.html', '/docs/assets/swagger-initializer.js', '/docs/assets/..%2Fpackage.json', '/docs/assets/no-such.js', '/docs/assets/a/b.js']) {
      const missing = await suite.call('GET', p);
      expect(missing.status, p).toBe(404);
      expect(missing.contentType, p).toMatch(/^application\/problem\+json/);
      expect(missing.body.code, p).toBe('NOT_FOUND');
    }
  });

  it('lists the operations, authorizes with a token and tries GET /me, showing its principal, with no console error and nothing off loopback', async () => {
    const context = await browsers.context({ width: 1280, height: 900 });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    const sentToMe: (string | undefined)[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/me') sentToMe.push(r.headers()['authorization']);
    });

    await page.goto(`${suite.baseUrl}/docs`);
    await page.getByText('Start an application', { exact: true }).waitFor();
    expect(await page.locator('.opblock').count()).toBeGreaterThan(30);

    await page.getByRole('button', { name: /^Authorize/ }).first().click();
    const dialog = page.locator('.modal-ux');
    await dialog.getByLabel('Value').fill(TOKENS.agent);
    await dialog.getByRole('button', { name: 'Apply credentials' }).click();
    await dialog.getByRole('button', { name: 'Close', exact: true }).click();

    const me = page.locator('#operations-system-getMe');
    await me.locator('.opblock-summary').first().click();
    await me.getByRole('button', { name: 'Try it out' }).click();
    await me.getByRole('button', { name: 'Execute' }).click();
    const answer = me.locator('.live-responses-table td.response-col_description:not(.col_header)');
    await expect.poll(() => answer.textContent()).toContain('"agent-park-01"');
    expect(await me.locator('.live-responses-table td.response-col_status:not(.col_header)').textContent()).toContain('200');
    expect(sentToMe).toEqual([`Bearer ${TOKENS.agent}`]);
    await screenshot(page, 'docs-ui');

    // persistAuthorization is off: the token lives only in the open page, not in the browser's storage.
    const stored = await page.evaluate(() => {
      const w = globalThis as unknown as { localStorage: { length: number; key(i: number): string | null; getItem(k: string): string | null } };
      return Array.from({ length: w.localStorage.length }, (_, i) => w.localStorage.getItem(w.localStorage.key(i)!));
    });
    expect(stored.join('\n')).not.toContain(TOKENS.agent);
    expect(errors).toEqual([]);
    expect(browsers.offLoopback).toEqual([]);
  });
});
