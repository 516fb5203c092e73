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

/**
 * Day number (days since 1970-01-01) of a proleptic Gregorian date, by arithmetic (Hinnant's
 * days-from-civil): this runs for every day a clock counts, inside workflows where each `Date`
 * goes through the sandbox's wrapper, so it neither builds a `Date` nor reads the zone.
 */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const isLeap = (y: number) => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;

/** Day numbers of dates already parsed: a clock asks for the same few hundred dates over and over. */
const parsed = new Map<string, number>();

/** Day number (days since 1970-01-01) of a `YYYY-MM-DD` date; rejects impossible dates such as 2026-02-30. */
export function dayNumber(date: string): number {
  const known = parsed.get(date);
  if (known !== undefined) return known;
  const m = DATE_RE.exec(date);
  if (!m) throw new InvalidDateError(date);
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (mo < 1 || mo > 12 || d < 1 || d > (mo === 2 && isLeap(y) ? 29 : DAYS_IN_MONTH[mo - 1]!)) throw new InvalidDateError(date);
  const day = daysFromCivil(y, mo, d);
  // Bounded: a long-running worker parses new dates every day; the cache starts over now and then.
  if (parsed.size >= 20_000) parsed.clear();
  parsed.set(date, day);
  return day;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** The `YYYY-MM-DD` date of a day number (Hinnant's civil-from-days; years 0–9999). */
export function dateOfDayNumber(day: number): string {
  const z = day + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, '0')}-${pad2(m)}-${pad2(d)}`;
}

export function isValidDate(date: string): boolean {
  try {
    dayNumber(date);
    return true;
  } catch {
    return false;
  }
}

/** 0 = Sunday … 6 = Saturday, of a day number (1970-01-01 was a Thursday). */
export function weekdayOfDay(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: string): number {
  return weekdayOfDay(dayNumber(date));
}

/** The day number of the Asia/Shanghai date on which an instant falls. */
export function shanghaiDayNumber(epochMs: number): number {
  return Math.floor((epochMs + SHANGHAI_OFFSET_MS) / DAY_MS);
}

/** The Asia/Shanghai calendar date on which an instant falls. */
export function shanghaiDate(epochMs: number): string {
  return dateOfDayNumber(shanghaiDayNumber(epochMs));
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
