import { describe, expect, it } from 'vitest';
import { chooseProviderUpdate } from '../../workflows/messages';
import type { ApplicationView } from '../../domain/view';
import { recordHistory } from '../helpers/history';
import { timeSkippingSuite } from '../helpers/suite';
import { allMaterials, applicant } from '../helpers/temporal';
import { matter, sleepUntil, status, viewAfter } from '../helpers/drive';

/**
 * Accepted Monday 30 Mar 2026; the Qingming holiday (4–6 Apr) is not counted. LY01 (7 working
 * days: 31 Mar, 1–3 Apr, 7–9 Apr) is due 9 Apr: yellow from the start of 7 Apr (2 days left), red
 * from the end of 9 Apr, then the department head, the supervision office and leadership at the
 * end of 1, 3 and 5 working days after the due day. The energy report (10 working days from
 * 30 Mar, due 14 Apr) warns 2 working days before, then overdue, its regulator (DRC) after 1 and
 * the supervision office after 5 working days.
 */
const LY01: [string, string, number][] = [
  ['warning', '2026-04-07T00:00:00.000+08:00', 5],
  ['overdue', '2026-04-10T00:00:00.000+08:00', 8],
  ['departmentHead', '2026-04-11T00:00:00.000+08:00', 8],
  ['supervisionOffice', '2026-04-15T00:00:00.000+08:00', 11],
  ['leadership', '2026-04-17T00:00:00.000+08:00', 13],
];
const ENERGY: [string, string][] = [
  ['warning', '2026-04-10T00:00:00.000+08:00'],
  ['overdue', '2026-04-15T00:00:00.000+08:00'],
  ['regulator', '2026-04-16T00:00:00.000+08:00'],
  ['supervisionOffice', '2026-04-22T00:00:00.000+08:00'],
];

/** The level a table gives at an instant: the last rule whose instant has come. */
const levelAt = (table: [string, string, ...unknown[]][], t: number) => table.filter(([, i]) => Date.parse(i) <= t).at(-1)?.[0] ?? 'normal';
const energy = (v: ApplicationView) => v.services.find((s) => s.serviceType === 'ENERGY_REPORT')!.contracts[0]!;
const second = 1000;

describe('levels change at the rule’s instant, in the view and in the audit trail (time-skipping, Qingming 2026)', () => {
  const suite = timeSkippingSuite('2026-03-30T09:00:00+08:00', 'level-instants');

  it('shows each new level from its rule instant (a millisecond and a second after), and records it at that instant exactly', async () => {
    const h = await suite.start('GOV_INVESTMENT', { materials: allMaterials('GOV_INVESTMENT').filter((m) => m !== 'M_ENERGY_REPORT') });
    const v0 = await viewAfter(h, h.executeUpdate(chooseProviderUpdate, {
      args: [{ actor: applicant, serviceType: 'ENERGY_REPORT', selection: { method: 'direct', provider: 'P_LIUYANG_DESIGN' } }],
    }));
    expect(matter(v0, 'LY01')).toMatchObject({ dueOn: '2026-04-09', level: 'normal' });
    expect(energy(v0)).toMatchObject({ dueOn: '2026-04-14', dayKind: 'working', level: 'normal' });

    const instants = [...new Set([...LY01.map(([, i]) => i), ...ENERGY.map(([, i]) => i)])].sort();
    for (const instant of instants) {
      const r = Date.parse(instant);
      await sleepUntil(suite.env, new Date(r - second).toISOString());
      const before = await status(h, suite.env);
      expect([instant, matter(before, 'LY01').level, energy(before).level]).toEqual([instant, levelAt(LY01, r - second), levelAt(ENERGY, r - second)]);

      // A millisecond after the instant the workflow's timer has not fired yet: the view computes the level itself.
      await sleepUntil(suite.env, new Date(r + 1).toISOString());
      const at = await status(h, suite.env);
      expect([instant, matter(at, 'LY01').level, energy(at).level]).toEqual([instant, levelAt(LY01, r), levelAt(ENERGY, r)]);

      await sleepUntil(suite.env, new Date(r + second).toISOString());
      const after = await status(h, suite.env);
      expect([instant, matter(after, 'LY01').level, energy(after).level]).toEqual([instant, levelAt(LY01, r), levelAt(ENERGY, r)]);
      const rung = LY01.find(([, i]) => i === instant);
      if (rung) expect(matter(after, 'LY01')).toMatchObject({ workingDaysUsed: rung[2], workingDaysLeft: 7 - rung[2] });
    }

    const v = await status(h, suite.env);
    expect(matter(v, 'LY01').overdueSince).toBe('2026-04-10T00:00:00.000+08:00');
    expect(v.events.filter((e) => e.kind === 'levelChanged' && e.matter === 'LY01').map((e) => [e.data!.to, e.at])).toEqual(LY01.map(([level, at]) => [level, at]));
    expect(v.events.filter((e) => e.kind === 'serviceLevelChanged').map((e) => [e.data!.to, e.at])).toEqual(ENERGY);
    // Every level event of every matter sits on a rule instant: midnight Asia/Shanghai, to the millisecond.
    for (const e of v.events.filter((x) => x.kind === 'levelChanged')) expect(e.at).toMatch(/T00:00:00\.000\+08:00$/);
    await recordHistory(h, 'level-instants');
  });
});
