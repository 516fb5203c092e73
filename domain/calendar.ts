import type { CalendarYear } from '../catalogue/schema';
import { dateOfDayNumber, dayNumber, endOfDay, shanghaiDayNumber, weekdayOfDay } from './time';

/**
 * The official working-day calendar (节假日/调休) of Asia/Shanghai, built from one
 * State Council notice per year. Pure and deterministic: workflows and the API share it.
 *
 * A date outside the loaded years is never guessed: a reckoning run through `reckon` answers
 * with the gap instead of a value, so a deadline is either exact or visibly unknown until next
 * year's calendar is published. The functions below stop at the first uncovered date with
 * CalendarRangeError; `reckon` is where that becomes a result, and callers use the result.
 */
export interface WorkingCalendar {
  readonly years: readonly number[];
  /** Day numbers that are holidays (false) or make-up working days (true). */
  readonly exceptions: ReadonlyMap<number, boolean>;
  /** The published years as spans of day numbers [first, last], for counting without dates. */
  readonly spans: readonly (readonly [number, number])[];
  /** Years published provisionally (暂定), before the State Council's notice: what is counted on them may move. */
  readonly provisional: readonly number[];
}

/** A date the published calendars do not cover: what depends on it stays unknown until its year is published. */
export interface CalendarGap {
  readonly year: number;
  readonly date: string;
  /** The years that are published. */
  readonly years: readonly number[];
}

/** What a reckoning on the calendar gives: its value, or the gap that keeps it unknown. */
export type Reckoned<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly gap: CalendarGap };

export function describeGap(gap: CalendarGap): string {
  return `no working-day calendar is published for ${gap.year} (date ${gap.date}); loaded years: ${gap.years.join(', ') || 'none'}`;
}

/** How the functions below stop at an uncovered date; `reckon` turns it into a `gap`. */
export class CalendarRangeError extends Error {
  override readonly name = 'CalendarRangeError';
  readonly gap: CalendarGap;
  constructor(
    readonly date: string,
    readonly years: readonly number[],
  ) {
    const gap = { year: Number(date.slice(0, 4)), date, years };
    super(describeGap(gap));
    this.gap = gap;
  }
}

/** Runs a reckoning on the working-day calendar: a date outside the published years is the result's `gap`, never a guess. */
export function reckon<T>(reckoning: () => T): Reckoned<T> {
  try {
    return { ok: true, value: reckoning() };
  } catch (e) {
    if (e instanceof CalendarRangeError) return { ok: false, gap: e.gap };
    throw e;
  }
}

/** A reckoning's value, or null where the calendar has a gap (a view shows it as unknown). */
export function knownOrNull<T>(reckoning: () => T): T | null {
  const r = reckon(reckoning);
  return r.ok ? r.value : null;
}

export function buildCalendar(years: readonly CalendarYear[]): WorkingCalendar {
  const exceptions = new Map<number, boolean>();
  for (const y of years) {
    for (const h of y.holidays) {
      for (let d = dayNumber(h.from); d <= dayNumber(h.to); d++) exceptions.set(d, false);
    }
    for (const m of y.makeupWorkingDays) exceptions.set(dayNumber(m.date), true);
  }
  const published = [...new Set(years.map((y) => y.year))].sort();
  const spans = published.map((y) => [dayNumber(`${String(y).padStart(4, '0')}-01-01`), dayNumber(`${String(y).padStart(4, '0')}-12-31`)] as const);
  const provisional = years.filter((y) => y.provisional).map((y) => y.year);
  return { years: published, exceptions, spans, provisional };
}

/**
 * Whether a count from `from` (not counted) to `to` touches a provisional year (暂定): a date
 * reckoned so is provisional and may move when the official year is published over it.
 */
export function isProvisionalBetween(cal: WorkingCalendar, from: string, to: string): boolean {
  if (cal.provisional.length === 0) return false;
  const first = Number(from.slice(0, 4));
  const last = Number(to.slice(0, 4));
  return cal.provisional.some((y) => y >= Math.min(first, last) && y <= Math.max(first, last));
}

/** The holidays fixed by calendar date (全国年节及纪念日放假办法): the part of a year known before its notice. */
export const FIXED_DATE_HOLIDAYS: readonly { name: string; from: string; to: string }[] = [
  { name: '元旦', from: '01-01', to: '01-01' },
  { name: '劳动节', from: '05-01', to: '05-02' },
  { name: '国庆节', from: '10-01', to: '10-03' },
];

/**
 * A provisional year (暂定) until the State Council's notice is out: weekends, the fixed-date
 * holidays and any `guessed` ones (a lunar holiday on its expected dates), no make-up days.
 */
export function provisionalCalendarYear(year: number, publishedOn: string, guessed: readonly { name: string; from: string; to: string }[] = []): CalendarYear {
  const y = String(year).padStart(4, '0');
  return {
    year,
    timeZone: 'Asia/Shanghai',
    source: { title: `${y}年节假日暂定安排（国务院通知发布前）`, number: `暂定-${y}`, publishedOn },
    holidays: [...FIXED_DATE_HOLIDAYS.map((h) => ({ name: h.name, from: `${y}-${h.from}`, to: `${y}-${h.to}` })), ...guessed].sort((a, b) => a.from.localeCompare(b.from)),
    makeupWorkingDays: [],
    provisional: true,
  };
}

/** Whether the day (a day number) is a working day; CalendarRangeError outside the published years. */
function isWorkingDayNumber(cal: WorkingCalendar, day: number): boolean {
  if (!cal.spans.some(([first, last]) => day >= first && day <= last)) throw new CalendarRangeError(dateOfDayNumber(day), cal.years);
  const exception = cal.exceptions.get(day);
  if (exception !== undefined) return exception;
  const wd = weekdayOfDay(day);
  return wd !== 0 && wd !== 6;
}

export function isWorkingDay(cal: WorkingCalendar, date: string): boolean {
  return isWorkingDayNumber(cal, dayNumber(date));
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
    if (isWorkingDayNumber(cal, day)) left -= 1;
  }
  return dateOfDayNumber(day);
}

/** Due date of a limit of N working days counted from acceptance on `acceptedOn`. */
export function dueDate(cal: WorkingCalendar, acceptedOn: string, workingDays: number): string {
  return addWorkingDays(cal, acceptedOn, workingDays);
}

/** The instant a matter accepted at `acceptedAt` with a limit of N working days becomes overdue. */
export function dueInstant(cal: WorkingCalendar, acceptedAt: number, workingDays: number): number {
  return endOfDay(dueDate(cal, dateOfDayNumber(shanghaiDayNumber(acceptedAt)), workingDays));
}

/**
 * Working days elapsed from the day of `fromMs` (not counted) through the day of `toMs`
 * (counted as soon as it has begun): a started working day counts as used.
 */
export function workingDaysBetween(cal: WorkingCalendar, fromMs: number, toMs: number): number {
  return workingDaysInDays(cal, shanghaiDayNumber(fromMs), shanghaiDayNumber(toMs));
}

/** Working days d with from < d ≤ to, as dates. */
export function workingDaysAfter(cal: WorkingCalendar, from: string, to: string): number {
  return workingDaysInDays(cal, dayNumber(from), dayNumber(to));
}

/** Working days d with from < d ≤ to, as day numbers. */
function workingDaysInDays(cal: WorkingCalendar, from: number, to: number): number {
  let count = 0;
  for (let d = from + 1; d <= to; d++) {
    if (isWorkingDayNumber(cal, d)) count += 1;
  }
  return count;
}
