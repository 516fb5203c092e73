import { WorkflowNotFoundError, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Catalogue } from '../../catalogue/loader';
import { snapshotFor } from '../../catalogue/loader';
import { allMatters, type ProcessSnapshot, type ResolvedMatter } from '../../catalogue/snapshot';
import { addWorkingDays, buildCalendar, isWorkingDay, type WorkingCalendar } from '../../domain/calendar';
import type { CommandInput, CommandName } from '../../domain/application/commands';
import { dateOfDayNumber, dayNumber, shanghaiDate, startOfDay } from '../../domain/time';
import type { Actor } from '../../domain/types';
import { mattersOfView, type ApplicationView, type MatterView } from '../../domain/view';
import { applicationWorkflow } from '../../workflows';
import { commandUpdates, statusQuery } from '../../workflows/messages';
import { batchPlan, matterPlan, planApplication, serviceDraws, type ApplicationPlan, type MatterPlan, type ScenarioName, type SimulationParams } from './population';

/** The working day's instant at which the parties act: 10:00 in Shanghai. */
const TEN_AM = 10 * 60 * 60 * 1000;
const applicant: Actor = { id: 'sim-applicant', role: 'applicant' };
const officer = (department: string): Actor => ({ id: `sim-officer-${department.toLowerCase()}`, role: 'officer', department });
const addDays = (date: string, n: number) => dateOfDayNumber(dayNumber(date) + n);
const dateOf = (iso: string) => shanghaiDate(Date.parse(iso));

export interface Refusal {
  applicationId: string;
  on: string;
  action: string;
  code: string;
  message: string;
}

/** One simulated application in one scenario, as it ended. */
export interface SimulatedApplication {
  applicationId: string;
  scenario: ScenarioName;
  index: number;
  processCode: string;
  inZone: boolean;
  /** The status as of its end (null while it still ran when the simulation stopped). */
  final: ApplicationView | null;
}

/**
 * The parties of one application: the applicant, the windows and officers, the providers. Each
 * working day at 10:00 they read the application's status and take the steps their plan (drawn
 * from the seeded streams, the same in every scenario) says are due.
 */
class Party {
  private readonly snapshot: ProcessSnapshot;
  private readonly defs: Map<string, ResolvedMatter>;
  private readonly plans = new Map<string, MatterPlan>();
  private readonly steps = new Map<string, 'supplement' | 'special' | 'decide'>();
  private readonly stopEnds = new Map<string, string>();
  private readonly deliverOn = new Map<string, string>();
  private readonly reviewOn = new Map<string, string>();
  handle: WorkflowHandle<typeof applicationWorkflow> | null = null;
  final: ApplicationView | null = null;
  done = false;

  constructor(
    readonly applicationId: string,
    readonly scenario: ScenarioName,
    readonly plan: ApplicationPlan,
    private readonly params: SimulationParams,
    catalogue: Catalogue,
    private readonly cal: WorkingCalendar,
    private readonly refusals: Refusal[],
    private readonly lost: { count: number },
  ) {
    this.snapshot = snapshotFor(catalogue, plan.processCode)!;
    this.defs = new Map(allMatters(this.snapshot).map((m) => [m.code, m]));
  }

  get inZone(): boolean {
    return this.scenario === 'zone' || this.plan.inZone;
  }

  /** Everything for every stage except the deliverables providers bring and the items the applicant forgets. */
  materials(): string[] {
    const deliverables = new Set(Object.values(this.snapshot.serviceTypes).map((t) => t.deliverable));
    const forgotten = new Set(this.snapshot.stages.flatMap((s) => batchPlan(this.params, this.plan, this.snapshot, s.code).forgotten));
    const all = [...this.defs.values()].flatMap((m) => m.materials.map((x) => x.code));
    return [...new Set(all)].filter((x) => !deliverables.has(x) && !forgotten.has(x)).sort();
  }

  async start(env: TestWorkflowEnvironment, taskQueue: string, zones: Catalogue['zones']): Promise<void> {
    const zone = this.inZone ? (zones.find((z) => z.code === this.params.zone) ?? null) : null;
    this.handle = await env.client.workflow.start(applicationWorkflow, {
      taskQueue,
      workflowId: this.applicationId,
      args: [
        {
          applicationId: this.applicationId,
          projectName: `模拟项目 ${String(this.plan.index + 1).padStart(3, '0')}（${this.scenario}）`,
          applicant: { id: applicant.id, name: '模拟建设单位' },
          snapshot: this.snapshot,
          materials: this.materials(),
          zone,
        },
      ],
    });
  }

  /**
   * Sends one Update; true when applied. A refusal is recorded. An Update the server lost with its
   * workflow task (a task that timed out on a loaded machine: "update … not found") is counted and
   * left: the next working day's status shows whether it was applied, and every step is decided
   * from the status again.
   */
  private async act<K extends CommandName>(today: string, name: K, input: CommandInput<K>): Promise<boolean> {
    try {
      await this.handle!.executeUpdate(commandUpdates[name], { args: [input] });
      return true;
    } catch (e) {
      if (e instanceof WorkflowUpdateFailedError && e.cause instanceof ApplicationFailure) {
        const f = input as Record<string, unknown>;
        this.refusals.push({ applicationId: this.applicationId, on: `${today} ${String(f.matter ?? f.serviceType ?? f.stage ?? '')}`, action: name, code: e.cause.type ?? '', message: e.cause.message });
        return false;
      }
      if (e instanceof WorkflowNotFoundError && /^update .* not found/.test(e.message)) {
        this.lost.count++;
        return false;
      }
      throw e;
    }
  }

  private matterPlan(code: string): MatterPlan {
    let p = this.plans.get(code);
    if (!p) this.plans.set(code, (p = matterPlan(this.params, this.plan, this.defs.get(code)!)));
    return p;
  }

  /** The parties' steps of one working day. */
  async day(nowMs: number): Promise<void> {
    const today = shanghaiDate(nowMs);
    const v = await this.handle!.query(statusQuery, { asOf: nowMs });
    if (v.status !== 'running') return this.finish();
    await this.windows(today, v);
    await this.services(today, v);
    await this.officers(today, v);
  }

  private async finish(): Promise<void> {
    const d = await this.handle!.describe();
    if (d.status.name === 'RUNNING') return;
    // Not handle.result(): on the time-skipping server, waiting for a result lets time skip ahead
    // to the next timer of any workflow (once ten years ahead, leaving the others behind).
    const ended = await this.handle!.query(statusQuery, {});
    this.final = await this.handle!.query(statusQuery, { asOf: ended.outcome?.at ? Date.parse(ended.outcome.at) : d.closeTime?.getTime() });
    this.done = true;
  }

  /** The window gives the one-time notice some working days after receipt; the applicant answers it. */
  private async windows(today: string, v: ApplicationView): Promise<void> {
    for (const st of v.stages) {
      const intake = st.intake;
      if (!intake || st.status !== 'inProgress') continue;
      const plan = batchPlan(this.params, this.plan, this.snapshot, st.code);
      const missing = st.matters.some((m) => m.status === 'intake' && m.missing.length > 0);
      if (!intake.notice && missing && intake.deemedAcceptedAt === null) {
        if (today >= addWorkingDays(this.cal, dateOf(intake.receivedAt!), plan.noticeAfter)) {
          await this.act(today, 'issueMissingNotice', { actor: officer(st.leadDepartment), stage: st.code, note: '一次性告知：请补齐以下材料' });
        }
      } else if (intake.notice && missing) {
        if (today >= addWorkingDays(this.cal, dateOf(intake.notice.issuedAt!), plan.answerAfter)) {
          const items = [...new Set(intake.notice.items.map((i) => i.material))];
          if (items.length) await this.act(today, 'supplyMaterials', { actor: applicant, items });
        }
      }
    }
  }

  /** The applicant contracts each report once a matter needing it may go ahead; providers deliver; officers review. */
  private async services(today: string, v: ApplicationView): Promise<void> {
    const byCode = new Map(mattersOfView(v).map((m) => [m.code, m]));
    const started = (m: MatterView) => (m.stage ? v.stages.find((s) => s.code === m.stage)!.status !== 'pending' : m.status !== 'pending');
    const ready = (m: MatterView) => started(m) && m.prerequisites.every((p) => byCode.get(p)?.resultIssuedAt != null);
    const fast = this.scenario === 'market';
    for (const s of v.services) {
      const draws = serviceDraws(this.params, this.plan, s.serviceType);
      const c = s.contracts.at(-1);
      if (s.status === 'needed' && s.matters.some((code) => byCode.has(code) && ready(byCode.get(code)!))) {
        await this.act(today, 'chooseProvider', { actor: applicant, serviceType: s.serviceType, selection: { method: 'randomDraw' } });
      } else if (s.status === 'contracted' && c) {
        let on = this.deliverOn.get(s.serviceType);
        if (!on) {
          const contracted = dateOf(c.contractedAt);
          const late = draws.late < (fast ? this.params.fastMarketLateRate : this.params.lateRate);
          const days = Math.max(1, Math.round(c.committedDays * draws.speed * (fast ? this.params.fastMarketSpeed : this.params.marketSpeed)));
          on = late && c.committedDueOn ? addDays(c.committedDueOn, draws.lateBy) : c.dayKind === 'working' ? addWorkingDays(this.cal, contracted, days) : addDays(contracted, days);
          this.deliverOn.set(s.serviceType, on);
        }
        if (today >= on) await this.act(today, 'deliver', { actor: { id: c.provider, role: 'provider' }, serviceType: s.serviceType, note: '成果文件已提交' });
      } else if (s.status === 'returned' && c) {
        const back = c.returns.at(-1)!;
        if (today >= addWorkingDays(this.cal, dateOf(back.at), draws.reworkTakes)) {
          await this.act(today, 'deliver', { actor: { id: c.provider, role: 'provider' }, serviceType: s.serviceType, note: '修改后重新提交' });
        }
      } else if (s.status === 'delivered' && c) {
        const delivered = dateOf(c.deliveries.at(-1)!.at);
        const key = `${s.serviceType}/${c.deliveries.length}`;
        if (!this.reviewOn.has(key)) this.reviewOn.set(key, addWorkingDays(this.cal, delivered, draws.reviewAfter));
        if (today < this.reviewOn.get(key)!) continue;
        const by = officer(byCode.get(s.matters[0]!)!.department);
        // Returned once at most: a deliverable already returned (as its contract shows) is accepted.
        if (draws.returned && c.returns.length === 0) {
          await this.act(today, 'reviewDeliverable', { actor: by, serviceType: s.serviceType, decision: 'return', reasons: ['成果文件内容不完整，请修改后重新提交'] });
        } else {
          await this.act(today, 'reviewDeliverable', { actor: by, serviceType: s.serviceType, decision: 'accept', note: '审查通过' });
        }
      }
    }
  }

  /** Each matter under way: a supplement, a special procedure, then the decision, at the working days used its plan says. */
  private async officers(today: string, v: ApplicationView): Promise<void> {
    for (const m of mattersOfView(v)) {
      const by = officer(m.department);
      if (m.status === 'suspended') {
        const stop = m.stops.at(-1);
        if (!stop || stop.to !== null) continue;
        const plan = this.matterPlan(m.code);
        // A stop whose Update answer was lost still ends when its plan says.
        const lasts = stop.kind === 'supplement' ? (plan.supplement?.lasts ?? 3) : (plan.special?.lasts ?? 3);
        const ends = this.stopEnds.get(m.code) ?? addWorkingDays(this.cal, dateOf(stop.from), lasts);
        if (stop.kind === 'supplement') this.steps.set(m.code, this.steps.get(m.code) === 'decide' ? 'decide' : 'special');
        else this.steps.set(m.code, 'decide');
        if (today < ends) continue;
        if (stop.kind === 'supplement') await this.act(today, 'supplyMaterials', { actor: applicant, items: m.owedForSupplement.length ? m.owedForSupplement : stop.items });
        else if (stop.kind === 'specialProcedure') await this.act(today, 'endSpecialProcedure', { actor: by, matter: m.code, reason: '特别程序结束' });
        continue;
      }
      if (m.status !== 'inProgress' || m.workingDaysUsed === null) continue;
      const plan = this.matterPlan(m.code);
      const used = m.workingDaysUsed;
      const step = this.steps.get(m.code) ?? 'supplement';
      if (step === 'supplement' && plan.supplement && used >= plan.supplement.at) {
        const ends = addWorkingDays(this.cal, today, plan.supplement.lasts);
        if (await this.act(today, 'requestSupplement', { actor: by, matter: m.code, items: [plan.supplement.item], reason: '材料需补正' })) {
          this.steps.set(m.code, 'special');
          this.stopEnds.set(m.code, ends);
        }
      } else if (step !== 'decide' && plan.special && used >= plan.special.at) {
        const ends = addWorkingDays(this.cal, today, plan.special.lasts);
        if (await this.act(today, 'startSpecialProcedure', { actor: by, matter: m.code, kind: plan.special.kind, expectedWorkingDays: plan.special.lasts, reason: '依法启动特别程序' })) {
          this.steps.set(m.code, 'decide');
          this.stopEnds.set(m.code, ends);
        }
      } else if (used >= plan.decideAt) {
        this.steps.set(m.code, 'decide');
        await this.act(today, 'approve', { actor: by, matter: m.code, result: { number: `模审〔2026〕${m.code}-${this.plan.index + 1}号` }, reason: '' });
      }
    }
  }
}

export interface DriveProgress {
  today: string;
  day: number;
  running: number;
  done: number;
}

export interface DriveOptions {
  env: TestWorkflowEnvironment;
  taskQueue: string;
  params: SimulationParams;
  catalogue: Catalogue;
  /** The last day the parties act; applications still running then are reported as unfinished. */
  lastDay: string;
  /** Applications a working day serves at once. */
  concurrency?: number;
  onDay?: (p: DriveProgress) => void;
}

/** Runs up to `limit` of `work` at once. */
async function pool<T>(items: readonly T[], limit: number, work: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

/**
 * Drives the whole population, every scenario side by side on one time-skipping server: each
 * working day at 10:00 the parties of every running application act, then time skips to the
 * next working day.
 */
export async function drivePopulation(o: DriveOptions): Promise<{ applications: SimulatedApplication[]; refusals: Refusal[]; lostUpdates: number }> {
  const { env, params, catalogue } = o;
  const cal = buildCalendar(catalogue.calendars);
  const refusals: Refusal[] = [];
  const lost = { count: 0 };
  const plans = Array.from({ length: params.applications }, (_, i) => planApplication(params, i));
  const parties = params.scenarios.flatMap((scenario) =>
    plans.map((plan) => new Party(`sim-${params.seed}-${scenario}-${String(plan.index + 1).padStart(3, '0')}`, scenario, plan, params, catalogue, cal, refusals, lost)),
  );
  const arrivalDate = (p: Party) => addWorkingDays(cal, params.start, p.plan.arrival);
  let today = params.start;
  if (!isWorkingDay(cal, today)) throw new Error(`--start ${today} is not a working day`);
  await env.sleep(Math.max(0, startOfDay(today) + TEN_AM - (await env.currentTimeMs())));
  for (let day = 0; ; day++) {
    const nowMs = await env.currentTimeMs();
    today = shanghaiDate(nowMs);
    const arriving = parties.filter((p) => !p.handle && arrivalDate(p) <= today);
    for (const p of arriving) await p.start(env, o.taskQueue, catalogue.zones);
    const running = parties.filter((p) => p.handle && !p.done);
    await pool(running, o.concurrency ?? 8, (p) => p.day(nowMs));
    const done = parties.filter((p) => p.done).length;
    o.onDay?.({ today, day, running: parties.length - done, done });
    if (done === parties.length || today >= o.lastDay) break;
    let next = addDays(today, 1);
    while (!isWorkingDay(cal, next)) next = addDays(next, 1);
    await env.sleep(startOfDay(next) + TEN_AM - (await env.currentTimeMs()));
  }
  return {
    refusals,
    lostUpdates: lost.count,
    applications: parties.map((p) => ({ applicationId: p.applicationId, scenario: p.scenario, index: p.plan.index, processCode: p.plan.processCode, inZone: p.inZone, final: p.final })),
  };
}
