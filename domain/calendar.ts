import type { CalendarYear } from '../catalogue/schema';
import { dateOfDayNumber, dayNumber, endOfDay, shanghaiDate, weekdayOf } from './time';

/**
 * The official working-day calendar (节假日/调休) of Asia/Shanghai, built from one
 * State Council notice per year. Pure and deterministic: workflows and the API share it.
 *
 * A date outside the loaded years is never guessed: it raises CalendarRangeError, so a
 * deadline is either exact or visibly unknown until next year's calendar is published.
 */
export interface WorkingCalendar {
  readonly years: readonly number[];
  /** Day numbers that are holidays (false) or make-up working days (true). */
  readonly exceptions: ReadonlyMap<number, boolean>;
}

export class CalendarRangeError extends Error {
  override readonly name = 'CalendarRangeError';
  constructor(
    readonly date: string,
    readonly years: readonly number[],
  ) {
    super(
      `no working-day calendar is published for ${date.slice(0, 4)} (date ${date}); loaded years: ${years.join(', ') || 'none'}`,
    );
  }
}

export function buildCalendar(years: readonly CalendarYear[]): WorkingCalendar {
  const exceptions = new Map<number, boolean>();
  for (const y of years) {
    for (const h of y.holidays) {
      for (let d = dayNumber(h.from); d <= dayNumber(h.to); d++) exceptions.set(d, false);
    }
    for (const m of y.makeupWorkingDays) exceptions.set(dayNumber(m.date), true);
  }
  return { years: [...new Set(years.map((y) => y.year))].sort(), exceptions };
}

function assertCovered(cal: WorkingCalendar, date: string): void {
  if (!cal.years.includes(Number(date.slice(0, 4)))) throw new CalendarRangeError(date, cal.years);
}

export function isWorkingDay(cal: WorkingCalendar, date: string): boolean {
  assertCovered(cal, date);
  const exception = cal.exceptions.get(dayNumber(date));
  if (exception !== undefined) return exception;
  const wd = weekdayOf(date);
  return wd !== 0 && wd !== 6;
}

/**
 * The N-th working day after `date`; `date` itself is never counted (the day of acceptance
 * or of a clock restart is not part of the limit). N = 0 returns `date`.
 */
export function addWorkingDays(cal: WorkingCalendar, date: string, n: number): string {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`working days must be a whole number ≥ 0, got ${n}`);
  let day = dayNumber(date);
  let left = n;
  while (left > 0) {
    day += 1;
    if (isWorkingDay(cal, dateOfDayNumber(day))) left -= 1;
  }
  return dateOfDayNumber(day);
}

/** Due date of a limit of N working days counted from acceptance on `acceptedOn`. */
export function dueDate(cal: WorkingCalendar, acceptedOn: string, workingDays: number): string {
  return addWorkingDays(cal, acceptedOn, workingDays);
}

/** The instant a matter accepted at `acceptedAt` with a limit of N working days becomes overdue. */
export function dueInstant(cal: WorkingCalendar, acceptedAt: number, workingDays: number): number {
  return endOfDay(dueDate(cal, shanghaiDate(acceptedAt), workingDays));
}

/**
 * Working days elapsed from the day of `fromMs` (not counted) through the day of `toMs`
 * (counted as soon as it has begun): a started working day counts as used.
 */
export function workingDaysBetween(cal: WorkingCalendar, fromMs: number, toMs: number): number {
  return workingDaysAfter(cal, shanghaiDate(fromMs), shanghaiDate(toMs));
}

/** Working days d with from < d ≤ to, as dates. */
export function workingDaysAfter(cal: WorkingCalendar, from: string, to: string): number {
  let count = 0;
  for (let d = dayNumber(from) + 1; d <= dayNumber(to); d++) {
    if (isWorkingDay(cal, dateOfDayNumber(d))) count += 1;
  }
  return count;
}
