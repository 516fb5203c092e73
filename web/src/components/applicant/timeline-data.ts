import type { ApplicationView, CalendarYear, MatterView } from '../../api/types';
import { shDate } from '../../format';

/**
 * What the timeline of an application's matters draws, over calendar dates: for each matter
 * received, its intake (received → accepted), its running clock (accepted → decided, or now)
 * coloured by status and level, its clock stops, and its due date; and the holidays, make-up
 * working days (调休) and remaining weekends of the drawn range from the published calendars.
 * "Now" is the view's own `asOf`, never the browser's. No chart library here: timeline.ts makes
 * the ECharts option of it.
 */
export const DAY_MS = 86_400_000;
const instant = (iso: string) => Date.parse(iso);
/** 00:00 of a date in Asia/Shanghai. */
export const dayStart = (date: string) => Date.parse(`${date}T00:00:00+08:00`);

export const TIMELINE_COLOURS = {
  intake: '#c0c4cc',
  normal: '#409eff',
  warning: '#e6a23c',
  overdue: '#d9363e',
  approved: '#3f9b2f',
  closed: '#909399',
  rejected: '#8c1d18',
  stop: '#7a4a00',
  due: '#1f2329',
  holiday: 'rgba(144, 147, 153, 0.22)',
  makeup: 'rgba(63, 155, 47, 0.18)',
  weekend: 'rgba(144, 147, 153, 0.08)',
} as const;

export type SegmentKind = 'intake' | 'running' | 'decided' | 'stop' | 'due';

/** One drawn piece of a matter's row: `value` is [from, to, row] (epoch ms; a due marker has from = to). */
export interface TimelineItem {
  name: string;
  value: [number, number, number];
  kind: SegmentKind;
  status: string;
  level: string;
  colour: string;
}

/** A shaded day range: [from, to) in epoch ms. */
export interface CalendarArea {
  kind: 'holiday' | 'makeup' | 'weekend';
  from: number;
  to: number;
  /** The holiday's name, or the holiday a make-up day makes up for. */
  name: string;
}

function runColour(m: MatterView): string {
  switch (m.status) {
    case 'approved':
      return TIMELINE_COLOURS.approved;
    case 'rejected':
    case 'terminated':
      return TIMELINE_COLOURS.rejected;
    case 'cancelled':
    case 'withdrawn':
      return TIMELINE_COLOURS.closed;
    default:
      return m.level === 'normal' ? TIMELINE_COLOURS.normal : m.level === 'warning' ? TIMELINE_COLOURS.warning : TIMELINE_COLOURS.overdue;
  }
}

/** The matters the timeline draws: those received so far, stage by stage, then those beside the stages. */
export function timelineMatters(view: ApplicationView): MatterView[] {
  return [...view.stages.flatMap((s) => s.matters), ...view.alongside].filter((m) => m.receivedAt !== null);
}

export function timelineData(view: ApplicationView, calendars: CalendarYear[]) {
  const matters = timelineMatters(view);
  const now = instant(view.asOf);
  const ended = view.outcome?.at ? instant(view.outcome.at) : null;
  const items: TimelineItem[] = [];
  matters.forEach((m, y) => {
    const received = instant(m.receivedAt!);
    const accepted = m.acceptedAt ? instant(m.acceptedAt) : null;
    const decided = m.decision?.at ? instant(m.decision.at) : null;
    const end = decided ?? ended ?? now;
    const base = { name: m.code, status: m.status, level: m.level };
    if (accepted === null || accepted > received) {
      items.push({ ...base, value: [received, Math.max(received, accepted ?? end), y], kind: 'intake', colour: TIMELINE_COLOURS.intake });
    }
    if (accepted !== null) items.push({ ...base, value: [accepted, Math.max(accepted, end), y], kind: decided ? 'decided' : 'running', colour: runColour(m) });
    for (const s of m.stops) items.push({ ...base, value: [instant(s.from), s.to ? instant(s.to) : end, y], kind: 'stop', colour: TIMELINE_COLOURS.stop });
    if (m.dueOn) {
      const due = dayStart(m.dueOn) + DAY_MS;
      items.push({ ...base, value: [due, due, y], kind: 'due', colour: TIMELINE_COLOURS.due });
    }
  });

  const first = dayStart(shDate(view.startedAt)) - DAY_MS;
  const last = Math.max(now, ...items.map((i) => i.value[1]), first + 14 * DAY_MS) + 2 * DAY_MS;

  const areas: CalendarArea[] = [];
  const makeup = new Set(calendars.flatMap((c) => c.makeupWorkingDays.map((d) => d.date)));
  const holidayDays = new Set<string>();
  for (const c of calendars) {
    for (const h of c.holidays) {
      const from = dayStart(h.from);
      const to = dayStart(h.to) + DAY_MS;
      for (let d = from; d < to; d += DAY_MS) holidayDays.add(shDate(d));
      if (to >= first && from <= last) areas.push({ kind: 'holiday', from, to, name: h.name });
    }
    for (const m of c.makeupWorkingDays) {
      const from = dayStart(m.date);
      if (from + DAY_MS >= first && from <= last) areas.push({ kind: 'makeup', from, to: from + DAY_MS, name: m.for });
    }
  }
  for (let d = dayStart(shDate(first)); d < last; d += DAY_MS) {
    const date = shDate(d);
    const weekday = new Date(d + 8 * 3600_000).getUTCDay();
    if ((weekday === 0 || weekday === 6) && !makeup.has(date) && !holidayDays.has(date)) areas.push({ kind: 'weekend', from: d, to: d + DAY_MS, name: '' });
  }
  return { matters, items, areas, first, last, now };
}
