import { describe, expect, it } from 'vitest';
import { CURRENT_RULES } from '../../../domain/application/core';
import { admin, applicant, catalogue, officer, snapshotOf, start, without, type StartOptions } from './driver';
import { MOVES_FROM_25_JAN as DUE, OFFICIAL_2027, PROVISIONAL_2027 } from './provisional-figures';

// Monday 25 Jan 2027, 09:00: the provisional 2027 is in force; every S1 matter but LY07's 容缺 item is complete.
const STARTED = '2027-01-25T09:00:00+08:00';
const provisionalSnapshot = { ...snapshotOf('GOV_INVESTMENT'), calendars: [...catalogue.calendars, PROVISIONAL_2027] };
const startOn = (options: StartOptions = {}) => start(STARTED, { snapshot: provisionalSnapshot, materials: without('M_PUBLIC_PARTICIPATION'), ...options });
const S1_TEN_DAYS = ['LY04', 'LY06', 'LY08'];

describe('provisional calendar years (暂定)', () => {
  it('flags a due date counted through a provisional year, in the view and in the events that carry it', () => {
    const run = startOn();
    expect(run.matter('LY01')).toMatchObject({ status: 'inProgress', dueOn: DUE[7][0], provisional: true, calendarGap: null });
    for (const code of S1_TEN_DAYS) expect(run.matter(code)).toMatchObject({ dueOn: DUE[10][0], provisional: true });
    // LY07: 15 working days; its 容缺 item within 5.
    expect(run.matter('LY07')).toMatchObject({ dueOn: DUE[15][0], provisional: true, deferred: [{ material: 'M_PUBLIC_PARTICIPATION', dueOn: DUE[5][0], provisional: true }] });
    expect(run.events('accepted').find((e) => e.matter === 'LY01')!.data).toMatchObject({ dueOn: DUE[7][0], provisional: true });
    // The limit forecast projects through the provisional year too.
    expect(run.view().accounting.forecast).toMatchObject({ basis: 'limits', provisional: true });

    // A due date inside an official year is not provisional: the same matter accepted in 2026.
    const official = start('2026-03-02T09:00:00+08:00');
    expect(official.matter('LY01')).toMatchObject({ dueOn: '2026-03-11', provisional: false });
    expect(official.events('accepted').find((e) => e.matter === 'LY01')!.data).not.toHaveProperty('provisional');
    expect(official.view().accounting.forecast.provisional).toBe(false);
  });

  it('records each deadline the official year moves (old → new) and clears the flag', () => {
    const run = startOn();
    const published = run.perform('publishCalendar', { actor: admin, calendar: OFFICIAL_2027 }, '2027-01-29T10:00:00+08:00');
    expect(published.calendarYears).toEqual([2025, 2026, 2027]);

    expect(run.matter('LY01')).toMatchObject({ dueOn: DUE[7][1], provisional: false });
    for (const code of S1_TEN_DAYS) expect(run.matter(code)).toMatchObject({ dueOn: DUE[10][1], provisional: false });
    expect(run.matter('LY07')).toMatchObject({ dueOn: DUE[15][1], provisional: false, deferred: [{ dueOn: DUE[5][1], provisional: false }] });

    const moved = run.events('deadlineMoved').map((e) => [e.matter, e.data!['clock'], e.data!['from'], e.data!['to']]);
    expect(moved).toEqual(
      expect.arrayContaining([
        ['LY01', 'matter', DUE[7][0], DUE[7][1]],
        ...S1_TEN_DAYS.map((code) => [code, 'matter', DUE[10][0], DUE[10][1]]),
        ['LY07', 'matter', DUE[15][0], DUE[15][1]],
        ['LY07', 'deferred', DUE[5][0], DUE[5][1]],
      ]),
    );
    // Only deadlines that moved: every open S1 clock moved here, and nothing else is open.
    expect(moved).toHaveLength(6);
    const [first] = run.events('deadlineMoved');
    expect(first).toMatchObject({ actor: 'system system', data: { year: 2027, notice: 'fixture-2027-official' } });
    expect(run.events().findIndex((e) => e.kind === 'calendarPublished')).toBeLessThan(run.events().findIndex((e) => e.kind === 'deadlineMoved'));
  });

  it('runs the clocks on the official year once published: the make-up Sunday counts, 春节 does not', () => {
    const run = startOn();
    run.perform('publishCalendar', { actor: admin, calendar: OFFICIAL_2027 }, '2027-01-29T10:00:00+08:00');
    // LY01's fifth working day, when 2 are left, is the make-up Sunday 31 Jan.
    run.passUntil('2027-01-30T23:59:00+08:00');
    expect(run.matter('LY01')).toMatchObject({ level: 'normal', workingDaysUsed: 4 });
    run.passUntil('2027-01-31T00:01:00+08:00');
    expect(run.matter('LY01')).toMatchObject({ level: 'warning', workingDaysUsed: 5, workingDaysLeft: 2 });
    // The 容缺 item supplied on Monday 1 Feb would have been in time on the provisional year; its last day was the make-up Sunday.
    expect(run.refusal('supplyMaterials', { actor: applicant, items: ['M_PUBLIC_PARTICIPATION'] }, '2027-02-01T09:00:00+08:00').code).toBe('APPLICATION_CLOSED');
    expect(run.events('terminated')).toMatchObject([{ matter: 'LY07', at: '2027-02-01T00:00:00.000+08:00' }]);
    expect(run.view().status).toBe('rejected');
  });

  it('an officer late on the provisional date is overdue by the official one: the end of Tuesday 2 Feb, not of Wednesday 3 Feb', () => {
    const run = startOn({ materials: without() });
    run.perform('publishCalendar', { actor: admin, calendar: OFFICIAL_2027 }, '2027-01-29T10:00:00+08:00');
    run.passUntil('2027-02-02T23:59:00+08:00');
    expect(run.matter('LY01')).toMatchObject({ level: 'warning', workingDaysUsed: 7, workingDaysLeft: 0 });
    run.passUntil('2027-02-03T00:01:00+08:00');
    expect(run.matter('LY01')).toMatchObject({ level: 'overdue', overdueSince: '2027-02-03T00:00:00.000+08:00' });
  });

  it('counts again on the official year the days a clock used on the provisional one before it stopped', () => {
    const run = startOn({ materials: without() });
    // Thursday 4 Feb: 26–29 Jan and 1–4 Feb on the provisional year, 8 days; the official one adds Sunday 31 Jan.
    run.perform('requestSupplement', { actor: officer('DRC'), matter: 'LY06', items: ['M_ENERGY_REPORT'], reason: '补充节能报告' }, '2027-02-04T10:00:00+08:00');
    expect(run.matter('LY06')).toMatchObject({ status: 'suspended', workingDaysUsed: 8 });
    run.perform('publishCalendar', { actor: admin, calendar: OFFICIAL_2027 }, '2027-02-10T10:00:00+08:00');
    expect(run.matter('LY06')).toMatchObject({ status: 'suspended', workingDaysUsed: 9 });
    // Supplied Monday 15 Feb: 1 day left, so due Tuesday 16 Feb (the provisional count would have left 2, due 17 Feb).
    run.perform('supplyMaterials', { actor: applicant, items: ['M_ENERGY_REPORT'] }, '2027-02-15T10:00:00+08:00');
    expect(run.matter('LY06')).toMatchObject({ status: 'inProgress', workingDaysUsed: 9, workingDaysLeft: 1, dueOn: '2027-02-16', provisional: false });
  });

  it('keeps an official year from being replaced by a provisional one', () => {
    const run = startOn();
    run.perform('publishCalendar', { actor: admin, calendar: OFFICIAL_2027 }, '2027-01-26T10:00:00+08:00');
    const events = run.events().length;
    run.perform('publishCalendar', { actor: admin, calendar: PROVISIONAL_2027 }, '2027-01-26T11:00:00+08:00');
    expect(run.events()).toHaveLength(events);
    expect(run.matter('LY01')).toMatchObject({ dueOn: DUE[7][1], provisional: false });
  });

  it('an application started before the rule replays as it ran: dates change, no deadlineMoved, the 容缺 date as first set', () => {
    const run = startOn({ rules: { ...CURRENT_RULES, provisionalCalendars: false } });
    expect(run.events('accepted').find((e) => e.matter === 'LY01')!.data).not.toHaveProperty('provisional');
    run.perform('publishCalendar', { actor: admin, calendar: OFFICIAL_2027 }, '2027-01-29T10:00:00+08:00');
    expect(run.events('deadlineMoved')).toEqual([]);
    expect(run.matter('LY01').dueOn).toBe(DUE[7][1]);
    expect(run.matter('LY07').deferred[0]!.dueOn).toBe(DUE[5][0]);
  });
});
