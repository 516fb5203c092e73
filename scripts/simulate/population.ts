import type { SpecialProcedureKind } from '../../catalogue/schema';
import type { ProcessSnapshot, ResolvedMatter } from '../../catalogue/snapshot';
import { allMatters } from '../../catalogue/snapshot';
import { prng } from '../prng';

/**
 * The parameters of a simulated population. Every default is a reference figure or a reasoned
 * guess, and docs/simulation.md says which and why; nothing here is a result.
 */
export interface SimulationParams {
  /** Applications per scenario. */
  applications: number;
  seed: number;
  /** The first start (a working day); applications arrive over `arrivalWorkingDays` working days from it. */
  start: string;
  arrivalWorkingDays: number;
  /** Share of government-investment applications; the rest are social investment (核准类, SOCIAL_APPROVAL). */
  govShare: number;
  /** Share of stage batches handed in with an item missing (one-time notice, 一次性告知). */
  missingRate: number;
  /** Share of matters with a supplement request (补正). */
  supplementRate: number;
  /** Share of matters (that allow one) with a special procedure (特别程序). */
  specialRate: number;
  /** Share of matters an officer decides after the limit (overdue). */
  officerLateRate: number;
  /** The officer decides on working day ⌈share × limit⌉ of the matter's clock, share uniform in this range. */
  decisionShare: [number, number];
  /** Share of intermediary contracts delivered late (after the committed date). */
  lateRate: number;
  /** Share of deliverables returned for rework at the first review. */
  reworkRate: number;
  /** A provider on time takes this share of its committed days (times a draw in 0.8–1.0). */
  marketSpeed: number;
  /** The faster marketplace's share of committed days, and its late rate. */
  fastMarketSpeed: number;
  fastMarketLateRate: number;
  /** Share of projects in a zone with regional assessment (区域评估, zones.json) in the base scenario. */
  zoneShare: number;
  /** The zone of the regional-assessment scenario (and of the base scenario's share). */
  zone: string;
  scenarios: ScenarioName[];
}

export const SCENARIOS = ['base', 'zone', 'market'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export const SCENARIO_LABELS: Record<ScenarioName, string> = {
  base: 'base',
  zone: 'regional assessment (区域评估)',
  market: 'faster marketplace (中介超市)',
};

export const DEFAULT_PARAMS: SimulationParams = {
  applications: 40,
  seed: 13,
  start: '2026-01-05',
  arrivalWorkingDays: 20,
  govShare: 0.5,
  missingRate: 0.3,
  supplementRate: 0.1,
  specialRate: 0.1,
  officerLateRate: 0.03,
  decisionShare: [0.1, 0.25],
  lateRate: 0.2,
  reworkRate: 0.15,
  marketSpeed: 0.75,
  fastMarketSpeed: 0.5,
  fastMarketLateRate: 0.1,
  zoneShare: 0.2,
  zone: 'LYEDZ',
  scenarios: [...SCENARIOS],
};

/** FNV-1a of a key: the seed of that key's own stream, so a draw never depends on the order of others. */
function hash(key: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** Draws of one application, each key its own seeded stream: the same application in every scenario. */
export class Draws {
  constructor(
    private readonly seed: number,
    private readonly index: number,
  ) {}
  stream(key: string): Stream {
    return new Stream(prng(hash(`${this.seed}/${this.index}/${key}`)));
  }
}

export class Stream {
  constructor(private readonly next: () => number) {}
  u(): number {
    return this.next();
  }
  /** Uniform in [a, b). */
  between(a: number, b: number): number {
    return a + (b - a) * this.next();
  }
  /** A whole number in a..b inclusive. */
  int(a: number, b: number): number {
    return a + Math.floor(this.next() * (b - a + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
}

/** What happens to one matter once its clock runs; `at` counts the matter's working days used. */
export interface MatterPlan {
  supplement: { at: number; item: string; lasts: number } | null;
  special: { at: number; kind: SpecialProcedureKind; lasts: number } | null;
  decideAt: number;
}

/** What a window and the applicant do about a batch handed in incomplete. */
export interface BatchPlan {
  forgotten: string[];
  noticeAfter: number;
  answerAfter: number;
}

/** How one intermediary contract goes, from the same draws in every scenario; the scenario sets speed and late rate. */
export interface ServiceDraws {
  speed: number;
  late: number;
  lateBy: number;
  returned: boolean;
  reviewAfter: number;
  reworkTakes: number;
}

export interface ApplicationPlan {
  index: number;
  processCode: 'GOV_INVESTMENT' | 'SOCIAL_APPROVAL';
  /** Working days after the first start. */
  arrival: number;
  inZone: boolean;
  draws: Draws;
}

const COMMON = new Set(['M_APPLICATION_FORM', 'M_PROJECT_CODE']);

export function planApplication(p: SimulationParams, index: number): ApplicationPlan {
  const draws = new Draws(p.seed, index);
  const s = draws.stream('application');
  const processCode = s.u() < p.govShare ? 'GOV_INVESTMENT' : 'SOCIAL_APPROVAL';
  const arrival = s.int(0, Math.max(0, p.arrivalWorkingDays - 1));
  return { index, processCode, arrival, inZone: s.u() < p.zoneShare, draws };
}

/** Materials only the matters of one batch (a stage, or a matter beside the stages) ask for, other than the deliverables. */
function ownMaterials(snapshot: ProcessSnapshot, batch: string): string[] {
  const deliverables = new Set(Object.values(snapshot.serviceTypes).map((t) => t.deliverable));
  const batchOf = (m: ResolvedMatter) => m.stage ?? m.code;
  const all = allMatters(snapshot);
  const elsewhere = new Set(all.filter((m) => batchOf(m) !== batch).flatMap((m) => m.materials.map((x) => x.code)));
  return [
    ...new Set(
      all
        .filter((m) => batchOf(m) === batch)
        .flatMap((m) => m.materials.filter((x) => x.required && !x.deferrable && !COMMON.has(x.code) && !deliverables.has(x.code) && !elsewhere.has(x.code)).map((x) => x.code)),
    ),
  ].sort();
}

export function batchPlan(p: SimulationParams, app: ApplicationPlan, snapshot: ProcessSnapshot, batch: string): BatchPlan {
  const s = app.draws.stream(`batch/${batch}`);
  const candidates = ownMaterials(snapshot, batch);
  const missing = s.u() < p.missingRate && candidates.length > 0;
  const first = s.pick(candidates);
  const second = s.u() < 0.3 ? s.pick(candidates) : first;
  return {
    forgotten: missing ? [...new Set([first, second])] : [],
    noticeAfter: s.int(1, Math.min(3, snapshot.intakeLimitDays)),
    answerAfter: s.int(2, 6),
  };
}

export function matterPlan(p: SimulationParams, app: ApplicationPlan, m: ResolvedMatter): MatterPlan {
  const s = app.draws.stream(`matter/${m.code}`);
  const limit = m.timeLimitDays;
  const share = s.between(p.decisionShare[0], p.decisionShare[1]);
  const late = s.u() < p.officerLateRate;
  const overBy = s.int(1, 3);
  const decideAt = late ? limit + overBy : Math.min(limit, Math.max(1, Math.ceil(share * limit)));
  const items = m.materials.filter((x) => x.required && !COMMON.has(x.code)).map((x) => x.code);
  const wantsSupplement = s.u() < p.supplementRate && items.length > 0;
  const item = s.pick(items.length ? items : ['M_APPLICATION_FORM']);
  const supplementLasts = s.int(2, 8);
  const wantsSpecial = s.u() < p.specialRate && m.specialProcedures.length > 0;
  const kind = s.pick(m.specialProcedures.length ? m.specialProcedures : (['siteInspection'] as SpecialProcedureKind[]));
  const specialLasts = s.int(3, 10);
  const half = Math.max(1, Math.floor(decideAt / 2));
  return {
    supplement: wantsSupplement ? { at: half, item, lasts: supplementLasts } : null,
    special: wantsSpecial ? { at: Math.max(half, Math.floor(decideAt * 0.6)), kind, lasts: specialLasts } : null,
    decideAt,
  };
}

export function serviceDraws(p: SimulationParams, app: ApplicationPlan, serviceType: string): ServiceDraws {
  const s = app.draws.stream(`service/${serviceType}`);
  return { speed: s.between(0.8, 1), late: s.u(), lateBy: s.int(3, 20), returned: s.u() < p.reworkRate, reviewAfter: s.int(1, 2), reworkTakes: s.int(2, 5) };
}
