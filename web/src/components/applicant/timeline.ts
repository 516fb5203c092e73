import type { ChartOption } from '../../charts';
import type { ApplicationView, CalendarYear, MatterView } from '../../api/types';
import { shDate } from '../../format';
import { TIMELINE_COLOURS, timelineData, type SegmentKind, type TimelineItem } from './timeline-data';

/**
 * The ECharts option of the timeline of matters (timeline-data.ts says what is drawn): a custom
 * series of bars per matter, clock stops hatched, due dates as markers; the calendar's shading
 * as mark areas and "now" as a dashed line on a series of its own.
 */
export interface TimelineWords {
  segment: (kind: SegmentKind) => string;
  status: (status: string) => string;
  level: (level: string) => string;
  holiday: string;
  makeup: string;
  matterName: (m: MatterView) => string;
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

export function timelineOption(view: ApplicationView, calendars: CalendarYear[], words: TimelineWords): ChartOption {
  const { matters, items, areas, first, last, now } = timelineData(view, calendars);
  const shading = areas.map((a) => [
    { xAxis: a.from, itemStyle: { color: TIMELINE_COLOURS[a.kind] }, name: a.kind === 'weekend' ? '' : `${a.kind === 'holiday' ? words.holiday : words.makeup}: ${a.name}` },
    { xAxis: a.to },
  ]);
  return {
    animation: false,
    grid: { left: 56, right: 16, top: 20, bottom: 36, containLabel: false },
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p: unknown) => {
        const i = (p as { data?: TimelineItem }).data;
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
        markArea: { silent: true, label: { show: false }, data: shading },
        markLine: { silent: true, symbol: 'none', lineStyle: { color: '#1d4ed8', type: 'dashed' }, label: { show: false }, data: [{ xAxis: now }] },
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
