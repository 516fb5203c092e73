/**
 * Text that crosses into an application: what the edge checks and what the workflow enforces
 * again. Pure and deterministic, so the same rules hold in the API, in the workflow sandbox and
 * in the projection writer.
 *
 * Why it matters: a lone UTF-16 surrogate cannot be encoded as UTF-8. Temporal's protobuf layer
 * writes it anyway, the worker's core cannot decode the result and shuts the worker down; a NUL
 * is refused by PostgreSQL. Neither may ever reach a refusal message, a history or a row.
 */

/** A high surrogate not followed by a low one, or a low one not preceded by a high one. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Characters no text of ours carries: C0 and C1 controls (tab and newline are allowed in free
 * text only), DEL, line/paragraph separators, bidirectional overrides and isolates (they make an
 * audit line read other than it is stored), byte-order marks and the noncharacters U+FFFE/FFFF.
 */
const FORBIDDEN_IN_LINE = /[\u0000-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF\uFFFE\uFFFF]/g;
const FORBIDDEN_IN_TEXT = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069\uFEFF\uFFFE\uFFFF]/g;

export type TextKind = 'line' | 'text';

export function isWellFormed(s: string): boolean {
  LONE_SURROGATE.lastIndex = 0;
  return !LONE_SURROGATE.test(s);
}

/** The first character a string of this kind may not hold, as U+XXXX, or null when it is clean. */
export function forbiddenCharacter(s: string, kind: TextKind): string | null {
  const re = kind === 'line' ? FORBIDDEN_IN_LINE : FORBIDDEN_IN_TEXT;
  re.lastIndex = 0;
  const m = re.exec(s);
  return m ? `U+${m[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}` : null;
}

/** Length in code points (what a person counts), not UTF-16 units. */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/**
 * The one domain helper for text entering state or a message: lone surrogates become U+FFFD,
 * forbidden characters are dropped, and anything past `max` code points is cut with an ellipsis.
 * Clean, short text comes back unchanged.
 */
export function boundedText(value: unknown, max: number, kind: TextKind = 'line'): string {
  const s = typeof value === 'string' ? value : String(value ?? '');
  let clean = s.replace(LONE_SURROGATE, '\uFFFD').replace(kind === 'line' ? FORBIDDEN_IN_LINE : FORBIDDEN_IN_TEXT, '');
  if (clean.length > max) {
    const points = Array.from(clean);
    if (points.length > max) clean = `${points.slice(0, Math.max(0, max - 1)).join('')}…`;
  }
  return clean;
}

/** A caller's value quoted in a message: clean, short, never the whole thing. */
export function quoted(value: unknown, max = 40): string {
  return JSON.stringify(boundedText(value, max));
}

/** Limits shared by the edge and the workflow. */
export const TEXT_LIMITS = {
  /** Codes: processes, stages, matters, materials, departments, services, providers, zones. */
  code: 32,
  /** Identifiers of people and organisations. */
  id: 64,
  /** Names: projects, applicants, result titles and numbers. */
  name: 200,
  /** Reasons, notes, urges. */
  text: 2000,
  /** Items in one list of codes. */
  list: 100,
  /** A refusal message. */
  message: 600,
} as const;

/**
 * Every string in a message's input made safe, recursively, with arrays cut to `TEXT_LIMITS.list`
 * items; the workflow applies it to what an Update or signal hands it, whatever the edge let through.
 */
export function sanitizeInput<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return boundedText(value, TEXT_LIMITS.text, 'text') as T;
  if (depth > 8 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.slice(0, TEXT_LIMITS.list).map((v) => sanitizeInput(v, depth + 1)) as T;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = sanitizeInput(v, depth + 1);
  return out as T;
}
