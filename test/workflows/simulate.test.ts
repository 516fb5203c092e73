import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres';
import { quietRuntime, workflowBundle } from '../helpers/temporal';
import { runSimulation, type RunResult } from '../../scripts/simulate';
import { DEFAULT_PARAMS } from '../../scripts/simulate/population';

// `npm run simulate` in small: three applications in the base scenario and the same three with a
// faster intermediary marketplace (six workflows), from January to summer 2026 on the time-skipping
// server, the projection writing a real PostgreSQL read model.
describe('npm run simulate, small (time-skipping, real workflows and read model)', () => {
  let db: TestDatabase;
  let outDir: string;
  let run: RunResult;

  beforeAll(async () => {
    quietRuntime();
    db = await createTestDatabase();
    outDir = mkdtempSync(path.join(tmpdir(), 'simulate-'));
    run = await runSimulation({
      params: { ...DEFAULT_PARAMS, applications: 3, seed: 5, arrivalWorkingDays: 3, scenarios: ['base', 'market'] },
      databaseUrl: db.url,
      outDir,
      workflowBundle: await workflowBundle(),
    });
  }, 150_000);

  afterAll(async () => {
    await db?.drop();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('drives every application to completion with no action refused', () => {
    expect(run.refusals).toEqual([]);
    expect(run.unfinished).toEqual([]);
    expect(run.figures).toHaveLength(6);
  });

  it('reports the same matters one after another as longer than in parallel, and every share within 0..1', () => {
    for (const f of run.figures) {
      expect(f.serialWorkingDays).toBeGreaterThan(f.parallelWorkingDays);
      expect(f.parallelWorkingDays).toBeGreaterThan(0);
      // Intermediary, applicant and special-procedure time all lie within the application's life.
      for (const part of [f.intermediaryDays, f.applicantDays, f.specialProcedureDays]) expect(part).toBeLessThanOrEqual(f.calendarDays);
    }
    for (const g of run.groups) {
      for (const share of Object.values(g.over)) {
        expect(share).toBeGreaterThanOrEqual(0);
        expect(share).toBeLessThanOrEqual(1);
      }
      // A later target is never missed by more applications than an earlier, shorter one.
      expect(g.over[120]).toBeLessThanOrEqual(g.over[100]);
      expect(g.over[100]).toBeLessThanOrEqual(g.over[80]);
    }
  });

  it('shortens the same applications when the intermediary marketplace is faster', () => {
    const all = (scenario: string) => run.groups.find((g) => g.scenario === scenario && g.processCode === 'ALL')!;
    expect(all('market').avgIntermediaryDays).toBeLessThan(all('base').avgIntermediaryDays);
    expect(all('market').avgCalendarDays).toBeLessThan(all('base').avgCalendarDays);
  });

  it('writes the chart and the per-application figures', () => {
    expect(existsSync(run.chartFile)).toBe(true);
    const svg = readFileSync(run.chartFile, 'utf8');
    expect(svg).toMatch(/^<\?xml[^]*<svg [^]*<\/svg>\n$/);
    expect(svg).toContain('faster marketplace');
    const summary = JSON.parse(readFileSync(run.summaryFile, 'utf8')) as { applications: unknown[]; params: { seed: number } };
    expect(summary.params.seed).toBe(5);
    expect(summary.applications).toHaveLength(6);
  });

  it('leaves the completed applications in the read model, with the figures the workflow reported', async () => {
    const { rows } = await db.pool.query<{ application_id: string; status: string; government_working_days: number; calendar_days: number }>(
      'SELECT application_id, status, government_working_days, calendar_days FROM applications ORDER BY application_id',
    );
    expect(rows.map((r) => r.application_id)).toEqual(run.figures.map((f) => f.applicationId).sort());
    for (const r of rows) {
      const f = run.figures.find((x) => x.applicationId === r.application_id)!;
      expect(r.status).toBe('completed');
      expect(r.government_working_days).toBe(f.parallelWorkingDays);
      expect(r.calendar_days).toBe(f.calendarDays);
    }
  });
});
