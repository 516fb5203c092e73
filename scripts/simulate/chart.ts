import { SCENARIO_LABELS, type ScenarioName } from './population';
import { TARGETS, type ApplicationFigures, type GroupSummary } from './report';

/**
 * The distributions as one SVG, built as a string (no chart library in the script's path): per
 * scenario a histogram of total calendar days, stacked by process, with the 80/100/120-day
 * targets; and the approval working days of the same matters in parallel against one after another.
 */

const COLOURS: Record<string, string> = { GOV_INVESTMENT: '#2f6fb0', SOCIAL_APPROVAL: '#e08a2e' };
const LABELS: Record<string, string> = { GOV_INVESTMENT: '政府投资 government', SOCIAL_APPROVAL: '社会投资 social' };
const colour = (p: string) => COLOURS[p] ?? '#777';
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const text = (x: number, y: number, s: string, attrs = '') => `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${esc(s)}</text>`;

export function chartSvg(figures: ApplicationFigures[], groups: GroupSummary[], scenarios: readonly ScenarioName[], title: string): string {
  const width = 960;
  const panelH = 210;
  const left = 60;
  const plotW = width - left - 30;
  const bin = 10;
  const maxDays = Math.max(130, ...figures.map((f) => f.calendarDays));
  const bins = Math.ceil((maxDays + 1) / bin);
  const processes = [...new Set(figures.map((f) => f.processCode))].sort();
  const counts = scenarios.map((s) => Array.from({ length: bins }, (_, i) => processes.map((p) => figures.filter((f) => f.scenario === s && f.processCode === p && Math.floor(f.calendarDays / bin) === i).length)));
  const maxCount = Math.max(1, ...counts.flatMap((c) => c.map((b) => b.reduce((a, x) => a + x, 0))));
  const x = (days: number) => left + (days / (bins * bin)) * plotW;
  const out: string[] = [];
  let top = 50;
  out.push(text(left, 24, title, 'font-size="16" font-weight="bold"'));
  processes.forEach((p, i) => {
    out.push(`<rect x="${width - 380 + i * 190}" y="12" width="12" height="12" fill="${colour(p)}"/>`);
    out.push(text(width - 363 + i * 190, 23, LABELS[p] ?? p, 'font-size="12"'));
  });
  scenarios.forEach((s, si) => {
    const base = top + panelH - 30;
    const h = (n: number) => (n / maxCount) * (panelH - 60);
    out.push(text(left, top + 12, `${SCENARIO_LABELS[s]} — total calendar days, ${bin}-day bins`, 'font-size="13" font-weight="bold"'));
    out.push(`<line x1="${left}" y1="${base}" x2="${left + plotW}" y2="${base}" stroke="#333"/>`);
    for (let d = 0; d <= bins * bin; d += 20) {
      out.push(`<line x1="${x(d).toFixed(1)}" y1="${base}" x2="${x(d).toFixed(1)}" y2="${base + 4}" stroke="#333"/>`);
      out.push(text(x(d), base + 16, String(d), 'font-size="10" text-anchor="middle"'));
    }
    out.push(text(left - 8, base - (panelH - 60), String(maxCount), 'font-size="10" text-anchor="end"'));
    out.push(text(left - 8, base, '0', 'font-size="10" text-anchor="end"'));
    counts[si]!.forEach((b, i) => {
      let y = base;
      b.forEach((n, pi) => {
        if (!n) return;
        const hh = h(n);
        y -= hh;
        out.push(`<rect x="${(x(i * bin) + 1).toFixed(1)}" y="${y.toFixed(1)}" width="${(x(bin) - left - 2).toFixed(1)}" height="${hh.toFixed(1)}" fill="${colour(processes[pi]!)}"><title>${esc(`${processes[pi]} ${i * bin}–${i * bin + bin - 1} days: ${n}`)}</title></rect>`);
      });
    });
    for (const t of TARGETS) {
      out.push(`<line x1="${x(t).toFixed(1)}" y1="${top + 22}" x2="${x(t).toFixed(1)}" y2="${base}" stroke="#c0392b" stroke-dasharray="4 3"/>`);
      out.push(text(x(t) + 3, top + 32, `${t} d`, 'font-size="10" fill="#c0392b"'));
    }
    const all = groups.find((g) => g.scenario === s && g.processCode === 'ALL');
    if (all) out.push(text(left + plotW, top + 12, `avg ${all.avgCalendarDays} d · over 120/100/80: ${Math.round(all.over[120] * 100)}/${Math.round(all.over[100] * 100)}/${Math.round(all.over[80] * 100)} %`, 'font-size="11" text-anchor="end"'));
    top += panelH;
  });
  // Approval working days: the same matters in parallel (the engine's critical path) and one after another.
  const bars = groups.filter((g) => g.scenario === scenarios[0] && g.processCode !== 'ALL');
  const maxWd = Math.max(1, ...bars.map((g) => g.avgSerialWorkingDays));
  out.push(text(left, top + 12, `approval working days (${SCENARIO_LABELS[scenarios[0]!]}): the same sampled days, parallel vs serial`, 'font-size="13" font-weight="bold"'));
  bars.forEach((g, i) => {
    const y = top + 28 + i * 56;
    const w = (v: number) => (v / maxWd) * (plotW - 200);
    out.push(text(left, y + 14, LABELS[g.processCode] ?? g.processCode, 'font-size="11"'));
    out.push(`<rect x="${left + 150}" y="${y}" width="${w(g.avgParallelWorkingDays).toFixed(1)}" height="18" fill="${colour(g.processCode)}"/>`);
    out.push(text(left + 156 + w(g.avgParallelWorkingDays), y + 14, `parallel ${g.avgParallelWorkingDays}`, 'font-size="11"'));
    out.push(`<rect x="${left + 150}" y="${y + 22}" width="${w(g.avgSerialWorkingDays).toFixed(1)}" height="18" fill="${colour(g.processCode)}" fill-opacity="0.45"/>`);
    out.push(text(left + 156 + w(g.avgSerialWorkingDays), y + 36, `serial ${g.avgSerialWorkingDays}`, 'font-size="11"'));
  });
  const height = top + 40 + bars.length * 56;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif">\n<rect width="100%" height="100%" fill="#fff"/>\n${out.join('\n')}\n</svg>\n`;
}
