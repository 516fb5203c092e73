import path from 'node:path';
import { Connection, WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import type { CalendarYear, SpecialProcedureKind } from '../catalogue/schema';
import { loadCatalogue, snapshotFor } from '../catalogue/loader';
import { allMatters } from '../catalogue/snapshot';
import { addWorkingDays, buildCalendar, isWorkingDay } from '../domain/calendar';
import { levelRank, type ClockLevel } from '../domain/clock';
import type { CommandAnswer, CommandInput, CommandName } from '../domain/application/commands';
import { dayNumber, dateOfDayNumber, shanghaiDate, startOfDay } from '../domain/time';
import { SERVICE_LEVELS, type Actor, type Outcome, type ServiceLevel } from '../domain/types';
import type { ApplicationView, MatterView } from '../domain/view';
import { applicationWorkflow } from '../workflows';
import { commandUpdates, publishCalendarSignal, statusQuery } from '../workflows/messages';
import { projectionActivities } from '../worker/activities';
import { mergeBenchSummary } from './bench-summary';
import { historyBytes } from './history-bytes';
import { progressBar } from './progress';

/**
 * The longest realistic application, measured against Temporal's history limits (issue 14).
 *
 * One government-investment application driven on the time-skipping server through all four
 * stages over a year (June 2026 – June 2027): a one-time notice at every window and the
 * applicant's answers, supplements on most matters (two on some), special procedures, both legal
 * extensions, 容缺 items handed in after acceptance, all eight intermediary services contracted
 * (two late providers replaced, reworks, late deliveries), warnings and overdue levels firing on
 * matters and contracts, urges and escalations by the supervision office, and the 2027 calendar
 * published mid-way. Then its history: events, encoded bytes, and the headroom to the limits;
 * and, for contrast, the same of a typical application (everything in order, decided promptly).
 *
 *   npm run bench:long            (builds first; or node dist/scripts/bench-long.js after a build)
 *
 * Writes longHistoryEvents, longHistoryBytes, longHeadroomEvents and longHeadroomBytes (the
 * headroom factors against the warn limits) into .data/bench/summary.json.
 * test/workflows/long-application.test.ts runs the same drive: every action accepted, the
 * application completed, its history below the warn limits (and, not yet, below a tenth of them).
 */

/** Temporal's default history limits (per workflow run): a warning, then termination. */
export const HISTORY_LIMITS = {
  warn: { events: 10_240, bytes: 10 * 1024 * 1024 },
  hard: { events: 51_200, bytes: 50 * 1024 * 1024 },
} as const;

/** Where the drive starts: the test server's initial time. */
export const LONG_START = '2026-06-01T09:00:00+08:00';

/**
 * The 2027 calendar published mid-way. A bench fixture, not the official notice (which this
 * repository does not hold): holidays of the usual kind, so the deadlines after New Year skip them.
 */
export const BENCH_2027: CalendarYear = {
  year: 2027,
  timeZone: 'Asia/Shanghai',
  source: { title: 'BENCH FIXTURE — not an official notice', number: 'bench-2027', publishedOn: '2026-11-04' },
  holidays: [
    { name: '元旦', from: '2027-01-01', to: '2027-01-03' },
    { name: '春节', from: '2027-02-06', to: '2027-02-13' },
    { name: '清明节', from: '2027-04-03', to: '2027-04-05' },
    { name: '劳动节', from: '2027-05-01', to: '2027-05-05' },
  ],
  makeupWorkingDays: [{ date: '2027-02-20', for: '春节' }],
};
const PUBLISHED_ON = '2026-11-05';

const catalogue = loadCatalogue();
const applicant: Actor = { id: 'ent-001', role: 'applicant' };
const supervisor: Actor = { id: 'sup-01', role: 'supervisor', department: 'SUP' };
const admin: Actor = { id: 'admin', role: 'admin' };
const officer = (department: string): Actor => ({ id: `officer-${department.toLowerCase()}`, role: 'officer', department });
const providerActor = (code: string): Actor => ({ id: code, role: 'provider' });

/**
 * What happens to one matter once its clock runs, in order. `at` is the matter's working days
 * used when the officer acts; a stop lasts `lasts` working days (the applicant's answer, the
 * procedure).
 */
type Step =
  | { do: 'supplement'; items: string[]; reason: string; at: number; lasts: number }
  | { do: 'special'; kind: SpecialProcedureKind; expected: number; reason: string; at: number; lasts: number }
  | { do: 'extend'; days: number; whenLeft: number }
  | { do: 'approve'; at: number }
  /** Left to run late: decided once the ladder reaches the level. */
  | { do: 'approveAt'; level: ClockLevel };

interface MatterPlan {
  steps: Step[];
  /** The supervision office escalates it once it is overdue. */
  escalate?: boolean;
}

const supplement = (items: string[], at: number, lasts: number, reason: string): Step => ({ do: 'supplement', items, reason, at, lasts });
const special = (kind: SpecialProcedureKind, at: number, lasts: number, expected: number, reason: string): Step => ({ do: 'special', kind, expected, reason, at, lasts });
const approveAt = (at: number): Step => ({ do: 'approve', at });

/** Every matter of the process: most stop once or twice; some run late up the ladder. */
const PLANS: Record<string, MatterPlan> = {
  // 立项用地规划许可 (S1, window DRC)
  LY01: { steps: [supplement(['M_PROPOSAL'], 2, 4, '项目建议书投资估算不完整'), special('expertReview', 3, 5, 5, '组织专家评审项目建议书'), approveAt(6)] },
  LY04: {
    steps: [
      supplement(['M_SITE_MAP'], 1, 3, '用地红线图坐标有误'),
      supplement(['M_LAND_REPORT'], 4, 3, '用地预审报告缺少耕地占补平衡说明'),
      special('siteInspection', 6, 3, 3, '现场踏勘'),
      approveAt(8),
    ],
  },
  LY06: { steps: [special('expertReview', 2, 6, 5, '节能审查专家评审'), approveAt(7)] },
  LY02: {
    steps: [
      supplement(['M_FEASIBILITY'], 3, 5, '可研报告缺少建设方案比选'),
      special('expertReview', 6, 10, 10, '可研报告专家评审'),
      special('hearing', 10, 6, 5, '重大项目听证'),
      { do: 'extend', days: 10, whenLeft: 3 },
      approveAt(26),
    ],
  },
  LY05: { steps: [special('publicNotice', 1, 7, 5, '用地规划许可批前公示'), { do: 'approveAt', level: 'departmentHead' }] },
  LY07: {
    steps: [
      supplement(['M_EIA_DOCUMENT'], 2, 6, '环评报告书缺少大气环境影响预测章节'),
      special('publicNotice', 4, 5, 5, '环评受理公示'),
      special('expertReview', 7, 8, 8, '环评技术评估'),
      approveAt(12),
    ],
  },
  LY08: {
    steps: [
      supplement(['M_SOIL_WATER_PLAN'], 2, 4, '弃渣场选址论证不足'),
      special('expertReview', 4, 7, 5, '水土保持方案专家评审'),
      { do: 'extend', days: 5, whenLeft: 3 },
      approveAt(12),
    ],
  },
  // 工程建设许可 (S2, window NRP)
  GC01: {
    steps: [
      supplement(['M_DESIGN_SCHEME'], 1, 3, '设计方案总平面图比例不符'),
      supplement(['M_DESIGN_SCHEME'], 3, 2, '设计方案日照分析缺失'),
      special('publicNotice', 4, 7, 5, '设计方案批前公示'),
      approveAt(6),
    ],
  },
  GC02: { steps: [supplement(['M_GENERAL_PLAN'], 2, 3, '总平面图缺少管线综合'), approveAt(8)] },
  GC03: { steps: [approveAt(9)] },
  GC04: { steps: [{ do: 'approveAt', level: 'leadership' }], escalate: true },
  GC05: { steps: [supplement(['M_SEISMIC_REPORT'], 3, 4, '抗震设防专项论证不全'), special('expertReview', 5, 12, 10, '超限高层抗震专项审查'), approveAt(12)] },
  GC06: { steps: [special('siteInspection', 1, 3, 3, '道路开口现场查勘'), approveAt(4)] },
  // 施工许可 (S3, window HUD)
  SG01: {
    steps: [
      supplement(['M_CONSTRUCTION_DRAWINGS'], 2, 5, '施工图审查意见未回复'),
      special('expertReview', 5, 10, 10, '施工图专家审查'),
      supplement(['M_CONSTRUCTION_DRAWINGS'], 8, 4, '结构计算书需补正'),
      approveAt(13),
    ],
  },
  SG02: { steps: [supplement(['M_FIRE_DESIGN'], 2, 4, '消防设计说明缺少疏散计算'), special('expertReview', 5, 6, 5, '消防设计专家评审'), approveAt(14)] },
  SG03: { steps: [supplement(['M_CONTRACTOR_CONTRACT'], 1, 2, '施工合同未盖骑缝章'), approveAt(5)] },
  SG04: { steps: [approveAt(2)] },
  SG05: { steps: [{ do: 'approveAt', level: 'overdue' }], escalate: true },
  SG06: { steps: [supplement(['M_DRAINAGE_PLAN'], 1, 3, '排水方案缺少雨污分流说明'), special('siteInspection', 4, 4, 3, '排水接驳现场踏勘'), approveAt(8)] },
  UT01: { steps: [supplement(['M_WATER_APPLICATION'], 2, 3, '用水申请缺少用水量测算'), special('siteInspection', 4, 3, 3, '供水接入现场查勘'), approveAt(7)] },
  UT02: { steps: [special('siteInspection', 3, 5, 5, '供电接入现场查勘'), { do: 'approveAt', level: 'departmentHead' }], escalate: true },
  // 竣工验收 (S4, window HUD)
  JG01: { steps: [special('siteInspection', 2, 3, 3, '竣工规划核实现场查验'), approveAt(5)] },
  JG02: {
    steps: [supplement(['M_FIRE_TEST_REPORT'], 2, 5, '消防检测报告缺少喷淋系统'), special('siteInspection', 5, 4, 3, '消防验收现场评定'), { do: 'approveAt', level: 'overdue' }],
    escalate: true,
  },
  JG03: { steps: [special('siteInspection', 1, 2, 2, '防雷装置现场检测'), approveAt(4)] },
  JG04: { steps: [supplement(['M_ARCHIVES'], 2, 3, '档案目录不全'), approveAt(4)] },
  JG05: { steps: [supplement(['M_COMPLETION_REPORT'], 2, 3, '竣工验收报告缺少监理意见'), special('siteInspection', 4, 3, 3, '联合验收现场查验'), approveAt(7)] },
  JG06: { steps: [supplement(['M_QUALITY_WARRANTY'], 1, 2, '质量保修书未签章'), approveAt(4)] },
};

type Selection = CommandInput<'chooseProvider'>['selection'];

/** One intermediary service: when it is contracted, how its provider(s) deliver, how often it is returned. */
interface ServicePlan {
  /** Contracted once this stage has started. */
  when: string;
  selection: Selection;
  /** Calendar days after (+) or before (−) the due date the provider delivers. */
  deliver: number;
  /** The provider never delivers: replaced once its regulator is told, by this selection. */
  replaceWith?: Selection;
  returns: number;
}

const SERVICES: Record<string, ServicePlan> = {
  PROPOSAL_DRAFTING: { when: 'S1', selection: { method: 'direct', provider: 'P_LIUYANG_DESIGN' }, deliver: -2, replaceWith: { method: 'direct', provider: 'P_XIANGJIANG_ENG' }, returns: 0 },
  FEASIBILITY_DRAFTING: { when: 'S1', selection: { method: 'direct', provider: 'P_XIANGJIANG_ENG' }, deliver: -1, returns: 1 },
  ENERGY_REPORT: {
    when: 'S1',
    selection: { method: 'bidding', bids: [{ provider: 'P_XIANGJIANG_ENG', quoteYuan: 180000 }, { provider: 'P_LIUYANG_DESIGN', quoteYuan: 150000 }] },
    deliver: 3,
    returns: 0,
  },
  EIA_REPORT: { when: 'S1', selection: { method: 'direct', provider: 'P_GREEN_ENV' }, deliver: -3, returns: 1 },
  SOIL_WATER_PLAN: { when: 'S1', selection: { method: 'randomDraw' }, deliver: -2, replaceWith: { method: 'randomDraw' }, returns: 1 },
  LIGHTNING_RISK: { when: 'S1', selection: { method: 'direct', provider: 'P_TIANLEI_MET' }, deliver: -1, returns: 0 },
  SURVEY_DESIGN: { when: 'S2', selection: { method: 'randomDraw' }, deliver: 2, returns: 1 },
  COMPLETION_SURVEY: { when: 'S3', selection: { method: 'bidding', bids: [{ provider: 'P_ZHONGJIAN_SURVEY', quoteYuan: 38000 }] }, deliver: -1, returns: 0 },
};

/** Items each window finds missing (the applicant forgot them): one notice per window. */
const FORGOTTEN: Record<string, string[]> = {
  S1: ['M_SITE_MAP', 'M_LAND_REPORT'],
  S2: ['M_GENERAL_PLAN', 'M_ROAD_PLAN'],
  S3: ['M_DRAINAGE_PLAN', 'M_SAFETY_MEASURES'],
  S4: ['M_ARCHIVES', 'M_QUALITY_WARRANTY'],
  UT02: ['M_POWER_APPLICATION'],
};

export interface Refusal {
  on: string;
  action: string;
  code: string | null | undefined;
  message: string;
}

export interface DriveResult {
  applicationId: string;
  handle: WorkflowHandle<typeof applicationWorkflow>;
  outcome: Outcome;
  /** The last status read while it ran (before the last day's actions). */
  view: ApplicationView;
  /** Updates sent, by name, refused ones included. */
  actions: Record<string, number>;
  /** Signals sent (the calendar publication). */
  signals: number;
  refusals: Refusal[];
  /** Calendar days from the start to the end. */
  days: number;
}

/** A working day of a drive at 10:00, before the parties act (for a progress bar). */
export interface DriveDay {
  today: string;
  stage: string | null;
  events: number;
}

const matters = (v: ApplicationView): MatterView[] => [...v.stages.flatMap((s) => s.matters), ...v.alongside];
const addDays = (date: string, n: number) => dateOfDayNumber(dayNumber(date) + n);
const TEN_AM = 10 * 60 * 60 * 1000; // after startOfDay, which is 00:00 in Shanghai

/** A client side of the drive: the Updates it sends, counted, and the refusals it got. */
class Session {
  readonly actions: Record<string, number> = {};
  readonly refusals: Refusal[] = [];
  signals = 0;
  today = '';
  constructor(readonly handle: WorkflowHandle<typeof applicationWorkflow>) {}

  async act<K extends CommandName>(name: K, input: CommandInput<K>): Promise<CommandAnswer<K> | undefined> {
    this.actions[name] = (this.actions[name] ?? 0) + 1;
    try {
      return await this.handle.executeUpdate(commandUpdates[name], { args: [input] });
    } catch (e) {
      if (e instanceof WorkflowUpdateFailedError && e.cause instanceof ApplicationFailure) {
        const fields = input as Record<string, unknown>;
        const on = String(fields.matter ?? fields.serviceType ?? fields.stage ?? '');
        this.refusals.push({ on: `${this.today} ${on}`, action: name, code: e.cause.type, message: e.cause.message });
        return undefined;
      }
      throw e;
    }
  }
}

/**
 * Drives the longest realistic application to its end on a time-skipping server that started at
 * LONG_START, with a worker of the application workflow on `taskQueue`. Every step is one a
 * party would take, decided from the status as read each working day at 10:00.
 */
export async function driveLongApplication(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  applicationId = `long-${Date.now().toString(36)}`,
  onDay?: (day: DriveDay) => void,
): Promise<DriveResult> {
  const snapshot = snapshotFor(catalogue, 'GOV_INVESTMENT')!;
  const cal = buildCalendar([...snapshot.calendars, BENCH_2027]);
  const all = allMatters(snapshot);
  const stageMaterials = (codes: string[]) => [...new Set(all.filter((m) => codes.includes(m.stage ?? m.code)).flatMap((m) => m.materials.filter((x) => x.required).map((x) => x.code)))];
  const deliverables = new Set(Object.values(snapshot.serviceTypes).map((t) => t.deliverable));
  const deferrable = new Set(all.flatMap((m) => m.materials.filter((x) => x.deferrable).map((x) => x.code)));
  const forgotten = new Set(Object.values(FORGOTTEN).flat());
  const handedIn = (codes: string[]) => stageMaterials(codes).filter((x) => !deliverables.has(x) && !deferrable.has(x) && !forgotten.has(x));

  const handle = await env.client.workflow.start(applicationWorkflow, {
    taskQueue,
    workflowId: applicationId,
    args: [{ applicationId, projectName: '浏阳市第一中学新校区建设项目', applicant: { id: applicant.id, name: '浏阳市教育投资有限公司' }, snapshot, materials: handedIn(['S1']) }],
  });
  const s = new Session(handle);
  const startMs = await env.currentTimeMs();

  // What the parties remember between working days.
  const step = new Map<string, number>();
  const stopEnds = new Map<string, string>();
  const escalated = new Set<string>();
  const noticed = new Map<string, { on: string; items: string[] }>();
  const supplied = new Set<string>(); // later stages' materials handed in, by stage
  const returned = new Map<string, number>();
  const replaced = new Set<string>();
  let published = false;

  let v = await handle.query(statusQuery, { asOf: startMs });
  for (let day = 0; ; day++) {
    if (day > 400) throw new Error(`the long application is still running after 400 working days (at ${v.currentStage}, ${v.seq} events)`);
    if (await closed(handle)) break;
    const nowMs = await env.currentTimeMs();
    const today = shanghaiDate(nowMs);
    s.today = today;
    v = await handle.query(statusQuery, { asOf: nowMs });
    if (v.status !== 'running') break;
    onDay?.({ today, stage: v.currentStage, events: v.events.length });

    if (!published && today >= PUBLISHED_ON) {
      await handle.signal(publishCalendarSignal, { actor: admin, calendar: BENCH_2027 });
      s.signals++;
      published = true;
    }

    // The applicant hands in the next stage's materials a week into the current one.
    for (const [i, st] of v.stages.entries()) {
      const next = v.stages[i + 1];
      if (!next || st.status !== 'inProgress' || supplied.has(next.code) || !st.startedAt) continue;
      if (today < addWorkingDays(cal, shanghaiDate(Date.parse(st.startedAt)), 5)) continue;
      const items = handedIn(next.code === 'S3' ? ['S3', 'UT01', 'UT02'] : [next.code]).filter((x) => !v.materials.includes(x));
      supplied.add(next.code);
      if (items.length) await s.act('supplyMaterials', { actor: applicant, items });
    }

    // One-time notices (一次性告知) the day after receipt, answered two working days later.
    const intakes: { batch: string; window: string; receivedOn: string | null; missing: string[] }[] = [
      ...v.stages.map((st) => ({
        batch: st.code,
        window: st.leadDepartment,
        receivedOn: st.intake?.receivedAt ? shanghaiDate(Date.parse(st.intake.receivedAt)) : null,
        missing: [...new Set(st.matters.flatMap((m) => m.missing.map((x) => x.material)))],
      })),
      ...v.alongside.map((m) => ({ batch: m.code, window: m.department, receivedOn: m.receivedAt ? shanghaiDate(Date.parse(m.receivedAt)) : null, missing: m.missing.map((x) => x.material) })),
    ];
    for (const intake of intakes) {
      const notice = noticed.get(intake.batch);
      if (!notice && intake.missing.length && intake.receivedOn && intake.receivedOn < today) {
        await s.act('issueMissingNotice', { actor: officer(intake.window), stage: intake.batch, note: '请一次性补齐以下材料' });
        noticed.set(intake.batch, { on: today, items: intake.missing });
      } else if (notice && notice.items.length && today >= addWorkingDays(cal, notice.on, 2)) {
        await s.act('supplyMaterials', { actor: applicant, items: notice.items });
        notice.items = [];
      }
    }

    // Intermediary services: contract, deliver, review, replace a provider who never delivers.
    for (const service of v.services) {
      const plan = SERVICES[service.serviceType];
      if (!plan) continue;
      const t = service.serviceType;
      const contract = service.contracts.at(-1);
      const reviewer = officer(matters(v).find((m) => m.code === service.matters[0])!.department);
      const stageStarted = v.stages.find((st) => st.code === plan.when)?.status !== 'pending';
      if (service.status === 'needed' && stageStarted) {
        await s.act('chooseProvider', { actor: applicant, serviceType: t, selection: plan.selection });
      } else if ((service.status === 'contracted' || service.status === 'returned') && contract?.dueOn) {
        const late = plan.replaceWith && !replaced.has(t);
        if (late && SERVICE_LEVELS.indexOf(contract.level as ServiceLevel) >= SERVICE_LEVELS.indexOf('regulator')) {
          replaced.add(t);
          await s.act('replaceProvider', { actor: applicant, serviceType: t, selection: plan.replaceWith!, reason: '原中介机构逾期未交付，已通报行业主管部门' });
        } else if (!late) {
          const offset = service.status === 'returned' ? -1 : replaced.has(t) ? -2 : plan.deliver;
          if (today >= addDays(contract.dueOn, offset)) await s.act('deliver', { actor: providerActor(contract.provider), serviceType: t, note: service.status === 'returned' ? '修改稿' : '送审稿' });
        }
      } else if (service.status === 'delivered' && contract && shanghaiDate(Date.parse(contract.deliveries.at(-1)!.at)) < today) {
        const n = returned.get(t) ?? 0;
        if (n < plan.returns) {
          returned.set(t, n + 1);
          await s.act('reviewDeliverable', { actor: reviewer, serviceType: t, decision: 'return', reasons: ['技术审查意见：需补充论证', '格式不符合编制规范'] });
        } else {
          await s.act('reviewDeliverable', { actor: reviewer, serviceType: t, decision: 'accept', note: '技术审查通过' });
        }
      }
    }

    for (const m of matters(v)) {
      const plan = PLANS[m.code] ?? { steps: [approveAt(Math.max(1, m.timeLimitDays - 3))] };
      const by = officer(m.department);
      // 容缺 items: handed in three working days after acceptance, or on their last day.
      const owed = m.deferred.filter((d) => d.suppliedAt === null);
      if (owed.length && m.acceptedAt && (today >= addWorkingDays(cal, shanghaiDate(Date.parse(m.acceptedAt)), 3) || owed.some((d) => d.dueOn !== null && today >= d.dueOn))) {
        await s.act('supplyMaterials', { actor: applicant, items: owed.map((d) => d.material) });
      }
      if (m.status === 'suspended') {
        const ends = stopEnds.get(m.code);
        if (!ends || today < ends) continue;
        stopEnds.delete(m.code);
        const stop = m.stops.at(-1)!;
        if (stop.kind === 'supplement') await s.act('supplyMaterials', { actor: applicant, items: m.owedForSupplement });
        else await s.act('endSpecialProcedure', { actor: by, matter: m.code, reason: '程序结束，恢复计时' });
        continue;
      }
      if (m.status !== 'inProgress') continue;

      // The supervision office: an urge at the warning, another once overdue; an escalation when planned.
      const rank = levelRank(m.level);
      if ((rank >= levelRank('warning') && m.urges.length === 0) || (rank >= levelRank('overdue') && m.urges.length === 1)) {
        await s.act('urge', { actor: supervisor, matter: m.code, note: rank >= levelRank('overdue') ? '已超期，请立即办结并说明原因' : '即将到期，请加快办理' });
      }
      if (plan.escalate && rank >= levelRank('overdue') && !escalated.has(m.code)) {
        escalated.add(m.code);
        await s.act('escalate', { actor: supervisor, matter: m.code, reason: '超期未办结，提级督办' });
      }

      const i = step.get(m.code) ?? 0;
      const next = plan.steps[i];
      const used = m.workingDaysUsed;
      if (!next || used === null) continue;
      const advance = () => step.set(m.code, i + 1);
      if (next.do === 'supplement' && used >= next.at) {
        advance();
        stopEnds.set(m.code, addWorkingDays(cal, today, next.lasts));
        await s.act('requestSupplement', { actor: by, matter: m.code, items: next.items, reason: next.reason });
      } else if (next.do === 'special' && used >= next.at) {
        advance();
        stopEnds.set(m.code, addWorkingDays(cal, today, next.lasts));
        await s.act('startSpecialProcedure', { actor: by, matter: m.code, kind: next.kind, expectedWorkingDays: next.expected, reason: next.reason });
      } else if (next.do === 'extend' && m.workingDaysLeft !== null && m.workingDaysLeft <= next.whenLeft) {
        advance();
        await s.act('extend', { actor: by, matter: m.code, days: next.days, approvedBy: '分管副局长', reason: '专家评审意见需复核，申请延期' });
      } else if ((next.do === 'approve' && used >= next.at) || (next.do === 'approveAt' && rank >= levelRank(next.level))) {
        advance();
        await s.act('approve', { actor: by, matter: m.code, result: { number: `浏审〔2026〕${m.code}号` }, reason: '' });
      }
    }

    await sleepUntilNextWorkingDay(env, cal, today);
  }
  const outcome = await handle.result();
  return { applicationId, handle, outcome, view: v, actions: s.actions, signals: s.signals, refusals: s.refusals, days: Math.round((outcome.at - startMs) / 86_400_000) };
}

/**
 * For contrast, the typical application: everything handed in at the start, every matter decided
 * the working day after its clock starts, nothing stopped, nothing late.
 */
export async function driveTypicalApplication(
  env: TestWorkflowEnvironment,
  taskQueue: string,
  applicationId = `typical-${Date.now().toString(36)}`,
  onDay?: (day: DriveDay) => void,
): Promise<DriveResult> {
  const snapshot = snapshotFor(catalogue, 'GOV_INVESTMENT')!;
  const cal = buildCalendar([...snapshot.calendars, BENCH_2027]);
  const materials = [...new Set(allMatters(snapshot).flatMap((m) => m.materials.map((x) => x.code)))];
  const handle = await env.client.workflow.start(applicationWorkflow, {
    taskQueue,
    workflowId: applicationId,
    args: [{ applicationId, projectName: '浏阳市人民医院门诊楼改造项目', applicant: { id: applicant.id, name: '浏阳市教育投资有限公司' }, snapshot, materials }],
  });
  const s = new Session(handle);
  const startMs = await env.currentTimeMs();
  let v = await handle.query(statusQuery, { asOf: startMs });
  for (let day = 0; ; day++) {
    if (day > 200) throw new Error('the typical application is still running after 200 working days');
    if (await closed(handle)) break;
    const nowMs = await env.currentTimeMs();
    s.today = shanghaiDate(nowMs);
    v = await handle.query(statusQuery, { asOf: nowMs });
    if (v.status !== 'running') break;
    onDay?.({ today: s.today, stage: v.currentStage, events: v.events.length });
    for (const m of matters(v).filter((x) => x.status === 'inProgress' && x.acceptedAt && shanghaiDate(Date.parse(x.acceptedAt)) < s.today)) {
      await s.act('approve', { actor: officer(m.department), matter: m.code, result: { number: `浏审〔2026〕${m.code}号` }, reason: '' });
    }
    await sleepUntilNextWorkingDay(env, cal, s.today);
  }
  const outcome = await handle.result();
  return { applicationId, handle, outcome, view: v, actions: s.actions, signals: s.signals, refusals: s.refusals, days: Math.round((outcome.at - startMs) / 86_400_000) };
}

/**
 * Whether the workflow has closed. Asked instead of the status once the last action may have
 * ended it: the worker drops a closed workflow from its cache, so a query would replay the whole
 * history (seconds for the long one).
 */
async function closed(handle: WorkflowHandle): Promise<boolean> {
  return (await handle.describe()).status.name !== 'RUNNING';
}

async function sleepUntilNextWorkingDay(env: TestWorkflowEnvironment, cal: ReturnType<typeof buildCalendar>, today: string): Promise<void> {
  let next = addDays(today, 1);
  while (!isWorkingDay(cal, next)) next = addDays(next, 1);
  await env.sleep(startOfDay(next) + TEN_AM - (await env.currentTimeMs()));
}

/**
 * A workflow's whole history, page by page, over a connection that accepts large answers: the
 * test server sends a long history as one page, past gRPC's default 4 MiB receive limit.
 */
export async function fetchWholeHistory(env: TestWorkflowEnvironment, workflowId: string): Promise<temporal.api.history.v1.IHistory> {
  const connection = await Connection.connect({ address: env.address, channelArgs: { 'grpc.max_receive_message_length': 256 * 1024 * 1024 } });
  try {
    const events: temporal.api.history.v1.IHistoryEvent[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await connection.workflowService.getWorkflowExecutionHistory({ namespace: env.namespace ?? 'default', execution: { workflowId }, nextPageToken });
      events.push(...(page.history?.events ?? []));
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    return { events };
  } finally {
    await connection.close();
  }
}

export interface HistoryFigures {
  events: number;
  bytes: number;
  /** How many times the history fits under each limit (limit ÷ measured). */
  headroom: { warn: { events: number; bytes: number }; hard: { events: number; bytes: number } };
  /** Event types by bytes, largest first. */
  byType: { type: string; count: number; bytes: number }[];
  largestEventBytes: number;
}

export function historyFigures(history: temporal.api.history.v1.IHistory): HistoryFigures {
  const events = history.events?.length ?? 0;
  const bytes = temporal.api.history.v1.History.encode(history).finish().length;
  const { byType } = historyBytes(history);
  const largestEventBytes = Math.max(0, ...(history.events ?? []).map((e) => temporal.api.history.v1.HistoryEvent.encode(e).finish().length));
  const factor = (limit: number, x: number) => Math.round((limit / Math.max(1, x)) * 10) / 10;
  return {
    events,
    bytes,
    headroom: {
      warn: { events: factor(HISTORY_LIMITS.warn.events, events), bytes: factor(HISTORY_LIMITS.warn.bytes, bytes) },
      hard: { events: factor(HISTORY_LIMITS.hard.events, events), bytes: factor(HISTORY_LIMITS.hard.bytes, bytes) },
    },
    byType: [...byType].map(([type, t]) => ({ type: type.replace(/^EVENT_TYPE_/, ''), ...t })).sort((a, b) => b.bytes - a.bytes),
    largestEventBytes,
  };
}

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

function report(label: string, d: DriveResult, f: HistoryFigures) {
  const total = Object.values(d.actions).reduce((a, b) => a + b, 0);
  console.log(`\n${label}: ${d.outcome.status} after ${d.days} calendar days, ${d.view.events.length} audit events`);
  console.log(`  Updates ${total} (${Object.entries(d.actions).map(([k, n]) => `${k} ${n}`).join(', ')}), signals ${d.signals}, refused ${d.refusals.length}`);
  console.log(`  history: ${f.events} events, ${kib(f.bytes)} (${f.bytes} bytes); largest event ${kib(f.largestEventBytes)}`);
  console.log(`  headroom: warn limit ${f.headroom.warn.events}× events, ${f.headroom.warn.bytes}× bytes; hard limit ${f.headroom.hard.events}× events, ${f.headroom.hard.bytes}× bytes`);
  for (const t of f.byType.slice(0, 8)) console.log(`    ${t.type.padEnd(40)} ${String(t.count).padStart(5)} × ${kib(t.bytes).padStart(10)}  (${((100 * t.bytes) / f.bytes).toFixed(0)} %)`);
  for (const r of d.refusals) console.log(`  refused: ${r.on} ${r.action} ${r.code}: ${r.message}`);
}

/** A time-skipping server from LONG_START with a worker of the built workflows; the drive runs while the worker does. */
async function onTestServer<T>(root: string, drive: (env: TestWorkflowEnvironment) => Promise<T>): Promise<T> {
  const env = await TestWorkflowEnvironment.createTimeSkipping({
    server: { executable: { type: 'existing-path', path: path.join(root, '.tools', 'bin', 'temporal-test-server') }, extraArgs: ['--initial-time', LONG_START] },
  });
  // The projection reads its batch through the workflow's query as the worker's does, then drops it.
  const sink = projectionActivities(async () => ({ applied: true }));
  try {
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'bench-long', workflowsPath: path.join(root, 'dist', 'workflows'), activities: sink });
    return await worker.runUntil(drive(env));
  } finally {
    await env.teardown();
  }
}

/**
 * A bar over a drive's calendar days from LONG_START, on a terminal only; `expectedDays` is a
 * guess the bar stretches past if the drive runs longer.
 */
function dayBar(label: string, expectedDays: number): { onDay: (d: DriveDay) => void; stop: () => void } {
  const bar = progressBar(`${label} {bar} {value}/{total} calendar days | {today} | stage {stage} | {events} events`, { clear: true });
  const first = dayNumber(LONG_START.slice(0, 10));
  let total = expectedDays;
  bar.start(total, { today: LONG_START.slice(0, 10), stage: '—', events: 0 });
  return {
    onDay: (d) => {
      const day = dayNumber(d.today) - first;
      if (day > total) bar.setTotal((total = day));
      bar.update(day, { today: d.today, stage: d.stage ?? '—', events: d.events });
    },
    stop: () => bar.stop(),
  };
}

async function main() {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const root = path.resolve(__dirname, '..', '..');
  const t0 = Date.now();
  console.log(`Temporal's history limits: warn at ${HISTORY_LIMITS.warn.events} events / ${kib(HISTORY_LIMITS.warn.bytes)}, terminate at ${HISTORY_LIMITS.hard.events} events / ${kib(HISTORY_LIMITS.hard.bytes)}`);
  const longBar = dayBar('longest application', 365);
  const [long, history] = await onTestServer(root, async (env) => {
    const d = await driveLongApplication(env, 'bench-long', undefined, longBar.onDay);
    return [d, await fetchWholeHistory(env, d.applicationId)] as const;
  }).finally(longBar.stop);
  const figures = historyFigures(history);
  report('longest realistic application', long, figures);
  // What a worker pays to rebuild it (after a restart, or to answer a query once it is evicted).
  const workflowBundle = await bundleWorkflowCode({ workflowsPath: path.join(root, 'dist', 'workflows'), logger: new DefaultLogger('WARN') });
  const r0 = Date.now();
  await Worker.runReplayHistory({ workflowBundle, replayName: 'bench-long' }, history);
  console.log(`  replaying the whole history: ${((Date.now() - r0) / 1000).toFixed(1)} s (a workflow task times out after 10 s by default)`);

  const typicalBar = dayBar('typical application', 21);
  const [typical, typicalHistory] = await onTestServer(root, async (env) => {
    const d = await driveTypicalApplication(env, 'bench-long', undefined, typicalBar.onDay);
    return [d, await fetchWholeHistory(env, d.applicationId)] as const;
  }).finally(typicalBar.stop);
  report('typical application (for contrast)', typical, historyFigures(typicalHistory));
  console.log(`\n(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  mergeBenchSummary({
    longHistoryEvents: figures.events,
    longHistoryBytes: figures.bytes,
    longHeadroomEvents: figures.headroom.warn.events,
    longHeadroomBytes: figures.headroom.warn.bytes,
  });
  if (long.refusals.length || long.outcome.status !== 'completed') process.exitCode = 1;
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
