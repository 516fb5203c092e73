import type { EscalateInput, UrgeInput } from '../../contracts/actions';
import type { CalendarYear } from '../../catalogue/schema';
import { buildCalendar, knownOrNull, workingDaysAfter, type WorkingCalendar } from '../calendar';
import { shanghaiDate } from '../time';
import { clockDueOn } from '../clock';
import { contractDueOn } from '../intermediary';
import { CLOCK_LEVELS, higherLevel, levelRank } from '../clock';
import { ActionRefused } from '../errors';
import { SYSTEM, type Actor, type IntakeState, type MatterState } from '../types';
import { actorLabel, OPEN } from './checks';
import type { Application } from './core';
import { batchMatters, dateDeferred, noticeDueOn } from './intake';
import { sideDueOn, updateLevel } from './matter-clock';
import { withdrawalSchedule } from './remedies';

// The supervision office (督办, 升级) and the administration's calendar.

/** Refuses a supervision action that cannot apply: only the office, on an open matter of a running application. */
export function checkSupervision(app: Application, actor: Actor, code: string) {
  if (actor.role !== 'supervisor') throw new ActionRefused('NOT_PERMITTED', 'only the supervision office may urge or escalate');
  if (app.state.status !== 'running') throw new ActionRefused('APPLICATION_CLOSED', `the application is ${app.state.status}`);
  const m = app.state.matters[code];
  if (!m) throw new ActionRefused('UNKNOWN_MATTER', `matter ${code} is not part of this application`);
  if (!OPEN.has(m.status)) throw new ActionRefused('ALREADY_DECIDED', `matter ${code} is already ${m.status}`);
}

/** Why a supervision action cannot apply, or null: the signals of older histories record it as a refusal. */
export function supervisionRefusal(app: Application, actor: Actor, code: string): string | null {
  try {
    checkSupervision(app, actor, code);
    return null;
  } catch (e) {
    if (e instanceof ActionRefused) return e.message;
    throw e;
  }
}

export function checkUrge(app: Application, a: UrgeInput) {
  checkSupervision(app, a.actor, a.matter);
}

export function urge(app: Application, a: UrgeInput, now: number) {
  checkUrge(app, a);
  const m = app.state.matters[a.matter]!;
  m.urges.push({ at: now, by: actorLabel(a.actor), note: a.note });
  app.record(now, 'urged', a.actor, { matter: m.code, reason: a.note });
}

export function checkEscalate(app: Application, a: EscalateInput) {
  checkSupervision(app, a.actor, a.matter);
}

export function escalate(app: Application, a: EscalateInput, now: number) {
  checkEscalate(app, a);
  const m = app.state.matters[a.matter]!;
  const rank = Math.max(levelRank(m.level), levelRank('overdue'));
  const next = CLOCK_LEVELS[Math.min(rank + 1, CLOCK_LEVELS.length - 1)]!;
  m.escalatedTo = higherLevel(m.escalatedTo, next);
  app.record(now, 'escalated', a.actor, { matter: m.code, reason: a.reason, data: { to: next } });
  updateLevel(app, m, now);
}

/** The urge signal of older histories (kept for replay): a refused urge is recorded, not thrown. */
export function urgeSignalled(app: Application, a: UrgeInput, now: number) {
  const refusal = supervisionRefusal(app, a.actor, a.matter);
  if (refusal) return app.record(now, 'urgeRefused', a.actor, { matter: a.matter, reason: refusal });
  urge(app, a, now);
}

/** The escalate signal of older histories (kept for replay): a refused escalation is recorded, not thrown. */
export function escalateSignalled(app: Application, a: EscalateInput, now: number) {
  const refusal = supervisionRefusal(app, a.actor, a.matter);
  if (refusal) return app.record(now, 'escalationRefused', a.actor, { matter: a.matter, reason: refusal });
  escalate(app, a, now);
}

/**
 * A newly published calendar year: dates that lay beyond the published years are set now. Since
 * rule `provisionalCalendars` a provisional year (暂定) never replaces an official one, a year
 * published over another counts the open dates again (notice, 容缺 items), and each deadline
 * that moves is recorded (`deadlineMoved`: which clock, old → new due date).
 */
export function publishCalendar(app: Application, calendar: CalendarYear, actor: Actor, now: number) {
  const replaced = app.state.calendars.find((c) => c.year === calendar.year);
  if (app.provisionalCalendars && calendar.provisional && replaced && !replaced.provisional) return;
  const before = app.provisionalCalendars && replaced ? openDeadlines(app) : null;
  const was = app.cal;
  app.state.calendars = [...app.state.calendars.filter((c) => c.year !== calendar.year), calendar].sort((a, b) => a.year - b.year);
  app.cal = buildCalendar(app.state.calendars);
  if (app.provisionalCalendars) {
    if (replaced) for (const m of Object.values(app.state.matters)) recountStoppedRuns(app, m, was);
    recountOpenDates(app);
  }
  for (const intake of Object.values(app.state.intakes)) intake.noticeDueOn ??= noticeDueOn(app, intake.receivedAt);
  for (const m of Object.values(app.state.matters)) if (m.acceptedAt !== null && m.clock) dateDeferred(app, m);
  app.record(now, 'calendarPublished', actor, {
    data: { year: calendar.year, notice: calendar.source.number, ...(calendar.provisional ? { provisional: true } : {}) },
  });
  if (before) recordMoves(app, before, calendar, now);
  app.advance(now);
}

/** Where a deadline belongs: its matter (or none: a contract), which clock, and the key it is compared by. */
interface Deadline {
  key: string;
  matter?: string;
  clock: 'matter' | 'deferred' | 'notice' | 'contract' | 'verification' | 'opinion' | 'withdrawal';
  /** The material, department, service type or stage the clock is of, where the matter alone does not say. */
  of?: string;
  contractId?: string;
  dueOn: string | null;
}

/** Every open deadline of the application as the calendar now gives it. */
export function openDeadlines(app: Application): Deadline[] {
  const out: Deadline[] = [];
  for (const intake of Object.values(app.state.intakes)) {
    if (!noticeOpen(app, intake)) continue;
    // A batch is a stage, or a matter beside the stages.
    const where = app.state.matters[intake.batch] ? { matter: intake.batch } : { of: intake.batch };
    out.push({ key: `notice:${intake.batch}`, clock: 'notice', ...where, dueOn: intake.noticeDueOn });
  }
  for (const m of Object.values(app.state.matters)) {
    if (OPEN.has(m.status) && m.clock?.runStart) out.push({ key: `matter:${m.code}`, matter: m.code, clock: 'matter', dueOn: knownOrNull(() => clockDueOn(app.cal, m.clock!)) });
    if (OPEN.has(m.status)) {
      for (const d of m.deferred) if (d.suppliedAt === null) out.push({ key: `deferred:${m.code}:${d.material}`, matter: m.code, clock: 'deferred', of: d.material, dueOn: d.dueOn });
    }
    const withdrawal = withdrawalSchedule(app, m);
    if (withdrawal) out.push({ key: `withdrawal:${m.code}`, matter: m.code, clock: 'withdrawal', dueOn: withdrawal.withdrawnOn });
    if (m.verification && !m.verification.outcome) out.push({ key: `verification:${m.code}`, matter: m.code, clock: 'verification', dueOn: sideDueOn(app, m.verification) });
    for (const p of m.joint?.participants ?? []) {
      if (p.due && !p.opinion) out.push({ key: `opinion:${m.code}:${p.department}`, matter: m.code, clock: 'opinion', of: p.department, dueOn: sideDueOn(app, p.due) });
    }
  }
  for (const svc of Object.values(app.state.services)) {
    for (const c of svc.contracts) {
      if (c.status === 'open') out.push({ key: `contract:${c.contractId}`, clock: 'contract', of: svc.serviceType, contractId: c.contractId, dueOn: knownOrNull(() => contractDueOn(app.cal, c)) });
    }
  }
  return out;
}

/** Whether the window's last day for a missing-materials notice still matters: no notice yet, matters still at intake. */
function noticeOpen(app: Application, intake: IntakeState): boolean {
  return intake.notice === null && intake.deemedAcceptedAt === null && batchMatters(app, intake.batch).some((m) => m.status === 'intake');
}

/** Counts the stored open dates again on the calendar now in force (they were set on the one replaced). */
function recountOpenDates(app: Application) {
  for (const intake of Object.values(app.state.intakes)) {
    if (noticeOpen(app, intake)) intake.noticeDueOn = noticeDueOn(app, intake.receivedAt);
  }
  for (const m of Object.values(app.state.matters)) {
    if (!OPEN.has(m.status) || m.acceptedAt === null || !m.clock) continue;
    for (const d of m.deferred) if (d.suppliedAt === null) d.dueOn = null;
    dateDeferred(app, m);
  }
}

/**
 * The working days a matter's clock used in runs that ended at a stop are kept as a number
 * (`usedBefore`), counted on the calendar of the time: when a year is replaced they are counted
 * again on the new one. The runs are rebuilt from acceptance and the stops, and replaced only when
 * they give exactly the stored number on the old calendar (anything else is left as it was).
 */
function recountStoppedRuns(app: Application, m: MatterState, was: WorkingCalendar) {
  const clock = m.clock;
  if (!clock || m.acceptedAt === null || clock.usedBefore === 0) return;
  const uncounted = new Set((clock.uncounted ?? []).map((r) => `${r.from}/${r.to}`));
  const runs: [string, string][] = [];
  let start = shanghaiDate(m.acceptedAt);
  const ends = [...m.stops.map((s) => ({ at: s.from, restart: s.to })), ...(m.decision ? [{ at: m.decision.at, restart: null }] : [])];
  for (const end of ends) {
    const run: [string, string] = [start, shanghaiDate(end.at)];
    if (!uncounted.has(run.join('/'))) runs.push(run);
    if (end.restart === null) break;
    start = shanghaiDate(end.restart);
  }
  const count = (cal: WorkingCalendar) => knownOrNull(() => runs.reduce((n, [from, to]) => n + workingDaysAfter(cal, from, to), 0));
  if (count(was) !== clock.usedBefore) return;
  const now = count(app.cal);
  if (now !== null && now !== clock.usedBefore) m.clock = { ...clock, usedBefore: now };
}

/** One `deadlineMoved` event per open deadline whose due date the published year changed. */
function recordMoves(app: Application, before: Deadline[], calendar: CalendarYear, now: number) {
  const was = new Map(before.map((d) => [d.key, d.dueOn]));
  for (const d of openDeadlines(app)) {
    const from = was.get(d.key);
    if (from === undefined || from === null || d.dueOn === null || from === d.dueOn) continue;
    app.record(now, 'deadlineMoved', SYSTEM, {
      ...(d.matter ? { matter: d.matter } : {}),
      ...(d.clock === 'notice' && d.of ? { stage: d.of } : {}),
      reason: `${calendar.source.number}: ${from} → ${d.dueOn}`,
      data: {
        clock: d.clock,
        ...(d.of !== undefined ? { of: d.of } : {}),
        ...(d.contractId !== undefined ? { contractId: d.contractId } : {}),
        from,
        to: d.dueOn,
        year: calendar.year,
        notice: calendar.source.number,
      },
    });
  }
}
