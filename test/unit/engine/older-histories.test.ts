import { describe, expect, it } from 'vitest';
import { applicant, start, without } from './driver';

/** The rules an application started before the three patches runs on (`patched()` false on replay). */
const BEFORE = { servicesGate: false, closeContracts: false, levelsAtRuleInstant: false, reformInstruments: false };
const MONDAY = '2026-03-02T09:00:00+08:00';

describe('rules that arrived while applications ran: older histories keep the rules they ran on', () => {
  it('before intermediary-services: a missing deliverable is a missing material, no service is identified', () => {
    const run = start(MONDAY, { materials: without('M_SOIL_WATER_PLAN'), rules: BEFORE });
    expect(run.view().services).toEqual([]);
    expect(run.matter('LY08')).toMatchObject({ status: 'intake', missing: [{ material: 'M_SOIL_WATER_PLAN', name: '水土保持方案报告书' }] });
  });

  it('before levels-at-rule-instant: a level event carries the instant the timer fired (an hour late here), not the rule’s', () => {
    const run = start(MONDAY, { rules: BEFORE }).passUntil('2026-03-12T10:00:00+08:00', 3_600_000);
    expect(run.events('levelChanged').filter((e) => e.matter === 'LY01').map((e) => [e.data!.to, e.at])).toEqual([
      ['warning', '2026-03-09T01:00:00.000+08:00'],
      ['overdue', '2026-03-12T01:00:00.000+08:00'],
    ]);
  });

  it('before close-contracts: a withdrawal leaves the open contract open and records no close', () => {
    const run = start(MONDAY, { materials: without('M_SOIL_WATER_PLAN'), rules: { ...BEFORE, servicesGate: true } });
    run.perform('chooseProvider', { actor: applicant, serviceType: 'SOIL_WATER_PLAN', selection: { method: 'direct', provider: 'P_HENGYUAN_WATER' } });
    run.perform('withdraw', { actor: applicant, reason: '项目终止' }, '2026-03-10T10:00:00+08:00');
    expect(run.service('SOIL_WATER_PLAN').contracts[0]).toMatchObject({ status: 'open', closedAt: null, closeReason: null });
    expect(run.events('contractClosed')).toEqual([]);
  });
});
