import { describe, expect, it } from 'vitest';
import { chooseProviderUpdate, deliverUpdate, replaceProviderUpdate, reviewDeliverableUpdate } from '../../workflows/messages';
import { draw } from '../../domain/intermediary';
import type { Actor } from '../../domain/types';
import { recordHistory } from '../helpers/history';
import { timeSkippingSuite } from '../helpers/suite';
import { allMaterials, applicant, catalogue, officer } from '../helpers/temporal';
import { approveRunning, matter, refusal, sleepUntil, status, viewAfter } from '../helpers/drive';
import { intermediaryFigures, REWORKED_INTERMEDIARY } from '../unit/engine/figures';

const provider = (code: string): Actor => ({ id: code, role: 'provider' });
const without = (...codes: string[]) => allMaterials('GOV_INVESTMENT').filter((m) => !codes.includes(m));

describe('intermediary services on their own clocks (time-skipping, March–April 2026)', () => {
  const suite = timeSkippingSuite('2026-03-02T09:00:00+08:00', 'intermediary');

  // First, while the test clock still reads 2 Mar 2026.
  it('flags a projected total over the process target, and a project inside a zone with regional assessments skips the waived services', async () => {
    const missing = without('M_ENERGY_REPORT', 'M_EIA_DOCUMENT', 'M_SOIL_WATER_PLAN', 'M_LIGHTNING_RISK');
    const zone = catalogue.zones.find((z) => z.code === 'LYEDZ')!;
    const outside = await status(await suite.start('GOV_INVESTMENT', { materials: missing }), suite.env);
    const inside = await status(await suite.start('GOV_INVESTMENT', { materials: missing, zone }), suite.env);

    expect(outside.services.filter((s) => s.status === 'needed').map((s) => s.serviceType).sort()).toEqual(['EIA_REPORT', 'ENERGY_REPORT', 'LIGHTNING_RISK', 'SOIL_WATER_PLAN']);
    expect(inside.services.filter((s) => s.status === 'waived').map((s) => [s.serviceType, s.waiver!.zone])).toEqual([
      ['ENERGY_REPORT', 'LYEDZ'],
      ['EIA_REPORT', 'LYEDZ'],
      ['SOIL_WATER_PLAN', 'LYEDZ'],
      ['LIGHTNING_RISK', 'LYEDZ'],
    ]);
    expect(matter(inside, 'LY06').status).toBe('inProgress'); // no energy report to wait for
    expect(matter(outside, 'LY06')).toMatchObject({ status: 'waitingPrerequisites', waitingFor: { services: ['ENERGY_REPORT'] } });

    // Outside: the energy report (10 working days at best) holds LY06, so LY02 and LY05 run late: stage 1 ends 14 May.
    // Inside: LY06 starts at once, LY02 follows LY04/LY06 on 16 Mar and LY05 ends 28 Apr.
    expect(outside.accounting.forecast.stages[0]).toEqual({ stage: 'S1', projectedEndOn: '2026-05-14' });
    expect(inside.accounting.forecast.stages[0]).toEqual({ stage: 'S1', projectedEndOn: '2026-04-28' });
    const f = outside.accounting.forecast;
    expect(f).toMatchObject({ basis: 'limits', targetTotalDays: 100, exceedsTarget: true, approximate: false });
    expect(f.overTargetDays).toBe(f.projectedTotalDays - 100);
    expect(inside.accounting.forecast.projectedTotalDays).toBeLessThan(f.projectedTotalDays);
  });

  it('gates matters on two reports, one on time and one late with escalation to its regulator, a replacement and a rework', async () => {
    const h = await suite.start('GOV_INVESTMENT', { applicationId: 'app-intermediary-1', materials: without('M_EIA_DOCUMENT', 'M_SOIL_WATER_PLAN') });
    let v = await status(h, suite.env);
    expect(v.services.filter((s) => s.status === 'needed').map((s) => s.serviceType)).toEqual(['EIA_REPORT', 'SOIL_WATER_PLAN']);
    expect(matter(v, 'LY07')).toMatchObject({ status: 'waitingPrerequisites', waitingFor: { matters: [], services: ['EIA_REPORT'] } });
    expect(matter(v, 'LY08')).toMatchObject({ status: 'waitingPrerequisites', waitingFor: { services: ['SOIL_WATER_PLAN'] } });
    expect(v.stages[0]!.intake?.notice).toBeNull(); // a deliverable on its way is not a missing material

    expect((await refusal(h.executeUpdate(chooseProviderUpdate, { args: [{ actor: applicant, serviceType: 'EIA_REPORT', selection: { method: 'direct', provider: 'P_TIANLEI_MET' } }] }))).message).toBe(
      'provider P_TIANLEI_MET is not qualified for EIA_REPORT',
    );
    expect((await refusal(h.executeUpdate(chooseProviderUpdate, { args: [{ actor: applicant, serviceType: 'CONSULTING_EVALUATION', selection: { method: 'randomDraw' } }] }))).code).toBe('UNKNOWN_SERVICE');
    expect((await refusal(h.executeUpdate(chooseProviderUpdate, { args: [{ actor: applicant, serviceType: 'LIGHTNING_RISK', selection: { method: 'randomDraw' } }] }))).message).toBe(
      'service LIGHTNING_RISK needs no provider now: its deliverable was supplied with the application',
    );

    // EIA by direct choice: 30 calendar days → 1 Apr. Soil and water by a reproducible draw: 20 calendar days → 22 Mar.
    await h.executeUpdate(chooseProviderUpdate, { args: [{ actor: applicant, serviceType: 'EIA_REPORT', selection: { method: 'direct', provider: 'P_GREEN_ENV' } }] });
    v = await viewAfter(h, h.executeUpdate(chooseProviderUpdate, { args: [{ actor: applicant, serviceType: 'SOIL_WATER_PLAN', selection: { method: 'randomDraw' } }] }));
    const eia = v.services.find((s) => s.serviceType === 'EIA_REPORT')!;
    expect(eia.contracts[0]).toMatchObject({ provider: 'P_GREEN_ENV', committedDays: 30, dayKind: 'calendar', dueOn: '2026-04-01', regulator: 'EEB' });
    const soil = v.services.find((s) => s.serviceType === 'SOIL_WATER_PLAN')!;
    const sel = soil.contracts[0]!.selection;
    expect(sel).toMatchObject({ method: 'randomDraw', candidates: ['P_HENGYUAN_WATER', 'P_HUAZHONG_ENV'], seed: 'app-intermediary-1/SOIL_WATER_PLAN/1' });
    const drawnProvider = sel.candidates![draw(sel.seed!, 2)]!;
    expect(soil.contracts[0]).toMatchObject({ provider: drawnProvider, dueOn: '2026-03-22', regulator: 'WRB' });
    const other = sel.candidates!.find((c) => c !== drawnProvider)!;

    // The EIA report arrives on time and is accepted at 10:00 on 26 Mar: LY07 starts that instant.
    await sleepUntil(suite.env, '2026-03-25T15:00:00+08:00');
    await h.executeUpdate(deliverUpdate, { args: [{ actor: provider('P_GREEN_ENV'), serviceType: 'EIA_REPORT', note: '报告书（送审稿）' }] });
    await sleepUntil(suite.env, '2026-03-26T10:00:00+08:00');
    expect((await refusal(h.executeUpdate(reviewDeliverableUpdate, { args: [{ actor: officer('WRB'), serviceType: 'EIA_REPORT', decision: 'accept', note: '' }] }))).code).toBe('WRONG_DEPARTMENT');
    v = await viewAfter(h, h.executeUpdate(reviewDeliverableUpdate, { args: [{ actor: officer('EEB'), serviceType: 'EIA_REPORT', decision: 'accept', note: '技术审查通过' }] }));
    // 15 working days from 26 Mar: 27, 30, 31 Mar, 1–3 Apr, (清明 4–6), 7–10, 13–17 Apr.
    expect(matter(v, 'LY07')).toMatchObject({ status: 'inProgress', acceptedAt: expect.stringMatching(/^2026-03-26T10:00/), dueOn: '2026-04-17' });

    // The soil-and-water provider was late: warned on 20 Mar, overdue after 22 Mar, its regulator told after 23 Mar.
    const soilLevels = v.events
      .filter((e) => e.kind === 'serviceLevelChanged' && e.data!.serviceType === 'SOIL_WATER_PLAN')
      .map((e) => [e.data!.to, e.at.slice(0, 16), (e.data!.notify as string[]).join(',')]);
    expect(soilLevels).toEqual([
      ['warning', '2026-03-20T00:00', `applicant,provider ${drawnProvider}`],
      ['overdue', '2026-03-23T00:00', `applicant,provider ${drawnProvider}`],
      ['regulator', '2026-03-24T00:00', 'regulator WRB'],
    ]);
    expect((await refusal(h.executeUpdate(replaceProviderUpdate, { args: [{ actor: applicant, serviceType: 'EIA_REPORT', selection: { method: 'randomDraw' }, reason: 'x' }] }))).message).toMatch(
      /has no provider at work to replace/,
    );
    expect((await refusal(h.executeUpdate(replaceProviderUpdate, { args: [{ actor: applicant, serviceType: 'SOIL_WATER_PLAN', selection: { method: 'direct', provider: drawnProvider }, reason: 'x' }] }))).message).toBe(
      `provider ${drawnProvider} is the one being replaced on SOIL_WATER_PLAN`,
    );
    // A new draw leaves the late provider out: only the other candidate remains.
    v = await viewAfter(h, h.executeUpdate(replaceProviderUpdate, {
      args: [{ actor: applicant, serviceType: 'SOIL_WATER_PLAN', selection: { method: 'randomDraw' }, reason: '原中介机构逾期未交付' }],
    }));
    expect(v.services.find((s) => s.serviceType === 'SOIL_WATER_PLAN')!.contracts[1]!.selection).toMatchObject({ candidates: [other] });
    const replaced = v.services.find((s) => s.serviceType === 'SOIL_WATER_PLAN')!;
    expect(replaced.contracts.map((c) => [c.contractId, c.provider, c.status, c.level])).toEqual([
      ['SOIL_WATER_PLAN', drawnProvider, 'terminated', 'regulator'],
      ['SOIL_WATER_PLAN#2', other, 'open', 'normal'],
    ]);
    expect(replaced.contracts[1]!.dueOn).toBe('2026-04-15'); // replaced on 26 Mar, 20 calendar days

    // Delivered, returned for rework (5 calendar days), delivered again, accepted: LY08 starts then.
    await sleepUntil(suite.env, '2026-04-10T16:00:00+08:00');
    await h.executeUpdate(deliverUpdate, { args: [{ actor: provider(other), serviceType: 'SOIL_WATER_PLAN', note: '' }] });
    await sleepUntil(suite.env, '2026-04-13T10:00:00+08:00');
    v = await viewAfter(h, h.executeUpdate(reviewDeliverableUpdate, {
      args: [{ actor: officer('WRB'), serviceType: 'SOIL_WATER_PLAN', decision: 'return', reasons: ['弃渣场选址论证不足', '缺少水土流失监测方案'] }],
    }));
    expect(v.services.find((s) => s.serviceType === 'SOIL_WATER_PLAN')!.contracts[1]).toMatchObject({ status: 'open', dueOn: '2026-04-18', returns: [{ reworkDays: 5 }] });
    expect(matter(v, 'LY08').status).toBe('waitingPrerequisites');
    await sleepUntil(suite.env, '2026-04-16T11:00:00+08:00');
    await h.executeUpdate(deliverUpdate, { args: [{ actor: applicant, serviceType: 'SOIL_WATER_PLAN', note: '修改稿' }] });
    await sleepUntil(suite.env, '2026-04-17T10:00:00+08:00');
    v = await viewAfter(h, h.executeUpdate(reviewDeliverableUpdate, { args: [{ actor: officer('WRB'), serviceType: 'SOIL_WATER_PLAN', decision: 'accept', note: '' }] }));
    // 10 working days from 17 Apr: 20–24, 27–30 Apr, (劳动节 1–5 May), 6 May.
    expect(matter(v, 'LY08')).toMatchObject({ status: 'inProgress', acceptedAt: expect.stringMatching(/^2026-04-17T10:00/), dueOn: '2026-05-06' });

    // Intermediary time apart: EIA (owner-commissioned) 24 days; soil and water (government-
    // commissioned in this process, so approval time) 46 days including the replaced provider.
    expect(intermediaryFigures(v.accounting.intermediary)).toEqual(REWORKED_INTERMEDIARY);
    await approveRunning(h);
    await recordHistory(h, 'intermediary-v3');
  });

  it('refuses a provider whose qualification has expired', async () => {
    const h = await suite.start('GOV_INVESTMENT', { materials: without('M_COMPLETION_SURVEY') });
    const r = await refusal(h.executeUpdate(chooseProviderUpdate, { args: [{ actor: applicant, serviceType: 'COMPLETION_SURVEY', selection: { method: 'direct', provider: 'P_OLD_SURVEY' } }] }));
    expect(r).toEqual({ code: 'INVALID_INPUT', message: "provider P_OLD_SURVEY's qualification for COMPLETION_SURVEY expired on 2025-06-30" });
    const bid = await viewAfter(h, h.executeUpdate(chooseProviderUpdate, {
      args: [{ actor: applicant, serviceType: 'COMPLETION_SURVEY', selection: { method: 'bidding', bids: [{ provider: 'P_ZHONGJIAN_SURVEY', quoteYuan: 38000 }] } }],
    }));
    expect(bid.services.find((s) => s.serviceType === 'COMPLETION_SURVEY')!.contracts[0]).toMatchObject({ provider: 'P_ZHONGJIAN_SURVEY', selection: { method: 'bidding' } });
  });

});
