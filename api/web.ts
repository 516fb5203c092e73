import { existsSync } from 'node:fs';
import path from 'node:path';
import express, { type Express, type RequestHandler } from 'express';
import helmet from 'helmet';
import type { z } from 'zod';
import type { principalSchema } from './auth';
import { demoPrincipalsSchema, meSchema } from '../contracts/responses';
import { ROLES, type OperationRegistry } from './operation';
import { HttpProblem, sendProblem } from './problem';

/**
 * The web pages (web/, built by Vite into web/dist) on the API's own origin under /ui/.
 * Every path below /ui/ that is not a built file is a page of the single-page app (history
 * routing), so a reload or a shared link of /ui/applications/APP-1 works; no API path starts
 * with /ui, so the two never collide. `/` leads to /ui/.
 */

export const WEB_BASE = '/ui/';
/** web/dist of this checkout, from the source (api/) or the build (dist/api/). */
const root = existsSync(path.resolve(__dirname, '..', 'package.json')) ? path.resolve(__dirname, '..') : path.resolve(__dirname, '..', '..');
export const DEFAULT_WEB_DIR = path.join(root, 'web', 'dist');

/** A demo principal the embedded run's sign-in page offers to pick (never outside it): an entry of the principals file. */
export type DemoPrincipal = z.input<typeof principalSchema>;

/**
 * The pages' policy: scripts, styles, fonts and images from this origin only; requests to
 * this origin only. Element Plus positions popovers with style attributes, hence inline styles.
 */
const pageHeaders: RequestHandler = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      manifestSrc: ["'self'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
    },
  },
  xFrameOptions: { action: 'deny' },
});

/** The pages' router: not API operations, so not in /openapi.json (the contract test skips it by this mark). */
export const WEB_PAGES = Symbol('web pages');

export function serveWeb(app: Express, dir: string): void {
  const pages = Object.assign(express.Router(), { [WEB_PAGES]: true });
  pages.get('/', (_req, res) => res.redirect(302, WEB_BASE));
  pages.get(/^\/ui$/, (_req, res) => res.redirect(301, WEB_BASE));
  const index = path.join(dir, 'index.html');
  // Hashed file names: a build never changes a file under the same name.
  pages.use(`${WEB_BASE}assets`, pageHeaders, express.static(path.join(dir, 'assets'), { immutable: true, maxAge: '365d', index: false, fallthrough: true, redirect: false }));
  pages.use(WEB_BASE, pageHeaders, express.static(dir, { index: false, fallthrough: true, redirect: false }));
  pages.get(/^\/ui\/.*/, pageHeaders, (req, res) => {
    // A missing asset is a 404, not the app's page (a stale tab asking for an old chunk).
    if (/\.[a-z0-9]{1,8}$/i.test(req.path)) return sendProblem(res, 404, 'Not found', 'no such file of the web pages', { code: 'NOT_FOUND' });
    if (!existsSync(index)) {
      return sendProblem(res, 503, 'Service unavailable', 'the web pages are not built: run `npm run build:web`', { code: 'WEB_NOT_BUILT' });
    }
    // The page itself is never cached: a new build takes effect on the next load.
    res.setHeader('Cache-Control', 'no-store');
    res.sendFile(index);
  });
  app.use(pages);
}

/** `GET /me` (who the token is) and, in the embedded run only, `GET /demo/principals`. */
export function registerSession(api: OperationRegistry, demoPrincipals: readonly DemoPrincipal[] | undefined): void {
  api.add(
    { method: 'get', path: '/me', tag: 'system', summary: 'The principal of the bearer token', roles: ROLES, response: meSchema },
    ({ principal }) => ({ id: principal.id, name: principal.name ?? null, role: principal.role, department: principal.department ?? null, head: principal.head ?? false, applicants: principal.applicants }),
  );
  api.add(
    { method: 'get', path: '/demo/principals', tag: 'system', summary: 'Demo principals to sign in as (embedded run only; 404 otherwise)', roles: 'public', response: demoPrincipalsSchema },
    () => {
      if (!demoPrincipals) throw new HttpProblem(404, 'Not found', 'demo sign-in is off (DEMO_SIGN_IN)', { code: 'NOT_FOUND' });
      return {
        principals: demoPrincipals.map((p) => ({ token: p.token, id: p.id, name: p.name ?? null, role: p.role, department: p.department ?? null, head: p.head ?? false, applicants: p.applicants ?? [] })),
      };
    },
  );
}
