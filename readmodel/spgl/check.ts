import type { ExportedContract, ExportedStop } from './export';
import { CODE_LISTS, TABLES, type FieldSpec, type SpglRow, type SpglTableName, type SpglTables } from './standard';

/**
 * The conformance checker: what the provincial platform would refuse, found before sending.
 * It reads the rows only (and, to reconcile special procedures and intermediary rows, the matters'
 * clock stops and the application's contracts), so
 * it checks rows from any source: an export, a file, a row the receiver sent back.
 */

export type CheckRule =
  | 'unknownField'
  | 'required'
  | 'type'
  | 'codeList'
  | 'invalidWithoutReason'
  | 'duplicateKey'
  | 'dateOrder'
  | 'reference'
  | 'stopReconciliation'
  | 'contractSpan'
  | 'contractReconciliation';

export interface Finding {
  table: SpglTableName;
  /** The row's DFSJZJ (地方数据主键). */
  key: string;
  /** The field at fault; null when the row as a whole is. */
  field: string | null;
  rule: CheckRule;
  message: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** Pairs of times that must be in order within one row: [earlier, later]. */
const ORDERED: Partial<Record<SpglTableName, [string, string][]>> = {
  XMJBXXB: [
    ['NKGSJ', 'NJCSJ'],
    ['SBSJ', 'XMWQBJSJ'],
  ],
  XMSPSXBLTBCXXXB: [['TBCXKSSJ', 'TBCXJSSJ']],
};

/** A field whose value must be a key of another table: [field, table, that table's field]. The stored exchange holds a row back while the row it names is refused. */
export const REFERENCES: Partial<Record<SpglTableName, [string, SpglTableName, string][]>> = {
  DFXMSPLCJDXXB: [['SPLCBM', 'DFXMSPLCXXB', 'SPLCBM']],
  DFXMSPLCJDSXXXB: [['SPLCBM', 'DFXMSPLCXXB', 'SPLCBM']],
  XMJBXXB: [['SPLCBM', 'DFXMSPLCXXB', 'SPLCBM']],
  XMDWXXB: [['GCDM', 'XMJBXXB', 'GCDM']],
  XMSPSXBLXXB: [
    ['GCDM', 'XMJBXXB', 'GCDM'],
    ['SPSXBM', 'DFXMSPLCJDSXXXB', 'SPSXBM'],
  ],
  XMSPSXBLXXXXB: [
    ['GCDM', 'XMJBXXB', 'GCDM'],
    ['SPSXSLBM', 'XMSPSXBLXXB', 'SPSXSLBM'],
  ],
  XMSPSXPFWJXXB: [
    ['GCDM', 'XMJBXXB', 'GCDM'],
    ['SPSXSLBM', 'XMSPSXBLXXB', 'SPSXSLBM'],
  ],
  XMSPSXBLTBCXXXB: [
    ['GCDM', 'XMJBXXB', 'GCDM'],
    ['SPSXSLBM', 'XMSPSXBLXXB', 'SPSXSLBM'],
  ],
  XMQTFJXXB: [
    ['GCDM', 'XMJBXXB', 'GCDM'],
    ['SPSXSLBM', 'XMSPSXBLXXB', 'SPSXSLBM'],
  ],
  ZJFWSXBLXXB: [
    ['XMDM', 'XMJBXXB', 'XMDM'],
    ['SPSXSLBM', 'XMSPSXBLXXB', 'SPSXSLBM'],
  ],
  ZJFWSXBLGCXXB: [
    ['XMDM', 'XMJBXXB', 'XMDM'],
    ['ZJFWSXSLBM', 'ZJFWSXBLXXB', 'ZJFWSXSLBM'],
  ],
};

const absent = (v: SpglRow[string] | undefined) => v === null || v === undefined || v === '';
const keyOf = (row: SpglRow) => String(row.DFSJZJ ?? '');

function typeProblem(spec: FieldSpec, v: string | number): string | null {
  switch (spec.type) {
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) ? null : 'an integer';
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? null : 'a number';
    case 'date':
      return typeof v === 'string' && DATE.test(v) ? null : 'a date (YYYY-MM-DD)';
    case 'datetime':
      return typeof v === 'string' && DATETIME.test(v) ? null : 'a time (YYYY-MM-DD HH:mm:ss)';
    case 'string':
      return typeof v === 'string' ? null : 'text';
  }
}

/** Every finding in a set of tables; none means the platform has nothing to refuse that we know of. */
export function checkTables(tables: Partial<SpglTables>, options: { stops?: readonly ExportedStop[]; contracts?: readonly ExportedContract[] } = {}): Finding[] {
  const findings: Finding[] = [];
  const names = Object.keys(tables) as SpglTableName[];
  const validRows = (t: SpglTableName) => (tables[t] ?? []).filter((r) => r.SJYXBS !== 0);

  for (const table of names) {
    const spec = TABLES[table];
    const fields = new Map<string, FieldSpec>(spec.fields.map((x) => [x.name, x]));
    const add = (row: SpglRow, field: string | null, rule: CheckRule, message: string) => findings.push({ table, key: keyOf(row), field, rule, message });
    const seen = new Set<string>();
    for (const row of tables[table] ?? []) {
      for (const name of Object.keys(row)) if (!fields.has(name)) add(row, name, 'unknownField', `${name} is not a field of SPGL_${table}`);
      for (const field of fields.values()) {
        const v = row[field.name];
        if (absent(v)) {
          if (field.required) add(row, field.name, 'required', `${field.name} (${field.label}) is required`);
          continue;
        }
        const problem = typeProblem(field, v!);
        if (problem) {
          add(row, field.name, 'type', `${field.name} must be ${problem}, not ${JSON.stringify(v)}`);
          continue;
        }
        if (field.codeList) {
          const list = CODE_LISTS[field.codeList];
          if (!(String(v) in list.values)) add(row, field.name, 'codeList', `${field.name} = ${JSON.stringify(v)} is not in the code list ${list.label}`);
        }
      }
      if (row.SJYXBS === 0 && absent(row.SJWXYY)) add(row, 'SJWXYY', 'invalidWithoutReason', 'an invalidated row (SJYXBS = 0) must say why (SJWXYY)');
      if (row.SJYXBS !== 0) {
        const key = keyOf(row);
        if (seen.has(key)) add(row, 'DFSJZJ', 'duplicateKey', `another valid row of SPGL_${table} has the key ${key}`);
        seen.add(key);
      }
      for (const [early, late] of ORDERED[table] ?? []) {
        const a = row[early];
        const b = row[late];
        if (typeof a === 'string' && typeof b === 'string' && a > b) add(row, late, 'dateOrder', `${late} (${b}) is before ${early} (${a})`);
      }
      if (table === 'XMJBXXB' && row.XMSFWQBJ === 1 && absent(row.XMWQBJSJ)) add(row, 'XMWQBJSJ', 'required', 'a completed project (XMSFWQBJ = 1) needs its completion time (XMWQBJSJ)');
    }
  }

  for (const table of names) {
    for (const [field, target, targetField] of REFERENCES[table] ?? []) {
      // A reference is checked against the tables given: rows checked alone cannot see their targets.
      if (!(target in tables)) continue;
      const keys = new Set(validRows(target).map((r) => r[targetField]));
      for (const row of validRows(table)) {
        const v = row[field];
        if (!absent(v) && !keys.has(v!)) findings.push({ table, key: keyOf(row), field, rule: 'reference', message: `${field} = ${v} has no valid row in SPGL_${target}` });
      }
    }
  }

  if (tables.ZJFWSXBLGCXXB) findings.push(...contractSpans(validRows('ZJFWSXBLGCXXB')));
  if (options.stops && tables.XMSPSXBLTBCXXXB) findings.push(...reconcileStops(validRows('XMSPSXBLTBCXXXB'), options.stops));
  if (options.contracts && tables.ZJFWSXBLXXB) findings.push(...reconcileContracts(validRows('ZJFWSXBLXXB'), validRows('ZJFWSXBLGCXXB'), options.contracts));
  return findings;
}

const stopKey = (matter: unknown, kind: string, from: unknown) => `${matter}|${kind}|${from}`;

/** Each special-procedure row is one of its matter's clock stops, with the same start and end, and each stop has its row. */
function reconcileStops(rows: SpglRow[], stops: readonly ExportedStop[]): Finding[] {
  const findings: Finding[] = [];
  const byKey = new Map(stops.map((s) => [stopKey(s.matterInstance, s.kind, s.from), s]));
  const matched = new Set<string>();
  for (const row of rows) {
    const kind = row.TBCX === 1 ? 'supplement' : 'specialProcedure';
    const k = stopKey(row.SPSXSLBM, kind, row.TBCXKSSJ);
    const stop = byKey.get(k);
    const add = (field: string | null, message: string) => findings.push({ table: 'XMSPSXBLTBCXXXB', key: keyOf(row), field, rule: 'stopReconciliation', message });
    if (!stop) {
      add('TBCXKSSJ', `no ${kind} stop of ${row.SPSXSLBM} starts at ${row.TBCXKSSJ}`);
      continue;
    }
    matched.add(k);
    if ((row.TBCXJSSJ ?? null) !== stop.to) add('TBCXJSSJ', `the stop of ${row.SPSXSLBM} from ${stop.from} ends at ${stop.to ?? '(still open)'}, the row says ${row.TBCXJSSJ ?? '(still open)'}`);
  }
  for (const s of stops) {
    const k = stopKey(s.matterInstance, s.kind, s.from);
    if (!matched.has(k)) findings.push({ table: 'XMSPSXBLTBCXXXB', key: `${s.matterInstance}`, field: null, rule: 'stopReconciliation', message: `the ${s.kind} stop of ${s.matterInstance} from ${s.from} has no row` });
  }
  return findings;
}

/** The contract's own steps close it: accepted, terminated (replaced) or cancelled. */
const CLOSING_CONTRACT_STEPS = new Set(['4', '5', '6']);

/** Each contract's steps lie within its span: the first is its contracting, none comes after the step that closed it. */
function contractSpans(rows: SpglRow[]): Finding[] {
  const findings: Finding[] = [];
  const byContract = new Map<string, SpglRow[]>();
  for (const row of rows) byContract.set(String(row.ZJFWSXSLBM), [...(byContract.get(String(row.ZJFWSXSLBM)) ?? []), row]);
  for (const [contract, steps] of byContract) {
    const ordered = [...steps].sort((a, b) => String(a.BLSJ).localeCompare(String(b.BLSJ)));
    const add = (row: SpglRow, message: string) => findings.push({ table: 'ZJFWSXBLGCXXB', key: keyOf(row), field: 'BLSJ', rule: 'contractSpan', message });
    if (ordered[0]!.BLZT !== '1') add(ordered[0]!, `the first step of ${contract} is not its contracting (BLZT 1)`);
    const close = ordered.find((r) => CLOSING_CONTRACT_STEPS.has(String(r.BLZT)));
    if (close) for (const r of ordered) if (String(r.BLSJ) > String(close.BLSJ)) add(r, `${contract} closed at ${close.BLSJ}; this step at ${r.BLSJ} is after it`);
  }
  return findings;
}

/** The standard's 时限类型 of a contract's committed days. */
const DAY_KIND_CODE = { working: 1, calendar: 2 } as const;

/**
 * Each contract row is one of the application's contracts, and says what it says: its committed
 * days and their kind (from which the committed due date counts), its start (the contracting step)
 * and its actual end (the step that closed it: accepted, terminated, cancelled); each of its steps
 * lies inside that span; each contract has its row.
 */
function reconcileContracts(rows: SpglRow[], steps: SpglRow[], contracts: readonly ExportedContract[]): Finding[] {
  const findings: Finding[] = [];
  const byInstance = new Map(contracts.map((c) => [c.contractInstance, c]));
  const stepsOf = new Map<string, SpglRow[]>();
  for (const s of steps) stepsOf.set(String(s.ZJFWSXSLBM), [...(stepsOf.get(String(s.ZJFWSXSLBM)) ?? []), s]);
  const matched = new Set<string>();
  for (const row of rows) {
    const instance = String(row.ZJFWSXSLBM);
    const add = (field: string | null, message: string) => findings.push({ table: 'ZJFWSXBLXXB', key: keyOf(row), field, rule: 'contractReconciliation', message });
    const c = byInstance.get(instance);
    if (!c) {
      add('ZJFWSXSLBM', `the application has no contract ${instance}`);
      continue;
    }
    matched.add(instance);
    if (row.BLSX !== c.committedDays) add('BLSX', `${instance} was committed for ${c.committedDays} days, the row says ${row.BLSX}`);
    if (row.SXLX !== DAY_KIND_CODE[c.dayKind]) add('SXLX', `${instance} counts ${c.dayKind} days (${DAY_KIND_CODE[c.dayKind]}), the row says ${row.SXLX}`);
    const own = stepsOf.get(instance) ?? [];
    const started = own.find((s) => s.BLZT === '1');
    if (started?.BLSJ !== c.start) add(null, `${instance} started at ${c.start}, its contracting step says ${started?.BLSJ ?? '(none)'}`);
    const closed = own.find((s) => CLOSING_CONTRACT_STEPS.has(String(s.BLZT)));
    if ((closed?.BLSJ ?? null) !== c.end) add(null, `${instance} ended at ${c.end ?? '(still open)'}, its rows say ${closed?.BLSJ ?? '(still open)'}`);
    for (const s of own) {
      const at = String(s.BLSJ);
      if (at < c.start || (c.end !== null && at > c.end))
        findings.push({ table: 'ZJFWSXBLGCXXB', key: keyOf(s), field: 'BLSJ', rule: 'contractReconciliation', message: `${at} is outside ${instance}'s span (${c.start} to ${c.end ?? '(still open)'})` });
    }
  }
  for (const c of contracts)
    if (!matched.has(c.contractInstance)) findings.push({ table: 'ZJFWSXBLXXB', key: c.contractInstance, field: null, rule: 'contractReconciliation', message: `the contract ${c.contractInstance} has no row` });
  return findings;
}
