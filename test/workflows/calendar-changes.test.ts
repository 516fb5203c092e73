import { describe, expect, it } from 'vitest';
import { timeSkippingSuite } from '../helpers/suite';
import type { CalendarYear } from '../../catalogue/schema';
import { FIXTURE_2027 as fixture2027 } from '../unit/engine/figures';
import { recordHistory } from '../helpers/history';
import { issueMissingNoticeUpdate, publishCalendarSignal } from '../../workflows/messages';
import { allMaterials, catalogue, officer } from '../helpers/temporal';
import { matter, sleepUntil, status, viewAfter } from '../helpers/drive';

const TASK_QUEUE = 'calendar-changes';
const admin = { id: 'admin', role: 'admin' as const };

describe('National Day and calendar publication (time-skipping, from 28 Sep 2026)', () => {
  const suite = timeSkippingSuite('2026-09-28T09:00:00+08:00', TASK_QUEUE);

  it('counts matters accepted before National Day on the official calendar, make-up Saturday included', async () => {
    const h = await suite.start();
    const v = await status(h, suite.env);
    // Accepted Monday 28 Sep: 29, 30 Sep; 1–7 Oct holiday; 8, 9, Saturday 10 (调休), 12, 13 Oct.
    expect(matter(v, 'LY01').dueOn).toBe('2026-10-13');
    expect(matter(v, 'LY04').dueOn).toBe('2026-10-16');
    expect(matter(v, 'LY07').dueOn).toBe('2026-10-23');
    // Its fifth working day, when 2 are left, is the make-up Saturday 10 Oct.
    await sleepUntil(suite.env, '2026-10-09T23:59:00+08:00');
    expect(matter(await status(h, suite.env), 'LY01').level).toBe('normal');
    await sleepUntil(suite.env, '2026-10-10T00:01:00+08:00');
    expect(matter(await status(h, suite.env), 'LY01')).toMatchObject({ level: 'warning', workingDaysUsed: 5, workingDaysLeft: 2 });
  });

  it('shows a deadline in an unpublished year as unknown, and computes it once the calendar is published', async () => {
    await sleepUntil(suite.env, '2026-12-21T09:00:00+08:00');
    const h = await suite.start();
    let v = await status(h, suite.env);
    expect(matter(v, 'LY01')).toMatchObject({ dueOn: '2026-12-30', calendarGap: null });
    expect(matter(v, 'LY04')).toMatchObject({ status: 'inProgress', dueOn: null, calendarGap: expect.stringMatching(/not yet published/) });
    expect(matter(v, 'LY07').dueOn).toBeNull();

    await h.signal(publishCalendarSignal, { actor: admin, calendar: fixture2027 });
    v = await status(h, suite.env);
    expect(v.calendarYears).toEqual([2025, 2026, 2027]);
    // 31 Dec is the 8th day; 1 Jan 2027 is a holiday; 4 and 5 Jan complete LY04's 10.
    expect(matter(v, 'LY04')).toMatchObject({ dueOn: '2027-01-05', calendarGap: null });
    expect(matter(v, 'LY07').dueOn).toBe('2027-01-12');
    expect(v.events.at(-1)).toMatchObject({ kind: 'calendarPublished', actor: 'admin admin', data: { year: 2027, notice: 'fixture-2027' } });

    // A corrected notice for the running year moves the due dates of open matters too.
    const official2026 = catalogue.calendars.find((c) => c.year === 2026)!;
    const corrected: CalendarYear = {
      ...official2026,
      source: { ...official2026.source, title: 'TEST FIXTURE — corrected 2026', number: 'fixture-2026-corrected' },
      holidays: [...official2026.holidays, { name: 'test holiday', from: '2026-12-28', to: '2026-12-28' }],
    };
    await h.signal(publishCalendarSignal, { actor: admin, calendar: corrected });
    v = await status(h, suite.env);
    expect(matter(v, 'LY01').dueOn).toBe('2026-12-31');
    expect(matter(v, 'LY04').dueOn).toBe('2027-01-06');
    await recordHistory(h, 'calendar-published');
  });

  it('neither deems intake accepted nor lets a 容缺 item lapse on a date the calendar does not reach', async () => {
    await sleepUntil(suite.env, '2026-12-28T09:00:00+08:00');
    const materials = allMaterials('GOV_INVESTMENT').filter((m) => m !== 'M_LAND_REPORT' && m !== 'M_PUBLIC_PARTICIPATION');
    const h = await suite.start('GOV_INVESTMENT', { materials });
    // Five working days after 28 Dec reach into 2027, whose calendar is not published here.
    await sleepUntil(suite.env, '2026-12-30T10:00:00+08:00');
    let v = await status(h, suite.env);
    expect(v.stages[0]!.intake).toMatchObject({ noticeDueOn: null, deemedAcceptedAt: null });
    expect(matter(v, 'LY04').status).toBe('intake');
    expect(matter(v, 'LY07')).toMatchObject({ status: 'inProgress', deferred: [{ material: 'M_PUBLIC_PARTICIPATION', dueOn: null }] });

    await h.signal(publishCalendarSignal, { actor: admin, calendar: fixture2027 });
    v = await status(h, suite.env);
    // 29, 30, 31 Dec, (1 Jan), 4, 5 Jan.
    expect(v.stages[0]!.intake!.noticeDueOn).toBe('2027-01-05');
    expect(matter(v, 'LY07').deferred[0]!.dueOn).toBe('2027-01-05');
    const noticed = await viewAfter(h, h.executeUpdate(issueMissingNoticeUpdate, { args: [{ actor: officer('DRC'), stage: 'S1', note: '' }] }));
    expect(noticed.stages[0]!.intake!.notice!.items.map((i) => i.material)).toEqual(['M_LAND_REPORT']);
  });
});
