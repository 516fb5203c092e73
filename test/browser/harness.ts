import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { DEFAULT_WEB_DIR } from '../../api/web';

/**
 * The pages in a real browser: Debian's chromium through playwright-core, against the API
 * (which serves the built pages under /ui/) of an apiSuite. Every request the page makes is
 * checked to stay on loopback; a request elsewhere fails the test.
 */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve(__dirname, '..', '..', '.data', 'screenshots');

/** Where the pages under test are built: WEB_DIST_DIR (so parallel runs don't share one), else web/dist. */
export const webDir = (): string => process.env.WEB_DIST_DIR ?? DEFAULT_WEB_DIR;

/** Builds the pages from the current sources (Vite takes a second or two) before the browser opens them. */
export function ensureWebBuilt(): void {
  const root = path.resolve(__dirname, '..', '..');
  execFileSync(path.join(root, 'node_modules', '.bin', 'vite'), ['build', '--config', 'web/vite.config.mts', '--outDir', webDir(), '--emptyOutDir', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' });
  if (!existsSync(path.join(webDir(), 'index.html'))) throw new Error(`the web build wrote no ${webDir()}/index.html`);
}

export interface BrowserSuite {
  readonly browser: Browser;
  /** A fresh browser context (its own sessionStorage) at a viewport, with loopback-only traffic. */
  context(viewport?: { width: number; height: number }): Promise<BrowserContext>;
  /** Requests the pages tried to send off loopback (should stay empty). */
  readonly offLoopback: string[];
}

export function browserSuite(): BrowserSuite {
  let browser: Browser | undefined;
  const contexts: BrowserContext[] = [];
  const offLoopback: string[] = [];
  beforeAll(async () => {
    ensureWebBuilt();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--headless', '--no-sandbox', '--disable-background-networking', '--disable-gpu'] });
  });
  afterAll(async () => {
    await Promise.allSettled(contexts.map((c) => c.close()));
    await browser?.close();
    expect(offLoopback).toEqual([]);
  });
  return {
    get browser() {
      if (!browser) throw new Error('the browser has not started');
      return browser;
    },
    offLoopback,
    async context(viewport = { width: 1280, height: 800 }) {
      const context = await this.browser.newContext({ viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      contexts.push(context);
      await context.route('**/*', (route) => {
        const url = new URL(route.request().url());
        if (url.protocol === 'data:' || url.protocol === 'blob:' || url.hostname === '127.0.0.1' || url.hostname === 'localhost') return route.continue();
        offLoopback.push(url.href.slice(0, 200));
        return route.abort();
      });
      return context;
    },
  };
}

/** Signs in by pasting the token, as a user without the demo list would. */
export async function signIn(page: Page, baseUrl: string, token: string, next?: string): Promise<void> {
  await page.goto(`${baseUrl}/ui/sign-in${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  await page.locator('#token-input').fill(token);
  await page.getByRole('button', { name: /^(登录|Sign in)$/ }).click();
  await page.waitForURL((u) => !u.pathname.endsWith('/sign-in'));
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function accessibilityViolations(page: Page): Promise<{ id: string; impact: string; help: string; nodes: string[] }[]> {
  const source = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  // Evaluated over the DevTools protocol: the pages' CSP (script-src 'self') refuses an inline script tag.
  await page.evaluate(source);
  type Violation = { id: string; impact: string; help: string; nodes: { target: string[] }[] };
  const result = await page.evaluate(async () => {
    const w = globalThis as unknown as { axe: { run(ctx: unknown, opts: object): Promise<{ violations: Violation[] }> }; document: unknown };
    return w.axe.run(w.document, { resultTypes: ['violations'] });
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map((n) => n.target.join(' ')) }));
}

/** Writes a full-page screenshot to .data/screenshots/<name>.png (ignored) for review. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
