import { describe, expect, it } from 'vitest';
import { Application } from '../../domain/application/core';
import { viewApplication } from '../../domain/view';
import { DAY_MS, timelineData } from '../../web/src/components/applicant/timeline-data';
import { allMaterials, applicant, applicationInput, catalogue, officer } from '../helpers/temporal';

/**
 * What the application page's timeline draws, from a real view of the engine over the 2026 Spring
 * Festival: shading from the published calendar, a clock stop apart from the running clock, the
 * due marker at the end of the due day. (The browser test draws it on a live system, where no
 * holiday falls inside a few days.)
 */
const at = (iso: string) => Date.parse(iso);

describe('the applicant page’s timeline of matters', () => {
  const start = at('2026-02-11T09:00:00+08:00');
  const app = new Application(applicationInput('GOV_INVESTMENT', { materials: allMaterials('GOV_INVESTMENT') }), start);
  app.advance(start);
  app.act('requestSupplement', { actor: officer('DRC'), matter: 'LY01', items: ['M_PROPOSAL'], reason: '建议书需补充投资估算' }, at('2026-02-12T10:00:00+08:00'));
  app.act('supplyMaterials', { actor: applicant, items: ['M_PROPOSAL'] }, at('2026-02-25T10:00:00+08:00'));
  const view = viewApplication(app, at('2026-03-02T12:00:00+08:00'));
  const { areas, items, now, first, last } = timelineData(view, catalogue.calendars);

  it('shades the Spring Festival holiday and its make-up working days, and weekends that are neither', () => {
    const shaded = (kind: string, name: string) => areas.filter((a) => a.kind === kind && a.name === name).map((a) => [a.from, a.to]);
    expect(shaded('holiday', '春节')).toEqual([[at('2026-02-15T00:00:00+08:00'), at('2026-02-24T00:00:00+08:00')]]);
    expect(shaded('makeup', '春节')).toEqual([
      [at('2026-02-14T00:00:00+08:00'), at('2026-02-15T00:00:00+08:00')],
      [at('2026-02-28T00:00:00+08:00'), at('2026-03-01T00:00:00+08:00')],
    ]);
    const weekends = shaded('weekend', '').map(([from]) => from);
    expect(weekends).toContain(at('2026-03-01T00:00:00+08:00'));
    expect(weekends).not.toContain(at('2026-02-14T00:00:00+08:00'));
    expect(weekends).not.toContain(at('2026-02-28T00:00:00+08:00'));
    expect(weekends).not.toContain(at('2026-02-21T00:00:00+08:00'));
    // The drawn range: from the day before the start to two days past the latest thing drawn.
    expect(first).toBe(at('2026-02-10T00:00:00+08:00'));
    expect(last).toBe(Math.max(...items.map((i) => i.value[1])) + 2 * DAY_MS);
  });

  it('draws a matter running from acceptance, its clock stop apart, and its due marker at the end of the due day', () => {
    const ly01 = view.stages[0]!.matters.find((m) => m.code === 'LY01')!;
    expect(ly01.status).toBe('inProgress');
    const drawn = items.filter((i) => i.name === 'LY01').map((i) => ({ kind: i.kind, from: i.value[0], to: i.value[1] }));
    expect(drawn).toEqual([
      { kind: 'running', from: at(ly01.acceptedAt!), to: at(view.asOf) },
      { kind: 'stop', from: at('2026-02-12T10:00:00+08:00'), to: at('2026-02-25T10:00:00+08:00') },
      { kind: 'due', from: at(`${ly01.dueOn}T00:00:00+08:00`) + DAY_MS, to: at(`${ly01.dueOn}T00:00:00+08:00`) + DAY_MS },
    ]);
    // Every received matter has a row, in the order of the stage; "now" is the view's asOf.
    expect(new Set(items.map((i) => i.value[2]))).toEqual(new Set(view.stages[0]!.matters.map((_, i) => i)));
    expect(now).toBe(at('2026-03-02T12:00:00+08:00'));
  });
});
