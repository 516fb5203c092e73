import type { ProcessSnapshot } from '../../catalogue/snapshot';
import type { ApplicationView } from '../../domain/view';
import { median, percentile } from '../stats';
import { SCENARIO_LABELS, type ScenarioName } from './population';
import type { SimulatedApplication } from './drive';

/** The reform's targets in calendar days: national, provincial, local (DESIGN §1). */
export const TARGETS = [120, 100, 80] as const;

/** What the reform reports of one completed application, read off its final status. */
export interface ApplicationFigures {
  applicationId: string;
  scenario: ScenarioName;
  processCode: string;
  calendarDays: number;
  /** Government working days along each stage's critical path: the matters in parallel (the engine's own accounting). */
  parallelWorkingDays: number;
  /** The same matters' working days one after another: what serial handling of the same days would take. */
  serialWorkingDays: number;
  /** Calendar days under an intermediary contract (union of spans), applicant's days, special procedures. */
  intermediaryDays: number;
  applicantDays: number;
  specialProcedureDays: number;
}

export function figuresOf(a: SimulatedApplication & { final: ApplicationView }): ApplicationFigures {
  const v = a.final;
  const acc = v.accounting;
  return {
    applicationId: a.applicationId,
    scenario: a.scenario,
    processCode: a.processCode,
    calendarDays: acc.calendarDays,
    parallelWorkingDays: acc.governmentWorkingDays,
    serialWorkingDays: v.stages.flatMap((s) => s.matters).reduce((n, m) => n + (m.workingDaysUsed ?? 0), 0),
    intermediaryDays: acc.intermediary.all.calendarDays,
    applicantDays: acc.applicant.calendarDays,
    specialProcedureDays: acc.specialProcedures.calendarDays,
  };
}

export interface GroupSummary {
  scenario: ScenarioName;
  processCode: string;
  /** Applications completed, and those of the group that did not (rejected, withdrawn, or still running at the end). */
  completed: number;
  unfinished: number;
  avgCalendarDays: number;
  medianCalendarDays: number;
  p80CalendarDays: number;
  avgParallelWorkingDays: number;
  avgSerialWorkingDays: number;
  avgIntermediaryDays: number;
  avgApplicantDays: number;
  avgSpecialProcedureDays: number;
  /** Share of completed applications over each target, keyed by the target's days. */
  over: Record<(typeof TARGETS)[number], number>;
}

const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
const round1 = (x: number) => Math.round(x * 10) / 10;

export function summarise(scenario: ScenarioName, processCode: string, figures: ApplicationFigures[], unfinished: number): GroupSummary {
  const days = figures.map((f) => f.calendarDays).sort((a, b) => a - b);
  const share = (t: number) => (figures.length ? Math.round((1000 * figures.filter((f) => f.calendarDays > t).length) / figures.length) / 1000 : NaN);
  return {
    scenario,
    processCode,
    completed: figures.length,
    unfinished,
    avgCalendarDays: round1(avg(days)),
    medianCalendarDays: round1(median(days)),
    p80CalendarDays: round1(percentile(days, 80)),
    avgParallelWorkingDays: round1(avg(figures.map((f) => f.parallelWorkingDays))),
    avgSerialWorkingDays: round1(avg(figures.map((f) => f.serialWorkingDays))),
    avgIntermediaryDays: round1(avg(figures.map((f) => f.intermediaryDays))),
    avgApplicantDays: round1(avg(figures.map((f) => f.applicantDays))),
    avgSpecialProcedureDays: round1(avg(figures.map((f) => f.specialProcedureDays))),
    over: { 120: share(120), 100: share(100), 80: share(80) },
  };
}

/** One group per scenario and process, then 'ALL' per scenario. */
export function summariseAll(apps: SimulatedApplication[], scenarios: readonly ScenarioName[]): { figures: ApplicationFigures[]; groups: GroupSummary[] } {
  const figures = apps.filter((a): a is SimulatedApplication & { final: ApplicationView } => a.final?.status === 'completed').map(figuresOf);
  const groups: GroupSummary[] = [];
  for (const scenario of scenarios) {
    const processes = [...new Set(apps.filter((a) => a.scenario === scenario).map((a) => a.processCode))].sort();
    for (const p of [...processes, 'ALL']) {
      const mine = (x: { scenario: ScenarioName; processCode: string }) => x.scenario === scenario && (p === 'ALL' || x.processCode === p);
      const f = figures.filter(mine);
      groups.push(summarise(scenario, p, f, apps.filter(mine).length - f.length));
    }
  }
  return { figures, groups };
}

const pct = (x: number) => (Number.isNaN(x) ? '—' : `${Math.round(x * 100)} %`);
const num = (x: number) => (Number.isNaN(x) ? '—' : x.toFixed(1));

/** The summary table, one row per scenario and process, as Markdown (it reads as a table on a terminal too). */
export function table(groups: GroupSummary[]): string {
  const head = ['scenario', 'process', 'n', 'calendar days (avg / median / p80)', 'approval wd parallel', 'serial', 'intermediary cd', 'applicant cd', 'special cd', '> 120', '> 100', '> 80'];
  const rows = groups.map((g) => [
    SCENARIO_LABELS[g.scenario],
    g.processCode,
    g.unfinished ? `${g.completed} (+${g.unfinished} unfinished)` : String(g.completed),
    `${num(g.avgCalendarDays)} / ${num(g.medianCalendarDays)} / ${num(g.p80CalendarDays)}`,
    num(g.avgParallelWorkingDays),
    num(g.avgSerialWorkingDays),
    num(g.avgIntermediaryDays),
    num(g.avgApplicantDays),
    num(g.avgSpecialProcedureDays),
    pct(g.over[120]),
    pct(g.over[100]),
    pct(g.over[80]),
  ]);
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

/**
 * The definitions alone, every matter at its full legal limit: one after another (the sum of the
 * stage matters' limits) and in parallel (each stage's critical path over its prerequisites in the
 * stage, the rule of the engine's accounting).
 */
export function atLegalLimits(snapshot: ProcessSnapshot): { serial: number; parallel: number } {
  let serial = 0;
  let parallel = 0;
  for (const st of snapshot.stages) {
    const inStage = new Map(st.matters.map((m) => [m.code, m]));
    const path = new Map<string, number>();
    const days = (code: string): number => {
      if (!path.has(code)) {
        const m = inStage.get(code)!;
        path.set(code, m.timeLimitDays + Math.max(0, ...m.prerequisites.filter((p) => inStage.has(p)).map(days)));
      }
      return path.get(code)!;
    };
    serial += st.matters.reduce((n, m) => n + m.timeLimitDays, 0);
    parallel += Math.max(0, ...st.matters.filter((m) => m.milestone).map((m) => days(m.code)));
  }
  return { serial, parallel };
}
