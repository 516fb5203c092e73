/**
 * Instants and calendar dates in the jurisdiction's zone, Asia/Shanghai.
 *
 * China has kept a fixed UTC+08:00 offset with no daylight saving since 1991, so a constant
 * offset is exact for every date our calendars cover, and it keeps this module deterministic
 * and independent of the machine's zone (it runs inside workflows, where Intl zone data
 * is not something to rely on).
 */
export const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;
export const DAY_MS = 24 * 60 * 60 * 1000;

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export class InvalidDateError extends Error {
  override readonly name = 'InvalidDateError';
  constructor(readonly value: string) {
    super(`"${value}" is not a calendar date of the form YYYY-MM-DD`);
  }
}

/** Day number (days since 1970-01-01) of a `YYYY-MM-DD` date; rejects impossible dates such as 2026-02-30. */
export function dayNumber(date: string): number {
  const m = DATE_RE.exec(date);
  if (!m) throw new InvalidDateError(date);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) {
    throw new InvalidDateError(date);
  }
  return Math.round(ms / DAY_MS);
}

export function dateOfDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

export function isValidDate(date: string): boolean {
  try {
    dayNumber(date);
    return true;
  } catch {
    return false;
  }
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: string): number {
  return new Date(dayNumber(date) * DAY_MS).getUTCDay();
}

/** The Asia/Shanghai calendar date on which an instant falls. */
export function shanghaiDate(epochMs: number): string {
  return new Date(epochMs + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** 00:00 Asia/Shanghai at the start of a date. */
export function startOfDay(date: string): number {
  return dayNumber(date) * DAY_MS - SHANGHAI_OFFSET_MS;
}

/** The first instant after a date has ended (00:00 Asia/Shanghai of the next day). */
export function endOfDay(date: string): number {
  return startOfDay(date) + DAY_MS;
}

/** ISO-8601 with the +08:00 offset, the form in which instants cross boundaries. */
export function toShanghaiIso(epochMs: number): string {
  return new Date(epochMs + SHANGHAI_OFFSET_MS).toISOString().replace('Z', '+08:00');
}

/** Whole calendar days from one instant to another, rounded down, never negative. */
export function calendarDaysBetween(fromMs: number, toMs: number): number {
  return Math.max(0, Math.floor((toMs - fromMs) / DAY_MS));
}
