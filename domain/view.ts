import type { Application } from './application/core';
import { isProvisionalBetween, knownOrNull, workingDaysBetween, type WorkingCalendar } from './calendar';
import { clockDueOn, levelRank, workingDaysUsed, type ClockLevel } from './clock';
import { DAY_MS, endOfDay, shanghaiDate, toShanghaiIso } from './time';
import { committedDueOn, contractDueOn, contractEndsAt, serviceEndsAt } from './intermediary';
import type { ClockStop, ContractState, MatterState, Opinion, ServiceState, SideClock } from './types';
import { sideDueOn, sideLevelAt, sideMilestones } from './application/matter-clock';
import { withdrawalSchedule } from './application/remedies';
import { forecast } from './forecast';
import { attribution } from './attribution';

/**
 * The application's full state at one instant, as the status query returns it: every
 * instant as ISO-8601 with +08:00, every date as YYYY-MM-DD in Asia/Shanghai.
 */
export type ApplicationView = ReturnType<typeof viewApplication>;
export type MatterView = ReturnType<typeof viewMatter>;

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : toShanghaiIso(ms));

function stopView(cal: WorkingCalendar, s: ClockStop, now: number) {
  const to = s.to ?? now;
  return {
    kind: s.kind,
    procedure: s.procedure ?? null,
    from: iso(s.from)!,
    to: iso(s.to),
    reason: s.reason,
    by: s.by,
    items: s.items ?? [],
    expectedWorkingDays: s.expectedWorkingDays ?? null,
    approvedBy: s.approvedBy ?? null,
    source: s.source ?? null,
    workingDays: knownOrNull(() => workingDaysBetween(cal, s.from, to)),
    calendarDays: Math.round(((to - s.from) / DAY_MS) * 10) / 10,
  };
}

export function viewMatter(app: Application, m: MatterState, now: number) {
  const def = app.def(m.code);
  const cal = app.cal;
  const used = m.clock ? knownOrNull(() => workingDaysUsed(cal, m.clock!, now)) : null;
  const dueOn = m.clock?.runStart ? knownOrNull(() => clockDueOn(cal, m.clock!)) : (m.decision?.dueOn ?? null);
  const calendarGap = m.clock && m.clock.runStart !== null && dueOn === null;
  return {
    code: m.code,
    name: def.name,
    nameEn: def.nameEn,
    stage: m.stage,
    department: m.department,
    departmentName: app.snapshot.departments[m.department]?.name ?? m.department,
    milestone: m.milestone,
    status: m.status,
    prerequisites: def.prerequisites,
    receivedAt: iso(m.receivedAt),
    acceptedAt: iso(m.acceptedAt),
    acceptance: m.acceptance,
    timeLimitDays: m.clock?.limitDays ?? def.timeLimitDays,
    clockRunning: m.status === 'inProgress',
    dueOn,
    dueAt: dueOn ? toShanghaiIso(endOfDay(dueOn) - 1) : null,
    /** Set when the due date falls in a year whose calendar is not yet published. */
    calendarGap: calendarGap ? 'the due date lies in a year whose working-day calendar is not yet published' : null,
    /** 暂定: the running clock's due date is counted through a provisional year and may move with the official one. */
    provisional: !!m.clock?.runStart && dueOn !== null && m.acceptedAt !== null && isProvisionalBetween(cal, shanghaiDate(m.acceptedAt), dueOn),
    workingDaysUsed: used,
    workingDaysLeft: used === null || !m.clock ? null : m.clock.limitDays - used,
    /** As of `now`, from the rule instants: a level is new from its rule's instant, not from the timer. */
    level: app.levelAt(m, now) as ClockLevel,
    /** When the deadline passed, if it did (the clock's own overdue point). */
    overdueSince: iso(app.overdueSinceAt(m, now)),
    stops: m.stops.map((s) => stopView(cal, s, now)),
    owedForSupplement: m.owedForSupplement,
    missing: m.status === 'intake' ? app.missingFor(m.code, 'blocking') : [],
    /** What a matter waiting to start still needs: prerequisite matters and intermediary deliverables. */
    waitingFor:
      m.status === 'waitingPrerequisites'
        ? {
            matters: def.prerequisites.filter((p) => app.state.matters[p]!.resultIssuedAt === null),
            services: app.servicesPending(m.code).map((x) => x.serviceType),
          }
        : null,
    intermediaryServices: def.intermediaryServices,
    deferred: m.deferred.map((d) => ({
      ...d,
      suppliedAt: iso(d.suppliedAt),
      provisional: d.suppliedAt === null && d.dueOn !== null && m.acceptedAt !== null && isProvisionalBetween(cal, shanghaiDate(m.acceptedAt), d.dueOn),
    })),
    extension: m.extension && { ...m.extension, at: iso(m.extension.at) },
    urges: m.urges.map((u) => ({ ...u, at: iso(u.at) })),
    decision: m.decision && { ...m.decision, at: iso(m.decision.at) },
    resultIssuedAt: iso(m.resultIssuedAt),
    ...reformView(app, m, now),
  };
}

/**
 * A verification's or an opinion's clock as of `now`: while it runs (no outcome, no opinion yet)
 * its level and the instant it turned overdue by the rule instants, as the matter clock's view
 * does, so a status asked at a later instant (or the read model's) agrees with the engine's once
 * it wakes; once it stopped, what it had reached.
 */
function sideView(app: Application, side: SideClock, now: number, running: boolean) {
  const dueOn = sideDueOn(app, side);
  const level = running ? sideLevelAt(app, side, now) : side.level;
  const overdueAt = running && levelRank(level) >= levelRank('overdue') ? (sideMilestones(app, side).find((x) => x.level === 'overdue')?.at ?? null) : null;
  const provisional = running && dueOn !== null && isProvisionalBetween(app.cal, side.clock.runStart ?? dueOn, dueOn);
  return { dueOn, dueAt: dueOn ? toShanghaiIso(endOfDay(dueOn) - 1) : null, level, overdueSince: iso(side.overdueSince ?? overdueAt), provisional };
}

function opinionView(o: Opinion) {
  return { ...o, at: iso(o.at)! };
}

/** Commitment, verification, joint opinions, assignment and the deemed-withdrawal date of one matter. */
function reformView(app: Application, m: MatterState, now: number) {
  const def = app.def(m.code);
  const v = m.verification;
  const j = m.joint;
  const w = withdrawalSchedule(app, m);
  return {
    /** 告知承诺制: whether the catalogue allows it here, and the conditions the applicant would promise. */
    commitmentPolicy: def.commitment ? { text: def.commitment.text, verificationDays: def.commitment.verificationDays } : null,
    commitment: m.commitment ? { ...m.commitment, at: iso(m.commitment.at)! } : null,
    verification: v ? { startedAt: iso(v.startedAt)!, ...sideView(app, v, now, !v.outcome), outcome: v.outcome && { ...v.outcome, at: iso(v.outcome.at)! } } : null,
    revoked: m.revoked ? { ...m.revoked, at: iso(m.revoked.at)! } : null,
    flags: (m.flags ?? []).map((f) => ({ ...f, at: iso(f.at)! })),
    joint: j
      ? {
          silenceIsConsent: def.joint?.silenceIsConsent ?? false,
          session: j.session && { ...j.session, at: iso(j.session.at)!, moved: j.session.moved && { ...j.session.moved, at: iso(j.session.moved.at)! } },
          round: j.round,
          participants: j.participants.map((p) => ({
            department: p.department,
            departmentName: app.snapshot.departments[p.department]?.name ?? p.department,
            opinionDays: p.opinionDays,
            waiting: p.due !== null && p.opinion === null,
            due: p.due && sideView(app, p.due, now, p.opinion === null),
            opinion: p.opinion && opinionView(p.opinion),
            earlier: p.earlier.map(opinionView),
          })),
          rectification: j.rectification && { ...j.rectification, requestedAt: iso(j.rectification.requestedAt)!, submittedAt: iso(j.rectification.submittedAt) },
        }
      : null,
    assignee: m.assignee ? { ...m.assignee, since: iso(m.assignee.since)! } : null,
    /** 视为撤回: when the open supplement request lapses and the matter is deemed withdrawn. */
    withdrawal: w ? { withdrawnOn: w.withdrawnOn, remindedAt: iso(m.withdrawalReminderAt) } : null,
  };
}

function contractView(app: Application, c: ContractState, now: number) {
  const cal = app.cal;
  const end = contractEndsAt(c, app.state.outcome?.at ?? null) ?? now;
  const firstDelivery = c.deliveries[0]?.at ?? null;
  const committed = knownOrNull(() => committedDueOn(cal, c));
  const dueOn = c.status === 'open' ? knownOrNull(() => contractDueOn(cal, c)) : null;
  return {
    contractId: c.contractId,
    provider: c.provider,
    providerName: app.snapshot.providers.find((p) => p.code === c.provider)?.name ?? c.provider,
    regulator: c.regulator,
    selection: c.selection,
    status: c.status,
    level: app.contractLevel(c, now),
    contractedAt: iso(c.contractedAt)!,
    committedDays: c.committedDays,
    dayKind: c.dayKind,
    committedDueOn: committed,
    dueOn,
    /** 暂定: the provider's open due date is counted in working days through a provisional year. */
    provisional: dueOn !== null && c.dayKind === 'working' && isProvisionalBetween(cal, c.clockStart, dueOn),
    deliveries: c.deliveries.map((d) => ({ ...d, at: iso(d.at)! })),
    returns: c.returns.map((r) => ({ ...r, at: iso(r.at)! })),
    closedAt: iso(c.closedAt),
    closeReason: c.closeReason,
    calendarDays: Math.round(((end - c.contractedAt) / DAY_MS) * 10) / 10,
    deliveredOnTime: firstDelivery === null || committed === null ? null : firstDelivery < endOfDay(committed),
  };
}

export function viewService(app: Application, s: ServiceState, now: number) {
  const first = s.contracts[0]?.contractedAt ?? null;
  const end = serviceEndsAt(s, app.state.outcome?.at ?? null) ?? now;
  return {
    serviceType: s.serviceType,
    name: app.snapshot.serviceTypes[s.serviceType]?.name ?? s.serviceType,
    deliverable: s.deliverable,
    matters: s.matters,
    commissionedBy: s.commissionedBy,
    status: s.status,
    waiver: s.waiver,
    acceptedAt: iso(s.acceptedAt),
    contracts: s.contracts.map((c) => contractView(app, c, now)),
    reworkCount: s.contracts.reduce((n, c) => n + c.returns.length, 0),
    /** Calendar days from the first contract to acceptance (or now), replaced providers included. */
    calendarDays: first === null ? null : Math.round(((end - first) / DAY_MS) * 10) / 10,
    workingDays: first === null ? null : knownOrNull(() => workingDaysBetween(app.cal, first, end)),
  };
}

/** Union of intervals, so parallel stops on several matters count once. */
function union(intervals: [number, number][]): [number, number][] {
  const sorted = intervals.filter(([a, b]) => b > a).sort((x, y) => x[0] - y[0]);
  const out: [number, number][] = [];
  for (const [a, b] of sorted) {
    const last = out.at(-1);
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else out.push([a, b]);
  }
  return out;
}

function spans(cal: WorkingCalendar, intervals: [number, number][]) {
  const u = union(intervals);
  return {
    calendarDays: Math.round((u.reduce((acc, [a, b]) => acc + (b - a), 0) / DAY_MS) * 10) / 10,
    workingDays: knownOrNull(() => u.reduce((acc, [a, b]) => acc + workingDaysBetween(cal, a, b), 0)),
  };
}

/**
 * Time accounting in the figures the reform reports in (DESIGN §4.8):
 * government working days along each stage's critical path (a matter's used days plus the
 * longest path of its prerequisites in the same stage), applicant time (supplements and the
 * wait after a missing-materials notice), special-procedure time, and calendar days in total.
 */
export function accounting(app: Application, now: number) {
  const totals = accountingTotals(app, now);
  const { end, serviceSpans, ...figures } = totals;
  const s = app.state;
  const cal = app.cal;
  return {
    governmentWorkingDays: figures.governmentWorkingDays,
    stages: figures.stages,
    /**
     * Intermediary time apart from government and applicant time. As in the reform's own
     * statistics, government-commissioned services count as approval time, owner-commissioned do not.
     */
    intermediary: {
      all: spans(cal, serviceSpans()),
      governmentCommissioned: spans(cal, serviceSpans('government')),
      ownerCommissioned: spans(cal, serviceSpans('owner')),
      services: Object.values(s.services).map((x) => {
        const v = viewService(app, x, end);
        return { serviceType: x.serviceType, commissionedBy: x.commissionedBy, status: x.status, calendarDays: v.calendarDays, workingDays: v.workingDays, contracts: x.contracts.length, reworkCount: v.reworkCount };
      }),
    },
    applicant: figures.applicant,
    specialProcedures: figures.specialProcedures,
    calendarDays: figures.calendarDays,
    targetTotalDays: figures.targetTotalDays,
    forecast: forecast(app, now),
  };
}

/** The figures of `accounting` the read model's application row keeps, without the intermediary breakdown or the forecast. */
export function accountingTotals(app: Application, now: number) {
  const s = app.state;
  const cal = app.cal;
  const end = s.outcome?.at ?? now;
  const used = (m: MatterState) => (m.clock ? (knownOrNull(() => workingDaysUsed(cal, m.clock!, end)) ?? 0) : 0);
  const path = new Map<string, number>();
  const pathDays = (code: string): number => {
    if (path.has(code)) return path.get(code)!;
    const m = s.matters[code]!;
    const pre = app.def(code).prerequisites.filter((p) => s.matters[p]!.stage === m.stage);
    const days = used(m) + Math.max(0, ...pre.map(pathDays));
    path.set(code, days);
    return days;
  };
  const stages = app.snapshot.stages.map((st) => ({
    stage: st.code,
    governmentWorkingDays: Math.max(0, ...st.matters.filter((m) => m.milestone).map((m) => pathDays(m.code))),
    timeLimitDays: st.timeLimitDays,
  }));
  const stops = (kind: ClockStop['kind']) =>
    Object.values(s.matters).flatMap((m) => m.stops.filter((x) => x.kind === kind).map((x): [number, number] => [x.from, x.to ?? end]));
  const noticeWaits = Object.values(s.intakes).flatMap((i) =>
    i.notice
      ? Object.values(s.matters)
          .filter((m) => (m.stage ?? m.code) === i.batch && m.acceptance === 'afterNotice' && (m.intakePassedAt ?? m.acceptedAt) != null)
          .map((m): [number, number] => [i.notice!.issuedAt, (m.intakePassedAt ?? m.acceptedAt)!])
      : [],
  );
  const serviceSpans = (who?: 'government' | 'owner') =>
    Object.values(s.services)
      .filter((x) => x.contracts.length && (!who || x.commissionedBy === who))
      .map((x): [number, number] => [x.contracts[0]!.contractedAt, serviceEndsAt(x, null) ?? end]);
  return {
    governmentWorkingDays: stages.reduce((acc, x) => acc + x.governmentWorkingDays, 0),
    stages,
    applicant: spans(cal, [...stops('supplement'), ...stops('rectification'), ...noticeWaits]),
    specialProcedures: spans(cal, stops('specialProcedure')),
    calendarDays: Math.floor((end - s.startedAt) / DAY_MS),
    targetTotalDays: app.snapshot.targetTotalDays,
    end,
    serviceSpans,
  };
}

/** Every matter of an application view: stage by stage, then those beside the stages. */
export function mattersOfView(view: Pick<ApplicationView, 'stages' | 'alongside'>): MatterView[] {
  return [...view.stages.flatMap((s) => s.matters), ...view.alongside];
}

export function viewApplication(app: Application, now: number) {
  const s = app.state;
  const stageDefs = app.snapshot.stages;
  const current = s.stages.find((x) => x.status === 'inProgress');
  return {
    applicationId: s.input.applicationId,
    projectName: s.input.projectName,
    applicant: s.input.applicant,
    startedBy: s.input.startedBy ?? null,
    /** 项目代码 and the applicant's 统一社会信用代码, when given at start. */
    projectCode: s.input.projectCode ?? null,
    applicantCreditCode: s.input.applicantCreditCode ?? null,
    process: { code: app.snapshot.code, name: app.snapshot.name, definitionHash: app.snapshot.definitionHash },
    status: s.status,
    asOf: toShanghaiIso(now),
    /** The application's event count: how far this view has got (compare the read model's projection seq). */
    seq: s.events.length,
    startedAt: iso(s.startedAt)!,
    outcome: s.outcome && { ...s.outcome, at: iso(s.outcome.at) },
    currentStage: current?.code ?? null,
    materials: Object.keys(s.materials).sort(),
    /** References to the files of the materials, as a document store keeps them, in the order they came. */
    documents: (s.documents ?? []).map((d) => ({ material: d.material, name: d.name, ref: d.ref, type: d.type ?? null, suppliedAt: iso(d.suppliedAt)!, matters: d.matters })),
    stages: s.stages.map((st, i) => {
      const def = stageDefs[i]!;
      const intake = s.intakes[st.code];
      return {
        code: st.code,
        name: def.name,
        nameEn: def.nameEn,
        leadDepartment: def.leadDepartment,
        timeLimitDays: def.timeLimitDays,
        status: st.status,
        startedAt: iso(st.startedAt),
        completedAt: iso(st.completedAt),
        outputs: st.outputs,
        intake: intake && {
          receivedAt: iso(intake.receivedAt),
          noticeDueOn: intake.noticeDueOn,
          notice: intake.notice && { ...intake.notice, issuedAt: iso(intake.notice.issuedAt) },
          deemedAcceptedAt: iso(intake.deemedAcceptedAt),
        },
        matters: def.matters.map((m) => viewMatter(app, s.matters[m.code]!, now)),
      };
    }),
    alongside: app.snapshot.alongside.map((m) => viewMatter(app, s.matters[m.code]!, now)),
    zone: app.state.events[0]?.data?.zone ?? null,
    services: Object.values(s.services).map((x) => viewService(app, x, now)),
    accounting: accounting(app, now),
    /** Where the days went: the elapsed time along the critical path, by holder (domain/attribution.ts). */
    attribution: attribution(app, now),
    calendarYears: s.calendars.map((c) => c.year),
    events: s.events.map((e) => ({ ...e, at: iso(e.at)! })),
  };
}
