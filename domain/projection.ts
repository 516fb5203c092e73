import { allMatters, type ProcessSnapshot } from '../catalogue/snapshot';
import { Application } from './application/core';
import type { AppEvent, ApplicationState, MatterState, SideClock } from './types';
import { accountingTotals, viewMatter, viewService } from './view';
import { endOfDay, toShanghaiIso } from './time';
import { sideDueOn } from './application/matter-clock';
import { attributionRows, type AttributionRow } from './attribution';
import { isProvisionalBetween } from './calendar';

/**
 * What the workflow hands the read model after a change: the application's summary row, every
 * matter's row (small: about 30 per application) and the audit events it has not handed over
 * yet. `seq` is the number of events so far; the writer ignores a batch whose seq is not newer
 * than what it holds, so a retried or late write never overwrites newer state.
 */
export interface ApplicationRow {
  applicationId: string;
  seq: number;
  processCode: string;
  definitionHash: string;
  projectName: string;
  applicantId: string;
  applicantName: string;
  /** The principal that started it for the applicant (agent, integrator, admin); null when the applicant did. */
  startedBy: string | null;
  status: string;
  currentStage: string | null;
  startedAt: string;
  endedAt: string | null;
  outcomeReason: string | null;
  governmentWorkingDays: number;
  /** Whole calendar days (rounded), as the read model stores them. */
  applicantDays: number;
  specialProcedureDays: number;
  calendarDays: number;
  targetTotalDays: number;
}

export interface MatterRow {
  applicationId: string;
  code: string;
  name: string;
  stage: string | null;
  department: string;
  milestone: boolean;
  status: string;
  level: string;
  receivedAt: string | null;
  acceptedAt: string | null;
  /** Due date (YYYY-MM-DD) and the instant it ends; null while the clock is stopped or before acceptance. */
  dueOn: string | null;
  dueAt: string | null;
  timeLimitDays: number;
  workingDaysUsed: number | null;
  decidedAt: string | null;
  decision: string | null;
  onTime: boolean | null;
  supplementCount: number;
  specialProcedureCount: number;
  urgeCount: number;
  extended: boolean;
  /** When the matter first turned overdue, if it did. */
  overdueSince: string | null;
  /** The officer it is assigned to; null in the department's pool (absent in batches from before assignment existed). */
  assignee?: string | null;
  /** 暂定: the due date is counted through a provisional calendar year (absent in batches from before). */
  provisional?: boolean;
  /** The matter's whole state, so the read model computes its view at any instant as the workflow does. */
  state?: MatterState;
}

/**
 * Work a department owes on a matter beside the matter's own clock: the verification (核查) of a
 * commitment, owed by the matter's department, or a participant's opinion on a joint matter in the
 * current round, owed by the participant's department. Keyed by matter, kind and department.
 */
export interface TaskRow {
  applicationId: string;
  matter: string;
  kind: 'verification' | 'opinion';
  department: string;
  matterName: string;
  stage: string | null;
  /** A verification: the matter's assignee; an opinion: null (another department owes it). */
  assignee: string | null;
  /** The joint round an opinion belongs to; null for a verification. */
  round: number | null;
  startedAt: string;
  workingDays: number;
  dueOn: string | null;
  dueAt: string | null;
  level: string;
  status: 'open' | 'done';
  overdueSince: string | null;
  doneAt: string | null;
  /** confirmed | false (verification); pass | conditions | fail | deemedConsent (opinion). */
  outcome: string | null;
  onTime: boolean | null;
  /** 暂定: the open due date is counted through a provisional calendar year (absent in batches from before). */
  provisional?: boolean;
}

/** The application's state apart from its matters and events (which travel as rows). */
export type ApplicationStateRow = Omit<ApplicationState, 'matters' | 'events'>;

/** One intermediary-service contract (中介服务) of an application. */
export interface ServiceRow {
  applicationId: string;
  /** Unique within the application: the service type, with #2, #3… for replacement contracts. */
  contractId: string;
  serviceType: string;
  /** Matters waiting for this deliverable. */
  matters: string[];
  providerCode: string | null;
  regulator: string | null;
  commissionedBy: 'government' | 'owner';
  selection: 'direct' | 'randomDraw' | 'bidding' | 'waived';
  status: string;
  level: string;
  contractedAt: string | null;
  committedDays: number | null;
  dayKind: 'working' | 'calendar' | null;
  dueOn: string | null;
  deliveredAt: string | null;
  acceptedAt: string | null;
  closedAt: string | null;
  reworkCount: number;
  /** Calendar days from contract to acceptance (or to now / termination). */
  calendarDays: number | null;
  onTime: boolean | null;
}

export interface EventRow {
  applicationId: string;
  seq: number;
  at: string;
  kind: string;
  actor: string;
  matter: string | null;
  stage: string | null;
  reason: string | null;
  data: Record<string, unknown> | null;
}

export interface ProjectionBatch {
  application: ApplicationRow;
  /** All rows when `complete` is true (or absent); otherwise only the rows that changed. */
  matters: MatterRow[];
  services: ServiceRow[];
  events: EventRow[];
  /**
   * The tasks (verifications, opinions): all of them in a complete batch; in a delta, every task of
   * the matters in `taskMatters` (a task of theirs not carried is gone). Absent in batches from
   * before tasks existed: the writer then keeps the stored ones.
   */
  tasks?: TaskRow[];
  taskMatters?: string[];
  /** False for a delta: the writer then upserts the rows given and keeps the others. */
  complete?: boolean;
  /** The application-level state; a delta carries it only when it changed. */
  state?: ApplicationStateRow;
  /** The process snapshot the application runs on; only complete batches carry it. */
  snapshot?: ProcessSnapshot;
  /** The critical path's stretches (domain/attribution.ts), all of them in every batch; absent in batches from before: the writer keeps the stored ones. */
  attribution?: AttributionRow[];
}

/**
 * Keeps the rows last handed to the read model and turns full batches into deltas, so a
 * change to one matter does not carry thirty unchanged rows into the workflow's history.
 */
export class ProjectionDelta {
  private readonly sent = new Map<string, string>();

  next(full: ProjectionBatch): ProjectionBatch {
    const first = this.sent.size === 0;
    const changed = <R>(key: string, row: R): boolean => {
      const json = JSON.stringify(row);
      if (this.sent.get(key) === json) return false;
      this.sent.set(key, json);
      return true;
    };
    const matters = full.matters.filter((m) => changed(`m:${m.code}`, m));
    const services = full.services.filter((x) => changed(`s:${x.contractId}`, x));
    // A matter's tasks travel together, so a delta can say which of them are gone.
    const tasksOf = new Map<string, TaskRow[]>();
    for (const t of full.tasks ?? []) tasksOf.set(t.matter, [...(tasksOf.get(t.matter) ?? []), t]);
    const taskMatters = full.matters.map((m) => m.code).filter((code) => changed(`t:${code}`, tasksOf.get(code) ?? []));
    const stateChanged = full.state !== undefined && changed('state', full.state);
    if (first) return { ...full, complete: true };
    const { snapshot: _snapshot, state, ...rest } = full;
    const tasks = taskMatters.flatMap((code) => tasksOf.get(code) ?? []);
    return { ...rest, matters, services, tasks, taskMatters, complete: false, ...(stateChanged ? { state } : {}) };
  }

  /** Forget what was sent: after a batch the writer refused, the next one carries every row. */
  reset(): void {
    this.sent.clear();
  }
}

/** The batch for the read model as of `now`, with the events after `fromSeq` (and, given `only`, only the selected rows). */
export function projectionBatch(app: Application, now: number, fromSeq: number, only?: RowSelection): ProjectionBatch {
  const s = app.state;
  const acc = accountingTotals(app, now);
  const id = s.input.applicationId;
  const selected = Object.values(s.matters).filter((m) => !only || only.matters.has(m.code));
  return {
    application: {
      applicationId: id,
      seq: s.events.length,
      processCode: app.snapshot.code,
      definitionHash: app.snapshot.definitionHash,
      projectName: s.input.projectName,
      applicantId: s.input.applicant.id,
      applicantName: s.input.applicant.name,
      startedBy: s.input.startedBy?.id ?? null,
      status: s.status,
      currentStage: s.stages.find((x) => x.status === 'inProgress')?.code ?? null,
      startedAt: toShanghaiIso(s.startedAt),
      endedAt: s.outcome ? toShanghaiIso(s.outcome.at) : null,
      outcomeReason: s.outcome?.reason ?? null,
      governmentWorkingDays: acc.governmentWorkingDays,
      applicantDays: Math.round(acc.applicant.calendarDays),
      specialProcedureDays: Math.round(acc.specialProcedures.calendarDays),
      calendarDays: acc.calendarDays,
      targetTotalDays: acc.targetTotalDays,
    },
    matters: selected.map((m) => {
      const v = viewMatter(app, m, now);
      return {
        applicationId: id,
        code: m.code,
        name: v.name,
        stage: m.stage,
        department: m.department,
        milestone: m.milestone,
        status: m.status,
        level: m.level,
        receivedAt: v.receivedAt,
        acceptedAt: v.acceptedAt,
        dueOn: v.dueOn,
        dueAt: v.dueAt,
        timeLimitDays: v.timeLimitDays,
        workingDaysUsed: v.workingDaysUsed,
        decidedAt: v.decision?.at ?? null,
        decision: m.decision?.kind ?? null,
        onTime: m.decision?.onTime ?? null,
        supplementCount: m.stops.filter((x) => x.kind === 'supplement').length,
        specialProcedureCount: m.stops.filter((x) => x.kind === 'specialProcedure').length,
        urgeCount: m.urges.length,
        extended: m.extension !== null,
        overdueSince: m.overdueSince != null ? toShanghaiIso(m.overdueSince) : null,
        assignee: m.assignee?.officer ?? null,
        provisional: v.provisional,
        state: m,
      };
    }),
    tasks: selected.flatMap((m) => taskRows(app, m)),
    ...(only ? { taskMatters: selected.map((m) => m.code) } : {}),
    services: Object.values(s.services).filter((svc) => !only || only.services.has(svc.serviceType)).flatMap((svc): ServiceRow[] => {
      const v = viewService(app, svc, now);
      if (!v.contracts.length) {
        return [{
          applicationId: id, contractId: svc.serviceType, serviceType: svc.serviceType, matters: svc.matters, providerCode: null, regulator: null,
          commissionedBy: svc.commissionedBy, selection: svc.status === 'waived' ? 'waived' : 'direct', status: svc.status, level: 'normal',
          contractedAt: null, committedDays: null, dayKind: null, dueOn: null, deliveredAt: null, acceptedAt: null, closedAt: null, reworkCount: 0, calendarDays: null, onTime: null,
        }];
      }
      return v.contracts.map((c) => ({
        applicationId: id,
        contractId: c.contractId,
        serviceType: svc.serviceType,
        matters: svc.matters,
        providerCode: c.provider,
        regulator: c.regulator,
        commissionedBy: svc.commissionedBy,
        selection: c.selection.method,
        status: c.status,
        level: c.level,
        contractedAt: c.contractedAt,
        committedDays: c.committedDays,
        dayKind: c.dayKind,
        dueOn: c.dueOn ?? c.committedDueOn,
        deliveredAt: c.deliveries[0]?.at ?? null,
        acceptedAt: c.status === 'accepted' ? c.closedAt : null,
        closedAt: c.closedAt,
        reworkCount: c.returns.length,
        calendarDays: Math.round(c.calendarDays),
        onTime: c.deliveredOnTime,
      }));
    }),
    events: s.events
      .filter((e) => e.seq > fromSeq)
      .map((e) => ({
        applicationId: id,
        seq: e.seq,
        at: toShanghaiIso(e.at),
        kind: e.kind,
        actor: e.actor,
        matter: e.matter ?? null,
        stage: e.stage ?? null,
        reason: e.reason ?? null,
        data: e.data ?? null,
      })),
    state: applicationStateRow(s),
    snapshot: app.snapshot,
    attribution: attributionRows(app, now),
  };
}

/**
 * What the projection query answers: every row as of `now` (so the writer replaces them all; it
 * rewrites only rows whose values changed), the events after `fromSeq`, and the process snapshot
 * only when asked for (the read model keeps it once per definition).
 */
export function projectionRead(app: Application, now: number, fromSeq: number, withSnapshot: boolean): ProjectionBatch {
  const { snapshot, ...batch } = projectionBatch(app, now, fromSeq);
  return { ...batch, complete: true, ...(withSnapshot ? { snapshot } : {}) };
}

/** The rows a delta carries: these matters' and these services'. */
export interface RowSelection {
  matters: ReadonlySet<string>;
  services: ReadonlySet<string>;
}

/**
 * Which rows the next batch carries, so a decision on one matter does not recompute and send
 * thirty: every row for the first batch (and after `reset`), and after an event not about one
 * matter (a stage moving on, a calendar published: due dates may all change); otherwise the
 * matters an event names, and the matters and services whose state changed. A row's figures that
 * move with time alone (working days used by a running clock) are refreshed with its next change;
 * reads compute them from the state as of their own instant.
 */
export class ChangedRows {
  private readonly sent = new Map<string, string>();
  private everything = true;

  /** The rows to carry after `fromSeq`, or null for every row. */
  next(app: Application, fromSeq: number): RowSelection | null {
    const events = app.state.events.filter((e) => e.seq > fromSeq);
    const all = this.everything || events.some((e) => e.matter === undefined);
    const matters = new Set(events.flatMap((e) => (e.matter === undefined ? [] : [e.matter])));
    const services = new Set<string>();
    const changed = (key: string, state: unknown): boolean => {
      const json = JSON.stringify(state);
      if (this.sent.get(key) === json) return false;
      this.sent.set(key, json);
      return true;
    };
    for (const m of Object.values(app.state.matters)) if (changed(`m:${m.code}`, m)) matters.add(m.code);
    for (const svc of Object.values(app.state.services ?? {})) if (changed(`s:${svc.serviceType}`, svc)) services.add(svc.serviceType);
    this.everything = false;
    return all ? null : { matters, services };
  }

  /** After a batch that was not written: the next one carries every row. */
  reset(): void {
    this.sent.clear();
    this.everything = true;
  }
}

/** The batch the fast path hands the writer: every row (`only` null) or, as a delta, the selected rows. */
export function projectionDeltaRead(app: Application, now: number, fromSeq: number, withSnapshot: boolean, only: RowSelection | null): ProjectionBatch {
  if (only === null) return projectionRead(app, now, fromSeq, withSnapshot);
  const { snapshot, ...batch } = projectionBatch(app, now, fromSeq, only);
  return { ...batch, complete: false, ...(withSnapshot ? { snapshot } : {}) };
}

/** The tasks a matter's state owes: its verification, and its joint participants' opinions of the current round. */
export function taskRows(app: Application, m: MatterState): TaskRow[] {
  const id = app.state.input.applicationId;
  const base = { applicationId: id, matter: m.code, matterName: app.def(m.code).name, stage: m.stage };
  const due = (side: SideClock) => {
    const dueOn = sideDueOn(app, side);
    return { dueOn, dueAt: dueOn ? toShanghaiIso(endOfDay(dueOn) - 1) : null, level: side.level, overdueSince: side.overdueSince != null ? toShanghaiIso(side.overdueSince) : null };
  };
  const provisional = (side: SideClock, open: boolean, dueOn: string | null) => open && dueOn !== null && isProvisionalBetween(app.cal, side.clock.runStart ?? dueOn, dueOn);
  const rows: TaskRow[] = [];
  const v = m.verification;
  if (v) {
    rows.push({
      ...base,
      kind: 'verification',
      department: m.department,
      assignee: m.assignee?.officer ?? null,
      round: null,
      startedAt: toShanghaiIso(v.startedAt),
      workingDays: v.clock.limitDays,
      ...due(v),
      status: v.outcome ? 'done' : 'open',
      doneAt: v.outcome ? toShanghaiIso(v.outcome.at) : null,
      outcome: v.outcome?.kind ?? null,
      // As the commitmentConfirmed event judges it: concluded before the clock turned overdue.
      onTime: v.outcome ? v.level === 'normal' || v.level === 'warning' : null,
      provisional: provisional(v, !v.outcome, sideDueOn(app, v)),
    });
  }
  const j = m.joint;
  for (const p of j?.participants ?? []) {
    if (!p.due) continue;
    const d = due(p.due);
    // Round 1 runs from acceptance, a re-inspection from the rectification's submission.
    const started = (j!.round > 1 ? j!.rectification?.submittedAt : null) ?? m.acceptedAt ?? app.state.startedAt;
    rows.push({
      ...base,
      kind: 'opinion',
      department: p.department,
      assignee: null,
      round: j!.round,
      startedAt: toShanghaiIso(started),
      workingDays: p.opinionDays,
      ...d,
      status: p.opinion ? 'done' : 'open',
      doneAt: p.opinion ? toShanghaiIso(p.opinion.at) : null,
      outcome: p.opinion?.kind ?? null,
      onTime: p.opinion ? p.opinion.kind !== 'deemedConsent' && (d.dueOn === null || p.opinion.at < endOfDay(d.dueOn)) : null,
      provisional: provisional(p.due, !p.opinion, d.dueOn),
    });
  }
  return rows;
}

function applicationStateRow(s: ApplicationState): ApplicationStateRow {
  const { matters: _m, events: _e, ...rest } = s;
  return rest;
}

/** An audit event as the workflow holds it, from its stored row. */
export function appEventOf(row: Omit<EventRow, 'applicationId'>): AppEvent {
  return {
    seq: row.seq,
    at: Date.parse(row.at),
    kind: row.kind,
    actor: row.actor,
    ...(row.matter !== null ? { matter: row.matter } : {}),
    ...(row.stage !== null ? { stage: row.stage } : {}),
    ...(row.reason !== null ? { reason: row.reason } : {}),
    ...(row.data !== null ? { data: row.data } : {}),
  };
}

/** What the read model holds of one application, enough to rebuild it. */
export interface StoredApplication {
  snapshot: ProcessSnapshot;
  state: ApplicationStateRow;
  matters: MatterState[];
  events: Omit<EventRow, 'applicationId'>[];
}

/** The application rebuilt from the read model: its views are the workflow's views of the same state. */
export function applicationFromStore(stored: StoredApplication): Application {
  // Matters in the order the application created them (the snapshot's), whatever order rows come in.
  const byCode = new Map(stored.matters.map((m) => [m.code, m]));
  const state: ApplicationState = {
    ...stored.state,
    matters: Object.fromEntries(allMatters(stored.snapshot).flatMap((d) => (byCode.has(d.code) ? [[d.code, byCode.get(d.code)!]] : []))),
    events: stored.events.map(appEventOf).sort((a, b) => a.seq - b.seq),
  };
  return Application.fromState(stored.snapshot, state);
}
