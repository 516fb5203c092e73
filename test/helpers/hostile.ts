import fc from 'fast-check';
import { z } from 'zod';
import { CODE_PATTERN } from '../../contracts/fields';
import type { Operation } from '../../api/operation';
import type { RawRequest } from './raw-http';

/**
 * Hostile requests derived from the operations' own declarations: a valid request is built by
 * walking the JSON Schema of each operation's zod schemas (z.toJSONSchema, input side), with
 * leaf values taken from the catalogue, then one to three hostile mutations are applied to a
 * value, to the shape, or to the HTTP framing. All randomness goes through fast-check's `gen`,
 * so a seed replays the same requests.
 */
export type Gen = fc.GeneratorValue;

/** JSON text written verbatim: what JSON.stringify cannot write (NaN, 1e400, -0, 100,000 levels of nesting). */
export class RawJson {
  constructor(readonly text: string) {}
}

/** A path segment or query value sent as is, without percent-encoding. */
export class RawSegment {
  constructor(readonly text: string) {}
}

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  prefixItems?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  pattern?: string;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  default?: unknown;
  $ref?: string;
  $defs?: Record<string, JsonSchema>;
}

/** The input side of a zod schema as JSON Schema; refinements it cannot express become `{}`. */
export function jsonSchemaOf(schema: z.ZodType): JsonSchema {
  let s = schemas.get(schema);
  if (!s) {
    try {
      s = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
    } catch {
      s = {};
    }
    schemas.set(schema, s);
  }
  return s;
}
const schemas = new WeakMap<z.ZodType, JsonSchema>();

/** Codes and ids the catalogue and the test principals know: what a valid request names. */
export interface Vocabulary {
  processes: string[];
  stages: string[];
  matters: string[];
  stage1Matters: string[];
  /** Matters of the tracked process by department: an officer mostly names its own, so requests reach the workflow's rules. */
  mattersByDepartment: Record<string, string[]>;
  materials: string[];
  stage1Materials: string[];
  departments: string[];
  serviceTypes: string[];
  providers: string[];
  zones: string[];
  applicants: string[];
}

/** The applications the fuzz points `:id` at. */
export interface Targets {
  /** Most requests: its state is compared before and after. */
  tracked: string;
  /** Takes the requests that could end an application (withdraw, reject), so the tracked one stays open. */
  spare: string;
}

/** A caller: a label for the report and the Authorization header values it may send (none: no header). */
export interface Caller {
  label: string;
  /** The principal's role, or undefined for no or a bad token. */
  role?: string;
  /** An officer's department. */
  department?: string;
  authorizations: (string | undefined)[];
}

export interface Mutation {
  /** Family, for grouping: lone-surrogate, nul, long-200k, wrong-type, bogus-cursor, invalid-json… */
  kind: string;
  /** Where: body.reason, path.id, query.after, header content-type… */
  where: string;
}

export interface FuzzRequest {
  op: Operation;
  caller: Caller;
  raw: RawRequest;
  mutations: Mutation[];
  /** Path parameters as the handler would see them (before encoding). */
  params: Record<string, unknown>;
  /** Every string the caller sent of more than 200 characters (an echo of one is a finding). */
  longStrings: string[];
  /** Did the request, before its mutations, pass the operation's own zod schemas? */
  baseValid: boolean;
}

export interface BuildContext {
  vocab: Vocabulary;
  targets: Targets;
  /** A unique tag per request, put at both ends of every long string, so an echo is attributed to its request. */
  nonce: string;
  /** The caller's department, when an officer. */
  department?: string;
}

// ---------------------------------------------------------------------------------------------
// Small helpers over fast-check's gen (uniform when the run uses fc.unbiased()).

const int = (g: Gen, min: number, max: number): number => g(fc.integer, { min, max });
export const pick = <T>(g: Gen, xs: readonly T[]): T => xs[int(g, 0, xs.length - 1)]!;
const chance = (g: Gen, p: number): boolean => int(g, 0, 9999) < p * 10000;
function weighted<T>(g: Gen, entries: readonly [number, T][]): T {
  const total = entries.reduce((a, [w]) => a + w, 0);
  let r = int(g, 0, total - 1);
  for (const [w, v] of entries) {
    if (r < w) return v;
    r -= w;
  }
  return entries[entries.length - 1]![1];
}

// ---------------------------------------------------------------------------------------------
// Valid values from a JSON Schema, with leaves from the catalogue by field name.

interface ValueCtx {
  op: Operation;
  where: 'path' | 'query' | 'body';
  key: string;
  parent: string;
  build: BuildContext;
  /** A `year` already generated in this body (calendar publication): its dates fall in it. */
  state: { year?: number };
}

const DATE_KEYS = new Set(['acceptedOn', 'on', 'from', 'to', 'publishedOn', 'date', 'validUntil', 'completedOn']);

/** Base64url of a JSON text: the shape of the list cursors. */
export const cursorOf = (key: unknown) => Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');

function saturdayIn(year: number): string {
  const d = new Date(Date.UTC(year, 8, 1));
  while (d.getUTCDay() !== 6) d.setUTCDate(d.getUTCDate() + 1);
  return d.toISOString().slice(0, 10);
}

function knownStrings(c: ValueCtx): string[] {
  const v = c.build.vocab;
  const k = c.key;
  if (c.where === 'path') {
    if (k === 'code') {
      if (c.op.path.includes('/processes/')) return v.processes;
      const own = c.build.department ? (v.mattersByDepartment[c.build.department] ?? []) : [];
      return own.length ? [...own, ...own, ...own, ...v.stage1Matters] : v.stage1Matters;
    }
    if (k === 'stage') return v.stages;
    if (k === 'type') return v.serviceTypes;
    if (k === 'sid') return ['00000000-0000-4000-8000-000000000000'];
    if (k === 'id') return [c.build.targets.tracked];
  }
  if (DATE_KEYS.has(k)) {
    const y = c.state.year;
    if (y !== undefined) {
      if (k === 'date') return [saturdayIn(y)];
      if (k === 'from') return [`${y}-10-01`];
      if (k === 'to') return [`${y}-10-07`];
      return [`${y - 1}-12-01`];
    }
    if (k === 'from') return ['2026-01-01', '2026-02-01'];
    if (k === 'to') return ['2026-06-30', '2026-12-31'];
    return ['2026-03-02', '2026-09-30', '2027-01-15'];
  }
  switch (k) {
    case 'processCode':
      return v.processes;
    case 'zone':
      return v.zones;
    case 'materials':
    case 'items':
      return v.stage1Materials;
    case 'provider':
      return v.providers;
    case 'department':
      return v.departments;
    case 'stage':
      return v.stages;
    case 'serviceType':
      return v.serviceTypes;
    case 'applicantId':
      return v.applicants;
    case 'id':
      return c.parent === 'applicant' ? v.applicants : ['fuzz-id-1'];
    case 'eventTypes':
      return ['*', 'approved', 'accepted', 'rejected'];
    case 'url':
      // Loopback and a closed port: a subscription the fuzz creates never calls out.
      return ['http://127.0.0.1:9/hooks/fuzz', 'https://127.0.0.1:9/h'];
    case 'projectName':
    case 'name':
    case 'title':
      return ['浏阳市第一中学新校区建设项目', '经开区智能装备产业园', 'Fuzz project'];
    case 'number':
      return ['浏发改〔2026〕1号', 'No. 2026-001'];
    case 'reason':
    case 'reasons':
    case 'note':
    case 'for':
      return ['补充地下水影响评价', '请三日内办结', 'checked on site'];
    case 'projectCode':
      return ['2026-430181-47-01-000123'];
    case 'applicantCreditCode':
      return ['91350100M000100Y43'];
    case 'ref':
      return ['https://docs.liuyang.gov.cn/files/af-001', 'DOC-2026-000731'];
    case 'approvedBy':
      return ['张局长', 'head of department'];
    case 'after':
      return [cursorOf(['2026-03-02T00:00:00+08:00', c.build.targets.tracked, 'LY01'])];
  }
  return [];
}

function fits(s: string, schema: JsonSchema): boolean {
  if (schema.minLength !== undefined && s.length < schema.minLength) return false;
  if (schema.maxLength !== undefined && s.length > schema.maxLength) return false;
  if (schema.pattern !== undefined) {
    try {
      if (!new RegExp(schema.pattern, 'u').test(s)) return false;
    } catch {
      return true;
    }
  }
  return true;
}

function validString(g: Gen, s: JsonSchema, c: ValueCtx): string {
  const known = knownStrings(c).filter((x) => fits(x, s));
  if (known.length) return pick(g, known);
  if (s.format === 'uri' || s.format === 'url') return 'http://127.0.0.1:9/hooks/fuzz';
  if (s.format === 'uuid') return '00000000-0000-4000-8000-000000000000';
  if (s.pattern !== undefined) {
    try {
      const re = new RegExp(s.pattern);
      const x = g(fc.stringMatching, re, { size: 'xsmall' });
      if (fits(x, s)) return x;
    } catch {
      // a pattern fast-check cannot generate from: fall through to a plain value
    }
  }
  const plain = 'fuzz value';
  if (fits(plain, s)) return plain;
  return 'x'.repeat(Math.max(1, s.minLength ?? 1));
}

function validNumber(g: Gen, s: JsonSchema, c: ValueCtx, integer: boolean): number {
  const step = integer ? 1 : 0.01;
  let lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + step : 0);
  let hi = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - step : lo + 100);
  const byKey: Record<string, [number, number]> = { limit: [1, 50], workingDays: [0, 20], days: [1, 5], expectedWorkingDays: [1, 5], quoteYuan: [100, 90000], year: [2030, 2040] };
  const k = byKey[c.key];
  if (k) {
    lo = Math.max(lo, k[0]);
    hi = Math.min(hi, k[1]);
  }
  if (hi < lo) hi = lo;
  const n = int(g, Math.ceil(lo), Math.max(Math.ceil(lo), Math.floor(Math.min(hi, lo + 1e6))));
  if (c.key === 'year') c.state.year = n;
  return n;
}

function resolve(s: JsonSchema, root: JsonSchema): JsonSchema {
  if (!s.$ref) return s;
  if (s.$ref === '#') return root;
  const name = /^#\/(?:\$defs|definitions)\/(.+)$/.exec(s.$ref)?.[1];
  return (name && root.$defs?.[name]) || {};
}

function merge(parts: JsonSchema[]): JsonSchema {
  const out: JsonSchema = { type: 'object', properties: {}, required: [] };
  for (const p of parts) {
    Object.assign(out.properties!, p.properties ?? {});
    out.required!.push(...(p.required ?? []));
  }
  return out;
}

export function validValue(g: Gen, schema: JsonSchema, c: ValueCtx, root: JsonSchema = schema, depth = 0): unknown {
  const s = resolve(schema, root);
  if (depth > 8) return null;
  if ('const' in s) return s.const;
  if (s.enum?.length) return pick(g, s.enum);
  if (s.allOf?.length) return validValue(g, merge(s.allOf.map((x) => resolve(x, root))), c, root, depth + 1);
  const variants = s.oneOf ?? s.anyOf;
  if (variants?.length) return validValue(g, pick(g, variants), c, root, depth + 1);
  const type = Array.isArray(s.type) ? (s.type.find((t) => t !== 'null') ?? 'null') : (s.type ?? (s.properties ? 'object' : undefined));
  switch (type) {
    case 'object': {
      const obj: Record<string, unknown> = {};
      const required = new Set(s.required ?? []);
      for (const [k, sub] of Object.entries(s.properties ?? {})) {
        if (!required.has(k) && !chance(g, sub.default !== undefined ? 0.5 : 0.6)) continue;
        obj[k] = validValue(g, sub, { ...c, key: k, parent: c.key }, root, depth + 1);
      }
      return obj;
    }
    case 'array': {
      const item = s.items ?? {};
      const min = s.minItems ?? 0;
      const max = Math.min(s.maxItems ?? Infinity, Math.max(min, 3));
      const known = resolve(item, root).type === 'string' ? knownStrings(c).filter((x) => fits(x, resolve(item, root))) : [];
      if (known.length >= min) return g(fc.shuffledSubarray, known, { minLength: Math.min(min, known.length), maxLength: Math.min(max, known.length) });
      return Array.from({ length: int(g, min, max) }, () => validValue(g, item, c, root, depth + 1));
    }
    case 'string':
      return validString(g, s, c);
    case 'integer':
      return validNumber(g, s, c, true);
    case 'number':
      return validNumber(g, s, c, false);
    case 'boolean':
      return chance(g, 0.5);
    case 'null':
      return null;
    default:
      return 'fuzz';
  }
}

// ---------------------------------------------------------------------------------------------
// Hostile values.

const LONG_SIZES = [10_240, 204_800];

/** A long string: its nonce at both ends, so the report can tell whose it is if it comes back. */
function longString(g: Gen, nonce: string): { value: string; kind: string } {
  const size = weighted(g, [
    [5, LONG_SIZES[0]!],
    [1, LONG_SIZES[1]!],
  ]);
  const label = size > 100_000 ? '200k' : '10k';
  const filler = pick(g, [
    ['ascii', 'a'],
    ['cjk', '审批'],
    ['nul', '\u0000'],
    ['lone-surrogate', '\ud800'],
    ['bidi', '\u202e\u2066'],
    ['emoji', '👨‍👩‍👧'],
  ] as const);
  const body = filler[1].repeat(Math.ceil(size / filler[1].length)).slice(0, size);
  return { value: `${nonce}${body}${nonce}`, kind: `long-${label}-${filler[0]}` };
}

const LONE_SURROGATES = ['\ud800', 'a\udfffb', '\udc00\ud800', 'LY01\ud83d', '\udbff'];
const CONTROL = ['\u0000', 'a\u0000b', '\u0007', '\u0008', '\u000b', '\u000c', '\u001b[31mred', '\r\n', '\u007f', '\u0085', '\u009b', '\u0080'];
const BIDI = ['\u202e', 'abc\u202edcba\u202c', '\u2066x\u2069', '\u200f', '\u061c', '\u202dLY01'];
const INVISIBLE = ['\u200b', '\ufeff', '\u00ad', '\u2028', '\u2029', ' ', '\u3000', '\t\n ', ''];
const PERCENT = ['%', '%00', '%zz', '..', '../../etc/passwd', '.', '/', '\\', '%2e%2e%2f', '%ED%A0%80', '%C0%AF'];
const UNICODE = ['申请', '😀', '👨‍👩‍👧', 'e\u0301', 'ＬＹ０１', 'İ', 'ß', 'Ⅸ', '\u{10FFFF}', '\ufffd'];
const NUMERIC_STRINGS = ['NaN', 'Infinity', '-Infinity', '1e308', '-1', '0', '9007199254740993', '0x1F', ' 1 ', '1.5', '-0', '1e400'];
const INJECTION = ["' OR '1'='1", '<script>alert(1)</script>', '${7*7}', '{{7*7}}', 'null', 'undefined', '__proto__', 'constructor', 'toString', 'SELECT pg_sleep(30)'];
const DATES = ['9999-12-31', '0000-01-01', '2026-02-30', '2026-02-29', '2024-02-29', '2026-13-01', '2026-00-10', '2026-1-1', '+002026-01-01', '-000001-01-01', '2026-01-01T00:00:00Z', '20260101', '1899-12-31', '2200-01-01', '２０２６-０１-０１', '2026-01-01\u0000', '1970-01-01', '2100-12-31'];
const SURROGATE_UNIT = fc.integer({ min: 0xd800, max: 0xdfff }).map((n) => String.fromCharCode(n));

/** A string that should never pass a well-behaved edge, or that probes it. */
function hostileString(g: Gen, nonce: string): { value: string; kind: string } {
  return weighted<() => { value: string; kind: string }>(g, [
    [3, () => ({ value: pick(g, LONE_SURROGATES), kind: 'lone-surrogate' })],
    [1, () => ({ value: g(fc.string, { unit: SURROGATE_UNIT, minLength: 1, maxLength: 4 }), kind: 'lone-surrogate' })],
    [3, () => ({ value: pick(g, CONTROL), kind: 'control-char' })],
    [1, () => ({ value: String.fromCharCode(int(g, 0, 31)), kind: 'control-char' })],
    [1, () => ({ value: String.fromCharCode(int(g, 0x80, 0x9f)), kind: 'control-char' })],
    [2, () => ({ value: pick(g, BIDI), kind: 'bidi' })],
    [2, () => ({ value: pick(g, INVISIBLE), kind: 'blank-or-invisible' })],
    [4, () => longString(g, nonce)],
    [2, () => ({ value: pick(g, PERCENT), kind: 'percent-or-dots' })],
    [2, () => ({ value: pick(g, UNICODE), kind: 'unicode' })],
    [2, () => ({ value: pick(g, NUMERIC_STRINGS), kind: 'numeric-string' })],
    [1, () => ({ value: pick(g, INJECTION), kind: 'injection' })],
    [2, () => ({ value: g(fc.string, { unit: 'binary', maxLength: 24 }), kind: 'random-binary' })],
    [1, () => ({ value: g(fc.string, { unit: 'binary-ascii', maxLength: 24 }), kind: 'random-binary' })],
  ])();
}

/** Numbers JSON can carry, and some it cannot (written raw: NaN, 1e400, -0). */
function hostileNumber(g: Gen): { value: unknown; kind: string } {
  return pick(g, [
    { value: new RawJson('NaN'), kind: 'nan' },
    { value: new RawJson('1e400'), kind: 'infinity' },
    { value: new RawJson('-1e400'), kind: 'infinity' },
    { value: new RawJson('-0'), kind: 'negative-zero' },
    { value: 1e308, kind: 'huge-number' },
    { value: -1, kind: 'negative' },
    { value: 0, kind: 'zero' },
    { value: 2 ** 53, kind: '2^53' },
    { value: new RawJson('9007199254740993'), kind: '2^53' },
    { value: 0.5, kind: 'fraction' },
    { value: 1e-300, kind: 'fraction' },
    { value: -(2 ** 31), kind: 'negative' },
    { value: 2 ** 31, kind: 'huge-number' },
    { value: 1e21, kind: 'huge-number' },
  ]);
}

/** Bogus list cursors: base64url of JSON with impossible timestamps, NULs, out-of-range numbers; or no base64 at all. */
function bogusCursor(g: Gen, nonce: string): string {
  const keys: unknown[] = [
    ['not-a-timestamp', 'app-x', 'LY01'],
    ['9999-99-99T99:99:99Z', 'a', 'b'],
    ['infinity', 'x', 'y'],
    ['-infinity', 'x'],
    ['294277-01-01T00:00:00Z', 'x', 'y'],
    [1e308, '2026-01-01T00:00:00+08:00', 'a', 'b'],
    [99999, '2026-01-01T00:00:00+08:00', 'a', 'b'],
    [-1.5, '2026-01-01T00:00:00+08:00', 'a', 'b'],
    ['2026-01-01T00:00:00+08:00', '\u0000', '\u0000'],
    ['2026-01-01\u0000', 'app-x', 'LY01'],
    ['\ud800', '\ud800', '\ud800'],
    ['2026-01-01T00:00:00+08:00', 'app-x', 'LY01', 'extra'],
    [],
    {},
    null,
    'x',
    [[[]]],
    [`${nonce}${'9'.repeat(300)}`, 'x', 'y'],
  ];
  return weighted<() => string>(g, [
    [8, () => cursorOf(pick(g, keys))],
    [1, () => Buffer.from(JSON.stringify(pick(g, keys))).toString('base64')],
    [1, () => pick(g, ['!!!', '%%%', 'A', '====', 'e30', '\u0000', 'bnVsbA'])],
  ])();
}

function allCodes(v: Vocabulary): string[] {
  return [...v.processes, ...v.stages, ...v.matters, ...v.materials, ...v.departments, ...v.serviceTypes, ...v.providers, ...v.zones];
}

/** A replacement for a value: the family depends on what was there and what the field names. */
function hostileValue(g: Gen, current: unknown, key: string, b: BuildContext): { value: unknown; kind: string } {
  const families: [number, () => { value: unknown; kind: string }][] = [
    [10, () => hostileString(g, b.nonce)],
    [3, () => hostileNumber(g)],
    [2, () => pick(g, [
      { value: null, kind: 'wrong-type' },
      { value: true, kind: 'wrong-type' },
      { value: {}, kind: 'wrong-type' },
      { value: typeof current === 'string' ? [current] : [], kind: 'wrong-type' },
      { value: typeof current === 'number' ? String(current) : 42, kind: 'wrong-type' },
      { value: { $gt: '' }, kind: 'wrong-type' },
    ])],
    [2, () => ({ value: [], kind: 'empty-array' })],
    [1, () => ({ value: Array.from({ length: 5000 }, (_, i) => (Array.isArray(current) && current.length ? current[i % current.length] : `M_${i}`)), kind: 'array-5000' })],
    [1, () => ({ value: Array.from({ length: 5000 }, () => '\u0000'), kind: 'array-5000' })],
    [1, () => {
      const n = pick(g, [64, 1000, 100_000]);
      return pick(g, [
        { value: new RawJson('['.repeat(n) + ']'.repeat(n)), kind: `deep-nesting-${n}` },
        { value: new RawJson('{"a":'.repeat(n) + '1' + '}'.repeat(n)), kind: `deep-nesting-${n}` },
      ]);
    }],
    [2, () => ({ value: g(fc.stringMatching, CODE_PATTERN), kind: 'unknown-code' })],
    [1, () => ({ value: pick(g, ['ZZ99', 'NOPE', 'LY99', 'S9', 'M_NOPE', 'P_NOPE']), kind: 'unknown-code' })],
    [2, () => ({ value: pick(g, allCodes(b.vocab)), kind: 'catalogue-code' })],
    [1, () => ({ value: pick(g, DATES), kind: 'bad-date' })],
    [1, () => ({ value: bogusCursor(g, b.nonce), kind: 'bogus-cursor' })],
  ];
  if (DATE_KEYS.has(key)) families.push([12, () => ({ value: pick(g, DATES), kind: 'bad-date' })]);
  if (key === 'after') families.push([20, () => ({ value: bogusCursor(g, b.nonce), kind: 'bogus-cursor' })]);
  if (typeof current === 'number') families.push([8, () => hostileNumber(g)], [3, () => ({ value: pick(g, NUMERIC_STRINGS), kind: 'string-for-number' })]);
  if (typeof current === 'string' && /^[A-Z][A-Z0-9_]+$/.test(current)) {
    families.push([6, () => ({ value: pick(g, allCodes(b.vocab)), kind: 'catalogue-code' })], [4, () => ({ value: g(fc.stringMatching, CODE_PATTERN), kind: 'unknown-code' })]);
  }
  if (Array.isArray(current)) families.push([4, () => ({ value: [], kind: 'empty-array' })], [3, () => ({ value: Array.from({ length: 5000 }, (_, i) => current[i % Math.max(1, current.length)] ?? 'x'), kind: 'array-5000' })]);
  return weighted(g, families)();
}

/** A near miss of an existing string: a hostile fragment before, inside or after it. */
function tweakString(g: Gen, s: string, b: BuildContext): { value: string; kind: string } {
  const frag = weighted<() => { value: string; kind: string }>(g, [
    [3, () => ({ value: pick(g, LONE_SURROGATES), kind: 'lone-surrogate' })],
    [3, () => ({ value: pick(g, CONTROL), kind: 'control-char' })],
    [2, () => ({ value: pick(g, BIDI), kind: 'bidi' })],
    [2, () => ({ value: pick(g, INVISIBLE.filter(Boolean)), kind: 'blank-or-invisible' })],
    [1, () => ({ value: pick(g, PERCENT), kind: 'percent-or-dots' })],
    [1, () => longString(g, b.nonce)],
  ])();
  const variants = [
    { value: frag.value + s, kind: `${frag.kind}-prefix` },
    { value: s + frag.value, kind: `${frag.kind}-suffix` },
    { value: s.slice(0, 1) + frag.value + s.slice(1), kind: `${frag.kind}-inside` },
    { value: s.toLowerCase(), kind: 'lower-case' },
    { value: ` ${s} `, kind: 'padded' },
  ];
  return pick(g, variants);
}

const UNKNOWN_FIELDS: [string, unknown][] = [
  ['unknownField', 'x'],
  ['isAdmin', true],
  ['role', 'admin'],
  ['actor', { id: 'admin', role: 'admin' }],
  ['status', 'approved'],
  ['applicationId', 'app-00000000-0000-0000-0000-000000000000'],
  ['department', 'DRC'],
];
const PROTO_FIELDS: [string, unknown][] = [
  ['__proto__', { polluted: 'fuzz' }],
  ['constructor', { prototype: { polluted: 'fuzz' } }],
  ['prototype', { polluted: 'fuzz' }],
  ['hasOwnProperty', 'x'],
  ['toString', 1],
  ['__defineGetter__', 'x'],
];

/** Own, enumerable property, even for "__proto__". */
function defineKey(obj: object, key: string, value: unknown): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

// ---------------------------------------------------------------------------------------------
// Slots: every place in a request a value can be swapped.

type Part = 'path' | 'query' | 'body';
interface Slot {
  part: Part;
  at: (string | number)[];
  value: unknown;
}

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof RawJson) && !(v instanceof RawSegment);

function slotsOf(part: Part, value: unknown, at: (string | number)[] = [], out: Slot[] = []): Slot[] {
  if (at.length || part === 'body') out.push({ part, at, value });
  if (isPlain(value)) for (const k of Object.keys(value)) slotsOf(part, value[k], [...at, k], out);
  else if (Array.isArray(value)) value.slice(0, 3).forEach((v, i) => slotsOf(part, v, [...at, i], out));
  return out;
}

function setAt(root: { value: unknown }, at: (string | number)[], v: unknown): void {
  if (!at.length) {
    root.value = v;
    return;
  }
  let cur: any = root.value;
  for (const k of at.slice(0, -1)) cur = cur[k];
  const last = at[at.length - 1]!;
  if (typeof last === 'string') defineKey(cur, last, v);
  else cur[last] = v;
}

const whereOf = (s: { part: Part; at: (string | number)[] }) => [s.part, ...s.at.map(String)].join('.');

// ---------------------------------------------------------------------------------------------
// Serialisation.

/** JSON text of a value: RawJson goes in verbatim; own keys named __proto__ are kept. */
export function toJsonText(v: unknown): string {
  if (v instanceof RawJson) return v.text;
  if (v instanceof RawSegment) return JSON.stringify(v.text);
  if (v === undefined) return 'null';
  if (v === null || typeof v !== 'object') return typeof v === 'number' && !Number.isFinite(v) ? String(v) : JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(toJsonText).join(',')}]`;
  return `{${Object.keys(v).map((k) => `${JSON.stringify(k)}:${toJsonText((v as Record<string, unknown>)[k])}`).join(',')}}`;
}

/**
 * Percent-encoding of the string's code units as (generalised) UTF-8: a lone surrogate goes out
 * as its three bytes (%ED%A0%80), which is what a client that does not check sends.
 */
export function percentEncode(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (/[A-Za-z0-9\-_.!~*'()]/.test(s[i]!)) {
      out += s[i];
      continue;
    }
    let cp = c;
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    const bytes =
      cp < 0x80 ? [cp]
      : cp < 0x800 ? [0xc0 | (cp >> 6), 0x80 | (cp & 63)]
      : cp < 0x10000 ? [0xe0 | (cp >> 12), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)]
      : [0xf0 | (cp >> 18), 0x80 | ((cp >> 12) & 63), 0x80 | ((cp >> 6) & 63), 0x80 | (cp & 63)];
    out += bytes.map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  return out;
}

function wireText(v: unknown): { text: string; raw: boolean } {
  if (v instanceof RawSegment) return { text: v.text, raw: true };
  if (v instanceof RawJson) return { text: v.text, raw: false };
  if (typeof v === 'string') return { text: v, raw: false };
  if (v === undefined) return { text: '', raw: false };
  return { text: typeof v === 'object' && v !== null ? toJsonText(v) : String(v), raw: false };
}

function queryString(q: Record<string, unknown>): string {
  const pairs: string[] = [];
  for (const k of Object.keys(q)) {
    const v = q[k];
    if (v === undefined) continue;
    // An array of scalars is a repeated parameter (?a=1&a=2): what a scalar field must refuse.
    const values = Array.isArray(v) && v.length <= 50 && v.every((x) => x === null || typeof x !== 'object') ? v : [v];
    for (const x of values) {
      const w = wireText(x);
      pairs.push(`${percentEncode(k)}=${w.raw ? w.text : percentEncode(w.text)}`);
    }
  }
  return pairs.length ? `?${pairs.join('&')}` : '';
}

/** Strings of more than 200 characters anywhere in a value. */
function longStringsIn(v: unknown, out: string[] = []): string[] {
  if (typeof v === 'string') {
    if (v.length > 200) out.push(v);
  } else if (v instanceof RawSegment) {
    if (v.text.length > 200) out.push(v.text);
  } else if (Array.isArray(v)) v.slice(0, 10).forEach((x) => longStringsIn(x, out));
  else if (isPlain(v)) for (const k of Object.keys(v)) longStringsIn(v[k], out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// The request builder.

/** What a path segment may be sent as without encoding (everything else is percent-encoded). */
const RAW_SEGMENTS = ['%', '%00', '..', '.', '%zz', '%2F', '%252F', '%2e%2e', '申请', 'app-\u202e', '😀', 'a/b', ';x', '%C0%AF', '%ED%A0%80', '%FF', '~'];
const BAD_JSON = ['{"processCode":', '{', '[', 'nul', "{'a':1}", '{"a":1,}', 'NaN', '{"a":NaN}', '\u0000', '\ufeff{}', '', 'true', '"string"', '123', 'null', '{"a":"\\x00"}', '{"a":"\\ud800"', '{"a":1}{"b":2}', '{"a":01}'];
const CONTENT_TYPES = ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/JSON', 'application/json, text/plain', 'application/json; charset=utf-16', 'application/merge-patch+json', 'json', ';;;', 'application/json; charset="\u0000"'];

export function isDestructive(op: Operation, body: unknown): boolean {
  if (op.path.endsWith('/withdraw')) return true;
  return op.path.endsWith('/decision') && isPlain(body) && body.decision === 'reject';
}

/**
 * One request of `op` by `caller`: valid first (from the schemas, checked with the operation's
 * own zod schemas to report how many were), then 1–3 hostile mutations.
 */
export function buildRequest(g: Gen, op: Operation, caller: Caller, build: Omit<BuildContext, 'department'>): FuzzRequest {
  const b: BuildContext = { ...build, department: caller.department };
  const paramsSchema = op.params ? jsonSchemaOf(op.params) : undefined;
  const querySchema = op.query ? jsonSchemaOf(op.query) : undefined;
  const bodySchema = op.body ? jsonSchemaOf(op.body) : undefined;
  const state = {};
  const ctx = (where: Part): ValueCtx => ({ op, where, key: '', parent: '', build: b, state });

  const params = (paramsSchema ? validValue(g, paramsSchema, ctx('path')) : {}) as Record<string, unknown>;
  if ('id' in params) {
    params.id = weighted<() => string>(g, [
      [85, () => b.targets.tracked],
      [7, () => b.targets.spare],
      [8, () => `app-${g(fc.uuid, {})}`],
    ])();
  }
  const query = { value: (querySchema ? validValue(g, querySchema, ctx('query')) : {}) as unknown };
  const body = { value: bodySchema ? validValue(g, bodySchema, ctx('body')) : undefined };
  const path = { value: params as unknown };

  const baseValid =
    (!op.params || op.params.safeParse(params).success) &&
    (!op.query || op.query.safeParse(Object.fromEntries(Object.entries(query.value as object).map(([k, v]) => [k, String(v)]))).success) &&
    (!op.body || op.body.safeParse(body.value).success);

  const mutations: Mutation[] = [];
  const headers: [string, string][] = [];
  let auth = pick(g, caller.authorizations);
  let method = op.method.toUpperCase();
  let contentType: string | undefined = body.value !== undefined || op.method === 'post' ? 'application/json' : undefined;
  let bodyText: Buffer | undefined;
  const extraLong: string[] = [];

  const count = weighted(g, [
    [6, 1],
    [3, 2],
    [1, 3],
  ]);
  for (let i = 0; i < count; i++) {
    const slots = [...slotsOf('path', path.value), ...slotsOf('query', query.value), ...(op.body || op.method !== 'get' ? slotsOf('body', body.value) : [])];
    const objects = [
      ...(op.body || op.method !== 'get' ? slotsOf('body', body.value).filter((s) => isPlain(s.value)) : []),
      { part: 'query' as Part, at: [], value: query.value },
    ];
    const kind = weighted<string>(g, [
      [slots.length ? 10 : 0, 'value'],
      [slots.some((s) => typeof s.value === 'string') ? 4 : 0, 'tweak'],
      [2, 'extra-field'],
      [2, 'proto-key'],
      [slots.some((s) => s.part !== 'path' && s.at.length) ? 1 : 0, 'drop-field'],
      [op.method === 'get' ? 1 : 4, 'transport'],
      [1, 'header'],
    ]);
    if (kind === 'value' || kind === 'tweak') {
      const candidates = kind === 'tweak' ? slots.filter((s) => typeof s.value === 'string') : slots;
      const slot = pick(g, candidates);
      const key = String(slot.at[slot.at.length - 1] ?? '');
      const m = kind === 'tweak' ? tweakString(g, slot.value as string, b) : hostileValue(g, slot.value, key, b);
      let value: unknown = m.value;
      if (slot.part === 'path' && typeof value === 'string' && chance(g, 0.35)) {
        value = new RawSegment(pick(g, RAW_SEGMENTS));
        m.kind = 'raw-segment';
      }
      setAt(slot.part === 'path' ? path : slot.part === 'query' ? query : body, slot.at, value);
      mutations.push({ kind: m.kind, where: whereOf(slot) });
    } else if (kind === 'extra-field' || kind === 'proto-key') {
      const target = pick(g, objects);
      const [k, shared] = pick(g, kind === 'extra-field' ? UNKNOWN_FIELDS : PROTO_FIELDS);
      // A copy: the list's objects are shared, and a later mutation may add a field to the one inserted here (the same object into itself is a cycle).
      const v = isPlain(shared) ? structuredClone(shared) : shared;
      if (target.part === 'query') defineKey(query.value as object, k, isPlain(v) ? toJsonText(v) : v);
      else defineKey(target.value as object, k, v);
      mutations.push({ kind, where: `${whereOf(target)}.${k}` });
    } else if (kind === 'drop-field') {
      const slot = pick(g, slots.filter((s) => s.part !== 'path' && s.at.length));
      const parentAt = slot.at.slice(0, -1);
      let parent: any = slot.part === 'query' ? query.value : body.value;
      for (const k of parentAt) parent = parent[k];
      const last = slot.at[slot.at.length - 1]!;
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
      mutations.push({ kind: 'drop-field', where: whereOf(slot) });
    } else if (kind === 'transport') {
      const t = weighted<string>(g, [
        [op.method === 'get' ? 0 : 6, 'invalid-json'],
        [op.method === 'get' ? 0 : 6, 'content-type'],
        [op.method === 'get' ? 0 : 4, 'gzip-lie'],
        [op.method === 'get' ? 0 : 4, 'unknown-encoding'],
        [op.method === 'get' ? 0 : 4, 'charset-latin1'],
        [op.method === 'get' ? 0 : 2, 'body-over-1mb'],
        [op.method === 'get' ? 0 : 2, 'invalid-utf8'],
        [1, 'query-100kb'],
        [querySchema ? 6 : 2, 'duplicate-query'],
        [1, 'wrong-method'],
      ]);
      mutations.push({ kind: t, where: 'http' });
      if (t === 'invalid-json') bodyText = Buffer.from(pick(g, BAD_JSON), 'utf8');
      else if (t === 'content-type') contentType = pick(g, [...CONTENT_TYPES, undefined]);
      else if (t === 'gzip-lie') headers.push(['content-encoding', pick(g, ['gzip', 'deflate', 'br'])]);
      else if (t === 'unknown-encoding') headers.push(['content-encoding', pick(g, ['x-bogus', 'compress', 'gzip, gzip', 'identity, x-bogus', 'zstd'])]);
      else if (t === 'charset-latin1') contentType = pick(g, ['application/json; charset=latin1', 'application/json; charset=iso-8859-1', 'application/json; charset=x-bogus', 'application/json; charset=utf-7']);
      else if (t === 'body-over-1mb') {
        const big = `${b.nonce}${'a'.repeat(1_100_000)}${b.nonce}`;
        extraLong.push(big);
        bodyText = Buffer.from(JSON.stringify({ ...(isPlain(body.value) ? body.value : {}), padding: big }), 'utf8');
      } else if (t === 'invalid-utf8') {
        bodyText = Buffer.concat([Buffer.from('{"reason":"', 'utf8'), Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80]), Buffer.from('","note":"x"}', 'utf8')]);
      } else if (t === 'query-100kb') {
        const big = `${b.nonce}${'q'.repeat(100_000)}${b.nonce}`;
        extraLong.push(big);
        defineKey(query.value as object, pick(g, [...Object.keys(querySchema?.properties ?? {}), 'x']), big);
      } else if (t === 'wrong-method') {
        method = pick(g, ['PUT', 'PATCH', 'OPTIONS', op.method === 'get' ? 'POST' : 'GET', 'FUZZ']);
      } else if (t === 'duplicate-query') {
        const keys = Object.keys(querySchema?.properties ?? {});
        const k = keys.length ? pick(g, keys) : 'x';
        const q = query.value as Record<string, unknown>;
        const first = q[k] ?? '1';
        defineKey(q, k, [first, pick(g, [first, '2', '', 'NaN', '%00'])]);
      }
    } else {
      const h = pick(g, ['idempotency-control', 'idempotency-10k', 'idempotency-unicode', 'idempotency-empty', 'authorization-hostile', 'duplicate-authorization']);
      mutations.push({ kind: h, where: 'header' });
      if (h === 'idempotency-control') headers.push(['idempotency-key', `order-${pick(g, ['\u0000', '\u0001', '\u007f', '\t', '\u001b'])}-2026-000123`]);
      else if (h === 'idempotency-10k') {
        const big = `${b.nonce}${'k'.repeat(10_240)}${b.nonce}`;
        extraLong.push(big);
        headers.push(['idempotency-key', big]);
      } else if (h === 'idempotency-unicode') headers.push(['idempotency-key', pick(g, ['订单-2026-000123', 'order-\u202e-000123', '😀😀😀😀😀😀😀😀'])]);
      else if (h === 'idempotency-empty') headers.push(['idempotency-key', pick(g, ['', ' ', 'x'])]);
      else if (h === 'authorization-hostile') auth = pick(g, ['Bearer', 'Bearer ', `Bearer ${'t'.repeat(10_240)}`, 'Basic dXNlcjpwYXNz', 'Bearer tok-\u0000-xxxxxxxxxxxxxxxx', 'Bearer 令牌令牌令牌令牌令牌令牌令牌令牌', 'bearer  tok-applicant-ent-001-xxxx']);
      else if (auth) headers.push(['authorization', 'Bearer tok-nope-xxxxxxxxxxxxxxxx']);
    }
  }

  // Never end the tracked application: what could withdraw or reject it goes to the spare one.
  if (params.id === b.targets.tracked && isDestructive(op, body.value)) params.id = b.targets.spare;

  let target = op.path.replace(/:([A-Za-z]+)/g, (_, name: string) => {
    const w = wireText(params[name]);
    return w.raw ? w.text : percentEncode(w.text);
  });
  target += queryString(query.value as Record<string, unknown>);
  if (bodyText === undefined && body.value !== undefined) bodyText = Buffer.from(toJsonText(body.value), 'utf8');
  if (bodyText === undefined && op.method === 'post') bodyText = Buffer.from('{}', 'utf8');
  // Whatever made it so, a body over the API's 1 MiB limit is its own kind of request.
  if (bodyText && bodyText.length > 1024 * 1024 && !mutations.some((m) => m.kind === 'body-over-1mb')) mutations.push({ kind: 'body-over-1mb', where: 'http' });
  const allHeaders: [string, string][] = [];
  if (auth !== undefined) allHeaders.push(['authorization', auth]);
  if (contentType !== undefined && bodyText !== undefined) allHeaders.push(['content-type', contentType]);
  allHeaders.push(...headers);

  const longStrings = [
    ...longStringsIn(params),
    ...longStringsIn(query.value),
    ...longStringsIn(body.value),
    ...extraLong,
    ...allHeaders.map(([, v]) => v).filter((v) => v.length > 200),
  ];
  return {
    op,
    caller,
    raw: { method, target, headers: allHeaders, body: bodyText },
    mutations,
    params,
    longStrings,
    baseValid,
  };
}

/** A bounded, printable excerpt: control characters escaped, long runs cut. */
export function excerpt(s: string, max = 300): string {
  const e = JSON.stringify(s.length > max ? s.slice(0, max) : s).slice(1, -1);
  return s.length > max ? `${e}… (${s.length} chars)` : e;
}

export function describeRequest(r: FuzzRequest): string {
  const headers = r.raw.headers.filter(([k]) => k !== 'authorization').map(([k, v]) => `${k}: ${excerpt(v, 80)}`);
  const body = r.raw.body === undefined ? '' : `\n    body (${r.raw.body.length} bytes): ${excerpt(r.raw.body.toString('utf8'), 300)}`;
  return (
    `${r.raw.method} ${excerpt(r.raw.target, 200)} as ${r.caller.label}` +
    `\n    mutations: ${r.mutations.map((m) => `${m.where} ← ${m.kind}`).join('; ')}` +
    (headers.length ? `\n    headers: ${headers.join('; ')}` : '') +
    body
  );
}
