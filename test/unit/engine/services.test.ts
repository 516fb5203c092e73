import { describe, expect, it } from 'vitest';
import { draw } from '../../../domain/intermediary';
import { applicant, catalogue, officer, provider, snapshotOf, start, without, type Run } from './driver';
import { intermediaryFigures, REWORKED_INTERMEDIARY } from './figures';

const MONDAY = '2026-03-02T09:00:00+08:00';

/** EIA and soil-and-water plan to be made by providers; the seed of every random draw names this application. */
function twoReports(): Run {
  return start(MONDAY, { applicationId: 'app-intermediary-1', materials: without('M_EIA_DOCUMENT', 'M_SOIL_WATER_PLAN') });
}

/** The soil-and-water plan drawn at random among the qualified providers: 20 calendar days, due 22 Mar. */
function drawnSoil(run: Run) {
  const v = run.perform('chooseProvider', { actor: applicant, serviceType: 'SOIL_WATER_PLAN', selection: { method: 'randomDraw' } });
  const sel = v.services.find((s) => s.serviceType === 'SOIL_WATER_PLAN')!.contracts[0]!.selection;
  const drawn = sel.candidates![draw(sel.seed!, sel.candidates!.length)]!;
  return { drawn, other: sel.candidates!.find((c) => c !== drawn)!, sel };
}

describe('intermediary services (中介服务) on their own clocks', () => {
  it('identifies the services the missing deliverables need, and gates the matters that need them; a deliverable on its way is not a missing material', () => {
    const run = twoReports();
    const v = run.view();
    expect(v.services.filter((s) => s.status === 'needed').map((s) => s.serviceType)).toEqual(['EIA_REPORT', 'SOIL_WATER_PLAN']);
    expect(run.matter('LY07')).toMatchObject({ status: 'waitingPrerequisites', waitingFor: { matters: [], services: ['EIA_REPORT'] } });
    expect(run.matter('LY08')).toMatchObject({ status: 'waitingPrerequisites', waitingFor: { services: ['SOIL_WATER_PLAN'] } });
    expect(v.stages[0]!.intake?.notice).toBeNull();
    expect(run.events('servicesIdentified')).toHaveLength(1);
  });

  it('waives the services a zone’s regional assessment (区域评估) covers: the matters they held start at once', () => {
    const missing = without('M_ENERGY_REPORT', 'M_EIA_DOCUMENT', 'M_SOIL_WATER_PLAN', 'M_LIGHTNING_RISK');
    const zone = catalogue.zones.find((z) => z.code === 'LYEDZ')!;
    const outside = start(MONDAY, { materials: missing });
    const inside = start(MONDAY, { materials: missing, zone });
    expect(outside.view().services.filter((s) => s.status === 'needed').map((s) => s.serviceType).sort()).toEqual(['EIA_REPORT', 'ENERGY_REPORT', 'LIGHTNING_RISK', 'SOIL_WATER_PLAN']);
    expect(inside.view().services.filter((s) => s.status === 'waived').map((s) => [s.serviceType, s.waiver!.zone])).toEqual([
      ['ENERGY_REPORT', 'LYEDZ'],
      ['EIA_REPORT', 'LYEDZ'],
      ['SOIL_WATER_PLAN', 'LYEDZ'],
      ['LIGHTNING_RISK', 'LYEDZ'],
    ]);
    expect(inside.matter('LY06').status).toBe('inProgress');
    expect(outside.matter('LY06')).toMatchObject({ status: 'waitingPrerequisites', waitingFor: { services: ['ENERGY_REPORT'] } });
  });

  it('refuses a provider not qualified or expired, an unknown service and one whose deliverable is in hand', () => {
    const run = twoReports();
    expect(run.refusal('chooseProvider', { actor: applicant, serviceType: 'EIA_REPORT', selection: { method: 'direct', provider: 'P_TIANLEI_MET' } }).message).toBe(
      'provider P_TIANLEI_MET is not qualified for EIA_REPORT',
    );
    expect(run.refusal('chooseProvider', { actor: applicant, serviceType: 'CONSULTING_EVALUATION', selection: { method: 'randomDraw' } }).code).toBe('UNKNOWN_SERVICE');
    expect(run.refusal('chooseProvider', { actor: applicant, serviceType: 'LIGHTNING_RISK', selection: { method: 'randomDraw' } }).message).toBe(
      'service LIGHTNING_RISK needs no provider now: its deliverable was supplied with the application',
    );
    const survey = start(MONDAY, { materials: without('M_COMPLETION_SURVEY') });
    expect(survey.refusal('chooseProvider', { actor: applicant, serviceType: 'COMPLETION_SURVEY', selection: { method: 'direct', provider: 'P_OLD_SURVEY' } })).toEqual({
      code: 'INVALID_INPUT',
      message: "provider P_OLD_SURVEY's qualification for COMPLETION_SURVEY expired on 2025-06-30",
    });
    const bid = survey.perform('chooseProvider', { actor: applicant, serviceType: 'COMPLETION_SURVEY', selection: { method: 'bidding', bids: [{ provider: 'P_ZHONGJIAN_SURVEY', quoteYuan: 38000 }] } });
    expect(bid.services.find((s) => s.serviceType === 'COMPLETION_SURVEY')!.contracts[0]).toMatchObject({ provider: 'P_ZHONGJIAN_SURVEY', selection: { method: 'bidding' } });
  });

  it('dates a contract in the registry’s unit: EIA 30 calendar days → 1 Apr; a reproducible draw for soil and water, 20 calendar days → 22 Mar', () => {
    const run = twoReports();
    const v = run.perform('chooseProvider', { actor: applicant, serviceType: 'EIA_REPORT', selection: { method: 'direct', provider: 'P_GREEN_ENV' } });
    expect(v.services.find((s) => s.serviceType === 'EIA_REPORT')!.contracts[0]).toMatchObject({ provider: 'P_GREEN_ENV', committedDays: 30, dayKind: 'calendar', dueOn: '2026-04-01', regulator: 'EEB' });
    const { drawn, sel } = drawnSoil(run);
    expect(sel).toMatchObject({ method: 'randomDraw', candidates: ['P_HENGYUAN_WATER', 'P_HUAZHONG_ENV'], seed: 'app-intermediary-1/SOIL_WATER_PLAN/1' });
    expect(run.service('SOIL_WATER_PLAN').contracts[0]).toMatchObject({ provider: drawn, dueOn: '2026-03-22', regulator: 'WRB' });
  });

  it('dates a working-day contract on the calendar: the energy report, 10 working days from 30 Mar across Qingming, is due 14 Apr', () => {
    const run = start('2026-03-30T09:00:00+08:00', { materials: without('M_ENERGY_REPORT') });
    run.perform('chooseProvider', { actor: applicant, serviceType: 'ENERGY_REPORT', selection: { method: 'direct', provider: 'P_LIUYANG_DESIGN' } });
    expect(run.service('ENERGY_REPORT').contracts[0]).toMatchObject({ dueOn: '2026-04-14', dayKind: 'working' });
  });

  it('starts a gated matter the instant its deliverable is accepted: EIA accepted 10:00 on 26 Mar, LY07 due 17 Apr (15 working days across Qingming)', () => {
    const run = twoReports();
    run.perform('chooseProvider', { actor: applicant, serviceType: 'EIA_REPORT', selection: { method: 'direct', provider: 'P_GREEN_ENV' } });
    run.perform('deliver', { actor: provider('P_GREEN_ENV'), serviceType: 'EIA_REPORT', note: '报告书（送审稿）' }, '2026-03-25T15:00:00+08:00');
    run.passUntil('2026-03-26T10:00:00+08:00');
    expect(run.refusal('reviewDeliverable', { actor: officer('WRB'), serviceType: 'EIA_REPORT', decision: 'accept', note: '' }).code).toBe('WRONG_DEPARTMENT');
    run.perform('reviewDeliverable', { actor: officer('EEB'), serviceType: 'EIA_REPORT', decision: 'accept', note: '技术审查通过' });
    expect(run.matter('LY07')).toMatchObject({ status: 'inProgress', acceptedAt: '2026-03-26T10:00:00.000+08:00', dueOn: '2026-04-17' });
  });

  it('raises a late provider’s level: warning 2 days before, overdue after the committed date, then its regulator, each told to whom it concerns', () => {
    const run = twoReports();
    const { drawn } = drawnSoil(run);
    run.passUntil('2026-03-26T10:00:00+08:00');
    expect(run.events('serviceLevelChanged').filter((e) => e.data!.serviceType === 'SOIL_WATER_PLAN').map((e) => [e.data!.to, e.at, (e.data!.notify as string[]).join(',')])).toEqual([
      ['warning', '2026-03-20T00:00:00.000+08:00', `applicant,provider ${drawn}`],
      ['overdue', '2026-03-23T00:00:00.000+08:00', `applicant,provider ${drawn}`],
      ['regulator', '2026-03-24T00:00:00.000+08:00', 'regulator WRB'],
    ]);
  });

  it('replaces a late provider: the first contract closes as terminated with its level, a new draw leaves it out, the new one runs from the replacement', () => {
    const run = twoReports();
    const { drawn, other } = drawnSoil(run);
    run.passUntil('2026-03-26T10:00:00+08:00');
    expect(run.refusal('replaceProvider', { actor: applicant, serviceType: 'EIA_REPORT', selection: { method: 'randomDraw' }, reason: 'x' }).message).toMatch(/has no provider at work to replace/);
    expect(run.refusal('replaceProvider', { actor: applicant, serviceType: 'SOIL_WATER_PLAN', selection: { method: 'direct', provider: drawn }, reason: 'x' }).message).toBe(
      `provider ${drawn} is the one being replaced on SOIL_WATER_PLAN`,
    );
    const v = run.perform('replaceProvider', { actor: applicant, serviceType: 'SOIL_WATER_PLAN', selection: { method: 'randomDraw' }, reason: '原中介机构逾期未交付' });
    const soil = v.services.find((s) => s.serviceType === 'SOIL_WATER_PLAN')!;
    expect(soil.contracts[1]!.selection).toMatchObject({ candidates: [other] });
    expect(soil.contracts.map((c) => [c.contractId, c.provider, c.status, c.level])).toEqual([
      ['SOIL_WATER_PLAN', drawn, 'terminated', 'regulator'],
      ['SOIL_WATER_PLAN#2', other, 'open', 'normal'],
    ]);
    expect(soil.contracts[1]!.dueOn).toBe('2026-04-15'); // replaced on 26 Mar, 20 calendar days
  });

  it('returns a deliverable for rework (5 calendar days), keeps the matter waiting, and lets it start when the reworked one is accepted; intermediary time is accounted apart', () => {
    const run = twoReports();
    run.perform('chooseProvider', { actor: applicant, serviceType: 'EIA_REPORT', selection: { method: 'direct', provider: 'P_GREEN_ENV' } });
    drawnSoil(run);
    run.perform('deliver', { actor: provider('P_GREEN_ENV'), serviceType: 'EIA_REPORT', note: '' }, '2026-03-25T15:00:00+08:00');
    run.perform('reviewDeliverable', { actor: officer('EEB'), serviceType: 'EIA_REPORT', decision: 'accept', note: '' }, '2026-03-26T10:00:00+08:00');
    const { other } = { other: run.perform('replaceProvider', { actor: applicant, serviceType: 'SOIL_WATER_PLAN', selection: { method: 'randomDraw' }, reason: '逾期' }).services.find((s) => s.serviceType === 'SOIL_WATER_PLAN')!.contracts[1]!.provider };
    run.perform('deliver', { actor: provider(other), serviceType: 'SOIL_WATER_PLAN', note: '' }, '2026-04-10T16:00:00+08:00');
    const returned = run.perform('reviewDeliverable', { actor: officer('WRB'), serviceType: 'SOIL_WATER_PLAN', decision: 'return', reasons: ['弃渣场选址论证不足', '缺少水土流失监测方案'] }, '2026-04-13T10:00:00+08:00');
    expect(returned.services.find((s) => s.serviceType === 'SOIL_WATER_PLAN')!.contracts[1]).toMatchObject({ status: 'open', dueOn: '2026-04-18', returns: [{ reworkDays: 5 }] });
    expect(run.matter('LY08').status).toBe('waitingPrerequisites');
    // The applicant may deliver for the provider.
    run.perform('deliver', { actor: applicant, serviceType: 'SOIL_WATER_PLAN', note: '修改稿' }, '2026-04-16T11:00:00+08:00');
    run.perform('reviewDeliverable', { actor: officer('WRB'), serviceType: 'SOIL_WATER_PLAN', decision: 'accept', note: '' }, '2026-04-17T10:00:00+08:00');
    // 10 working days from 17 Apr: 20–24, 27–30 Apr, (劳动节 1–5 May), 6 May.
    expect(run.matter('LY08')).toMatchObject({ status: 'inProgress', acceptedAt: '2026-04-17T10:00:00.000+08:00', dueOn: '2026-05-06' });
    // EIA (owner-commissioned) 24 days; soil and water (government-commissioned here, so approval time) 46 days including the replaced provider.
    expect(intermediaryFigures(run.view().accounting.intermediary)).toEqual(REWORKED_INTERMEDIARY);
  });

  it('refuses to replace a provider that is not late, a delivery by a provider without the contract, and a review with nothing delivered', () => {
    const run = start(MONDAY, { materials: without('M_SOIL_WATER_PLAN') });
    run.perform('chooseProvider', { actor: applicant, serviceType: 'SOIL_WATER_PLAN', selection: { method: 'direct', provider: 'P_HENGYUAN_WATER' } });
    expect(run.refusal('replaceProvider', { actor: applicant, serviceType: 'SOIL_WATER_PLAN', selection: { method: 'randomDraw' }, reason: '想换' }, '2026-03-20T10:00:00+08:00')).toEqual({
      code: 'INVALID_STATE',
      message: 'provider P_HENGYUAN_WATER is not late (due 2026-03-22); a provider can be replaced once its committed date has passed',
    });
    expect(run.refusal('deliver', { actor: provider('P_HUAZHONG_ENV'), serviceType: 'SOIL_WATER_PLAN', note: '' })).toEqual({
      code: 'NOT_PERMITTED',
      message: 'provider P_HUAZHONG_ENV does not hold the contract for SOIL_WATER_PLAN',
    });
    expect(run.refusal('reviewDeliverable', { actor: officer('WRB'), serviceType: 'SOIL_WATER_PLAN', decision: 'accept', note: '' })).toEqual({
      code: 'INVALID_STATE',
      message: 'service SOIL_WATER_PLAN has no deliverable awaiting review (it is contracted)',
    });
    // Delivered after the committed date: recorded as late.
    run.perform('deliver', { actor: provider('P_HENGYUAN_WATER'), serviceType: 'SOIL_WATER_PLAN', note: '' }, '2026-03-23T10:00:00+08:00');
    expect(run.events('delivered')[0]!.data).toMatchObject({ dueOn: '2026-03-22', late: true });
  });

  it('lets the applicant supply a deliverable itself: the service is in hand and the matter it held starts', () => {
    const run = twoReports();
    run.perform('supplyMaterials', { actor: applicant, items: ['M_SOIL_WATER_PLAN'] }, '2026-03-03T10:00:00+08:00');
    expect(run.service('SOIL_WATER_PLAN').status).toBe('inHand');
    expect(run.events('serviceSuppliedByApplicant').map((e) => e.data!.serviceType)).toEqual(['SOIL_WATER_PLAN']);
    expect(run.matter('LY08')).toMatchObject({ status: 'inProgress', acceptedAt: '2026-03-03T10:00:00.000+08:00' });
  });
});

describe('contracts nothing needs close', () => {
  /** P_HENGYUAN_WATER contracted on 2 Mar for 20 calendar days: due 22 Mar, warned from 20 Mar. */
  const contracted = () => {
    const run = start(MONDAY, { materials: without('M_SOIL_WATER_PLAN') });
    run.perform('chooseProvider', { actor: applicant, serviceType: 'SOIL_WATER_PLAN', selection: { method: 'direct', provider: 'P_HENGYUAN_WATER' } });
    return run;
  };

  it('closes the open contract at the withdrawal’s instant with its reason and an event; weeks later it has neither escalated nor counted a day', () => {
    const run = contracted();
    run.passUntil('2026-03-21T10:00:00+08:00');
    expect(run.service('SOIL_WATER_PLAN').contracts[0]).toMatchObject({ status: 'open', level: 'warning', dueOn: '2026-03-22' });
    const v = run.perform('withdraw', { actor: applicant, reason: '项目终止' });
    const closedAt = '2026-03-21T10:00:00.000+08:00';
    const soil = v.services.find((s) => s.serviceType === 'SOIL_WATER_PLAN')!;
    expect(soil).toMatchObject({ status: 'cancelled', calendarDays: 19 });
    expect(soil.contracts[0]).toMatchObject({ status: 'cancelled', level: 'warning', closedAt, closeReason: 'application withdrawn: 项目终止', dueOn: null });
    expect(run.events('contractClosed')).toMatchObject([
      { at: closedAt, reason: 'application withdrawn: 项目终止', data: { serviceType: 'SOIL_WATER_PLAN', contractId: 'SOIL_WATER_PLAN', provider: 'P_HENGYUAN_WATER', status: 'cancelled', level: 'warning' } },
    ]);
    expect(run.events().slice(-2).map((e) => e.kind)).toEqual(['contractClosed', 'withdrawn']);

    const count = run.events().length;
    run.passUntil('2026-04-20T10:00:00+08:00');
    expect(run.events().length).toBe(count);
    expect(run.service('SOIL_WATER_PLAN')).toMatchObject({ status: 'cancelled', calendarDays: 19 });
    expect(run.view().accounting.intermediary).toEqual(v.accounting.intermediary);
  });

  it('closes the open contract when a rejected milestone ends the application', () => {
    const run = contracted();
    run.perform('reject', { actor: officer('NRP'), matter: 'LY04', reason: '选址位于永久基本农田保护区内' }, '2026-03-20T15:00:00+08:00');
    expect(run.view().status).toBe('rejected');
    expect(run.service('SOIL_WATER_PLAN').contracts[0]).toMatchObject({ status: 'cancelled', level: 'warning', closeReason: 'application rejected on matter LY04' });
    expect(run.events().slice(-2).map((e) => [e.kind, e.at, e.reason])).toEqual([
      ['contractClosed', '2026-03-20T15:00:00.000+08:00', 'application rejected on matter LY04'],
      ['applicationRejected', '2026-03-20T15:00:00.000+08:00', '选址位于永久基本农田保护区内'],
    ]);
  });

  it('closes the contract of a service no matter needs any more while the application runs on, and refuses a new provider for it', () => {
    // Stage 1 completes on any milestone, so the application survives LY04's rejection; LY02 (the
    // only matter needing the feasibility study) is then cancelled for its failed prerequisite.
    const base = snapshotOf('GOV_INVESTMENT');
    const snapshot = { ...base, stages: base.stages.map((s, i) => (i === 0 ? { ...s, completion: 'any' as const } : s)) };
    const run = start(MONDAY, { snapshot, materials: without('M_FEASIBILITY', 'M_SOIL_WATER_PLAN') });
    run.perform('chooseProvider', { actor: applicant, serviceType: 'SOIL_WATER_PLAN', selection: { method: 'direct', provider: 'P_HENGYUAN_WATER' } });
    run.perform('chooseProvider', { actor: applicant, serviceType: 'FEASIBILITY_DRAFTING', selection: { method: 'direct', provider: 'P_XIANGJIANG_ENG' } });
    run.perform('reject', { actor: officer('NRP'), matter: 'LY04', reason: '用地不符合规划' }, '2026-03-04T11:00:00+08:00');
    expect(run.view().status).toBe('running');
    expect(run.matter('LY02').status).toBe('cancelled');
    const reason = 'no matter needs FEASIBILITY_DRAFTING any more (LY02 cancelled)';
    expect(run.service('FEASIBILITY_DRAFTING').contracts[0]).toMatchObject({ status: 'cancelled', closedAt: '2026-03-04T11:00:00.000+08:00', closeReason: reason });
    expect(run.service('SOIL_WATER_PLAN').contracts[0]!.status).toBe('open'); // LY08 still needs it
    run.passUntil('2026-04-30T10:00:00+08:00');
    expect(run.events('serviceLevelChanged').filter((e) => e.data!.serviceType === 'FEASIBILITY_DRAFTING')).toEqual([]);
    expect(run.service('FEASIBILITY_DRAFTING').calendarDays).toBe(2.1);
    expect(run.refusal('chooseProvider', { actor: applicant, serviceType: 'FEASIBILITY_DRAFTING', selection: { method: 'randomDraw' } }).message).toBe(
      `service FEASIBILITY_DRAFTING needs no provider now: its contract was closed (${reason})`,
    );
  });
});
