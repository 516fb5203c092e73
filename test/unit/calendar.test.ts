import { describe, expect, it } from 'vitest';
import { loadCalendars } from '../../catalogue/loader';
import {
  addWorkingDays,
  buildCalendar,
  describeGap,
  knownOrNull,
  reckon,
  dueDate,
  dueInstant,
  isWorkingDay,
  workingDaysBetween,
} from '../../domain/calendar';
import { shanghaiDate, toShanghaiIso } from '../../domain/time';

const cal = buildCalendar(loadCalendars());
const at = (iso: string) => Date.parse(iso);

describe('official working-day calendar (国办发明电〔2024〕12号, 国办发明电〔2025〕7号)', () => {
  it('treats make-up Saturdays and Sundays as working days and holidays as rest days', () => {
    expect(isWorkingDay(cal, '2026-02-14')).toBe(true); // Saturday before 春节, 调休 working day
    expect(isWorkingDay(cal, '2026-02-28')).toBe(true);
    expect(isWorkingDay(cal, '2026-01-04')).toBe(true); // Sunday after 元旦
    expect(isWorkingDay(cal, '2026-02-16')).toBe(false); // Monday in 春节
    expect(isWorkingDay(cal, '2026-10-08')).toBe(true); // 2026 National Day ends on the 7th
    expect(isWorkingDay(cal, '2025-10-08')).toBe(false); // 2025 National Day + 中秋 ran to the 8th
    expect(isWorkingDay(cal, '2026-03-07')).toBe(false); // plain Saturday
    expect(isWorkingDay(cal, '2026-03-09')).toBe(true); // plain Monday
  });

  it('does not count the day of acceptance', () => {
    expect(dueDate(cal, '2026-03-09', 1)).toBe('2026-03-10');
    expect(dueDate(cal, '2026-03-06', 1)).toBe('2026-03-09'); // Friday → Monday
  });

  it('carries a limit across the 2026 Spring Festival, make-up Saturdays included', () => {
    // Fri 13 Feb; Sat 14 (调休) = 1; 15–23 holiday; 24, 25, 26, 27 = 2..5
    expect(dueDate(cal, '2026-02-13', 5)).toBe('2026-02-27');
    expect(dueDate(cal, '2026-02-12', 3)).toBe('2026-02-24');
    // 20 working days from 2 Feb: 3–13 (9), 14 Sat (10), 24–27 (14), 28 Sat (15), 2–6 Mar (20)
    expect(dueDate(cal, '2026-02-02', 20)).toBe('2026-03-06');
  });

  it('carries a limit across the 2025 Spring Festival', () => {
    expect(dueDate(cal, '2025-01-24', 1)).toBe('2025-01-26'); // Sunday 26 Jan is a working day
    expect(dueDate(cal, '2025-01-24', 3)).toBe('2025-02-05');
  });

  it('carries a limit across National Day and 中秋, 2025 and 2026', () => {
    expect(dueDate(cal, '2026-09-18', 2)).toBe('2026-09-21'); // Sunday 20 Sep is a working day
    expect(dueDate(cal, '2026-09-24', 1)).toBe('2026-09-28'); // 中秋 25–27
    expect(dueDate(cal, '2026-09-30', 3)).toBe('2026-10-10'); // 8, 9, Saturday 10 (调休)
    expect(dueDate(cal, '2025-09-30', 1)).toBe('2025-10-09');
    expect(dueDate(cal, '2025-09-30', 3)).toBe('2025-10-11');
  });

  it('crosses the year boundary into the next notice', () => {
    expect(dueDate(cal, '2025-12-31', 2)).toBe('2026-01-05'); // 1–3 Jan off, Sunday 4 Jan works
  });

  it('answers a date beyond the published calendars with the gap, never a guess', () => {
    expect(reckon(() => addWorkingDays(cal, '2026-12-28', 10))).toEqual({ ok: false, gap: { year: 2027, date: '2027-01-01', years: [2025, 2026] } });
    expect(reckon(() => isWorkingDay(cal, '2024-12-31'))).toMatchObject({ ok: false, gap: { year: 2024 } });
    expect(reckon(() => dueDate(cal, '2026-12-28', 2))).toEqual({ ok: true, value: '2026-12-30' });
    expect(knownOrNull(() => workingDaysBetween(cal, at('2026-12-30T02:00:00Z'), at('2027-01-04T02:00:00Z')))).toBeNull();
    expect(describeGap({ year: 2027, date: '2027-01-01', years: [2025, 2026] })).toBe('no working-day calendar is published for 2027 (date 2027-01-01); loaded years: 2025, 2026');
  });

  it('places the due instant at the end of the due day in Asia/Shanghai, whatever the machine zone', () => {
    const before = process.env.TZ;
    process.env.TZ = 'America/Los_Angeles';
    try {
      // accepted 23:30 Shanghai on Friday 13 Feb = 15:30 UTC
      const due = dueInstant(cal, at('2026-02-13T15:30:00Z'), 5);
      expect(toShanghaiIso(due)).toBe('2026-02-28T00:00:00.000+08:00');
      expect(shanghaiDate(at('2026-02-13T16:30:00Z'))).toBe('2026-02-14');
    } finally {
      process.env.TZ = before;
    }
  });

  it('counts working days used, a started working day included', () => {
    expect(workingDaysBetween(cal, at('2026-02-13T10:00:00+08:00'), at('2026-02-27T09:00:00+08:00'))).toBe(5);
    expect(workingDaysBetween(cal, at('2026-02-13T10:00:00+08:00'), at('2026-02-13T18:00:00+08:00'))).toBe(0);
    expect(workingDaysBetween(cal, at('2026-02-13T10:00:00+08:00'), at('2026-02-22T10:00:00+08:00'))).toBe(1);
  });
});
