import { describe, expect, it } from 'vitest';
import { creditCodeCheckCharacter, creditCodeProblem, isCreditCode, isProjectCode } from '../../domain/registry';
import { creditCode, projectCode } from '../../contracts/fields';

/** A credit code built from 17 characters and the check character the standard gives them. */
const withCheck = (first17: string) => first17 + creditCodeCheckCharacter(first17)!;
/** The same code with another check character. */
const wrongCheck = (code: string) => code.slice(0, 17) + (code[17] === '0' ? '1' : '0');

describe('unified social credit code (统一社会信用代码, GB 32100-2015)', () => {
  it('accepts the commonly cited valid sample 91350100M000100Y43', () => {
    expect(creditCodeCheckCharacter('91350100M000100Y4')).toBe('3');
    expect(creditCodeProblem('91350100M000100Y43')).toBeNull();
  });

  it('accepts codes built by the algorithm, including a check value of 31 written 0 and letter checks', () => {
    const built = ['91430181MA4L00000', '12430100006072300', '52430181MJJ000001', '91430181MA4PQ1234'].map(withCheck);
    for (const code of built) expect(isCreditCode(code), code).toBe(true);
    const serials = Array.from({ length: 200 }, (_, n) => withCheck(`91430181MA4L00${String(n).padStart(3, '0')}`));
    const zero = serials.find((c) => c.endsWith('0'))!;
    const letter = serials.find((c) => /[A-Y]$/.test(c))!;
    expect(isCreditCode(zero) && isCreditCode(letter)).toBe(true);
    // The weights 3^i mod 31 over i = 0…16, summed with the alphabet values, reproduce the sample's check.
    const weights = Array.from({ length: 17 }, (_, i) => 3 ** i % 31);
    expect(weights.slice(0, 6)).toEqual([1, 3, 9, 27, 19, 26]);
  });

  it('refuses a wrong check character, naming the right one', () => {
    expect(creditCodeProblem('91350100M000100Y44')).toMatch(/check character: the first 17 characters give 3/);
    for (const code of ['91430181MA4L00000', '12430100006072300'].map(withCheck)) expect(isCreditCode(wrongCheck(code))).toBe(false);
  });

  it('refuses a wrong length, lower case and the letters I, O, S, V, Z', () => {
    expect(creditCodeProblem('91350100M000100Y4')).toMatch(/18-character/);
    expect(creditCodeProblem('91350100m000100y43')).toMatch(/upper-case/);
    expect(creditCodeProblem('91350100O000100Y43')).toMatch(/"O"/);
    expect(creditCodeCheckCharacter('9135010OM000100Y4')).toBeNull();
  });

  it('is the building block the edge uses', () => {
    expect(creditCode.safeParse('91350100M000100Y43').success).toBe(true);
    expect(creditCode.safeParse('91350100M000100Y44').error?.issues[0]?.message).toMatch(/check character/);
  });
});

describe('project code (项目代码) shape', () => {
  it('is YYYY-XXXXXX-NN-NN-NNNNNN, 24 characters', () => {
    expect(isProjectCode('2026-430181-47-01-000123')).toBe(true);
    expect(isProjectCode('2019-350102-70-03-012345')).toBe(true);
  });

  it('refuses other shapes', () => {
    for (const bad of ['2026-43018-47-01-000123', '2026-430181-47-01-00012', '2026430181470100012345', '2026-430181-4A-01-000123', ' 2026-430181-47-01-000123', '2026-430181-47-01-000123\n', '0026-430181-47-01-000123', '']) {
      expect(isProjectCode(bad), bad).toBe(false);
    }
  });

  it('is the building block the edge uses', () => {
    expect(projectCode.safeParse('2026-430181-47-01-000123').success).toBe(true);
    expect(projectCode.safeParse('2026-430181-47-01-0001234').error?.issues[0]?.message).toMatch(/YYYY-XXXXXX-NN-NN-NNNNNN/);
  });
});
