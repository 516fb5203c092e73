/**
 * The 2027 calendars of the provisional-calendar tests (engine, workflow, HTTP), written once. The
 * official 2027 notice is not part of this repository: OFFICIAL_2027 is a test fixture shaped like
 * one (a longer 春节 with 调休), PROVISIONAL_2027 what an admin publishes before it is out.
 */
import type { CalendarYear } from '../../../catalogue/schema';
import { provisionalCalendarYear } from '../../../domain/calendar';

/** Weekends, 元旦, 劳动节 1–2 May, 国庆 1–3 Oct, and 春节 guessed as its four statutory days (除夕 5 Feb – 初三 8 Feb). */
export const PROVISIONAL_2027: CalendarYear = provisionalCalendarYear(2027, '2026-10-15', [{ name: '春节（暂估）', from: '2027-02-05', to: '2027-02-08' }]);

/** A fixture in the shape of the State Council's notice: 春节 5–12 Feb, made up on Sunday 31 Jan and Saturday 20 Feb. */
export const OFFICIAL_2027: CalendarYear = {
  year: 2027,
  timeZone: 'Asia/Shanghai',
  source: { title: 'TEST FIXTURE — 2027 notice with 调休, not an official notice', number: 'fixture-2027-official', publishedOn: '2027-01-29' },
  holidays: [
    { name: '元旦', from: '2027-01-01', to: '2027-01-03' },
    { name: '春节', from: '2027-02-05', to: '2027-02-12' },
    { name: '劳动节', from: '2027-05-01', to: '2027-05-05' },
    { name: '国庆节', from: '2027-10-01', to: '2027-10-07' },
  ],
  makeupWorkingDays: [
    { date: '2027-01-31', for: '春节' },
    { date: '2027-02-20', for: '春节' },
  ],
};

/**
 * Accepted Monday 25 Jan 2027 (not counted). On the provisional year: 26–29 Jan, 1–4 Feb, (5–8
 * Feb), 9–12 Feb, 15–17 Feb. On the official one: 26–29 Jan, Sunday 31 Jan (调休), 1–4 Feb,
 * (5–14 Feb), 15–19 Feb, Saturday 20 Feb (调休). Due dates by limit in working days, each pair
 * [provisional, official].
 */
export const MOVES_FROM_25_JAN = {
  5: ['2027-02-01', '2027-01-31'],
  7: ['2027-02-03', '2027-02-02'],
  10: ['2027-02-10', '2027-02-15'],
  15: ['2027-02-17', '2027-02-20'],
} as const satisfies Record<number, readonly [provisional: string, official: string]>;
