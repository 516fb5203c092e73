import type { Application } from './application';
import { CalendarRangeError, workingDaysBetween, type WorkingCalendar } from './calendar';
import { clockDueOn, workingDaysUsed, type ClockLevel } from './clock';
import { DAY_MS, endOfDay, toShanghaiIso } from './time';
import type { ClockStop, MatterState } from './types';

/**
 * The application's full state at one instant, as the status query returns it: every
 * instant as ISO-8601 with +08:00, every date as YYYY-MM-DD in Asia/Shanghai.
 */
export type ApplicationView = ReturnType<typeof viewApplication>;
export type MatterView = ReturnType<typeof viewMatter>;

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : toShanghaiIso(ms));

function safe<T>(f: () => T): T | null {
  try {
    return f();
  } catch (e) {
    if (e instanceof CalendarRangeError) return null;
    throw e;
  }
}

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
    workingDays: safe(() => workingDaysBetween(cal, s.from, to)),
    calendarDays: Math.round(((to - s.from) / DAY_MS) * 10) / 10,
  };
}

export function viewMatter(app: Application, m: MatterState, now: number) {
  const def = app.def(m.code);
  const cal = app.cal;
  const used = m.clock ? safe(() => workingDaysUsed(cal, m.clock!, now)) : null;
  const dueOn = m.clock?.runStart ? safe(() => clockDueOn(cal, m.clock!)) : (m.decision?.dueOn ?? null);
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
    workingDaysUsed: used,
    workingDaysLeft: used === null || !m.clock ? null : m.clock.limitDays - used,
    level: m.level as ClockLevel,
    stops: m.stops.map((s) => stopView(cal, s, now)),
    owedForSupplement: m.owedForSupplement,
    missing: m.status === 'intake' ? app.missingFor(m.code, 'blocking') : [],
    deferred: m.deferred.map((d) => ({ ...d, suppliedAt: iso(d.suppliedAt) })),
    extension: m.extension && { ...m.extension, at: iso(m.extension.at) },
    urges: m.urges.map((u) => ({ ...u, at: iso(u.at) })),
    decision: m.decision && { ...m.decision, at: iso(m.decision.at) },
    resultIssuedAt: iso(m.resultIssuedAt),
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
    workingDays: safe(() => u.reduce((acc, [a, b]) => acc + workingDaysBetween(cal, a, b), 0)),
  };
}

/**
 * Time accounting in the figures the reform reports in (DESIGN §4.8):
 * government working days along each stage's critical path (a matter's used days plus the
 * longest path of its prerequisites in the same stage), applicant time (supplements and the
 * wait after a missing-materials notice), special-procedure time, and calendar days in total.
 */
export function accounting(app: Application, now: number) {
  const s = app.state;
  const cal = app.cal;
  const end = s.outcome?.at ?? now;
  const used = (m: MatterState) => (m.clock ? (safe(() => workingDaysUsed(cal, m.clock!, end)) ?? 0) : 0);
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
          .filter((m) => (m.stage ?? m.code) === i.batch && m.acceptance === 'afterNotice' && m.acceptedAt !== null)
          .map((m): [number, number] => [i.notice!.issuedAt, m.acceptedAt!])
      : [],
  );
  return {
    governmentWorkingDays: stages.reduce((acc, x) => acc + x.governmentWorkingDays, 0),
    stages,
    applicant: spans(cal, [...stops('supplement'), ...noticeWaits]),
    specialProcedures: spans(cal, stops('specialProcedure')),
    calendarDays: Math.floor((end - s.startedAt) / DAY_MS),
    targetTotalDays: app.snapshot.targetTotalDays,
  };
}

export function viewApplication(app: Application, now: number) {
  const s = app.state;
  const stageDefs = app.snapshot.stages;
  const current = s.stages.find((x) => x.status === 'inProgress');
  return {
    applicationId: s.input.applicationId,
    projectName: s.input.projectName,
    applicant: s.input.applicant,
    process: { code: app.snapshot.code, name: app.snapshot.name, definitionHash: app.snapshot.definitionHash },
    status: s.status,
    asOf: toShanghaiIso(now),
    startedAt: iso(s.startedAt)!,
    outcome: s.outcome && { ...s.outcome, at: iso(s.outcome.at) },
    currentStage: current?.code ?? null,
    materials: Object.keys(s.materials).sort(),
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
    accounting: accounting(app, now),
    calendarYears: s.calendars.map((c) => c.year),
    events: s.events.map((e) => ({ ...e, at: iso(e.at)! })),
  };
}
