import path from 'node:path';
import express, { type Express } from 'express';
import { htmlSchema } from '../contracts/responses';
import type { OperationRegistry } from './operation';
import { sendProblem } from './problem';
import { WEB_PAGES } from './web';

/**
 * The API's docs at /docs: Swagger UI over /openapi.json, with try-it-out and "Authorize" for
 * the bearer scheme. Its files come from the installed swagger-ui-dist and are served by us
 * under /docs/assets/ (no CDN, no API path starts with /docs/); the initializer is ours, a file
 * too, so the page runs under `script-src 'self'` with no inline script.
 */

export const DOCS_ASSETS = '/docs/assets/';
/** swagger-ui-dist's folder (resolved from its package.json: its main module would load the whole bundle into Node). */
const SWAGGER_UI_DIR = path.dirname(require.resolve('swagger-ui-dist/package.json'));
/** The only files of the package the page needs: its other files (a demo page pointing at the petstore) are not served. */
const LIBRARY_FILES = new Set(['swagger-ui.css', 'swagger-ui-bundle.js', 'favicon-32x32.png', 'favicon-16x16.png']);
const INITIALIZER = 'init.js';

/** Swagger UI's options: the token is kept only while the page is open; no call to the public validator. */
const uiOptions = {
  url: '/openapi.json',
  dom_id: '#swagger-ui',
  deepLinking: true,
  persistAuthorization: false,
  validatorUrl: null,
  displayRequestDuration: true,
};
const initializer = `"use strict";
window.ui = SwaggerUIBundle(Object.assign(${JSON.stringify(uiOptions)}, { presets: [SwaggerUIBundle.presets.apis], layout: "BaseLayout" }));
`;

/**
 * Scripts, styles and images from this origin only (Swagger UI's icons are data: SVGs in its
 * stylesheet); requests only to this origin, so try-it-out cannot be pointed elsewhere.
 */
export const docsContentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const page = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>API — 并联审批</title>
<link rel="stylesheet" href="${DOCS_ASSETS}swagger-ui.css">
<link rel="icon" type="image/png" href="${DOCS_ASSETS}favicon-32x32.png" sizes="32x32">
</head>
<body><div id="swagger-ui"><noscript>The API docs need JavaScript; the document itself is at <a href="/openapi.json">/openapi.json</a> (OpenAPI 3.1).</noscript></div>
<script src="${DOCS_ASSETS}swagger-ui-bundle.js"></script>
<script src="${DOCS_ASSETS}${INITIALIZER}"></script>
</body></html>
`;

/** The docs' files, public and static: mounted before the rate limits, like the web pages (the contract test skips them by the same mark). */
export function serveDocsAssets(app: Express): void {
  const assets = Object.assign(express.Router(), { [WEB_PAGES]: true });
  assets.get(`${DOCS_ASSETS}:file`, (req, res) => {
    const file = req.params.file;
    // Not hashed names: the browser revalidates by ETag (a 304 unless the package changed).
    res.setHeader('Cache-Control', 'no-cache');
    if (file === INITIALIZER) return res.type('js').send(initializer);
    if (!file || !LIBRARY_FILES.has(file)) return sendProblem(res, 404, 'Not found', 'no such file of the API docs', { code: 'NOT_FOUND' });
    res.sendFile(file, { root: SWAGGER_UI_DIR });
  });
  app.use(assets);
}

/** `GET /docs`: the page, a declared operation like every other (public, text/html). */
export function registerDocs(api: OperationRegistry): void {
  api.add(
    { method: 'get', path: '/docs', tag: 'system', summary: 'Human-readable API docs (Swagger UI)', roles: 'public', response: htmlSchema, success: { status: 200, description: 'HTML', contentType: 'text/html' } },
    ({ res }) => {
      res.setHeader('Content-Security-Policy', docsContentSecurityPolicy);
      res.type('html').send(page);
    },
  );
}
