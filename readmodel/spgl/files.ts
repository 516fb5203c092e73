import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { TABLES, tableName, type SpglRow, type SpglTableName } from './standard';
import { changesSince, SPGL_TABLE_NAMES, syncPending, type SpglScope } from './store';

/**
 * The SPGL rows as files, for a platform that takes uploads instead of pulling: per table,
 * `SPGL_<table>.jsonl` (one row a line) and `SPGL_<table>.csv` (header = the standard's field
 * names, in the standard's order). The same rows the pull API offers.
 */

const csvCell = (v: SpglRow[string] | undefined): string => {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

/** One table as CSV text: the standard's field names, then one line per row. */
export function tableCsv(table: SpglTableName, rows: readonly SpglRow[]): string {
  const fields = TABLES[table].fields.map((f) => f.name);
  return [fields.join(','), ...rows.map((r) => fields.map((f) => csvCell(r[f])).join(','))].join('\r\n') + '\r\n';
}

/** Every offered row of every table changed after `since` (all when absent), after exporting what moved; answers the rows written per table. */
export async function writeSpglFiles(pool: Pool, dir: string, options: { since?: number; scope?: SpglScope; clock?: () => number; regionCode?: string } = {}): Promise<Record<SpglTableName, number>> {
  const scope = options.scope ?? { kind: 'all' };
  await syncPending(pool, scope, { clock: options.clock, regionCode: options.regionCode });
  await mkdir(dir, { recursive: true });
  const written = {} as Record<SpglTableName, number>;
  for (const table of SPGL_TABLE_NAMES) {
    const rows: SpglRow[] = [];
    let after: string | undefined;
    do {
      const page = await changesSince(pool, table, { since: options.since, after, limit: 500 }, scope);
      rows.push(...page.items);
      after = page.next ?? undefined;
    } while (after);
    await writeFile(join(dir, `${tableName(table)}.jsonl`), rows.map((r) => JSON.stringify(r) + '\n').join(''));
    await writeFile(join(dir, `${tableName(table)}.csv`), tableCsv(table, rows));
    written[table] = rows.length;
  }
  return written;
}
