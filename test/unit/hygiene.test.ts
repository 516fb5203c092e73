import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { code, freeText, isoDate, list, name } from '../../contracts/fields';
import { MAX_ISSUES, sendProblem, zodProblem } from '../../api/problem';
import { approveSchema, chooseProviderSchema, supplementSchema } from '../../contracts/actions';
import { boundedText, isWellFormed, sanitizeInput, TEXT_LIMITS } from '../../domain/text';

const actor = { id: 'officer-drc', role: 'officer' as const, department: 'DRC' };
const utf8RoundTrips = (s: string) => new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(s, 'utf8')) === s;

describe('the domain text helper', () => {
  it('turns a lone surrogate into U+FFFD so the text encodes as UTF-8', () => {
    for (const s of ['\ud800', 'a\udfffb', '\udc00\ud800', 'x\ud83d']) {
      const clean = boundedText(s, 100);
      expect(isWellFormed(clean)).toBe(true);
      expect(utf8RoundTrips(clean)).toBe(true);
      expect(clean).toContain('\ufffd');
    }
    expect(boundedText('新校区 🏫', 100)).toBe('新校区 🏫');
  });

  it('drops NUL, controls and bidirectional overrides; free text keeps newline and tab', () => {
    expect(boundedText('a\u0000b\u0007c\u202Ed', 100)).toBe('abcd');
    expect(boundedText('line one\nline\ttwo\r', 100, 'text')).toBe('line one\nline\ttwo');
    expect(boundedText('line one\nline two', 100, 'line')).toBe('line oneline two');
  });

  it('cuts long text at a code point, never inside a surrogate pair', () => {
    const cut = boundedText('🏫'.repeat(5000), 10);
    expect(Array.from(cut)).toHaveLength(10);
    expect(cut.endsWith('…')).toBe(true);
    expect(isWellFormed(cut)).toBe(true);
  });

  it('sanitizes every string of a message input and bounds its lists', () => {
    const input = sanitizeInput({ actor, items: Array.from({ length: 5000 }, () => 'M\u0000'), reason: 'x'.repeat(1_000_000), nested: { note: '\ud800' } });
    expect(input.items).toHaveLength(TEXT_LIMITS.list);
    expect(input.items[0]).toBe('M');
    expect(Array.from(input.reason)).toHaveLength(TEXT_LIMITS.text);
    expect(input.nested.note).toBe('\ufffd');
    expect(input.actor).toEqual(actor);
  });
});

describe('the building blocks at the edge', () => {
  const messages = (schema: z.ZodType, value: unknown) => {
    const r = schema.safeParse(value);
    return r.success ? [] : r.error.issues.map((i) => i.message);
  };

  it('refuses a lone surrogate, a NUL and an over-long name with the rule', () => {
    expect(messages(name(), '\ud800')).toEqual([expect.stringMatching(/well-formed Unicode/)]);
    expect(messages(name(), 'abc\u0000')).toEqual([expect.stringMatching(/control character U\+0000/)]);
    expect(messages(name(), 'x'.repeat(201))[0]).toMatch(/at most 200 characters/);
    expect(messages(name(), '新'.repeat(200))).toEqual([]);
    expect(messages(name('name the project'), '   ')).toEqual(['name the project']);
  });

  it('lets free text keep newlines but not other controls', () => {
    expect(messages(freeText(), 'first\nsecond\tthird')).toEqual([]);
    expect(messages(freeText(), 'bell\u0007')[0]).toMatch(/U\+0007/);
    expect(messages(freeText('a reason is required'), '')).toEqual(['a reason is required']);
  });

  it('holds codes to their pattern and length', () => {
    expect(messages(code('matter', 'LY01'), 'LY01')).toEqual([]);
    expect(messages(code('matter', 'LY01'), 'ly01')[0]).toMatch(/matter code such as LY01/);
    expect(messages(code('matter', 'LY01'), 'A'.repeat(1_000_000)).length).toBeGreaterThan(0);
  });

  it('refuses dates outside 1900–2199 and impossible ones', () => {
    expect(messages(isoDate, '2026-02-28')).toEqual([]);
    expect(messages(isoDate, '9999-12-31').length).toBe(1);
    expect(messages(isoDate, '2026-02-30').length).toBe(1);
  });

  it('bounds lists', () => {
    expect(messages(list(code('material', 'M1'), 3), ['AA', 'BB', 'CC', 'DD'])[0]).toMatch(/at most 3 items/);
  });

  it('action inputs use them: a lone surrogate provider, a NUL reason and 101 materials are refused', () => {
    expect(chooseProviderSchema.safeParse({ actor, serviceType: 'EIA_REPORT', selection: { method: 'direct', provider: '\ud800' } }).success).toBe(false);
    expect(supplementSchema.safeParse({ actor, matter: 'LY01', items: ['M_PROPOSAL'], reason: 'why\u0000' }).success).toBe(false);
    expect(supplementSchema.safeParse({ actor, matter: 'LY01', items: Array.from({ length: 101 }, (_, i) => `M_${i}`), reason: 'why' }).success).toBe(false);
    expect(approveSchema.safeParse({ actor, matter: 'LY01', result: { number: '浏发改〔2026〕1号' } }).success).toBe(true);
  });
});

describe('problem bodies', () => {
  it('list at most 20 issues, each bounded, however many the body had', () => {
    const schema = z.object({ items: z.array(code('material', 'M1')) });
    const r = schema.safeParse({ items: Array.from({ length: 5000 }, () => 'bad'.repeat(1000)) });
    expect(r.success).toBe(false);
    const problem = zodProblem(r.error!, 'body');
    let sent: { errors: unknown[]; moreErrors: number; code: string } | undefined;
    const res = { status: () => res, type: () => res, json: (b: typeof sent) => ((sent = b), res) };
    sendProblem(res as never, problem.status, problem.title, problem.message, problem.extra);
    expect(sent!.errors).toHaveLength(MAX_ISSUES);
    expect(sent!.moreErrors).toBeGreaterThanOrEqual(5000 - MAX_ISSUES);
    expect(sent!.code).toBe('INVALID_REQUEST');
    expect(JSON.stringify(sent).length).toBeLessThan(16_384);
  });
});
