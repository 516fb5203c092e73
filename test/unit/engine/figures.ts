/**
 * Figures more than one layer of tests expects from the official 2026 calendar, written once: the
 * engine's unit tests here, the same rules through Temporal in test/workflows, and over HTTP in
 * test/e2e.
 */
import type { CalendarYear } from '../../../catalogue/schema';
import type { ApplicationView } from '../../../domain/view';

/**
 * Accepted Monday 30 Mar 2026; the Qingming holiday (4–6 Apr) is not counted. LY01 (7 working
 * days: 31 Mar, 1–3 Apr, 7–9 Apr) is due 9 Apr: yellow from the start of 7 Apr (2 days left), red
 * from the end of 9 Apr, then the department head, the supervision office and leadership at the
 * end of 1, 3 and 5 working days after the due day; with the working days used at each rung.
 */
export const QINGMING_LY01: [level: string, at: string, workingDaysUsed: number][] = [
  ['warning', '2026-04-07T00:00:00.000+08:00', 5],
  ['overdue', '2026-04-10T00:00:00.000+08:00', 8],
  ['departmentHead', '2026-04-11T00:00:00.000+08:00', 8],
  ['supervisionOffice', '2026-04-15T00:00:00.000+08:00', 11],
  ['leadership', '2026-04-17T00:00:00.000+08:00', 13],
];

/**
 * The energy report contracted on 30 Mar (10 working days, due 14 Apr) warns 2 working days
 * before, then overdue, its regulator (DRC) after 1 and the supervision office after 5 working days.
 */
export const QINGMING_ENERGY: [level: string, at: string][] = [
  ['warning', '2026-04-10T00:00:00.000+08:00'],
  ['overdue', '2026-04-15T00:00:00.000+08:00'],
  ['regulator', '2026-04-16T00:00:00.000+08:00'],
  ['supervisionOffice', '2026-04-22T00:00:00.000+08:00'],
];

/** The level a table gives at an instant: the last rule whose instant has come. */
export const levelIn = (table: [string, string, ...unknown[]][], t: number): string => table.filter(([, i]) => Date.parse(i) <= t).at(-1)?.[0] ?? 'normal';

/** A 2027 calendar for tests only: the official 2027 notice is not part of this repository. */
export const FIXTURE_2027: CalendarYear = {
  year: 2027,
  timeZone: 'Asia/Shanghai',
  source: { title: 'TEST FIXTURE — not an official notice', number: 'fixture-2027', publishedOn: '2026-11-01' },
  holidays: [{ name: '元旦', from: '2027-01-01', to: '2027-01-01' }],
  makeupWorkingDays: [],
};

type IntermediaryAccount = ApplicationView['accounting']['intermediary'];

/**
 * Intermediary time once both reports of the replace-and-rework scenario are accepted (17 Apr):
 * the EIA report (owner-commissioned) 24 calendar days; soil and water (government-commissioned in
 * this process, so approval time) 46 days including the replaced provider, over 2 contracts and 1
 * rework. Per service: type, commissioned by, calendar days, contracts, reworks.
 */
export const REWORKED_INTERMEDIARY = {
  services: [
    ['EIA_REPORT', 'owner', 24, 1, 0],
    ['SOIL_WATER_PLAN', 'government', 46, 2, 1],
  ],
  ownerCommissioned: 24,
  governmentCommissioned: 46,
  all: 46,
};

/** The figures of an intermediary account in the form of REWORKED_INTERMEDIARY (services with a contract only). */
export const intermediaryFigures = (acc: IntermediaryAccount) => ({
  services: acc.services.filter((s) => s.contracts > 0).map((s) => [s.serviceType, s.commissionedBy, s.calendarDays, s.contracts, s.reworkCount]),
  ownerCommissioned: acc.ownerCommissioned.calendarDays,
  governmentCommissioned: acc.governmentCommissioned.calendarDays,
  all: acc.all.calendarDays,
});
