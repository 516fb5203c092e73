import { knownOrNull, reckon } from '../calendar';
import { CLOCK_LEVELS, clockDueOn, clockMilestones, higherLevel, levelChanges, levelRank, levelReachedAt, nextMilestone, pastDeadline, restartClock, startClock, stopClock, usedBeforeRun, type ClockLevel } from '../clock';
import { endOfDay } from '../time';
import { SYSTEM, type Actor, type MatterDecision, type MatterState, type SideClock } from '../types';
import { actorLabel } from './checks';
import type { Application } from './core';

/** Stops a matter's clock (a supplement or a special procedure), keeping the level it had reached. */
export function stop(app: Application, m: MatterState, now: number, s: MatterState['stops'][number]) {
  if (app.state.levelsAtRuleInstant) updateLevel(app, m, now);
  m.level = higherLevel(clockLevel(app, m, now), m.escalatedTo);
  m.clock = stopClock(app.cal, m.clock!, now);
  m.status = 'suspended';
  m.stops.push(s);
  app.record(now, 'clockStopped', SYSTEM, { matter: m.code, reason: s.reason, data: { kind: s.kind, workingDaysUsed: knownOrNull(() => usedBeforeRun(app.cal, m.clock!)) } });
}

export function restart(app: Application, m: MatterState, now: number, actor: Actor, reason: string) {
  const s = m.stops.at(-1)!;
  s.to = now;
  m.clock = restartClock(m.clock!, now);
  m.status = 'inProgress';
  m.owedForSupplement = [];
  if (m.withdrawalReminderAt != null) m.withdrawalReminderAt = null;
  if (s.kind === 'specialProcedure') app.record(now, 'specialProcedureEnded', actor, { matter: m.code, reason, data: { procedure: s.procedure } });
  app.record(now, 'clockRestarted', SYSTEM, {
    matter: m.code,
    reason,
    data: { kind: s.kind, dueOn: app.tryDate(() => clockDueOn(app.cal, m.clock!)) },
  });
  updateLevel(app, m, now);
  if (m.holdPending) hold(app, m, now, m.holdPending.source, m.holdPending.reason);
}

/** Stops a matter's clock for a revoked prerequisite (a false commitment), until its department lifts the hold. */
export function hold(app: Application, m: MatterState, now: number, source: string, reason: string) {
  m.holdPending = null;
  stop(app, m, now, { kind: 'hold', from: now, to: null, reason, by: actorLabel(SYSTEM), source });
  app.record(now, 'dependentHeld', SYSTEM, { matter: m.code, reason, data: { source } });
}

/** A decision ends the matter's clock where it stands and closes any open stop. */
export function decide(app: Application, m: MatterState, now: number, decision: MatterDecision) {
  const last = m.stops.at(-1);
  if (last && last.to === null) last.to = now;
  m.owedForSupplement = [];
  if (m.clock && m.clock.runStart !== null) {
    const dueOn = app.tryDate(() => clockDueOn(app.cal, m.clock!));
    decision = { ...decision, dueOn, ...(dueOn ? { onTime: now < endOfDay(dueOn) } : {}) };
    if (app.state.levelsAtRuleInstant) updateLevel(app, m, now);
    m.level = higherLevel(clockLevel(app, m, now), m.escalatedTo);
    m.clock = stopClock(app.cal, m.clock, now);
  }
  m.status = decision.kind;
  m.decision = decision;
}

/** Whether the matter's deadline has passed; never while it lies in an unpublished year. */
export function isPastDeadline(app: Application, m: MatterState, now: number): boolean {
  const clock = m.clock;
  if (!clock) return false;
  return knownOrNull(() => pastDeadline(app.cal, clock, now)) ?? false;
}

/** The level the clock alone gives; a stopped clock keeps the level it had when it stopped. */
export function clockLevel(app: Application, m: MatterState, now: number): ClockLevel {
  if (!m.clock) return 'normal';
  if (m.clock.runStart === null) return m.level;
  const ms = milestones(app, m);
  return ms ? levelReachedAt(ms, now) : m.level;
}

/** The instants of the matter's ladder (warning, due, each escalation rung). */
export function milestones(app: Application, m: MatterState) {
  const clock = m.clock;
  if (!clock) return null;
  const full = reckon(() => clockMilestones(app.cal, clock, app.snapshot.warning, app.snapshot.escalation));
  return full.ok ? full.value : partialMilestones(app, m);
}

/** Near a year end, the known part of the ladder while next year's calendar is unpublished. */
function partialMilestones(app: Application, m: MatterState): { level: ClockLevel; at: number }[] {
  for (let n = app.snapshot.escalation.length; n >= 0; n--) {
    const known = reckon(() => clockMilestones(app.cal, m.clock!, app.snapshot.warning, app.snapshot.escalation.slice(0, n)));
    if (known.ok) return known.value;
  }
  return [];
}

/**
 * A matter's level at `now`: what its running clock has reached by the rule instants (warning
 * start, due end, each escalation rung), never below the supervision office's escalation; a
 * clock not running keeps the level it was left at. The engine's level events and the status
 * view both ask this, so the view shows a new level from the rule's instant, not from the timer.
 */
export function levelAt(app: Application, m: MatterState, now: number): ClockLevel {
  return higherLevel(clockLevel(app, m, now), m.escalatedTo);
}

/** The instant the matter's deadline passed (its clock's own overdue point), as of `now`; null if it has not. */
export function overdueSinceAt(app: Application, m: MatterState, now: number): number | null {
  if (m.overdueSince != null) return m.overdueSince;
  if (!m.clock?.runStart || levelRank(clockLevel(app, m, now)) < levelRank('overdue')) return null;
  return milestones(app, m)?.find((x) => x.level === 'overdue')?.at ?? now;
}

/** Records each level the matter has reached since it last moved, at its rule's instant. */
export function updateLevel(app: Application, m: MatterState, now: number) {
  const overdueSince = overdueSinceAt(app, m, now);
  if (overdueSince !== null) m.overdueSince = overdueSince;
  const level = levelAt(app, m, now);
  if (level === m.level) return;
  // The current run began at acceptance or at the last restart.
  const runStart = Math.max(m.acceptedAt ?? Number.NEGATIVE_INFINITY, m.stops.at(-1)?.to ?? Number.NEGATIVE_INFINITY);
  const changes = app.state.levelsAtRuleInstant ? levelChanges(CLOCK_LEVELS, milestones(app, m) ?? [], m.level, level, app.since(runStart), now) : [{ level, at: now }];
  for (const x of changes) {
    app.record(x.at, 'levelChanged', SYSTEM, { matter: m.code, data: { from: m.level, to: x.level } });
    m.level = x.level;
  }
}

// ---- side clocks: a commitment's verification, a joint participant's opinion ----

/** A side clock started at `at` for `days` working days, on the process's warning and escalation ladder. */
export function startSideClock(at: number, days: number): SideClock {
  return { clock: startClock(at, days), level: 'normal', overdueSince: null };
}

/** The side clock's ladder (warning, due, each escalation rung), or the part the published calendars reach. */
export function sideMilestones(app: Application, side: SideClock): { level: ClockLevel; at: number }[] {
  for (let n = app.snapshot.escalation.length; n >= 0; n--) {
    const known = reckon(() => clockMilestones(app.cal, side.clock, app.snapshot.warning, app.snapshot.escalation.slice(0, n)));
    if (known.ok) return known.value;
  }
  return [];
}

/** The level a side clock has reached at `now`. */
export function sideLevelAt(app: Application, side: SideClock, now: number): ClockLevel {
  return levelReachedAt(sideMilestones(app, side), now);
}

/** The side clock's due date, or null beyond the published calendars. */
export function sideDueOn(app: Application, side: SideClock): string | null {
  return knownOrNull(() => clockDueOn(app.cal, side.clock));
}

/**
 * Records each level a side clock has reached since it last moved, at its rule's instant, with
 * `record(at, from, to)`; `since` is when its levels were last brought up to date.
 */
export function updateSideLevel(app: Application, side: SideClock, since: number, now: number, record: (at: number, from: ClockLevel, to: ClockLevel) => void) {
  const ms = sideMilestones(app, side);
  const level = levelReachedAt(ms, now);
  if (side.overdueSince === null && levelRank(level) >= levelRank('overdue')) side.overdueSince = ms.find((x) => x.level === 'overdue')?.at ?? now;
  if (level === side.level) return;
  for (const x of levelChanges(CLOCK_LEVELS, ms, side.level, level, since, now)) {
    record(x.at, side.level, x.level);
    side.level = x.level;
  }
}

/** The next instant after `now` at which a side clock changes level, or null. */
export function nextSideMilestone(app: Application, side: SideClock, now: number): number | null {
  return nextMilestone(sideMilestones(app, side), now);
}
