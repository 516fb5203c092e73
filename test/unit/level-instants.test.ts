import { describe, expect, it } from 'vitest';
import { Application, type EngineRules } from '../../domain/application/core';
import { CLOCK_LEVELS, levelChanges } from '../../domain/clock';
import { toShanghaiIso as iso } from '../../domain/time';
import { viewApplication, viewMatter } from '../../domain/view';
import { allMaterials, applicant, applicationInput, officer, supervisor } from '../helpers/temporal';

const at = (iso: string) => Date.parse(iso);
const START = at('2026-03-30T09:00:00+08:00');

/**
 * Accepted Monday 30 Mar 2026; the Qingming holiday (4–6 Apr) is not counted. LY01 (7 working
 * days: 31 Mar, 1–3 Apr, 7–9 Apr) is due 9 Apr and warns from 7 Apr (2 days left); the ladder
 * climbs at the end of 1, 3 and 5 working days after the due day. The energy report (10 working
 * days from 30 Mar, due 14 Apr) warns 2 working days before.
 */
const LY01 = [
  ['warning', '2026-04-07T00:00:00.000+08:00'],
  ['overdue', '2026-04-10T00:00:00.000+08:00'],
  ['departmentHead', '2026-04-11T00:00:00.000+08:00'],
  ['supervisionOffice', '2026-04-15T00:00:00.000+08:00'],
  ['leadership', '2026-04-17T00:00:00.000+08:00'],
] as const;
const ENERGY = [
  ['warning', '2026-04-10T00:00:00.000+08:00'],
  ['overdue', '2026-04-15T00:00:00.000+08:00'],
  ['regulator', '2026-04-16T00:00:00.000+08:00'],
  ['supervisionOffice', '2026-04-22T00:00:00.000+08:00'],
] as const;

function started(rules?: EngineRules): Application {
  const app = new Application(applicationInput('GOV_INVESTMENT', { materials: allMaterials('GOV_INVESTMENT').filter((m) => m !== 'M_ENERGY_REPORT') }), START, rules);
  app.advance(START);
  app.act('chooseProvider', { actor: applicant, serviceType: 'ENERGY_REPORT', selection: { method: 'direct', provider: 'P_LIUYANG_DESIGN' } }, START);
  app.advance(START);
  return app;
}

/** Wakes the way the workflow's timer does: `lateMs` after each instant that matters, up to `until`. */
function runUntil(app: Application, until: number, lateMs: number): void {
  for (let now = START, wake = app.nextWakeAt(now); wake !== null && wake + lateMs <= until; wake = app.nextWakeAt(now)) {
    now = wake + lateMs;
    app.advance(now);
  }
  app.advance(until);
}

const levelEvents = (app: Application, matter: string) => app.state.events.filter((e) => e.kind === 'levelChanged' && e.matter === matter).map((e) => [e.data!.to, iso(e.at)]);
const serviceEvents = (app: Application, type: string) =>
  app.state.events.filter((e) => e.kind === 'serviceLevelChanged' && e.data!.serviceType === type).map((e) => [e.data!.to, iso(e.at)]);

describe('levels change at the rule’s instant (pure engine)', () => {
  it('computes the level events from the rung instants: each rung crossed after `since` at its own instant, anything else at `now`', () => {
    const ms = [
      { level: 'warning' as const, at: 10 },
      { level: 'overdue' as const, at: 20 },
      { level: 'departmentHead' as const, at: 30 },
    ];
    expect(levelChanges(CLOCK_LEVELS, ms, 'normal', 'warning', 5, 11)).toEqual([{ level: 'warning', at: 10 }]);
    // A wake days late: one event per rung, each at its instant.
    expect(levelChanges(CLOCK_LEVELS, ms, 'normal', 'departmentHead', 5, 99)).toEqual([
      { level: 'warning', at: 10 },
      { level: 'overdue', at: 20 },
      { level: 'departmentHead', at: 30 },
    ]);
    // Rungs at or before `since` were not crossed by time alone (a restart, a calendar correction): now.
    expect(levelChanges(CLOCK_LEVELS, ms, 'normal', 'overdue', 20, 25)).toEqual([{ level: 'overdue', at: 25 }]);
    expect(levelChanges(CLOCK_LEVELS, ms, 'warning', 'overdue', 15, 25)).toEqual([{ level: 'overdue', at: 20 }]);
    // A supervision floor above the clock, and a level going down (an extension): now.
    expect(levelChanges(CLOCK_LEVELS, ms, 'warning', 'supervisionOffice', 5, 12)).toEqual([{ level: 'supervisionOffice', at: 12 }]);
    expect(levelChanges(CLOCK_LEVELS, ms, 'warning', 'normal', 5, 12)).toEqual([{ level: 'normal', at: 12 }]);
    expect(levelChanges(CLOCK_LEVELS, ms, 'warning', 'warning', 5, 12)).toEqual([]);
  });

  it('records every level change at its rule instant however late the timer fires, across the Qingming holiday', () => {
    for (const lateMs of [1, 400, 1400, 3 * 3_600_000]) {
      const app = started();
      runUntil(app, at('2026-04-25T10:00:00+08:00'), lateMs);
      expect(levelEvents(app, 'LY01')).toEqual(LY01);
      expect(serviceEvents(app, 'ENERGY_REPORT')).toEqual(ENERGY);
      expect(app.state.matters.LY01!.overdueSince).toBe(at('2026-04-10T00:00:00+08:00'));
    }
  });

  it('records each rung crossed while the worker was away at its own instant, in order', () => {
    const app = started();
    app.advance(at('2026-04-20T08:00:00+08:00'));
    expect(levelEvents(app, 'LY01')).toEqual(LY01);
    expect(serviceEvents(app, 'ENERGY_REPORT')).toEqual(ENERGY.slice(0, 3));
  });

  it('shows the new level one second after each rule instant, before any timer has fired, as advance then records it', () => {
    const app = started();
    for (const [level, instant] of LY01) {
      const asOf = Date.parse(instant) + 1000;
      const before = viewMatter(app, app.state.matters.LY01!, Date.parse(instant) - 1000);
      const view = viewMatter(app, app.state.matters.LY01!, asOf);
      expect(view.level).toBe(level);
      expect(before.level).not.toBe(level);
      app.advance(asOf);
      expect(app.state.matters.LY01!.level).toBe(level);
    }
    // The contract's level too, and the working days as of the instant asked about.
    const fresh = started();
    for (const [level, instant] of ENERGY) {
      const v = viewApplication(fresh, Date.parse(instant) + 1000);
      expect(v.services.find((s) => s.serviceType === 'ENERGY_REPORT')!.contracts[0]!.level).toBe(level);
    }
    const warned = viewMatter(fresh, fresh.state.matters.LY01!, at('2026-04-07T00:00:01+08:00'));
    expect(warned).toMatchObject({ level: 'warning', workingDaysUsed: 5, workingDaysLeft: 2 });
    const overdue = viewMatter(fresh, fresh.state.matters.LY01!, at('2026-04-10T00:00:01+08:00'));
    expect(overdue).toMatchObject({ level: 'overdue', workingDaysUsed: 8, workingDaysLeft: -1, overdueSince: '2026-04-10T00:00:00.000+08:00' });
  });

  it('keeps the supervision escalation as a floor in the view and in the events, the clock raising it at its rung', () => {
    const app = started();
    const escalatedAt = at('2026-04-08T10:00:00+08:00');
    runUntil(app, escalatedAt, 1200);
    app.act('escalate', { actor: supervisor, matter: 'LY01', reason: '群众投诉' }, escalatedAt);
    app.advance(escalatedAt);
    expect(viewMatter(app, app.state.matters.LY01!, at('2026-04-10T00:00:01+08:00')).level).toBe('departmentHead');
    expect(viewMatter(app, app.state.matters.LY01!, at('2026-04-15T00:00:01+08:00')).level).toBe('supervisionOffice');
    runUntil(app, at('2026-04-16T10:00:00+08:00'), 1200);
    expect(levelEvents(app, 'LY01')).toEqual([
      ['warning', '2026-04-07T00:00:00.000+08:00'],
      ['departmentHead', '2026-04-08T10:00:00.000+08:00'],
      ['supervisionOffice', '2026-04-15T00:00:00.000+08:00'],
    ]);
  });

  it('records a rung the timer had not yet reported before a decision or a clock stop, at its instant', () => {
    const app = started();
    runUntil(app, at('2026-04-09T12:00:00+08:00'), 1200);
    // 0.8 s after LY01's deadline, before the late timer fires.
    const decidedAt = at('2026-04-10T00:00:00.800+08:00');
    app.act('approve', { actor: officer('DRC'), matter: 'LY01', result: { number: '浏发改〔2026〕1号' }, reason: '' }, decidedAt);
    const tail = app.state.events.filter((e) => e.matter === 'LY01').slice(-3).map((e) => [e.kind, iso(e.at)]);
    expect(tail).toEqual([
      ['levelChanged', '2026-04-10T00:00:00.000+08:00'],
      ['approved', '2026-04-10T00:00:00.800+08:00'],
      ['resultIssued', '2026-04-10T00:00:00.800+08:00'],
    ]);
    expect(app.state.matters.LY01!.decision).toMatchObject({ onTime: false, dueOn: '2026-04-09' });
    // LY04 (10 working days, due 14 Apr) warns from 10 Apr: a supplement 0.5 s later records it first.
    app.act('requestSupplement', { actor: officer('NRP'), matter: 'LY04', items: ['M_SITE_MAP'], reason: '红线图坐标有误' }, at('2026-04-10T00:00:00.500+08:00'));
    expect(app.state.events.filter((e) => e.matter === 'LY04').slice(-3).map((e) => [e.kind, iso(e.at)])).toEqual([
      ['levelChanged', '2026-04-10T00:00:00.000+08:00'],
      ['clockStopped', '2026-04-10T00:00:00.500+08:00'],
      ['supplementRequested', '2026-04-10T00:00:00.500+08:00'],
    ]);
  });

  it('records a level reached on a restart at the restart, not at rungs that fell while the clock was stopped', () => {
    const app = started();
    // LY01 stops on 9 Apr (its due day, used in full): overdue when it restarts weeks later.
    runUntil(app, at('2026-04-09T10:00:00+08:00'), 1200);
    app.act('requestSupplement', { actor: officer('DRC'), matter: 'LY01', items: ['M_PROPOSAL'], reason: '补充投资估算' }, at('2026-04-09T10:00:00+08:00'));
    app.advance(at('2026-04-09T10:00:00+08:00'));
    const restartAt = at('2026-04-20T10:00:00+08:00');
    runUntil(app, restartAt, 1200);
    app.act('supplyMaterials', { actor: applicant, items: ['M_PROPOSAL'] }, restartAt);
    const after = app.state.events.filter((e) => e.kind === 'levelChanged' && e.matter === 'LY01' && e.at > at('2026-04-09T10:00:00+08:00'));
    expect(after.length).toBeGreaterThan(0);
    for (const e of after) expect(e.at).toBe(restartAt);
  });

  it('records when the timer fired on histories recorded before the levels-at-rule-instant patch, as they ran', () => {
    const app = started({ servicesGate: true, closeContracts: true, levelsAtRuleInstant: false, reformInstruments: false });
    runUntil(app, at('2026-04-12T10:00:00+08:00'), 1200);
    expect(levelEvents(app, 'LY01').slice(0, 2)).toEqual([
      ['warning', '2026-04-07T00:00:01.200+08:00'],
      ['overdue', '2026-04-10T00:00:01.200+08:00'],
    ]);
  });
});
