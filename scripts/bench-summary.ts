import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * `.data/bench/summary.json`, the figures runs are compared by across commits: each benchmark
 * adds its own keys and keeps what the others wrote there.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const OUT = path.join(ROOT, '.data', 'bench', 'summary.json');

export function mergeBenchSummary(figures: Record<string, unknown>): void {
  mkdirSync(path.dirname(OUT), { recursive: true });
  let previous: Record<string, unknown> = {};
  try {
    previous = JSON.parse(readFileSync(OUT, 'utf8')) as Record<string, unknown>;
  } catch {
    // No summary yet (or unreadable): start a new one.
  }
  writeFileSync(OUT, `${JSON.stringify({ ...previous, ...figures }, null, 2)}\n`);
  console.log(`wrote ${path.relative(ROOT, OUT)}`);
}
