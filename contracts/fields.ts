import { z } from 'zod';
import { codePointLength, forbiddenCharacter, isWellFormed, TEXT_LIMITS, type TextKind } from '../domain/text';
import { CREDIT_CODE_LENGTH, creditCodeProblem, isProjectCode, PROJECT_CODE_EXAMPLE } from '../domain/registry';
import { isValidDate } from '../domain/time';

/**
 * The building blocks every schema at the edge is made of: each string is bounded, well-formed
 * Unicode and free of control characters; codes match their pattern; lists have a maximum size.
 * A route never declares a bare `z.string()`: it names one of these, so the rule is in one place.
 */

/** A string of at most `max` code points of the given kind; `trim` removes surrounding spaces first. */
function text(kind: TextKind, max: number, opts: { trim?: boolean; min?: number; minMessage?: string } = {}) {
  let s = z.string().max(max * 2, `must be at most ${max} characters`);
  if (opts.trim !== false) s = s.trim();
  return s.superRefine((v, ctx) => {
    if (!isWellFormed(v)) {
      ctx.addIssue({ code: 'custom', message: 'must be well-formed Unicode (a lone surrogate was sent)' });
      return;
    }
    const bad = forbiddenCharacter(v, kind);
    if (bad) ctx.addIssue({ code: 'custom', message: `must not contain the control character ${bad}${kind === 'text' ? ' (tab and newline are allowed)' : ''}` });
    const n = codePointLength(v);
    if (n > max) ctx.addIssue({ code: 'custom', message: `must be at most ${max} characters` });
    if (n < (opts.min ?? 0)) ctx.addIssue({ code: 'custom', message: opts.minMessage ?? `must be at least ${opts.min} characters` });
  });
}

/** The shape of every catalogue code: an upper-case letter, then 1–31 upper-case letters, digits or underscores. */
export const CODE_PATTERN = /^[A-Z][A-Z0-9_]{1,31}$/;

/** An upper-case catalogue code: process, stage, matter, material, department, service type, provider, zone. */
export const code = (what: string, example: string) => z.string().max(TEXT_LIMITS.code, `must be a ${what} code such as ${example}`).regex(CODE_PATTERN, `must be a ${what} code such as ${example}`);

/** A one-line name (project, applicant, result number or title): required, trimmed, at most `max` characters. */
export const name = (required = 'must not be empty', max: number = TEXT_LIMITS.name) => text('line', max, { min: 1, minMessage: required });

/** Free text (reason, note): newline and tab allowed; `required` makes it non-empty after trimming. */
export const freeText = (required?: string, max: number = TEXT_LIMITS.text) => text('text', max, required ? { min: 1, minMessage: required } : {});

/** An identifier of a person or organisation (applicant, agent, officer, integrator). */
export const identifier = (what = 'identifier') =>
  z
    .string()
    .max(TEXT_LIMITS.id, `must be a ${what} of at most ${TEXT_LIMITS.id} characters`)
    .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/, `must be a ${what}: letters, digits and . _ : @ -`);

/** Calendar dates our systems can mean: a real `YYYY-MM-DD` between 1900 and 2199. */
export const isoDate = z
  .string()
  .max(10, 'must be a calendar date YYYY-MM-DD')
  .refine((d) => isValidDate(d) && d >= '1900-01-01' && d <= '2199-12-31', { message: 'must be a calendar date YYYY-MM-DD between 1900 and 2199' });

/** An absolute http(s) URL of at most 2,048 characters, without credentials. */
export const httpUrl = z
  .string()
  .max(2048, 'must be at most 2048 characters')
  .refine((u) => isWellFormed(u) && forbiddenCharacter(u, 'line') === null, { message: 'must not contain control characters' })
  // `http:///x` parses with host x: the authority must be written out, and not be empty.
  .refine((u) => /^https?:\/\/[^/?#\\\s]+/i.test(u), { message: 'must be an absolute http(s) URL with a host' })
  .pipe(z.url({ protocol: /^https?$/, error: 'must be an absolute http(s) URL' }));

/** A list of at most `max` items. */
export const list = <T extends z.ZodType>(item: T, max: number = TEXT_LIMITS.list, min = 0, minMessage?: string) =>
  z
    .array(item)
    .max(max, `must list at most ${max} items`)
    .min(min, minMessage ?? `must list at least ${min} item${min === 1 ? '' : 's'}`);

/** A whole number in a range: counts of days, page sizes. */
export const wholeNumber = (min: number, max: number) =>
  z.number().int('must be a whole number').min(min, `must be ${min}–${max}`).max(max, `must be ${min}–${max}`);

/** 项目代码 from the national investment-project online approval platform: `YYYY-XXXXXX-NN-NN-NNNNNN`. */
export const projectCode = z
  .string()
  .max(24, `must be a project code (项目代码) YYYY-XXXXXX-NN-NN-NNNNNN such as ${PROJECT_CODE_EXAMPLE}`)
  .refine(isProjectCode, { message: `must be a project code (项目代码) YYYY-XXXXXX-NN-NN-NNNNNN such as ${PROJECT_CODE_EXAMPLE}: year, region, industry, type, serial` });

/** 统一社会信用代码: 18 characters with the GB 32100-2015 check character. */
export const creditCode = z
  .string()
  .max(CREDIT_CODE_LENGTH, 'must be the 18-character unified social credit code (统一社会信用代码)')
  .superRefine((v, ctx) => {
    const problem = creditCodeProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

/** Where a document store keeps a file: its id or URL, one line, at most 500 characters. */
export const documentRef = text('line', 500, { min: 1, minMessage: 'give the document store’s id or URL of the file' });

/** A short file type such as pdf, docx or jpg. */
export const fileType = z
  .string()
  .max(16, 'must be a file type such as pdf')
  .regex(/^[A-Za-z0-9][A-Za-z0-9.+-]{0,15}$/, 'must be a file type such as pdf: letters, digits and . + -');
