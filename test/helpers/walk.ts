import { Application } from '../../domain/application/core';
import { ActionRefused } from '../../domain/errors';
import { WORKING_STATUSES, type Actor, type ApplicationInput, type MatterStatus } from '../../domain/types';
import { prng } from '../../scripts/prng';
import { allMaterials, applicant, catalogue, officer, supervisor } from './temporal';
import { escalateSignalled, publishCalendar, urgeSignalled } from '../../domain/application/supervision';

export const DAY = 86_400_000;
const ACTIVE: ReadonlySet<MatterStatus> = new Set(WORKING_STATUSES);
const admin: Actor = { id: 'admin', role: 'admin' };
const provider = (id: string): Actor => ({ id, role: 'provider' });

/** Applies an action the way the workflow does: only when its check passes, then lets time's rules run. */
export function attempt(app: Application, now: number, check: () => void, apply: () => void): void {
  try {
    check();
  } catch (e) {
    if (e instanceof ActionRefused) return;
    throw e;
  }
  apply();
  app.advance(now);
}

/**
 * A seeded random walk through the engine: time moves on through every instant the workflow
 * would wake at, and each step tries one action of any user on any matter or service.
 */
export function walk(input: ApplicationInput, seed: number, steps: number, onStep?: (app: Application, now: number) => void): Application {
  const rnd = prng(seed);
  const ending = seed % 3 === 0 ? 0.2 : 0;
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  let now = Date.parse('2026-03-02T09:00:00+08:00');
  const app = new Application(input, now);
  app.advance(now);
  const materials = allMaterials(input.snapshot.code);
  const calendar2026 = catalogue.calendars.find((c) => c.year === 2026)!;

  for (let i = 0; i < steps && !app.ended; i++) {
    const target = now + Math.floor(rnd() * DAY);
    for (let wake = app.nextWakeAt(now); wake !== null && wake <= target && !app.ended; wake = app.nextWakeAt(now)) {
      now = Math.max(now, wake);
      app.advance(now);
    }
    now = target;
    app.advance(now);
    if (app.ended) break;

    const active = Object.values(app.state.matters).filter((x) => ACTIVE.has(x.status));
    const m = pick(active.length > 0 && rnd() < 0.9 ? active : Object.values(app.state.matters));
    const def = app.def(m.code);
    const by = officer(m.department);
    const service = pick([...Object.values(app.state.services).filter((x) => x.status !== 'inHand' && x.status !== 'waived'), undefined]);
    const contract = service?.contracts.at(-1);
    // [weight, action]: approvals are common; a rejection or a withdrawal ends the walk, so only some walks try them.
    const actions: [number, () => void][] = [
      [2, () => attempt(app, now, () => app.check('accept', { actor: by, matter: m.code, reason: '材料齐全' }, now), () => app.act('accept', { actor: by, matter: m.code, reason: '材料齐全' }, now))],
      [8, () => {
        const a = { actor: by, matter: m.code, result: { number: `浏审〔2026〕${i}号` }, reason: '' };
        attempt(app, now, () => app.check('approve', a, now), () => app.act('approve', a, now));
      }],
      [ending, () => attempt(app, now, () => app.check('reject', { actor: by, matter: m.code, reason: '不予许可' }, now), () => app.act('reject', { actor: by, matter: m.code, reason: '不予许可' }, now))],
      [1, () => {
        const a = { actor: by, matter: m.code, items: [pick(def.materials).code], reason: '补正' };
        attempt(app, now, () => app.check('requestSupplement', a, now), () => app.act('requestSupplement', a, now));
      }],
      [1, () => {
        if (def.specialProcedures.length === 0) return;
        const a = { actor: by, matter: m.code, kind: pick(def.specialProcedures), expectedWorkingDays: 5, reason: '现场核查' };
        attempt(app, now, () => app.check('startSpecialProcedure', a, now), () => app.act('startSpecialProcedure', a, now));
      }],
      [1, () => attempt(app, now, () => app.check('endSpecialProcedure', { actor: by, matter: m.code, reason: '' }, now), () => app.act('endSpecialProcedure', { actor: by, matter: m.code, reason: '' }, now))],
      [1, () => {
        const a = { actor: by, matter: m.code, days: 1, approvedBy: '局长', reason: '情况复杂' };
        attempt(app, now, () => app.check('extend', a, now), () => app.act('extend', a, now));
      }],
      [1, () => {
        const stage = pick(app.state.stages).code;
        const lead = input.snapshot.stages.find((s) => s.code === stage)!.leadDepartment;
        const a = { actor: officer(lead), stage, note: '' };
        attempt(app, now, () => app.check('issueMissingNotice', a, now), () => app.act('issueMissingNotice', a, now));
      }],
      [2, () => {
        const missing = materials.filter((x) => !(x in app.state.materials));
        const a = { actor: applicant, items: [pick(missing.length > 0 && rnd() < 0.8 ? missing : materials)] };
        attempt(app, now, () => app.check('supplyMaterials', a, now), () => app.act('supplyMaterials', a, now));
      }],
      [1, () => {
        urgeSignalled(app, { actor: pick([supervisor, by]), matter: m.code, note: '请加快办理' }, now);
        app.advance(now);
      }],
      [1, () => {
        escalateSignalled(app, { actor: pick([supervisor, by]), matter: m.code, reason: '超期' }, now);
        app.advance(now);
      }],
      [2, () => {
        if (!service) return;
        const a = { actor: applicant, serviceType: service.serviceType, selection: { method: 'randomDraw' as const } };
        attempt(app, now, () => app.check('chooseProvider', a, now), () => app.act('chooseProvider', a, now));
      }],
      [1, () => {
        if (!service) return;
        const a = { actor: applicant, serviceType: service.serviceType, selection: { method: 'randomDraw' as const }, reason: '逾期' };
        attempt(app, now, () => app.check('replaceProvider', a, now), () => app.act('replaceProvider', a, now));
      }],
      [2, () => {
        if (!service) return;
        const a = { actor: contract ? pick([provider(contract.provider), applicant]) : applicant, serviceType: service.serviceType, note: '' };
        attempt(app, now, () => app.check('deliver', a, now), () => app.act('deliver', a, now));
      }],
      [2, () => {
        if (!service || !contract) return;
        const a =
          rnd() < 0.5
            ? { actor: officer(contract.regulator), serviceType: service.serviceType, decision: 'accept' as const, note: '' }
            : { actor: officer(contract.regulator), serviceType: service.serviceType, decision: 'return' as const, reasons: ['需修改'] };
        attempt(app, now, () => app.check('reviewDeliverable', a, now), () => app.act('reviewDeliverable', a, now));
      }],
      [0.3, () => {
        publishCalendar(app, calendar2026, admin, now);
      }],
      [ending, () => {
        attempt(app, now, () => app.check('withdraw', { actor: applicant, reason: '项目调整' }, now), () => app.act('withdraw', { actor: applicant, reason: '项目调整' }, now));
      }],
    ];
    let r = rnd() * actions.reduce((sum, [w]) => sum + w, 0);
    for (const [w, action] of actions) {
      r -= w;
      if (r < 0) {
        action();
        break;
      }
    }
    onStep?.(app, now);
  }
  return app;
}

