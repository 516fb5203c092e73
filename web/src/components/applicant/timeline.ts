import type { ChartOption } from '../../charts';
import type { ApplicationView, CalendarYear, MatterView } from '../../api/types';
import { shDate } from '../../format';

/**
 * The timeline of an application's matters over calendar dates: for each matter received, its
 * intake (received → accepted), its running clock (accepted → decided, or now) coloured by status
 * and level, its clock stops hatched, and its due date as a marker; holidays shaded grey, make-up
 * working days (调休) green, weekends faint; "now" is the view's own `asOf`, never the browser's.
 */
const DAY = 86_400_000;
const instant = (iso: string) => Date.parse(iso);
const dayStart = (date: string) => Date.parse(`${date}T00:00:00+08:00`);

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

export interface TimelineWords {
  segment: (kind: SegmentKind) => string;
  status: (status: string) => string;
  level: (level: string) => string;
  holiday: string;
  makeup: string;
  asOf: string;
  matterName: (m: MatterView) => string;
}

interface Item {
  name: string;
  value: [number, number, number];
  kind: SegmentKind;
  status: string;
  level: string;
  colour: string;
}

function runColour(m: MatterView): string {
  switch (m.status) {
    case 'approved':
      return TIMELINE_COLOURS.approved;
    case 'rejected':
    case 'terminated':
      return TIMELINE_COLOURS.rejected;
    case 'cancelled':
      return TIMELINE_COLOURS.closed;
    default:
      return m.level === 'normal' ? TIMELINE_COLOURS.normal : m.level === 'warning' ? TIMELINE_COLOURS.warning : TIMELINE_COLOURS.overdue;
  }
}

let hatchCache: { image: HTMLCanvasElement; repeat: 'repeat' } | undefined;
/** Diagonal hatching for a stopped clock: a pattern, so the stop reads without its colour. */
function hatch() {
  if (hatchCache) return hatchCache;
  const c = document.createElement('canvas');
  c.width = c.height = 8;
  const g = c.getContext('2d');
  if (g) {
    g.fillStyle = '#fff7e6';
    g.fillRect(0, 0, 8, 8);
    g.strokeStyle = TIMELINE_COLOURS.stop;
    g.lineWidth = 1.5;
    g.beginPath();
    g.moveTo(0, 8);
    g.lineTo(8, 0);
    g.moveTo(-2, 2);
    g.lineTo(2, -2);
    g.moveTo(6, 10);
    g.lineTo(10, 6);
    g.stroke();
  }
  hatchCache = { image: c, repeat: 'repeat' };
  return hatchCache;
}

/** The matters the timeline draws: those received so far, stage by stage, then those beside the stages. */
export function timelineMatters(view: ApplicationView): MatterView[] {
  return [...view.stages.flatMap((s) => s.matters), ...view.alongside].filter((m) => m.receivedAt !== null);
}

export function timelineOption(view: ApplicationView, calendars: CalendarYear[], words: TimelineWords): ChartOption {
  const matters = timelineMatters(view);
  const now = instant(view.asOf);
  const ended = view.outcome?.at ? instant(view.outcome.at) : null;
  const items: Item[] = [];
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
    for (const s of m.stops) {
      const from = instant(s.from);
      items.push({ ...base, value: [from, s.to ? instant(s.to) : end, y], kind: 'stop', colour: TIMELINE_COLOURS.stop });
    }
    if (m.dueOn) {
      const due = dayStart(m.dueOn) + DAY;
      items.push({ ...base, value: [due, due, y], kind: 'due', colour: TIMELINE_COLOURS.due });
    }
  });

  const first = dayStart(shDate(view.startedAt)) - DAY;
  const last = Math.max(now, ...items.map((i) => i.value[1]), first + 14 * DAY) + 2 * DAY;

  // Shading: holidays, make-up working days, and the remaining weekends, within the drawn range.
  const areas: [{ xAxis: number; itemStyle: { color: string }; name: string }, { xAxis: number }][] = [];
  const makeup = new Set(calendars.flatMap((c) => c.makeupWorkingDays.map((d) => d.date)));
  const holidayDays = new Set<string>();
  for (const c of calendars) {
    for (const h of c.holidays) {
      const from = dayStart(h.from);
      const to = dayStart(h.to) + DAY;
      if (to < first || from > last) continue;
      areas.push([{ xAxis: from, itemStyle: { color: TIMELINE_COLOURS.holiday }, name: `${words.holiday}: ${h.name}` }, { xAxis: to }]);
      for (let d = from; d < to; d += DAY) holidayDays.add(shDate(d));
    }
    for (const m of c.makeupWorkingDays) {
      const from = dayStart(m.date);
      if (from + DAY < first || from > last) continue;
      areas.push([{ xAxis: from, itemStyle: { color: TIMELINE_COLOURS.makeup }, name: `${words.makeup}: ${m.for}` }, { xAxis: from + DAY }]);
    }
  }
  for (let d = dayStart(shDate(first)); d < last; d += DAY) {
    const date = shDate(d);
    const weekday = new Date(d + 8 * 3600_000).getUTCDay();
    if ((weekday === 0 || weekday === 6) && !makeup.has(date) && !holidayDays.has(date)) {
      areas.push([{ xAxis: d, itemStyle: { color: TIMELINE_COLOURS.weekend }, name: '' }, { xAxis: d + DAY }]);
    }
  }

  return {
    animation: false,
    grid: { left: 56, right: 16, top: 28, bottom: 36, containLabel: false },
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p: unknown) => {
        const i = (p as { data?: Item }).data;
        if (!i || !i.kind) return '';
        const m = matters[i.value[2]];
        const head = m ? `${m.code} ${words.matterName(m)}` : i.name;
        const span = i.kind === 'due' ? shDate(i.value[0] - 1) : `${shDate(i.value[0])} – ${shDate(i.value[1])}`;
        return `${head}<br/>${words.segment(i.kind)}: ${span}<br/>${words.status(i.status)} · ${words.level(i.level)}`;
      },
    },
    xAxis: {
      type: 'time',
      min: first,
      max: last,
      axisLabel: { formatter: (v: number) => shDate(v), hideOverlap: true, fontSize: 11 },
      splitLine: { show: false },
    },
    yAxis: {
      type: 'category',
      data: matters.map((m) => m.code),
      inverse: true,
      axisTick: { show: false },
      axisLabel: { fontSize: 11 },
    },
    series: [
      {
        id: 'calendar',
        name: 'calendar',
        type: 'line',
        data: [],
        silent: true,
        markArea: { silent: true, label: { show: false }, data: areas },
        markLine: {
          silent: true,
          symbol: 'none',
          lineStyle: { color: '#1d4ed8', type: 'dashed' },
          label: { formatter: `${words.asOf} ${shDate(now)}`, position: 'end', fontSize: 11 },
          data: [{ xAxis: now }],
        },
      },
      {
        id: 'matters',
        name: 'matters',
        type: 'custom',
        encode: { x: [0, 1], y: 2 },
        data: items,
        renderItem: (params, api) => {
          const item = items[params.dataIndex as number];
          if (!item) return null;
          const [x0, y] = api.coord([item.value[0], item.value[2]]) as [number, number];
          const [x1] = api.coord([item.value[1], item.value[2]]) as [number, number];
          const band = (api.size?.([0, 1]) as number[])[1] ?? 20;
          const h = Math.max(8, band * 0.55);
          if (item.kind === 'due') {
            return {
              type: 'group',
              children: [
                { type: 'line', shape: { x1: x0, y1: y - h / 2 - 3, x2: x0, y2: y + h / 2 + 3 }, style: { stroke: TIMELINE_COLOURS.due, lineWidth: 2 } },
                { type: 'polygon', shape: { points: [[x0 - 5, y - h / 2 - 8], [x0 + 5, y - h / 2 - 8], [x0, y - h / 2 - 2]] }, style: { fill: TIMELINE_COLOURS.due } },
              ],
            };
          }
          const width = Math.max(2, x1 - x0);
          const inner = item.kind === 'stop' ? h * 0.8 : h;
          return {
            type: 'rect',
            shape: { x: x0, y: y - inner / 2, width, height: inner },
            style: item.kind === 'stop' ? { fill: hatch(), stroke: TIMELINE_COLOURS.stop, lineWidth: 1 } : { fill: item.colour },
          };
        },
      },
    ],
  } as ChartOption;
}
