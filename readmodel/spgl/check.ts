import type { ExportedContract, ExportedStop } from './export';
import { CODE_LISTS, HANDLING_STEP, stopStepCodes, TABLES, type FieldSpec, type SpglRow, type SpglTableName, type SpglTables } from './standard';

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
  if (options.stops && (tables.XMSPSXBLTBCXXXB || tables.XMSPSXBLXXXXB))
    findings.push(...reconcileStops(tables.XMSPSXBLTBCXXXB ? validRows('XMSPSXBLTBCXXXB') : null, tables.XMSPSXBLXXXXB ? validRows('XMSPSXBLXXXXB') : null, options.stops));
  if (options.contracts && tables.ZJFWSXBLXXB) findings.push(...reconcileContracts(validRows('ZJFWSXBLXXB'), validRows('ZJFWSXBLGCXXB'), options.contracts));
  return findings;
}

/** A multiset of strings: how many times each was seen. */
function tally(values: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return counts;
}

/**
 * The matters' clock stops as the rows report them. Every stop shows as its start step at its
 * start and, once ended, its end step at its end (a supplement 补正 6 and 7, any other 特别程序 9
 * and 10); every stop but a supplement has its special-procedure row starting at its start; and
 * every such step and row is one of the stops (counted, so two stops at one instant need two of each).
 */
function reconcileStops(procedures: SpglRow[] | null, steps: SpglRow[] | null, stops: readonly ExportedStop[]): Finding[] {
  const findings: Finding[] = [];
  const procedureRows = procedures ?? [];
  const expectedSteps = stops.flatMap((s) => {
    const codes = stopStepCodes(s.kind);
    return [`${s.matterInstance}|${codes.start}|${s.from}`, ...(s.to === null ? [] : [`${s.matterInstance}|${codes.end}|${s.to}`])];
  });
  if (steps) {
    const stopCodes = new Set([HANDLING_STEP.supplementStarted, HANDLING_STEP.supplementEnded, HANDLING_STEP.procedureStarted, HANDLING_STEP.procedureEnded].map(Number));
    const stepRows = steps.filter((r) => stopCodes.has(Number(r.BLZT)));
    const expected = tally(expectedSteps);
    const found = tally(stepRows.map((r) => `${r.SPSXSLBM}|${r.BLZT}|${r.BLSJ}`));
    for (const row of stepRows) {
      const k = `${row.SPSXSLBM}|${row.BLZT}|${row.BLSJ}`;
      if ((expected.get(k) ?? 0) > 0) expected.set(k, expected.get(k)! - 1);
      else findings.push({ table: 'XMSPSXBLXXXXB', key: keyOf(row), field: 'BLSJ', rule: 'stopReconciliation', message: `no clock stop of ${row.SPSXSLBM} starts or ends with BLZT ${row.BLZT} at ${row.BLSJ}` });
    }
    for (const [k, n] of expected) {
      if (n <= 0) continue;
      const [matter, code, at] = k.split('|');
      findings.push({ table: 'XMSPSXBLXXXXB', key: matter!, field: null, rule: 'stopReconciliation', message: `a clock stop of ${matter} has no step BLZT ${code} at ${at}${(found.get(k) ?? 0) > 0 ? ' (fewer steps than stops)' : ''}` });
    }
  }
  if (procedures) {
    const expected = tally(stops.filter((s) => s.kind !== 'supplement').map((s) => `${s.matterInstance}|${s.from}`));
    for (const row of procedureRows) {
      const k = `${row.SPSXSLBM}|${row.TBCXKSSJ}`;
      if ((expected.get(k) ?? 0) > 0) expected.set(k, expected.get(k)! - 1);
      else findings.push({ table: 'XMSPSXBLTBCXXXB', key: keyOf(row), field: 'TBCXKSSJ', rule: 'stopReconciliation', message: `no clock stop of ${row.SPSXSLBM} (other than a supplement) starts at ${row.TBCXKSSJ}` });
    }
    for (const [k, n] of expected) {
      if (n <= 0) continue;
      const [matter, from] = k.split('|');
      findings.push({ table: 'XMSPSXBLTBCXXXB', key: matter!, field: null, rule: 'stopReconciliation', message: `the clock stop of ${matter} from ${from} has no special-procedure row` });
    }
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
