import { describe, expect, it } from 'vitest';
import { Application, type EngineRules } from '../../domain/application/core';
import { ActionRefused } from '../../domain/errors';
import { viewApplication } from '../../domain/view';
import type { ApplicationInput } from '../../domain/types';
import { allMaterials, applicant, applicationInput, officer } from '../helpers/temporal';

const at = (iso: string) => Date.parse(iso);
const START = at('2026-03-02T09:00:00+08:00');
const without = (...codes: string[]) => allMaterials('GOV_INVESTMENT').filter((m) => !codes.includes(m));

/** Lets time run to `until` the way the workflow does: a wake at every instant that matters, each a little late. */
function runUntil(app: Application, until: number): void {
  for (let wake = app.nextWakeAt(START); wake !== null && wake + 1200 <= until && !app.ended; ) {
    app.advance(wake + 1200);
    wake = app.nextWakeAt(wake + 1200);
  }
  app.advance(until);
}

/**
 * Government investment without the soil-and-water plan: LY08 waits for it, and provider
 * P_HENGYUAN_WATER is contracted on 2 Mar for 20 calendar days (due 22 Mar; warned from 20 Mar,
 * overdue from 23 Mar, its regulator told from 24 Mar, the supervision office from 28 Mar).
 */
function contracted(input: ApplicationInput = applicationInput('GOV_INVESTMENT', { materials: without('M_SOIL_WATER_PLAN') }), rules?: EngineRules): Application {
  const app = new Application(input, START, rules);
  app.advance(START);
  app.act('chooseProvider', { actor: applicant, serviceType: 'SOIL_WATER_PLAN', selection: { method: 'direct', provider: 'P_HENGYUAN_WATER' } }, START);
  app.advance(START);
  return app;
}

const soil = (app: Application) => app.state.services.SOIL_WATER_PLAN!;
const kinds = (app: Application, after: number) => app.state.events.filter((e) => e.seq > after).map((e) => e.kind);

describe('an application that ends closes its open contracts (pure engine)', () => {
  it('closes an open contract at the instant of a withdrawal, with the reason and an event, and its clock stops there', () => {
    const app = contracted();
    const withdrawnAt = at('2026-03-21T10:00:00+08:00');
    runUntil(app, withdrawnAt);
    expect(soil(app).contracts[0]!.level).toBe('warning');
    app.act('withdraw', { actor: applicant, reason: '项目终止' }, withdrawnAt);

    const c = soil(app).contracts[0]!;
    expect(c).toMatchObject({ status: 'cancelled', closedAt: withdrawnAt, closeReason: 'application withdrawn: 项目终止', level: 'warning' });
    expect(soil(app).status).toBe('cancelled');
    const closed = app.state.events.find((e) => e.kind === 'contractClosed')!;
    expect(closed).toMatchObject({
      at: withdrawnAt,
      actor: 'system system',
      reason: 'application withdrawn: 项目终止',
      data: { serviceType: 'SOIL_WATER_PLAN', contractId: 'SOIL_WATER_PLAN', provider: 'P_HENGYUAN_WATER', status: 'cancelled', level: 'warning', matters: ['LY08'] },
    });
    // The application's own ending stays the last event.
    expect(kinds(app, closed.seq - 1)).toEqual(['contractClosed', 'withdrawn']);
    expect(app.nextWakeAt(withdrawnAt)).toBeNull();

    // Weeks later, past every rung of the provider's ladder: nothing moved, no intermediary day counted.
    const before = viewApplication(app, withdrawnAt);
    const later = viewApplication(app, at('2026-04-20T10:00:00+08:00'));
    const service = later.services.find((s) => s.serviceType === 'SOIL_WATER_PLAN')!;
    expect(service.contracts[0]).toMatchObject({ status: 'cancelled', level: 'warning', closedAt: '2026-03-21T10:00:00.000+08:00', calendarDays: 19 });
    expect(service).toMatchObject({ status: 'cancelled', calendarDays: 19, workingDays: before.services.find((s) => s.serviceType === 'SOIL_WATER_PLAN')!.workingDays });
    expect(later.accounting.intermediary).toEqual(before.accounting.intermediary);
    expect(later.accounting.intermediary.governmentCommissioned.calendarDays).toBe(19);
    expect(later.events.length).toBe(before.events.length);
  });

  it('closes an open contract when a rejected milestone ends the application', () => {
    const app = contracted();
    const rejectedAt = at('2026-03-10T15:00:00+08:00');
    runUntil(app, rejectedAt);
    app.act('reject', { actor: officer('NRP'), matter: 'LY04', reason: '选址位于永久基本农田保护区内' }, rejectedAt);
    expect(app.state.status).toBe('rejected');
    expect(soil(app).contracts[0]).toMatchObject({ status: 'cancelled', closedAt: rejectedAt, closeReason: 'application rejected on matter LY04', level: 'normal' });
    const closed = app.state.events.find((e) => e.kind === 'contractClosed')!;
    expect(closed).toMatchObject({ at: rejectedAt, reason: 'application rejected on matter LY04' });
    expect(kinds(app, closed.seq - 1)).toEqual(['contractClosed', 'applicationRejected']);
  });

  it('closes a delivered contract awaiting review too, keeping its delivery for the provider’s record', () => {
    const app = contracted();
    const deliveredAt = at('2026-03-18T16:00:00+08:00');
    runUntil(app, deliveredAt);
    app.act('deliver', { actor: { id: 'P_HENGYUAN_WATER', role: 'provider' }, serviceType: 'SOIL_WATER_PLAN', note: '' }, deliveredAt);
    const withdrawnAt = at('2026-03-19T09:00:00+08:00');
    app.act('withdraw', { actor: applicant, reason: '项目终止' }, withdrawnAt);
    const v = viewApplication(app, at('2026-04-20T10:00:00+08:00')).services.find((s) => s.serviceType === 'SOIL_WATER_PLAN')!;
    expect(v.contracts[0]).toMatchObject({ status: 'cancelled', closedAt: '2026-03-19T09:00:00.000+08:00', deliveredOnTime: true });
    expect(v.contracts[0]!.deliveries).toHaveLength(1);
  });

  it('closes the contract of a service no matter needs any more while the application runs on, and refuses a new provider for it', () => {
    // Stage 1 completes on any milestone, so the application survives LY04's rejection; LY02 (the
    // only matter needing the feasibility study) is then cancelled for its failed prerequisite.
    const input = applicationInput('GOV_INVESTMENT', { materials: without('M_FEASIBILITY', 'M_SOIL_WATER_PLAN') });
    input.snapshot = { ...input.snapshot, stages: input.snapshot.stages.map((s, i) => (i === 0 ? { ...s, completion: 'any' as const } : s)) };
    const app = contracted(input);
    app.act('chooseProvider', { actor: applicant, serviceType: 'FEASIBILITY_DRAFTING', selection: { method: 'direct', provider: 'P_XIANGJIANG_ENG' } }, START);
    const rejectedAt = at('2026-03-04T11:00:00+08:00');
    runUntil(app, rejectedAt);
    app.act('reject', { actor: officer('NRP'), matter: 'LY04', reason: '用地不符合规划' }, rejectedAt);

    expect(app.state.status).toBe('running');
    expect(app.state.matters.LY02!.status).toBe('cancelled');
    const feasibility = app.state.services.FEASIBILITY_DRAFTING!;
    const reason = 'no matter needs FEASIBILITY_DRAFTING any more (LY02 cancelled)';
    expect(feasibility.contracts[0]).toMatchObject({ status: 'cancelled', closedAt: rejectedAt, closeReason: reason });
    expect(app.state.events.filter((e) => e.kind === 'contractClosed').map((e) => [e.at, e.reason])).toEqual([[rejectedAt, reason]]);
    // The soil-and-water plan is still needed by LY08: its contract runs on.
    expect(soil(app).contracts[0]!.status).toBe('open');

    // Its time stops at the close, and its clock raises no level later.
    const accountAt = at('2026-04-30T10:00:00+08:00');
    runUntil(app, accountAt);
    expect(app.state.events.filter((e) => e.kind === 'serviceLevelChanged' && e.data!.serviceType === 'FEASIBILITY_DRAFTING')).toEqual([]);
    const v = viewApplication(app, accountAt).services.find((s) => s.serviceType === 'FEASIBILITY_DRAFTING')!;
    expect(v.calendarDays).toBe(2.1);

    let refusal: unknown;
    try {
      app.check('chooseProvider', { actor: applicant, serviceType: 'FEASIBILITY_DRAFTING', selection: { method: 'randomDraw' } }, accountAt);
    } catch (e) {
      refusal = e;
    }
    expect(refusal).toBeInstanceOf(ActionRefused);
    expect((refusal as ActionRefused).message).toBe(`service FEASIBILITY_DRAFTING needs no provider now: its contract was closed (${reason})`);
  });

  it('refuses a provider for a service no matter needs any more, before any contract', () => {
    const input = applicationInput('GOV_INVESTMENT', { materials: without('M_FEASIBILITY') });
    input.snapshot = { ...input.snapshot, stages: input.snapshot.stages.map((s, i) => (i === 0 ? { ...s, completion: 'any' as const } : s)) };
    const app = new Application(input, START);
    app.advance(START);
    app.act('reject', { actor: officer('NRP'), matter: 'LY04', reason: '用地不符合规划' }, START);
    expect(() => app.check('chooseProvider', { actor: applicant, serviceType: 'FEASIBILITY_DRAFTING', selection: { method: 'randomDraw' } }, START)).toThrow(
      'service FEASIBILITY_DRAFTING needs no provider now: no matter needs FEASIBILITY_DRAFTING any more (LY02 cancelled)',
    );
  });

  it('leaves contracts open on histories recorded before the close-contracts patch, as they ran', () => {
    const app = contracted(undefined, { servicesGate: true, closeContracts: false, levelsAtRuleInstant: false, reformInstruments: false });
    const withdrawnAt = at('2026-03-21T10:00:00+08:00');
    runUntil(app, withdrawnAt);
    app.act('withdraw', { actor: applicant, reason: '项目终止' }, withdrawnAt);
    expect(soil(app).contracts[0]).toMatchObject({ status: 'open', closedAt: null });
    expect(app.state.events.some((e) => e.kind === 'contractClosed')).toBe(false);
    // The view of such an application still counts nothing after its end and raises no level.
    const v = viewApplication(app, at('2026-04-20T10:00:00+08:00')).services.find((s) => s.serviceType === 'SOIL_WATER_PLAN')!;
    expect(v.contracts[0]).toMatchObject({ level: 'warning', calendarDays: 19 });
    expect(v.calendarDays).toBe(19);
  });
});
