import type { Application } from './application/core';
import { CalendarRangeError, reckon, workingDaysAfter, type CalendarGap, type WorkingCalendar } from './calendar';
import { addDays, qualifiedProviders, type DayKind } from './intermediary';
import { forecast } from './forecast';
import { dateOfDayNumber, dayNumber, shanghaiDate, toShanghaiIso } from './time';
import type { MatterState, ServiceState } from './types';

/**
 * Predicted completion from what actually happens (issue 13 §2): per matter code, the working days
 * matters of that code really used, how often they needed a supplement (补正) or a special
 * procedure (特别程序) and how long those stopped the clock, and how long intake took; per service
 * type and provider, how long contracts really ran. Laid over the working-day calendar along the
 * prerequisite graph and the stage order, as distributions of dates, from which the p50 and p80
 * dates are read. Pure: the history comes in as samples (readmodel/history-stats.ts reads them).
 *
 * The arithmetic is exact for the model: a step's duration is the sum of independent parts
 * (convolution), a step that waits for several others starts at the latest of them (the product
 * of their distribution functions), a stage of `any` completion ends at the earliest. A date in a
 * year whose calendar is not published is unknown: it sorts after every known date, and a
 * quantile that lands on it is null, never guessed.
 */

/** Fewer samples of a code than this and the code's own figures are not used (see `matterModel`). */
export const MIN_SAMPLES = 5;
/** The reform's reference targets in calendar days (national, provincial, local: DESIGN §1). */
export const REFORM_TARGETS = [120, 100, 80] as const;

// ---- distributions over whole numbers (working or calendar days) ----

/** A discrete distribution: [value, probability] pairs sorted by value, probabilities summing to 1. */
export type Pmf = readonly (readonly [number, number])[];

const normalise = (m: Map<number, number>): Pmf =>
  [...m.entries()].filter(([, p]) => p > 0).sort((a, b) => a[0] - b[0]);

export function point(value: number): Pmf {
  return [[value, 1]];
}

/** The empirical distribution of the samples (each equally likely); null for none. */
export function empirical(samples: readonly number[]): Pmf | null {
  if (samples.length === 0) return null;
  const m = new Map<number, number>();
  for (const s of samples) m.set(s, (m.get(s) ?? 0) + 1 / samples.length);
  return normalise(m);
}

/** The distribution of a + b for independent a and b. */
export function convolve(a: Pmf, b: Pmf): Pmf {
  const m = new Map<number, number>();
  for (const [x, p] of a) for (const [y, q] of b) m.set(x + y, (m.get(x + y) ?? 0) + p * q);
  return normalise(m);
}

/** Nothing with probability 1 − rate, else a draw of `added`: an event that may or may not happen. */
export function mixture(rate: number, added: Pmf): Pmf {
  const m = new Map<number, number>([[0, 1 - rate]]);
  for (const [x, p] of added) m.set(x, (m.get(x) ?? 0) + rate * p);
  return normalise(m);
}

/** What is left of x once `elapsed` has passed: x − elapsed given x ≥ elapsed; none left when no sample ran that long. */
export function remaining(pmf: Pmf, elapsed: number): Pmf {
  const rest = pmf.filter(([x]) => x >= elapsed);
  const mass = rest.reduce((s, [, p]) => s + p, 0);
  if (mass <= 0) return point(0);
  return rest.map(([x, p]) => [x - elapsed, p / mass] as const);
}

/** The smallest value whose cumulative probability reaches q. */
export function quantile(pmf: Pmf, q: number): number {
  let cum = 0;
  for (const [x, p] of pmf) {
    cum += p;
    if (cum >= q - 1e-9) return x;
  }
  return pmf.at(-1)![0];
}

// ---- distributions over dates (day numbers; +Infinity: in a year not yet published) ----

export type DateDist = Pmf;
const UNKNOWN = Number.POSITIVE_INFINITY;

function cdfAt(d: DateDist, day: number): number {
  let c = 0;
  for (const [x, p] of d) if (x <= day) c += p;
  return c;
}

/** The later of independent dates: the product of their distribution functions. */
export function latest(ds: readonly DateDist[]): DateDist {
  if (ds.length === 0) throw new RangeError('latest of nothing');
  if (ds.length === 1) return ds[0]!;
  const days = [...new Set(ds.flatMap((d) => d.map(([x]) => x)))].sort((a, b) => a - b);
  const m = new Map<number, number>();
  let prev = 0;
  for (const day of days) {
    const c = ds.reduce((acc, d) => acc * cdfAt(d, day), 1);
    m.set(day, c - prev);
    prev = c;
  }
  return normalise(m);
}

/** The earlier of independent dates: one minus the product of their survival functions. */
export function earliest(ds: readonly DateDist[]): DateDist {
  if (ds.length === 1) return ds[0]!;
  const days = [...new Set(ds.flatMap((d) => d.map(([x]) => x)))].sort((a, b) => a - b);
  const m = new Map<number, number>();
  let prev = 0;
  for (const day of days) {
    const c = 1 - ds.reduce((acc, d) => acc * (1 - cdfAt(d, day)), 1);
    m.set(day, c - prev);
    prev = c;
  }
  return normalise(m);
}

/**
 * Adds days on the calendar, remembering the working days after each start it has walked (a
 * prediction adds thousands of durations to the same few hundred dates).
 */
export class DayAdder {
  private readonly walked = new Map<number, number[]>();
  constructor(readonly cal: WorkingCalendar) {}

  /** The day number `n` days of `kind` after `start` (not counted); CalendarRangeError past the published years. */
  add(start: number, n: number, kind: DayKind): number {
    if (kind === 'calendar') return start + n;
    if (n === 0) return start;
    let seq = this.walked.get(start);
    if (!seq) this.walked.set(start, (seq = []));
    while (seq.length < n) {
      const from = seq.at(-1) ?? start;
      seq.push(dayNumber(addDays(this.cal, dateOfDayNumber(from), 1, 'working')));
    }
    return seq[n - 1]!;
  }
}

/** The date plus a number of days of a kind, for independent date and duration; a date past the calendars is unknown. */
function after(adder: DayAdder, from: DateDist, days: Pmf, kind: DayKind, gaps: CalendarGap[]): DateDist {
  const m = new Map<number, number>();
  for (const [start, p] of from) {
    for (const [n, q] of days) {
      let end = UNKNOWN;
      if (start !== UNKNOWN) {
        const r = reckon(() => adder.add(start, n, kind));
        if (r.ok) end = r.value;
        else gaps.push(r.gap);
      }
      m.set(end, (m.get(end) ?? 0) + p * q);
    }
  }
  return normalise(m);
}

/** The date by which the share q of outcomes is reached; null when that lies in an unpublished year. */
export function dateQuantile(d: DateDist, q: number): string | null {
  const day = quantile(d, q);
  return day === UNKNOWN ? null : dateOfDayNumber(day);
}

// ---- the history ----

/** One decided matter of the history (办结 or 不予许可), as readmodel/history-stats.ts reads it. */
export interface MatterSample {
  applicationId: string;
  code: string;
  timeLimitDays: number;
  decidedAt: number;
  /** Working days the clock used, acceptance to decision (the read model's working_days_used). */
  usedDays: number;
  supplements: number;
  /** Working days the supplements stopped the clock, in all; null when the stops are not known. */
  supplementDays: number | null;
  specialProcedures: number;
  specialProcedureDays: number | null;
  /** Working days from receipt to complete materials (the applicant's part of intake); null when unknown. */
  intakeDays: number | null;
}

/** One intermediary contract that ran to acceptance. */
export interface ContractSample {
  applicationId: string;
  serviceType: string;
  provider: string;
  dayKind: DayKind;
  committedDays: number;
  acceptedAt: number;
  /** Days from the contract to the deliverable's acceptance, in the contract's own kind. */
  days: number;
}

export interface History {
  matters: MatterSample[];
  contracts: ContractSample[];
}

/** The history as known at an instant, without one application: what a backtest may use when it replays that application. */
export function historyBefore(h: History, at: number, exclude?: string): History {
  return {
    matters: h.matters.filter((s) => s.decidedAt < at && s.applicationId !== exclude),
    contracts: h.contracts.filter((s) => s.acceptedAt < at && s.applicationId !== exclude),
  };
}

/** Where a step's figures come from: its own code's history, every code's history scaled to its limit, or its legal limit alone. */
export type Basis = 'history' | 'pooled' | 'limit';

/** What one matter code is expected to take, in working days. */
export interface MatterModel {
  basis: Basis;
  samples: number;
  used: Pmf;
  supplementRate: number;
  supplementDays: Pmf;
  specialProcedureRate: number;
  specialProcedureDays: Pmf;
  intake: Pmf;
}

const nonNull = (xs: readonly (number | null)[]) => xs.filter((x): x is number => x !== null);

function rateAndDays(samples: readonly MatterSample[], count: (s: MatterSample) => number, days: (s: MatterSample) => number | null, pooledDays: Pmf) {
  const rate = samples.length ? samples.filter((s) => count(s) > 0).length / samples.length : 0;
  const own = empirical(nonNull(samples.filter((s) => count(s) > 0).map(days)));
  return { rate, days: own ?? pooledDays };
}

/**
 * A code's model. With at least MIN_SAMPLES decided matters of its own: its own figures. Else, with
 * MIN_SAMPLES decided matters of any code: the share of the limit they used, times this code's
 * limit, and their rates and stop lengths. Else the legal limit, as the limit forecast assumes, with
 * no supplement or special procedure.
 */
export function matterModel(h: History, code: string, limitDays: number): MatterModel {
  const own = h.matters.filter((s) => s.code === code);
  const all = h.matters;
  const pooledIntake = empirical(nonNull(all.map((s) => s.intakeDays))) ?? point(0);
  const pooledSupp = empirical(nonNull(all.filter((s) => s.supplements > 0).map((s) => s.supplementDays))) ?? point(0);
  const pooledSpecial = empirical(nonNull(all.filter((s) => s.specialProcedures > 0).map((s) => s.specialProcedureDays))) ?? point(0);
  const from = own.length >= MIN_SAMPLES ? own : all.length >= MIN_SAMPLES ? all : null;
  if (from === null) {
    return { basis: 'limit', samples: own.length, used: point(limitDays), supplementRate: 0, supplementDays: point(0), specialProcedureRate: 0, specialProcedureDays: point(0), intake: pooledIntake };
  }
  const basis: Basis = from === own ? 'history' : 'pooled';
  const used = basis === 'history' ? empirical(own.map((s) => s.usedDays))! : empirical(all.map((s) => Math.round((s.usedDays / s.timeLimitDays) * limitDays)))!;
  const supp = rateAndDays(from, (s) => s.supplements, (s) => s.supplementDays, pooledSupp);
  const special = rateAndDays(from, (s) => s.specialProcedures, (s) => s.specialProcedureDays, pooledSpecial);
  const intake = (basis === 'history' ? empirical(nonNull(own.map((s) => s.intakeDays))) : null) ?? pooledIntake;
  return { basis, samples: own.length, used, supplementRate: supp.rate, supplementDays: supp.days, specialProcedureRate: special.rate, specialProcedureDays: special.days, intake };
}

/**
 * How long a contract with this provider runs, in its own kind of days: the provider's own
 * contracts of the type (same kind, at least MIN_SAMPLES); else every provider's contracts of the
 * type as a share of their committed days, times these committed days; else the committed days.
 */
export function contractModel(h: History, serviceType: string, provider: string | null, committedDays: number, dayKind: DayKind): { basis: Basis; samples: number; days: Pmf } {
  const ofType = h.contracts.filter((c) => c.serviceType === serviceType);
  const own = ofType.filter((c) => c.provider === provider && c.dayKind === dayKind);
  if (own.length >= MIN_SAMPLES) return { basis: 'history', samples: own.length, days: empirical(own.map((c) => c.days))! };
  if (ofType.length >= MIN_SAMPLES) return { basis: 'pooled', samples: own.length, days: empirical(ofType.map((c) => Math.round((c.days / c.committedDays) * committedDays)))! };
  return { basis: 'limit', samples: own.length, days: point(committedDays) };
}

// ---- where an application stands at an instant ----

type Phase =
  | { kind: 'decided'; at: number }
  | { kind: 'running'; usedDays: number }
  | { kind: 'stopped'; usedDays: number; stop: 'supplement' | 'specialProcedure' | 'other'; since: number }
  | { kind: 'waiting' }
  | { kind: 'intake'; since: number }
  | { kind: 'pending' };

/** A matter as it stood at the instant: its phase, and what of its history has already happened. */
export interface MatterProgress {
  code: string;
  stage: string | null;
  milestone: boolean;
  phase: Phase;
  /** Set when the days used run into a year whose calendar is not published: what follows is unknown. */
  unknown?: boolean;
  supplements: number;
  specialProcedures: number;
}

/**
 * A matter at instant `at`, from its state with every fact after `at` left out: so it reads a
 * running application as it is now, and a completed one as it was at any earlier instant (the
 * backtest). Working days used are counted from acceptance and the clock's stops, as the clock does.
 */
export function matterAt(cal: WorkingCalendar, m: MatterState, at: number): MatterProgress {
  const stops = m.stops.filter((s) => s.from <= at);
  const base = {
    code: m.code,
    stage: m.stage,
    milestone: m.milestone,
    supplements: stops.filter((s) => s.kind === 'supplement').length,
    specialProcedures: stops.filter((s) => s.kind === 'specialProcedure').length,
  };
  const progress = (phase: Phase): MatterProgress => ({ ...base, phase });
  if (m.decision && m.decision.at <= at) return progress({ kind: 'decided', at: m.resultIssuedAt !== null && m.resultIssuedAt <= at ? m.resultIssuedAt : m.decision.at });
  if (m.acceptedAt !== null && m.acceptedAt <= at) {
    // Runs: from acceptance to the first stop, from each restart to the next stop, from the last restart to `at`.
    let used = 0;
    let runStart: number | null = m.acceptedAt;
    for (const s of stops) {
      if (runStart !== null) used += workingDaysAfter(cal, shanghaiDate(runStart), shanghaiDate(s.from));
      runStart = s.to !== null && s.to <= at ? s.to : null;
    }
    if (runStart !== null) return progress({ kind: 'running', usedDays: used + workingDaysAfter(cal, shanghaiDate(runStart), shanghaiDate(at)) });
    const open = stops.at(-1)!;
    const stop = open.kind === 'supplement' || open.kind === 'specialProcedure' ? open.kind : 'other';
    return progress({ kind: 'stopped', usedDays: used, stop, since: open.from });
  }
  const passed = m.intakePassedAt ?? m.acceptedAt;
  if (passed !== null && passed !== undefined && passed <= at) return progress({ kind: 'waiting' });
  if (m.receivedAt !== null && m.receivedAt <= at) return progress({ kind: 'intake', since: m.receivedAt });
  return progress({ kind: 'pending' });
}

/** A matter's limit before any extension: the catalogue's, unless the clock started. */
function limitOf(app: Application, m: MatterState): number {
  return m.clock ? m.clock.limitDays - (m.extension?.days ?? 0) : app.def(m.code).timeLimitDays;
}

/** When an intermediary deliverable is in hand, as a date distribution, seen at `at`. */
function serviceReady(app: Application, adder: DayAdder, h: History, svc: ServiceState, at: number, from: DateDist, gaps: CalendarGap[]): { ready: DateDist | null; basis: Basis | null } {
  if (svc.status === 'inHand' || svc.status === 'waived') return { ready: null, basis: null };
  if (svc.acceptedAt !== null && svc.acceptedAt <= at) return { ready: null, basis: null };
  const today = dayNumber(shanghaiDate(at));
  const c = svc.contracts.filter((x) => x.contractedAt <= at).at(-1);
  // Delivered and not returned since: in for review, taken as accepted today.
  const delivered = c?.deliveries.filter((d) => d.at <= at).at(-1);
  if (c && delivered && !c.returns.some((r) => r.at <= at && r.at >= delivered.at)) return { ready: point(today), basis: null };
  if (c && (c.closedAt === null || c.closedAt > at)) {
    const model = contractModel(h, svc.serviceType, c.provider, c.committedDays, c.dayKind);
    const contracted = shanghaiDate(c.contractedAt);
    const elapsed = reckon(() => (c.dayKind === 'working' ? workingDaysAfter(app.cal, contracted, shanghaiDate(at)) : today - dayNumber(contracted)));
    if (!elapsed.ok) {
      gaps.push(elapsed.gap);
      return { ready: point(UNKNOWN), basis: model.basis };
    }
    return { ready: after(adder, point(today), remaining(model.days, elapsed.value), c.dayKind, gaps), basis: model.basis };
  }
  // No contract yet: the applicant chooses when the matter's stage begins, the provider with the shortest commitment (as the limit forecast assumes).
  const start = latest([from, point(today)]);
  const options = qualifiedProviders(app.snapshot.providers, svc.serviceType, dateOfDayNumber(start[0]![0] === UNKNOWN ? today : start[0]![0]))
    .map((p) => p.qualifications.find((q) => q.serviceType === svc.serviceType)!)
    .sort((a, b) => a.committedDays - b.committedDays);
  const q = options[0];
  if (!q) return { ready: start, basis: null };
  const model = contractModel(h, svc.serviceType, null, q.committedDays, q.dayKind);
  return { ready: after(adder, start, model.days, q.dayKind, gaps), basis: model.basis };
}

export interface PredictedMatter {
  code: string;
  stage: string | null;
  department: string;
  status: Phase['kind'];
  /** Predicted decision dates; null when unknown (a year not yet published). */
  p50On: string | null;
  p80On: string | null;
  basis: Basis;
  /** Decided matters of this code in the history. */
  samples: number;
  medianWorkingDays: number;
  p80WorkingDays: number;
  supplementRate: number;
  specialProcedureRate: number;
}

export interface Prediction {
  asOf: string;
  /** history: predicted from the read model's history; actual: the application has ended. */
  basis: 'history' | 'actual';
  startedOn: string;
  completion: { p50On: string | null; p80On: string | null; p50TotalDays: number | null; p80TotalDays: number | null };
  targetTotalDays: number;
  /** Whether p50 / p80 completion passes the target; null when unknown. */
  exceedsTarget: { p50: boolean | null; p80: boolean | null };
  /** The reform's reference targets (120/100/80 days) and whether the p50 and p80 totals stay within each. */
  targets: { days: number; p50Within: boolean | null; p80Within: boolean | null }[];
  /** The limit-based forecast (every step takes its full limit), beside this one. */
  forecast: { completionOn: string; projectedTotalDays: number; approximate: boolean };
  stages: { stage: string; status: string; p50On: string | null; p80On: string | null; forecastOn: string | null }[];
  matters: PredictedMatter[];
  /** Years whose calendars a predicted date would need and are not published yet. */
  calendarGaps: number[];
  history: { matters: number; contracts: number; minSamples: number };
}

/** The p50/p80 completion of the application as it stood at `at`, as date distributions: the backtest reads these. */
export function predictDistributions(app: Application, h: History, at: number) {
  const s = app.state;
  const cal = app.cal;
  const gaps: CalendarGap[] = [];
  const adder = new DayAdder(cal);
  const today = dayNumber(shanghaiDate(at));
  const progress = new Map(Object.values(s.matters).map((m) => [m.code, safeMatterAt(cal, m, at, gaps)]));
  const models = new Map<string, MatterModel>();
  const model = (m: MatterState) => {
    let x = models.get(m.code);
    if (!x) models.set(m.code, (x = matterModel(h, m.code, limitOf(app, m))));
    return x;
  };
  const duration = (mm: MatterModel, p: MatterProgress, usedSoFar: number): Pmf => {
    let d = remaining(mm.used, usedSoFar);
    if (p.supplements === 0) d = convolve(d, mixture(mm.supplementRate, mm.supplementDays));
    if (p.specialProcedures === 0) d = convolve(d, mixture(mm.specialProcedureRate, mm.specialProcedureDays));
    return d;
  };

  const stageIndex = new Map(app.snapshot.stages.map((st, i) => [st.code, i]));
  const stageStarts = new Map<number, DateDist>();
  const stageEnds = new Map<number, DateDist>();
  const ends = new Map<string, DateDist>();
  const visiting = new Set<string>();

  const stageStart = (i: number): DateDist => {
    const known = stageStarts.get(i);
    if (known) return known;
    const st = s.stages[i]!;
    const d = st.startedAt !== null && st.startedAt <= at ? point(dayNumber(shanghaiDate(st.startedAt))) : i === 0 ? point(dayNumber(shanghaiDate(s.startedAt))) : stageEnd(i - 1);
    stageStarts.set(i, d);
    return d;
  };
  const stageEnd = (i: number): DateDist => {
    const known = stageEnds.get(i);
    if (known) return known;
    const st = s.stages[i]!;
    const def = app.snapshot.stages[i]!;
    let d: DateDist;
    if (st.completedAt !== null && st.completedAt <= at) d = point(dayNumber(shanghaiDate(st.completedAt)));
    else {
      const milestones = def.matters.filter((x) => x.milestone).map((x) => matterEnd(x.code));
      d = milestones.length === 0 ? stageStart(i) : def.completion === 'any' ? earliest(milestones) : latest(milestones);
      // A stage is not done before it has begun.
      d = latest([d, stageStart(i)]);
    }
    stageEnds.set(i, d);
    return d;
  };
  /** When a prerequisite's output exists for a matter of `stage`: its result in the same stage (or beside the stages), else its stage's output. */
  const outputOf = (code: string, stage: string | null): DateDist => {
    const p = s.matters[code]!;
    if (p.stage === null || p.stage === stage) return matterEnd(code);
    return stageEnd(stageIndex.get(p.stage)!);
  };
  const matterEnd = (code: string): DateDist => {
    const known = ends.get(code);
    if (known) return known;
    if (visiting.has(code)) return point(today);
    visiting.add(code);
    const m = s.matters[code]!;
    const p = progress.get(code)!;
    const mm = model(m);
    let d: DateDist;
    const ph = p.phase;
    if (p.unknown) d = point(UNKNOWN);
    else if (ph.kind === 'decided') d = point(dayNumber(shanghaiDate(ph.at)));
    else if (ph.kind === 'running') d = after(adder, point(today), duration(mm, p, ph.usedDays), 'working', gaps);
    else if (ph.kind === 'stopped') {
      const elapsed = reckon(() => workingDaysAfter(cal, shanghaiDate(ph.since), shanghaiDate(at)));
      if (!elapsed.ok) gaps.push(elapsed.gap);
      const stopDays = ph.stop === 'supplement' ? mm.supplementDays : ph.stop === 'specialProcedure' ? mm.specialProcedureDays : point(0);
      const rest = elapsed.ok ? remaining(stopDays, elapsed.value) : point(0);
      d = after(adder, point(today), convolve(rest, duration(mm, p, ph.usedDays)), 'working', gaps);
    } else {
      let received: DateDist;
      let passed: DateDist;
      if (ph.kind === 'intake') {
        const elapsed = reckon(() => workingDaysAfter(cal, shanghaiDate(ph.since), shanghaiDate(at)));
        if (!elapsed.ok) gaps.push(elapsed.gap);
        received = point(dayNumber(shanghaiDate(ph.since)));
        passed = elapsed.ok ? after(adder, point(today), remaining(mm.intake, elapsed.value), 'working', gaps) : point(UNKNOWN);
      } else if (ph.kind === 'waiting') {
        received = point(today);
        passed = point(today);
      } else {
        // Pending: a stage's matters are received when the stage begins; one beside the stages when its prerequisites' outputs exist.
        received = m.stage !== null ? stageStart(stageIndex.get(m.stage)!) : latest([point(today), ...app.def(code).prerequisites.map((x) => outputOf(x, null))]);
        passed = after(adder, received, mm.intake, 'working', gaps);
      }
      const waits = [passed, point(today)];
      for (const x of app.def(code).prerequisites) waits.push(outputOf(x, m.stage));
      for (const svc of app.servicesOf(code)) {
        const r = serviceReady(app, adder, h, svc, at, received, gaps);
        if (r.ready) waits.push(r.ready);
      }
      d = after(adder, latest(waits), duration(mm, p, 0), 'working', gaps);
    }
    ends.set(code, d);
    visiting.delete(code);
    return d;
  };

  const stageDists = app.snapshot.stages.map((_, i) => stageEnd(i));
  const open = Object.values(s.matters).filter((m) => progress.get(m.code)!.phase.kind !== 'decided');
  const completion = s.outcome && s.outcome.at <= at ? point(dayNumber(shanghaiDate(s.outcome.at))) : latest([stageDists.at(-1) ?? point(today), ...open.map((m) => matterEnd(m.code))]);
  return { completion, stages: stageDists, matters: Object.values(s.matters).map((m) => ({ m, progress: progress.get(m.code)!, model: model(m), end: matterEnd(m.code) })), gaps };
}

function safeMatterAt(cal: WorkingCalendar, m: MatterState, at: number, gaps: CalendarGap[]): MatterProgress {
  try {
    return matterAt(cal, m, at);
  } catch (e) {
    if (!(e instanceof CalendarRangeError)) throw e;
    gaps.push(e.gap);
    return { code: m.code, stage: m.stage, milestone: m.milestone, phase: { kind: 'running', usedDays: 0 }, supplements: 0, specialProcedures: 0, unknown: true };
  }
}

/**
 * The application's predicted completion at `now`: per open matter, per stage and in all, the p50
 * and p80 dates, beside the limit-based forecast and the targets. Recomputed on every read, so it
 * follows every change of the application; an ended application answers its actual end.
 */
export function predict(app: Application, h: History, now: number): Prediction {
  const s = app.state;
  const startDay = dayNumber(shanghaiDate(s.startedAt));
  const target = app.snapshot.targetTotalDays;
  const dist = predictDistributions(app, h, now);
  const p50On = dateQuantile(dist.completion, 0.5);
  const p80On = dateQuantile(dist.completion, 0.8);
  const total = (d: string | null) => (d === null ? null : dayNumber(d) - startDay);
  const p50TotalDays = total(p50On);
  const p80TotalDays = total(p80On);
  const f = forecast(app, now);
  const forecastStage = new Map(f.stages.map((x) => [x.stage, x.projectedEndOn]));
  const within = (n: number | null, t: number) => (n === null ? null : n <= t);
  return {
    asOf: toShanghaiIso(now),
    basis: s.outcome ? 'actual' : 'history',
    startedOn: shanghaiDate(s.startedAt),
    completion: { p50On, p80On, p50TotalDays, p80TotalDays },
    targetTotalDays: target,
    exceedsTarget: { p50: p50TotalDays === null ? null : p50TotalDays > target, p80: p80TotalDays === null ? null : p80TotalDays > target },
    targets: REFORM_TARGETS.map((t) => ({ days: t, p50Within: within(p50TotalDays, t), p80Within: within(p80TotalDays, t) })),
    forecast: { completionOn: f.completionOn, projectedTotalDays: f.projectedTotalDays, approximate: f.approximate },
    stages: app.snapshot.stages.map((st, i) => {
      const state = s.stages[i]!;
      return { stage: st.code, status: state.status, p50On: dateQuantile(dist.stages[i]!, 0.5), p80On: dateQuantile(dist.stages[i]!, 0.8), forecastOn: state.completedAt !== null ? shanghaiDate(state.completedAt) : (forecastStage.get(st.code) ?? null) };
    }),
    matters: dist.matters.map(({ m, progress, model, end }) => ({
      code: m.code,
      stage: m.stage,
      department: m.department,
      status: progress.phase.kind,
      p50On: dateQuantile(end, 0.5),
      p80On: dateQuantile(end, 0.8),
      basis: model.basis,
      samples: model.samples,
      medianWorkingDays: quantile(model.used, 0.5),
      p80WorkingDays: quantile(model.used, 0.8),
      supplementRate: model.supplementRate,
      specialProcedureRate: model.specialProcedureRate,
    })),
    calendarGaps: [...new Set(dist.gaps.map((g) => g.year))].sort(),
    history: { matters: h.matters.length, contracts: h.contracts.length, minSamples: MIN_SAMPLES },
  };
}

// ---- the backtest ----

/** The shares of an application's elapsed time at which the backtest replays it. */
export const BACKTEST_POINTS = [0.25, 0.5, 0.75] as const;

export interface BacktestRow {
  applicationId: string;
  share: number;
  /** The instant replayed to. */
  at: string;
  actualOn: string;
  /** The p50 completion predicted from the history known then, and its error in calendar days (null: unknown). */
  predictedOn: string | null;
  errorDays: number | null;
  /** Whether the actual completion came by the p80 date. */
  withinP80: boolean | null;
  /** The same replay with every step taking its full limit (no history), for comparison. */
  limitsOn: string | null;
  limitsErrorDays: number | null;
}

/**
 * Replays a completed application to each share of its elapsed time: the state at that instant is
 * its final state with every later fact left out (`matterAt`), the history is what was decided
 * before that instant in other applications; the p50 completion is compared with the actual one.
 */
export function backtestApplication(app: Application, h: History, shares: readonly number[] = BACKTEST_POINTS): BacktestRow[] {
  const s = app.state;
  if (!s.outcome || s.status !== 'completed') return [];
  const id = s.input.applicationId;
  const actualOn = shanghaiDate(s.outcome.at);
  const err = (d: string | null) => (d === null ? null : Math.abs(dayNumber(d) - dayNumber(actualOn)));
  return shares.map((share) => {
    const at = Math.floor(s.startedAt + share * (s.outcome!.at - s.startedAt));
    const known = historyBefore(h, at, id);
    const dist = predictDistributions(app, known, at).completion;
    const predictedOn = dateQuantile(dist, 0.5);
    const p80 = dateQuantile(dist, 0.8);
    const limitsOn = dateQuantile(predictDistributions(app, { matters: [], contracts: [] }, at).completion, 0.5);
    return { applicationId: id, share, at: toShanghaiIso(at), actualOn, predictedOn, errorDays: err(predictedOn), withinP80: p80 === null ? null : actualOn <= p80, limitsOn, limitsErrorDays: err(limitsOn) };
  });
}

export interface BacktestSummary {
  share: number;
  applications: number;
  /** Median absolute error of the p50 date, calendar days; null without any known prediction. */
  medianAbsErrorDays: number | null;
  /** Share of applications completed by the p80 date. */
  p80Coverage: number | null;
  /** The same for the limit-based replay. */
  limitsMedianAbsErrorDays: number | null;
}

/** The median of numbers (the mean of the middle two for an even count); null for none. */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

export function summariseBacktest(rows: readonly BacktestRow[], shares: readonly number[] = BACKTEST_POINTS): BacktestSummary[] {
  return shares.map((share) => {
    const at = rows.filter((r) => r.share === share);
    const covered = at.filter((r) => r.withinP80 !== null);
    return {
      share,
      applications: at.length,
      medianAbsErrorDays: median(at.flatMap((r) => (r.errorDays === null ? [] : [r.errorDays]))),
      p80Coverage: covered.length ? covered.filter((r) => r.withinP80).length / covered.length : null,
      limitsMedianAbsErrorDays: median(at.flatMap((r) => (r.limitsErrorDays === null ? [] : [r.limitsErrorDays]))),
    };
  });
}
