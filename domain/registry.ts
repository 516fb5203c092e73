/**
 * The registry codes a project and its applicant carry outside this system: the project code
 * (项目代码) the national investment-project online approval platform (投资项目在线审批监管平台)
 * assigns, and the applicant's unified social credit code (统一社会信用代码, GB 32100-2015). The
 * SPGL exchange reports them (XMDM, GCDM, DWTYSHXYDM); the edge checks them with these functions.
 */

/** 项目代码: year, 6-digit region code, 2-digit industry, 2-digit type, 6-digit serial (24 characters). */
export const PROJECT_CODE_PATTERN = /^\d{4}-\d{6}-\d{2}-\d{2}-\d{6}$/;
export const PROJECT_CODE_EXAMPLE = '2026-430181-47-01-000123';

/** Whether a string has the shape of a project code, with a year between 1990 and 2199. */
export function isProjectCode(s: string): boolean {
  if (!PROJECT_CODE_PATTERN.test(s)) return false;
  const year = Number(s.slice(0, 4));
  return year >= 1990 && year <= 2199;
}

/** The 31 characters of a credit code: digits and upper-case letters without I, O, S, V, Z. */
export const CREDIT_CODE_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
export const CREDIT_CODE_LENGTH = 18;

/**
 * The check character (the 18th) GB 32100-2015 gives the first 17: each character's value in the
 * alphabet weighted by 3^i mod 31 (i from 0), check = 31 − (sum mod 31), with 31 written 0.
 * Null when the 17 are not all of the alphabet.
 */
export function creditCodeCheckCharacter(first17: string): string | null {
  if (first17.length !== CREDIT_CODE_LENGTH - 1) return null;
  let sum = 0;
  let weight = 1;
  for (const ch of first17) {
    const value = CREDIT_CODE_ALPHABET.indexOf(ch);
    if (value < 0) return null;
    sum += value * weight;
    weight = (weight * 3) % 31;
  }
  return CREDIT_CODE_ALPHABET[(31 - (sum % 31)) % 31]!;
}

/** What is wrong with a unified social credit code, or null when it is one (its check character included). */
export function creditCodeProblem(s: string): string | null {
  if (s.length !== CREDIT_CODE_LENGTH) return `must be the 18-character unified social credit code (统一社会信用代码)`;
  const bad = [...s].find((ch) => !CREDIT_CODE_ALPHABET.includes(ch));
  if (bad !== undefined) return `must use only digits and upper-case letters other than I, O, S, V and Z (found ${JSON.stringify(bad)})`;
  const check = creditCodeCheckCharacter(s.slice(0, CREDIT_CODE_LENGTH - 1))!;
  if (s[CREDIT_CODE_LENGTH - 1] !== check) return `has a wrong check character: the first 17 characters give ${check} (GB 32100-2015)`;
  return null;
}

export function isCreditCode(s: string): boolean {
  return creditCodeProblem(s) === null;
}
