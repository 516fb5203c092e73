import type { EscalationRung, WarningRule } from '../catalogue/schema';
import { addWorkingDays, knownOrNull, reckon, workingDaysAfter, type WorkingCalendar } from './calendar';
import { endOfDay, shanghaiDate, startOfDay } from './time';

/**
 * A matter's legal clock, counted in whole working days (the counting rule, README §Clock):
 *
 * - The day the clock starts (acceptance) or restarts (supplement received, special procedure
 *   ended) is not counted; counting resumes on the next working day.
 * - A working day counts as used as soon as it has begun while the clock runs, so the day on
 *   which the clock stops is used in full.
 * - Days while the clock is stopped are not counted; the remaining days carry over.
 * - The matter is due at the end of the working day on which the limit is used up.
 */
export interface MatterClock {
  /** Limit in working days, including an approved extension. */
  limitDays: number;
  /** Working days used in earlier runs, before the last stop. */
  usedBefore: number;
  /** Start date of the current run (not counted), or null while the clock is stopped. */
  runStart: string | null;
  /**
   * The due date in force when the clock last stopped. A clock restarted with its limit already
   * used up stays due on it, so a stop and restart never clears an overdue matter.
   */
  lastDueOn?: string | null;
  /**
   * Stopped runs whose days reach into a year with no published calendar (start date not
   * counted, end date counted): they are counted once that year is published, and until then the
   * days used are unknown, never guessed.
   */
  uncounted?: { from: string; to: string }[];
}

export const CLOCK_LEVELS = ['normal', 'warning', 'overdue', 'departmentHead', 'supervisionOffice', 'leadership'] as const;
export type ClockLevel = (typeof CLOCK_LEVELS)[number];

export function levelRank(level: ClockLevel): number {
  return CLOCK_LEVELS.indexOf(level);
}

export function higherLevel(a: ClockLevel, b: ClockLevel): ClockLevel {
  return levelRank(a) >= levelRank(b) ? a : b;
}

export function startClock(acceptedAt: number, limitDays: number): MatterClock {
  return { limitDays, usedBefore: 0, runStart: shanghaiDate(acceptedAt) };
}

/** Working days used before the current run; CalendarRangeError while a stopped run lies in an unpublished year. */
export function usedBeforeRun(cal: WorkingCalendar, clock: MatterClock): number {
  let used = clock.usedBefore;
  for (const run of clock.uncounted ?? []) used += workingDaysAfter(cal, run.from, run.to);
  return used;
}

export function workingDaysUsed(cal: WorkingCalendar, clock: MatterClock, now: number): number {
  if (clock.runStart === null) return usedBeforeRun(cal, clock);
  return usedBeforeRun(cal, clock) + workingDaysAfter(cal, clock.runStart, shanghaiDate(now));
}

/**
 * Stops the clock at `now`. A run reaching into a year whose calendar is not published is kept
 * as uncounted (a stop, a decision or a withdrawal must never wait for the calendar).
 */
export function stopClock(cal: WorkingCalendar, clock: MatterClock, now: number): MatterClock {
  const lastDueOn = knownOrNull(() => clockDueOn(cal, clock));
  if (clock.runStart === null) return { ...clock, lastDueOn };
  const run = reckon(() => workingDaysAfter(cal, clock.runStart!, shanghaiDate(now)));
  if (run.ok) return { ...clock, usedBefore: clock.usedBefore + run.value, runStart: null, lastDueOn };
  return { ...clock, runStart: null, lastDueOn, uncounted: [...(clock.uncounted ?? []), { from: clock.runStart, to: shanghaiDate(now) }] };
}

export function restartClock(clock: MatterClock, now: number): MatterClock {
  return { ...clock, runStart: shanghaiDate(now) };
}

/** The due date of a running clock; null while it is stopped (it depends on the restart day). */
export function clockDueOn(cal: WorkingCalendar, clock: MatterClock): string | null {
  if (clock.runStart === null) return null;
  const left = clock.limitDays - usedBeforeRun(cal, clock);
  if (left <= 0 && clock.lastDueOn) return clock.lastDueOn;
  return addWorkingDays(cal, clock.runStart, Math.max(0, left));
}

/** Whether the limit has run out: the due day has ended (running) or was used up before the stop. */
export function pastDeadline(cal: WorkingCalendar, clock: MatterClock, now: number): boolean {
  if (clock.runStart === null) return usedBeforeRun(cal, clock) >= clock.limitDays && !!clock.lastDueOn && now >= endOfDay(clock.lastDueOn);
  const due = clockDueOn(cal, clock);
  return due !== null && now >= endOfDay(due);
}

/** Working days used at which the warning (yellow) begins. */
export function warningThreshold(rule: WarningRule, limitDays: number): number {
  if ('daysLeft' in rule) return Math.max(0, limitDays - rule.daysLeft);
  return Math.ceil(rule.shareUsed * limitDays);
}

/** Level changes of a running clock, in time order. */
export function clockMilestones(
  cal: WorkingCalendar,
  clock: MatterClock,
  rule: WarningRule,
  ladder: readonly EscalationRung[],
): { level: ClockLevel; at: number }[] {
  if (clock.runStart === null) return [];
  const dueOn = clockDueOn(cal, clock)!;
  const toWarning = warningThreshold(rule, clock.limitDays) - usedBeforeRun(cal, clock);
  const warnAt = toWarning <= 0 ? Number.NEGATIVE_INFINITY : startOfDay(addWorkingDays(cal, clock.runStart, toWarning));
  return [
    { level: 'warning', at: warnAt },
    { level: 'overdue', at: endOfDay(dueOn) },
    ...ladder.map((r) => ({ level: r.level, at: endOfDay(addWorkingDays(cal, dueOn, r.afterOverdueWorkingDays)) })),
  ];
}

/** The level a running clock (a matter's or a contract's) has reached at `now`: the last milestone passed, else normal. */
export function levelReachedAt<L extends string>(milestones: readonly { level: L; at: number }[], now: number): L | 'normal' {
  let level: L | 'normal' = 'normal';
  for (const m of milestones) if (m.at <= now) level = m.level;
  return level;
}

/**
 * The level events that take a clock from `from` to `to` by `now`, each at its rule's instant: one
 * per rung crossed after `since` (when the levels were last brought up to date, or the clock's run
 * began), so a late timer never moves a level's instant. What time alone does not explain (a
 * supervision escalation, an extension, a calendar correction, a restart, a level going down) is
 * one change at `now`. Contracts use it too, with their own level order.
 */
export function levelChanges<L extends string>(
  order: readonly L[],
  milestones: readonly { level: L; at: number }[],
  from: L,
  to: L,
  since: number,
  now: number,
): { level: L; at: number }[] {
  const rank = (l: L) => order.indexOf(l);
  if (to === from) return [];
  if (rank(to) < rank(from)) return [{ level: to, at: now }];
  const steps: { level: L; at: number }[] = [];
  for (const m of milestones) {
    if (m.at <= since || m.at > now || rank(m.level) > rank(to)) continue;
    if (rank(m.level) > rank(steps.at(-1)?.level ?? from)) steps.push({ level: m.level, at: m.at });
  }
  if (steps.at(-1)?.level !== to) steps.push({ level: to, at: now });
  return steps;
}

/** The next instant after `now` at which a running clock changes level, or null. */
export function nextMilestone(milestones: { level: ClockLevel; at: number }[], now: number): number | null {
  const next = milestones.find((m) => m.at > now);
  return next ? next.at : null;
}
