import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_DEFINITIONS_DIR, DefinitionError, loadCatalogue } from '../../catalogue/loader';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

/** A copy of the shipped catalogue with one file edited. */
function catalogueWith(file: string, edit: (json: any) => void): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'defs-'));
  dirs.push(dir);
  cpSync(DEFAULT_DEFINITIONS_DIR, dir, { recursive: true });
  const json = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
  edit(json);
  writeFileSync(path.join(dir, file), JSON.stringify(json, null, 1));
  return dir;
}

function loadError(dir: string): DefinitionError {
  try {
    loadCatalogue(dir);
  } catch (e) {
    if (e instanceof DefinitionError) return e;
    throw e;
  }
  throw new Error('expected the catalogue to be rejected');
}

const GOV = 'processes/government-investment.json';
const matterIndex = (json: any, code: string) => json.matters.findIndex((m: any) => m.code === code);

describe('published catalogue', () => {
  it('loads three processes with four stages each, of at least six matters where no joint matter replaces separate ones', () => {
    const c = loadCatalogue();
    expect(c.processes.map((p) => p.code).sort()).toEqual(['GOV_INVESTMENT', 'SOCIAL_APPROVAL', 'SOCIAL_REFORM']);
    for (const p of c.processes) {
      expect(p.stages.map((s) => s.code)).toEqual(['S1', 'S2', 'S3', 'S4']);
      for (const s of p.stages) {
        const replaced = s.matters.flatMap((m) => m.joint?.replaces ?? []).length;
        expect(s.matters.length + replaced).toBeGreaterThanOrEqual(6);
      }
      expect(p.definitionHash).toBe(c.hash);
    }
    expect(c.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(c.calendars.map((y) => y.year)).toEqual([2025, 2026]);
  });

  it('applies per-process overrides of prerequisites', () => {
    const c = loadCatalogue();
    const social = c.processes.find((p) => p.code === 'SOCIAL_APPROVAL')!;
    expect(social.stages[0]!.matters.find((m) => m.code === 'LY05')!.prerequisites).toEqual(['LY03']);
  });

  it('the reform pilot: joint drawing review and joint acceptance replace the separate matters, remedies switched on per matter', () => {
    const c = loadCatalogue();
    const reform = c.processes.find((p) => p.code === 'SOCIAL_REFORM')!;
    const codes = (i: number) => reform.stages[i]!.matters.map((m) => m.code);
    const jg07 = reform.stages[3]!.matters.find((m) => m.code === 'JG07')!;
    // 联合验收 in place of planning verification, fire, lightning, archives and the old joint acceptance.
    expect(jg07.joint).toMatchObject({ silenceIsConsent: true, replaces: ['JG01', 'JG02', 'JG03', 'JG04', 'JG05'] });
    expect(codes(3)).toEqual(['JG07', 'JG06']);
    for (const replaced of jg07.joint!.replaces) expect(reform.stages.flatMap((s) => s.matters).map((m) => m.code)).not.toContain(replaced);
    expect(codes(2)).toContain('SG07');
    expect(codes(2)).not.toContain('SG01');
    expect(reform.stages[2]!.matters.find((m) => m.code === 'SG03')!.prerequisites).toEqual(['SG07', 'SG04']);
    expect(reform.stages[0]!.matters.find((m) => m.code === 'LY07')!.remedies).toEqual({ oneSupplement: true, withdrawAfterWorkingDays: 20, reminderWorkingDaysBefore: 3 });
    // The other processes keep their separate acceptances, and no remedy is switched on there.
    const social = c.processes.find((p) => p.code === 'SOCIAL_APPROVAL')!;
    expect(social.stages[3]!.matters.map((m) => m.code)).toEqual(['JG01', 'JG02', 'JG03', 'JG04', 'JG05', 'JG06']);
    expect(social.stages.flatMap((s) => s.matters).filter((m) => m.remedies)).toEqual([]);
    // 告知承诺制 is the catalogue's, on every process that places the matter.
    expect(social.stages[0]!.matters.find((m) => m.code === 'LY06')!.commitment).toMatchObject({ verificationDays: 30, dependents: 'suspend' });
  });

  it('refuses a joint matter whose participant is unknown or is its own lead', () => {
    const unknown = catalogueWith('matters.json', (j) => {
      j.matters[matterIndex(j, 'JG07')].joint.participants[0].department = 'XYZ';
    });
    expect(() => loadCatalogue(unknown)).toThrow(/joint\.participants\[0\]\.department: unknown department XYZ/);
    const lead = catalogueWith('matters.json', (j) => {
      j.matters[matterIndex(j, 'JG07')].joint.participants[0].department = 'HUD';
    });
    expect(() => loadCatalogue(lead)).toThrow(/HUD leads JG07; the lead is not also a participant/);
  });

  it('changes its content hash when any definition changes', () => {
    const dir = catalogueWith('matters.json', (j) => {
      j.matters[0].timeLimitDays = 6;
    });
    expect(loadCatalogue(dir).hash).not.toBe(loadCatalogue().hash);
  });
});

describe('rejected definitions name the file, the path and the rule', () => {
  it('an unknown department', () => {
    const dir = catalogueWith('matters.json', (j) => {
      j.matters[matterIndex(j, 'LY04')].department = 'XXB';
    });
    const e = loadError(dir);
    expect(e.file).toBe('matters.json');
    expect(e.at).toBe(`matters[${matterIndex(JSON.parse(readFileSync(path.join(dir, 'matters.json'), 'utf8')), 'LY04')}].department`);
    expect(e.message).toMatch(/unknown department XXB/);
  });

  it('an unknown prerequisite', () => {
    const dir = catalogueWith(GOV, (j) => {
      j.stages[1].matters[0].prerequisites = ['ZZ99'];
    });
    const e = loadError(dir);
    expect(e.message).toBe(`${GOV}: stages[1].matters[0].prerequisites[0]: unknown prerequisite ZZ99: not a matter of this process`);
  });

  it('a prerequisite cycle', () => {
    const dir = catalogueWith(GOV, (j) => {
      j.stages[0].matters[0].prerequisites = ['LY02']; // LY01 ← LY02 ← LY01
    });
    expect(loadError(dir).rule).toMatch(/prerequisite cycle (LY01 → LY02 → LY01|LY02 → LY01 → LY02)/);
  });

  it('a prerequisite in a later stage', () => {
    const dir = catalogueWith(GOV, (j) => {
      j.stages[0].matters[0].prerequisites = ['SG01'];
    });
    expect(loadError(dir).rule).toBe('prerequisite SG01 comes in a later stage than LY01');
  });

  it('a prerequisite that is not a milestone, whose output may never exist', () => {
    const dir = catalogueWith(GOV, (j) => {
      j.stages[1].matters[1].prerequisites = ['GC06'];
    });
    expect(loadError(dir).rule).toBe('prerequisite GC06 is not a milestone: its output may never exist');
  });

  it('a duplicate matter code', () => {
    const dir = catalogueWith('matters.json', (j) => {
      j.matters.push({ ...j.matters[0] });
    });
    const e = loadError(dir);
    expect(e.rule).toBe('duplicate matter code LY01');
    expect(e.at).toMatch(/^matters\[\d+\]\.code$/);
  });

  it("a matter whose limit exceeds its stage's", () => {
    const dir = catalogueWith(GOV, (j) => {
      j.stages[2].matters[0].timeLimitDays = 40;
    });
    expect(loadError(dir).message).toBe(
      `${GOV}: stages[2].matters[0]: matter SG01's limit of 40 working days exceeds its stage's limit of 15`,
    );
  });

  it('a shape error from the schema', () => {
    const dir = catalogueWith(GOV, (j) => {
      j.stages.pop();
    });
    expect(loadError(dir).message).toBe(`${GOV}: stages: a process has exactly the four stages`);
  });

  it('a make-up working day that is not a weekend day', () => {
    const dir = catalogueWith('calendars/2026.json', (j) => {
      j.makeupWorkingDays.push({ date: '2026-03-04', for: '测试' });
    });
    const e = loadError(dir);
    expect(e.file).toBe('calendars/2026.json');
    expect(e.rule).toBe('make-up working day 2026-03-04 is not a Saturday or Sunday');
  });

  it('an impossible date', () => {
    const dir = catalogueWith('calendars/2026.json', (j) => {
      j.holidays[0].to = '2026-02-30';
    });
    expect(loadError(dir).message).toBe('calendars/2026.json: holidays[0].to: must be a calendar date YYYY-MM-DD between 1900 and 2199');
  });
});
