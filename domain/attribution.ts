import type { Application } from './application/core';
import { addWorkingDays, knownOrNull, workingDaysAfter, workingDaysBetween } from './calendar';
import { workingDaysUsed } from './clock';
import { addDays, committedDueOn, contractDueOn, qualifiedProviders } from './intermediary';
import { DAY_MS, endOfDay, shanghaiDate, toShanghaiIso } from './time';
import type { ContractState, MatterState, ServiceState } from './types';

/**
 * Where the days went (issue 13): the application's elapsed time along its critical path — the
 * chain of waits that decided when it is (or was) where it is — split by who held each stretch.
 * README "Where the days went" states the rules; this module is the one place they live.
 *
 * The path is walked backwards from the end (the outcome, or `now`): stage by stage; inside a
 * stage, the milestone matter that finished last and, before it, what it waited for (its
 * prerequisites' chains, its intermediary deliverable, its intake); inside a matter, its clock's
 * runs (department) and stops (applicant, special procedure, hold). Each stretch has one holder,
 * so the stretches are contiguous and add up to the elapsed time, in calendar and working days.
 */
export const HOLDER_KINDS = ['department', 'provider', 'applicant', 'specialProcedure', 'stageBoundary'] as const;
export type HolderKind = (typeof HOLDER_KINDS)[number];

/** Why the holder held the path during a stretch. */
export const SEGMENT_REASONS = [
  /** A department: its matter's clock ran. */
  'clock',
  /** A department: its matter held because a prerequisite's result was revoked (false commitment). */
  'hold',
  /** A department: the window accepted flagged items at intake (they were there after all). */
  'intakeCheck',
  /** A department: an intermediary deliverable awaited its review. */
  'review',
  /** The applicant: materials missing at intake (一次性告知 or not). */
  'missingMaterials',
  /** The applicant: a supplement (补正). */
  'supplement',
  /** The applicant: a joint matter's rectification (整改). */
  'rectification',
  /** The applicant: an approved matter's result waited for its 容缺 items. */
  'deferredItems',
  /** The applicant: no provider chosen yet for a needed intermediary service. */
  'choosingProvider',
  /** The applicant: a deliverable it supplied itself, from the start until it was supplied. */
  'ownDeliverable',
  /** A provider: its contract's work, up to the first delivery (a replaced provider's until its replacement). */
  'contract',
  /** A provider: rework after a deliverable was returned. */
  'rework',
  /** A special procedure (特别程序): site inspection, expert review, hearing… */
  'specialProcedure',
  /** Between a stage's deciding result and its one-window output (一窗出件), or between two stages. */
  'stageOutput',
  'betweenStages',
  /** Between what a matter waited for and its start (the same instant as a rule: normally nothing). */
  'start',
] as const;
export type SegmentReason = (typeof SEGMENT_REASONS)[number];

/** One stretch of the critical path, held by one holder. */
export interface PathSegment {
  from: number;
  to: number;
  kind: HolderKind;
  /** The department, the provider, the special procedure's kind or the stage; null for the applicant. */
  holder: string | null;
  reason: SegmentReason;
  matter: string | null;
  stage: string | null;
  serviceType: string | null;
  contractId: string | null;
  /**
   * The last day within the limit that runs in this stretch: a department's matter clock (its due
   * date), a provider's committed or rework date. Days after it in the stretch are over the limit.
   */
  overAfter: string | null;
}

type Holding = Omit<PathSegment, 'from' | 'to'>;
const none = { matter: null, stage: null, serviceType: null, contractId: null, overAfter: null };

/** The path under construction, from the end backwards: each stretch reaches from its start to the cursor. */
class Walk {
  readonly segments: PathSegment[] = [];
  constructor(public cursor: number) {}

  /** `holding` held the path from `from` to the cursor; the cursor moves back to `from` (never forward). */
  back(from: number, holding: Holding): void {
    const a = Math.min(from, this.cursor);
    if (a < this.cursor) this.segments.unshift({ ...holding, from: a, to: this.cursor });
    this.cursor = a;
  }
}

/** Something a matter waits for before it can start: a prerequisite's output or an intermediary deliverable. */
interface Predecessor {
  /** When it was there; null while it is not. */
  finish: number | null;
  /** Working days it still needs by the limits (to choose among those not there yet). */
  ahead: () => number;
  /** Continues the path through it, from the cursor back. */
  walk: () => void;
}

/** The critical path from the application's start to its end (outcome) or `now`, contiguous. */
export function criticalPath(app: Application, now: number): PathSegment[] {
  const s = app.state;
  const cal = app.cal;
  const end = s.outcome?.at ?? Math.max(now, s.startedAt);
  const w = new Walk(end);
  const stageIndex = (code: string) => s.stages.findIndex((x) => x.code === code);
  const milestonesOf = (k: number) => app.snapshot.stages[k]!.matters.filter((x) => x.milestone).map((x) => s.matters[x.code]!);
  const guard = { depth: 0 };

  const usedAt = (m: MatterState, at: number) => (m.clock ? (knownOrNull(() => workingDaysUsed(cal, m.clock!, at)) ?? m.clock.usedBefore) : 0);

  /** Working days a matter still needs by its limit: what is left of its clock, or its whole limit after what it waits for. */
  const matterAhead = (m: MatterState): number => {
    if (m.resultIssuedAt !== null || (m.decision && m.decision.kind !== 'cancelled')) return 0;
    if (m.acceptedAt !== null && m.clock) return Math.max(0, m.clock.limitDays - usedAt(m, end));
    const waits = predecessors(m).filter((p) => p.finish === null);
    return app.def(m.code).timeLimitDays + Math.max(0, ...waits.map((p) => p.ahead()));
  };

  const serviceAhead = (svc: ServiceState): number => {
    const c = svc.contracts.at(-1);
    if (c && c.status === 'open') return knownOrNull(() => Math.max(0, workingDaysAfter(cal, shanghaiDate(end), contractDueOn(cal, c)))) ?? 0;
    if (c) return 0;
    const days = qualifiedProviders(app.snapshot.providers, svc.serviceType, shanghaiDate(end)).map((p) => {
      const q = p.qualifications.find((x) => x.serviceType === svc.serviceType)!;
      return q.dayKind === 'working' ? q.committedDays : Math.ceil((q.committedDays * 5) / 7);
    });
    return days.length ? Math.min(...days) : 0;
  };

  /** When a service's deliverable was there for the matters waiting on it, or null while it is not. */
  const serviceFinish = (svc: ServiceState): number | null => {
    if (svc.acceptedAt !== null) return svc.acceptedAt;
    if (svc.status === 'waived') return s.startedAt;
    if (svc.status === 'inHand') return s.materials[svc.deliverable] ?? s.startedAt;
    return null;
  };

  const predecessors = (m: MatterState): Predecessor[] => {
    const own = app.def(m.code).prerequisites.map((code): Predecessor => {
      const p = s.matters[code]!;
      if (p.stage === null || p.stage === m.stage) {
        return { finish: p.resultIssuedAt, ahead: () => matterAhead(p), walk: () => walkMatter(p) };
      }
      const k = stageIndex(p.stage);
      const st = s.stages[k]!;
      return { finish: st.status === 'completed' ? st.completedAt : null, ahead: () => matterAhead(p), walk: () => (st.status === 'completed' ? stageEnd(k) : walkMatter(p)) };
    });
    const services = app.servicesOf(m.code).map((svc): Predecessor => ({ finish: serviceFinish(svc), ahead: () => serviceAhead(svc), walk: () => walkService(svc, m) }));
    return [...own, ...services];
  };

  /** Of the predecessors there by `by` and after `after`, the last one; ties go to the first listed. */
  const lastArrived = (preds: Predecessor[], after: number, by: number): Predecessor | null => {
    let best: Predecessor | null = null;
    for (const p of preds) if (p.finish !== null && p.finish > after && p.finish <= by && (!best || p.finish > best.finish!)) best = p;
    return best;
  };

  /** Of the predecessors not there yet, the one needing the most working days by the limits; ties to the first listed. */
  const furthestBehind = (preds: Predecessor[]): Predecessor | null => {
    let best: Predecessor | null = null;
    let most = -1;
    for (const p of preds.filter((x) => x.finish === null || x.finish > w.cursor)) {
      const a = p.ahead();
      if (a > most) [best, most] = [p, a];
    }
    return best;
  };

  function walkMatter(m: MatterState): void {
    if (++guard.depth > 500) return;
    const dept = (reason: SegmentReason, overAfter: string | null = null): Holding => ({ ...none, kind: 'department', holder: m.department, reason, matter: m.code, stage: m.stage, overAfter });
    const applicant = (reason: SegmentReason): Holding => ({ ...none, kind: 'applicant', holder: null, reason, matter: m.code, stage: m.stage });
    const D = m.decision?.at ?? null;
    if (D !== null && m.decision!.kind === 'approved' && (m.resultIssuedAt === null || m.resultIssuedAt > D)) w.back(D, applicant('deferredItems'));
    if (m.acceptedAt !== null) {
      for (const phase of clockPhases(app, m, D ?? w.cursor).reverse()) {
        if (phase.stop === null) w.back(phase.from, dept('clock', phase.overAfter));
        else if (phase.stop.kind === 'specialProcedure') w.back(phase.from, { ...none, kind: 'specialProcedure', holder: phase.stop.procedure ?? null, reason: 'specialProcedure', matter: m.code, stage: m.stage });
        else if (phase.stop.kind === 'hold') w.back(phase.from, dept('hold'));
        else w.back(phase.from, applicant(phase.stop.kind));
      }
    }
    const passed = m.intakePassedAt ?? (m.acceptance !== null ? m.acceptedAt : null);
    const preds = predecessors(m);
    if (m.acceptedAt !== null && passed !== null) {
      const binding = lastArrived(preds, passed, m.acceptedAt);
      if (binding) {
        w.back(binding.finish!, { ...none, kind: 'stageBoundary', holder: m.stage, reason: 'start', matter: m.code, stage: m.stage });
        return binding.walk();
      }
      w.back(passed, { ...none, kind: 'stageBoundary', holder: m.stage, reason: 'start', matter: m.code, stage: m.stage });
    } else if (m.acceptedAt === null) {
      // Not started by the cursor: what it still waits for holds the path, else its intake.
      const open = furthestBehind(preds);
      if (open) return open.walk();
    }
    const received = m.receivedAt;
    if (received === null) return;
    const intakeEnd = passed ?? w.cursor;
    if (intakeEnd > received) w.back(received, m.acceptance === 'officer' ? { ...dept('intakeCheck'), holder: s.intakes[m.stage ?? m.code]?.window ?? m.department } : applicant('missingMaterials'));
    beforeReceipt(m, received);
  }

  /** What a matter's receipt waited for: its stage's start, or (beside the stages) its prerequisites' outputs. */
  function beforeReceipt(m: MatterState, received: number): void {
    if (m.stage !== null) {
      return stageStart(stageIndex(m.stage));
    }
    const binding = lastArrived(predecessors(m), Number.NEGATIVE_INFINITY, received);
    if (binding) {
      w.back(binding.finish!, { ...none, kind: 'stageBoundary', holder: null, reason: 'start', matter: m.code });
      binding.walk();
    }
  }

  function stageStart(k: number): void {
    const st = s.stages[k]!;
    if (st.startedAt !== null && k > 0) {
      const before = s.stages[k - 1]!;
      w.back(before.completedAt ?? st.startedAt, { ...none, kind: 'stageBoundary', holder: st.code, reason: 'betweenStages', stage: st.code });
      return stageEnd(k - 1);
    }
    w.back(s.startedAt, { ...none, kind: 'stageBoundary', holder: st.code, reason: 'betweenStages', stage: st.code });
  }

  /** A completed stage: its output waited for the milestone that finished last (or, where any one completes it, first). */
  function stageEnd(k: number): void {
    const st = s.stages[k]!;
    const def = app.snapshot.stages[k]!;
    const done = milestonesOf(k).filter((m) => m.resultIssuedAt !== null && m.resultIssuedAt <= (st.completedAt ?? w.cursor));
    if (!done.length) return;
    const pick = done.reduce((a, b) => (def.completion === 'any' ? (b.resultIssuedAt! < a.resultIssuedAt! ? b : a) : b.resultIssuedAt! > a.resultIssuedAt! ? b : a));
    w.back(pick.resultIssuedAt!, { ...none, kind: 'stageBoundary', holder: st.code, reason: 'stageOutput', stage: st.code });
    walkMatter(pick);
  }

  /** A stage still under way at the cursor (or cut off by a withdrawal): through its open milestone furthest behind. */
  function openStage(k: number): void {
    const def = app.snapshot.stages[k]!;
    const open = milestonesOf(k).filter((m) => m.resultIssuedAt === null && !(m.decision && m.decision.kind !== 'cancelled' && m.decision.kind !== 'approved'));
    const pick = pickOpen(open, def.completion);
    if (pick) walkMatter(pick);
    else stageStart(k);
  }

  function pickOpen(open: MatterState[], completion: 'all' | 'any'): MatterState | null {
    let best: MatterState | null = null;
    let score = 0;
    for (const m of open) {
      const a = matterAhead(m);
      if (!best || (completion === 'any' ? a < score : a > score)) [best, score] = [m, a];
    }
    return best;
  }

  /** An intermediary service's chain: the applicant choosing, each provider's work and rework, the department's review. */
  function walkService(svc: ServiceState, waiting: MatterState): void {
    const base = { ...none, serviceType: svc.serviceType, matter: waiting.code, stage: waiting.stage };
    if (!svc.contracts.length) {
      w.back(s.startedAt, { ...base, kind: 'applicant', holder: null, reason: svc.status === 'inHand' ? 'ownDeliverable' : 'choosingProvider' });
      return;
    }
    for (const c of [...svc.contracts].reverse()) {
      for (const phase of contractPhases(app, c).reverse()) {
        if (phase.review) w.back(phase.from, { ...base, kind: 'department', holder: waiting.department, reason: 'review', contractId: c.contractId });
        else w.back(phase.from, { ...base, kind: 'provider', holder: c.provider, reason: phase.rework ? 'rework' : 'contract', contractId: c.contractId, overAfter: phase.overAfter });
      }
    }
    w.back(s.startedAt, { ...base, kind: 'applicant', holder: null, reason: 'choosingProvider' });
  }

  if (s.outcome?.matter) {
    walkMatter(s.matters[s.outcome.matter]!);
  } else if (s.status === 'completed') {
    const last = s.stages.length - 1;
    const along = app.snapshot.alongside.map((x) => s.matters[x.code]!).filter((m) => m.decision !== null);
    const finish = (m: MatterState) => m.resultIssuedAt ?? m.decision!.at;
    const latest = along.reduce<MatterState | null>((a, b) => (!a || finish(b) > finish(a) ? b : a), null);
    const stagesDone = s.stages[last]!.completedAt ?? end;
    if (latest && finish(latest) > stagesDone) {
      w.back(finish(latest), { ...none, kind: 'stageBoundary', holder: null, reason: 'stageOutput', matter: latest.code });
      walkMatter(latest);
    } else {
      w.back(stagesDone, { ...none, kind: 'stageBoundary', holder: s.stages[last]!.code, reason: 'stageOutput', stage: s.stages[last]!.code });
      stageEnd(last);
    }
  } else {
    // Running, or withdrawn by the applicant: where it stood at the end.
    const k = s.stages.findIndex((x) => x.status === 'inProgress' || x.status === 'cancelled');
    if (k >= 0 && s.stages[k]!.startedAt !== null) openStage(k);
    else if (k < 0) {
      const open = app.snapshot.alongside.map((x) => s.matters[x.code]!).filter((m) => m.resultIssuedAt === null && (!m.decision || m.decision.kind === 'cancelled'));
      const pick = pickOpen(open, 'all');
      if (pick) walkMatter(pick);
      else stageEnd(s.stages.length - 1);
    }
  }
  const first = s.stages[0]?.code ?? null;
  w.back(s.startedAt, { ...none, kind: 'stageBoundary', holder: first, reason: 'betweenStages', stage: first });
  return w.segments;
}

/** A matter's clock from acceptance to `until`: its runs, each with the last day of its limit, and its stops. */
export function clockPhases(app: Application, m: MatterState, until: number): { from: number; to: number; stop: MatterState['stops'][number] | null; overAfter: string | null }[] {
  const cal = app.cal;
  const limit = m.clock?.limitDays ?? app.def(m.code).timeLimitDays;
  const phases: { from: number; to: number; stop: MatterState['stops'][number] | null; overAfter: string | null }[] = [];
  let used: number | null = 0;
  let runFrom = m.acceptedAt!;
  const run = (to: number) => {
    if (to < runFrom) return;
    const left = used === null ? null : limit - used;
    const overAfter = left === null ? null : left > 0 ? knownOrNull(() => addWorkingDays(cal, shanghaiDate(runFrom), left)) : shanghaiDate(runFrom);
    phases.push({ from: runFrom, to, stop: null, overAfter });
    const days = knownOrNull(() => workingDaysBetween(cal, runFrom, to));
    used = used === null || days === null ? null : used + days;
  };
  for (const stop of [...m.stops].sort((a, b) => a.from - b.from)) {
    if (stop.from > until) break;
    run(stop.from);
    const to = Math.min(stop.to ?? until, until);
    phases.push({ from: stop.from, to, stop, overAfter: null });
    runFrom = to;
    if (stop.to === null) return phases;
  }
  run(until);
  return phases;
}

/** A contract's time: the provider's work and rework, each with its committed or rework date, and the department's review between. */
function contractPhases(app: Application, c: ContractState): { from: number; review: boolean; rework: boolean; overAfter: string | null }[] {
  const cal = app.cal;
  const phases: { from: number; review: boolean; rework: boolean; overAfter: string | null }[] = [
    { from: c.contractedAt, review: false, rework: false, overAfter: knownOrNull(() => committedDueOn(cal, c)) },
  ];
  const steps = [...c.deliveries.map((d) => ({ at: d.at, kind: 'delivery' as const, days: 0 })), ...c.returns.map((r) => ({ at: r.at, kind: 'return' as const, days: r.reworkDays }))].sort((a, b) => a.at - b.at);
  for (const x of steps) {
    if (x.kind === 'delivery') phases.push({ from: x.at, review: true, rework: false, overAfter: null });
    else phases.push({ from: x.at, review: false, rework: true, overAfter: knownOrNull(() => addDays(cal, shanghaiDate(x.at), x.days, c.dayKind)) });
  }
  return phases;
}

const KIND_ORDER = new Map(HOLDER_KINDS.map((k, i) => [k, i]));

/**
 * Tenths of a day for each stretch, by the largest remainder, so the stretches' calendar days add up
 * exactly to the elapsed time's (rounded to a tenth of a day).
 */
function tenths(segments: PathSegment[], start: number, end: number): number[] {
  const exact = segments.map((x) => ((x.to - x.from) / DAY_MS) * 10);
  const floors = exact.map(Math.floor);
  let left = Math.round(((end - start) / DAY_MS) * 10) - floors.reduce((a, b) => a + b, 0);
  const order = exact.map((e, i) => [e - floors[i]!, i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    floors[i]! += 1;
    left -= 1;
  }
  return floors;
}

/** Working days of a stretch after the last day of its limit (a matter's due date, a provider's committed date). */
export function overWorkingDays(app: Application, x: Pick<PathSegment, 'from' | 'to' | 'overAfter'>): number | null {
  if (x.overAfter === null) return 0;
  const fromDate = shanghaiDate(x.from);
  const first = fromDate > x.overAfter ? fromDate : x.overAfter;
  const last = shanghaiDate(x.to);
  return last > first ? knownOrNull(() => workingDaysAfter(app.cal, first, last)) : 0;
}

function overCalendarMs(x: Pick<PathSegment, 'from' | 'to' | 'overAfter'>): number {
  if (x.overAfter === null) return 0;
  return Math.max(0, x.to - Math.max(x.from, endOfDay(x.overAfter)));
}

const round1 = (n: number) => Math.round(n * 10) / 10;
const sumOrNull = (xs: (number | null)[]) => (xs.some((x) => x === null) ? null : xs.reduce<number>((a, b) => a + b!, 0));

export interface HolderFigures {
  kind: HolderKind;
  holder: string | null;
  name: string;
  calendarDays: number;
  workingDays: number | null;
  /** Working days of its stretches past the limit in force (departments and providers; 0 for the others). */
  overLimitWorkingDays: number | null;
  overLimitCalendarDays: number;
}

/**
 * The attribution as the status view shows it: the elapsed time, its split by holder and by
 * department and matter (each adding up to the elapsed time), and the path itself.
 */
export function attribution(app: Application, now: number) {
  const s = app.state;
  const end = s.outcome?.at ?? Math.max(now, s.startedAt);
  const path = criticalPath(app, now);
  const t = tenths(path, s.startedAt, end);
  const cal = app.cal;
  const rows = path.map((x, i) => ({
    x,
    tenths: t[i]!,
    workingDays: knownOrNull(() => workingDaysBetween(cal, x.from, x.to)),
    overWorkingDays: overWorkingDays(app, x),
    overMs: overCalendarMs(x),
  }));
  const nameOf = (kind: HolderKind, holder: string | null): string => {
    if (kind === 'department') return app.snapshot.departments[holder ?? '']?.name ?? holder ?? '';
    if (kind === 'provider') return app.snapshot.providers.find((p) => p.code === holder)?.name ?? holder ?? '';
    if (kind === 'stageBoundary') return app.snapshot.stages.find((st) => st.code === holder)?.name ?? holder ?? '';
    if (kind === 'applicant') return s.input.applicant.name;
    return holder ?? '';
  };
  const group = <K extends string>(key: (r: (typeof rows)[number]) => K | null) => {
    const out = new Map<K, (typeof rows)[number][]>();
    for (const r of rows) {
      const k = key(r);
      if (k !== null) out.set(k, [...(out.get(k) ?? []), r]);
    }
    return [...out.values()];
  };
  const figures = (rs: (typeof rows)[number][]) => ({
    calendarDays: rs.reduce((a, r) => a + r.tenths, 0) / 10,
    workingDays: sumOrNull(rs.map((r) => r.workingDays)),
    overLimitWorkingDays: sumOrNull(rs.map((r) => r.overWorkingDays)),
    overLimitCalendarDays: round1(rs.reduce((a, r) => a + r.overMs, 0) / DAY_MS),
  });
  const holders: HolderFigures[] = group((r) => `${r.x.kind}|${r.x.holder ?? ''}`)
    .map((rs) => ({ kind: rs[0]!.x.kind, holder: rs[0]!.x.holder, name: nameOf(rs[0]!.x.kind, rs[0]!.x.holder), ...figures(rs) }))
    .sort((a, b) => KIND_ORDER.get(a.kind)! - KIND_ORDER.get(b.kind)!);
  const matters = group((r) => (r.x.kind === 'department' && r.x.matter ? `${r.x.holder}|${r.x.matter}` : null)).map((rs) => ({
    department: rs[0]!.x.holder!,
    matter: rs[0]!.x.matter!,
    ...figures(rs),
  }));
  const settled = s.outcome !== null;
  return {
    /** Whether the path is settled (the application ended); while it runs, the stage under way goes through its open milestone furthest behind by the limits. */
    settled,
    elapsed: { calendarDays: Math.round(((end - s.startedAt) / DAY_MS) * 10) / 10, workingDays: knownOrNull(() => workingDaysBetween(cal, s.startedAt, end)) },
    holders,
    /** A department's time by matter. */
    matters,
    path: rows.map((r) => ({
      from: toShanghaiIso(r.x.from),
      /** Null for the stretch still held (it runs to the view's asOf): two reads a moment apart agree. */
      to: !settled && r.x.to === end ? null : toShanghaiIso(r.x.to),
      kind: r.x.kind,
      holder: r.x.holder,
      reason: r.x.reason,
      matter: r.x.matter,
      stage: r.x.stage,
      serviceType: r.x.serviceType,
      contractId: r.x.contractId,
      overAfter: r.x.overAfter,
      calendarDays: r.tenths / 10,
      workingDays: r.workingDays,
      overLimitWorkingDays: r.overWorkingDays,
    })),
  };
}

export type Attribution = ReturnType<typeof attribution>;

/**
 * The read model's rows of the path (table attribution_segments): one per stretch, its holder and
 * instants; the stretch still held when the batch was made has no end (`toAt` null: it runs on),
 * so a period's figures count it up to the period's end or the instant asked.
 */
export interface AttributionRow {
  applicationId: string;
  position: number;
  kind: HolderKind;
  holder: string | null;
  reason: SegmentReason;
  matter: string | null;
  stage: string | null;
  serviceType: string | null;
  contractId: string | null;
  fromAt: string;
  toAt: string | null;
  overAfter: string | null;
}

export function attributionRows(app: Application, now: number): AttributionRow[] {
  const open = app.state.outcome === null;
  // The holder that runs on is the one holding just after `now` (a stage completed at `now` hands over to the next).
  const path = criticalPath(app, open ? now + 1 : now);
  return path.map((x, i) => ({
    applicationId: app.state.input.applicationId,
    position: i + 1,
    kind: x.kind,
    holder: x.holder,
    reason: x.reason,
    matter: x.matter,
    stage: x.stage,
    serviceType: x.serviceType,
    contractId: x.contractId,
    fromAt: toShanghaiIso(x.from),
    toAt: open && i === path.length - 1 ? null : toShanghaiIso(Math.min(x.to, now)),
    overAfter: x.overAfter,
  }));
}
