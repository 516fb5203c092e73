import { describe, expect, it } from 'vitest';
import { applicant, start, without, type Run } from './driver';
import { QINGMING_ENERGY as ENERGY, QINGMING_LY01 as LY01, levelIn } from './figures';

const START = '2026-03-30T09:00:00+08:00';

function contracted(): Run {
  const run = start(START, { materials: without('M_ENERGY_REPORT') });
  const v = run.perform('chooseProvider', { actor: applicant, serviceType: 'ENERGY_REPORT', selection: { method: 'direct', provider: 'P_LIUYANG_DESIGN' } });
  expect(v.services.find((s) => s.serviceType === 'ENERGY_REPORT')!.contracts[0]).toMatchObject({ dueOn: '2026-04-14', dayKind: 'working', level: 'normal' });
  return run;
}
const levels = (run: Run) => [run.matter('LY01').level, run.service('ENERGY_REPORT').contracts[0]!.level];
const levelEvents = (run: Run) => run.events('levelChanged').filter((e) => e.matter === 'LY01').map((e) => [e.data!.to, e.at]);
const serviceEvents = (run: Run) => run.events('serviceLevelChanged').map((e) => [e.data!.to, e.at]);

describe('levels: warning → overdue → departmentHead → supervisionOffice → leadership, each at its rule’s instant (Qingming 2026)', () => {
  it('shows each level from its instant: a second before, a millisecond after (before any timer fires) and a second after', () => {
    const run = contracted();
    expect(run.matter('LY01')).toMatchObject({ dueOn: '2026-04-09', level: 'normal' });
    const instants = [...new Set([...LY01.map(([, i]) => i), ...ENERGY.map(([, i]) => i)])].sort();
    for (const instant of instants) {
      const r = Date.parse(instant);
      run.passUntil(r - 1000);
      expect([instant, ...levels(run)]).toEqual([instant, levelIn(LY01, r - 1000), levelIn(ENERGY, r - 1000)]);
      // The view computes the level as of its instant, without the engine being woken there.
      expect([instant, run.matter('LY01', r + 1).level, run.service('ENERGY_REPORT', r + 1).contracts[0]!.level]).toEqual([instant, levelIn(LY01, r), levelIn(ENERGY, r)]);
      run.passUntil(r + 1000);
      expect([instant, ...levels(run)]).toEqual([instant, levelIn(LY01, r), levelIn(ENERGY, r)]);
      const rung = LY01.find(([, i]) => i === instant);
      if (rung) expect(run.matter('LY01')).toMatchObject({ workingDaysUsed: rung[2], workingDaysLeft: 7 - rung[2] });
    }
    expect(run.matter('LY01').overdueSince).toBe('2026-04-10T00:00:00.000+08:00');
  });

  it('records one level event per rung at the rung’s instant, to the millisecond, even when every wake comes an hour late', () => {
    const onTime = contracted().passUntil('2026-04-23T10:00:00+08:00');
    const late = contracted().passUntil('2026-04-23T10:00:00+08:00', 3_600_000);
    const expected = LY01.map(([level, at]) => [level, at]);
    expect(levelEvents(onTime)).toEqual(expected);
    expect(levelEvents(late)).toEqual(expected);
    expect(serviceEvents(onTime)).toEqual(ENERGY);
    expect(serviceEvents(late)).toEqual(ENERGY);
    for (const e of onTime.events('levelChanged')) expect(e.at).toMatch(/T00:00:00\.000\+08:00$/);
  });

  it('records a wake days late as one event per rung crossed, each at its own instant', () => {
    // One jump over three rungs, as after a worker outage: the engine is advanced only at the end.
    const jumped = contracted();
    jumped.passUntil('2026-04-08T10:00:00+08:00');
    jumped.passUntil('2026-04-16T10:00:00+08:00', 8 * 86_400_000);
    expect(levelEvents(jumped)).toEqual(LY01.slice(0, 4).map(([level, at]) => [level, at]));
  });

  it('warns social investment at 90 % of the limit used (LY04, 10 days from 2 Mar: 13 Mar; LY07, 15 days: 20 Mar), a day after government investment’s 2 days left', () => {
    const warnings = (run: Run) => run.events('levelChanged').filter((e) => e.data!.to === 'warning' && ['LY04', 'LY07'].includes(e.matter!)).map((e) => [e.matter, e.at]);
    const social = start('2026-03-02T09:00:00+08:00', { processCode: 'SOCIAL_APPROVAL' }).passUntil('2026-03-21T10:00:00+08:00');
    const government = start('2026-03-02T09:00:00+08:00').passUntil('2026-03-21T10:00:00+08:00');
    expect(warnings(social)).toEqual([
      ['LY04', '2026-03-13T00:00:00.000+08:00'],
      ['LY07', '2026-03-20T00:00:00.000+08:00'],
    ]);
    expect(warnings(government)).toEqual([
      ['LY04', '2026-03-12T00:00:00.000+08:00'],
      ['LY07', '2026-03-19T00:00:00.000+08:00'],
    ]);
  });

  it('sets the one timer for the next instant time alone changes something: LY01’s warning at the start of 9 Mar, then each next rung; none once the application has ended', () => {
    const run = start('2026-03-02T09:00:00+08:00');
    // 7 working days from Monday 2 Mar: due 11 Mar; 2 days left from the start of 9 Mar.
    expect(run.nextWake()).toBe('2026-03-09T00:00:00.000+08:00');
    run.passUntil('2026-03-09T00:00:00.000+08:00');
    expect(run.matter('LY01').level).toBe('warning');
    expect(run.nextWake()).toBe('2026-03-12T00:00:00.000+08:00'); // LY01 overdue, LY04's warning on the same day
    run.perform('withdraw', { actor: applicant, reason: '项目终止' });
    expect(run.nextWake()).toBeNull();
  });
});
