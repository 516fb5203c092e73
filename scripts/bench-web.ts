import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { DEFAULT_WEB_DIR } from '../api/web';

/**
 * What the web pages weigh: JavaScript and CSS a browser fetches on the first load (the
 * entry's static import closure plus the sign-in page, where a new visitor lands), and the
 * same for each page reached afterwards (its chunk's closure beyond what is loaded already),
 * gzipped at level 9 as a server would send them. Read from Vite's manifest of the build.
 *
 *   npm run bench:web      (builds the pages first; writes .data/bench/web.json)
 *
 * Goal (issue 10): first-load JavaScript ≤ 400 KB gzipped.
 */
interface Chunk {
  file: string;
  src?: string;
  isEntry?: boolean;
  isDynamicEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}

const dir = process.env.WEB_DIST_DIR ?? DEFAULT_WEB_DIR;
const manifest = JSON.parse(readFileSync(path.join(dir, '.vite', 'manifest.json'), 'utf8')) as Record<string, Chunk>;
const gz = new Map<string, number>();
const gzipped = (file: string) => {
  if (!gz.has(file)) gz.set(file, gzipSync(readFileSync(path.join(dir, file)), { level: 9 }).length);
  return gz.get(file)!;
};

/** The files (JS, CSS) a chunk needs with its static imports. */
function closure(key: string, into = new Set<string>()): Set<string> {
  const chunk = manifest[key];
  if (!chunk || into.has(chunk.file)) return into;
  into.add(chunk.file);
  for (const css of chunk.css ?? []) into.add(css);
  for (const dep of chunk.imports ?? []) closure(dep, into);
  return into;
}
const sum = (files: Iterable<string>, ext: string) => [...files].filter((f) => f.endsWith(ext)).reduce((a, f) => a + gzipped(f), 0);
const kb = (n: number) => Math.round(n / 102.4) / 10;

const entryKey = Object.keys(manifest).find((k) => manifest[k]!.isEntry);
if (!entryKey) throw new Error(`no entry in ${dir}/.vite/manifest.json`);
const shell = closure(entryKey);
const pages = Object.keys(manifest).filter((k) => manifest[k]!.isDynamicEntry && /\.vue$/.test(k));
const signInKey = pages.find((k) => k.endsWith('SignIn.vue'));
const firstLoad = signInKey ? closure(signInKey, new Set(shell)) : shell;

const perPage = pages
  .map((k) => {
    const files = [...closure(k)].filter((f) => !shell.has(f));
    return { page: k.replace(/^src\//, ''), jsKB: kb(sum(files, '.js')), cssKB: kb(sum(files, '.css')) };
  })
  .sort((a, b) => b.jsKB - a.jsKB);
const allFiles = Object.values(manifest).flatMap((c) => [c.file, ...(c.css ?? [])]);
const result = {
  firstLoadJsKB: kb(sum(firstLoad, '.js')),
  firstLoadCssKB: kb(sum(firstLoad, '.css')),
  shellJsKB: kb(sum(shell, '.js')),
  heaviestPage: perPage[0] ?? null,
  totalJsKB: kb(sum(new Set(allFiles), '.js')),
  pages: perPage,
  goalFirstLoadJsKB: 400,
};

console.log(`web bundle (gzip -9, ${dir}):`);
console.log(`  first load (shell + sign-in)  JS ${result.firstLoadJsKB} KB  CSS ${result.firstLoadCssKB} KB   (goal: JS ≤ ${result.goalFirstLoadJsKB} KB)`);
console.log(`  shell alone                   JS ${result.shellJsKB} KB`);
for (const p of perPage) console.log(`  + ${p.page.padEnd(44)} JS ${String(p.jsKB).padStart(6)} KB  CSS ${String(p.cssKB).padStart(5)} KB`);
console.log(`  all chunks                    JS ${result.totalJsKB} KB`);
const out = path.resolve(__dirname, '..', '..', '.data', 'bench');
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'web.json'), `${JSON.stringify(result, null, 2)}\n`);
