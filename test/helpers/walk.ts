import { Application } from '../../domain/application';
import { ActionRefused } from '../../domain/errors';
import type { Actor, ApplicationInput } from '../../domain/types';
import { prng } from '../../scripts/prng';
import { allMaterials, applicant, catalogue, officer, supervisor } from './temporal';

export const DAY = 86_400_000;
const ACTIVE = new Set(['intake', 'waitingPrerequisites', 'inProgress', 'suspended']);
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
      [2, () => attempt(app, now, () => app.checkAccept({ actor: by, matter: m.code, reason: '材料齐全' }), () => app.accept({ actor: by, matter: m.code, reason: '材料齐全' }, now))],
      [8, () => {
        const a = { actor: by, matter: m.code, result: { number: `浏审〔2026〕${i}号` }, reason: '' };
        attempt(app, now, () => app.checkApprove(a), () => app.approve(a, now));
      }],
      [ending, () => attempt(app, now, () => app.checkReject({ actor: by, matter: m.code, reason: '不予许可' }), () => app.reject({ actor: by, matter: m.code, reason: '不予许可' }, now))],
      [1, () => {
        const a = { actor: by, matter: m.code, items: [pick(def.materials).code], reason: '补正' };
        attempt(app, now, () => app.checkSupplement(a), () => app.requestSupplement(a, now));
      }],
      [1, () => {
        if (def.specialProcedures.length === 0) return;
        const a = { actor: by, matter: m.code, kind: pick(def.specialProcedures), expectedWorkingDays: 5, reason: '现场核查' };
        attempt(app, now, () => app.checkStartSpecial(a), () => app.startSpecialProcedure(a, now));
      }],
      [1, () => attempt(app, now, () => app.checkEndSpecial({ actor: by, matter: m.code, reason: '' }), () => app.endSpecialProcedure({ actor: by, matter: m.code, reason: '' }, now))],
      [1, () => {
        const a = { actor: by, matter: m.code, days: 1, approvedBy: '局长', reason: '情况复杂' };
        attempt(app, now, () => app.checkExtend(a, now), () => app.extend(a, now));
      }],
      [1, () => {
        const stage = pick(app.state.stages).code;
        const lead = input.snapshot.stages.find((s) => s.code === stage)!.leadDepartment;
        const a = { actor: officer(lead), stage, note: '' };
        attempt(app, now, () => app.checkMissingNotice(a, now), () => app.issueMissingNotice(a, now));
      }],
      [2, () => {
        const missing = materials.filter((x) => !(x in app.state.materials));
        const a = { actor: applicant, items: [pick(missing.length > 0 && rnd() < 0.8 ? missing : materials)] };
        attempt(app, now, () => app.checkSupply(a), () => app.supply(a, now));
      }],
      [1, () => {
        app.urge({ actor: pick([supervisor, by]), matter: m.code, note: '请加快办理' }, now);
        app.advance(now);
      }],
      [1, () => {
        app.escalate({ actor: pick([supervisor, by]), matter: m.code, reason: '超期' }, now);
        app.advance(now);
      }],
      [2, () => {
        if (!service) return;
        const a = { actor: applicant, serviceType: service.serviceType, selection: { method: 'randomDraw' as const } };
        attempt(app, now, () => app.checkChooseProvider(a, now), () => app.chooseProvider(a, now));
      }],
      [1, () => {
        if (!service) return;
        const a = { actor: applicant, serviceType: service.serviceType, selection: { method: 'randomDraw' as const }, reason: '逾期' };
        attempt(app, now, () => app.checkReplaceProvider(a, now), () => app.replaceProvider(a, now));
      }],
      [2, () => {
        if (!service) return;
        const a = { actor: contract ? pick([provider(contract.provider), applicant]) : applicant, serviceType: service.serviceType, note: '' };
        attempt(app, now, () => app.checkDeliver(a), () => app.deliver(a, now));
      }],
      [2, () => {
        if (!service || !contract) return;
        const a =
          rnd() < 0.5
            ? { actor: officer(contract.regulator), serviceType: service.serviceType, decision: 'accept' as const, note: '' }
            : { actor: officer(contract.regulator), serviceType: service.serviceType, decision: 'return' as const, reasons: ['需修改'] };
        attempt(app, now, () => app.checkReview(a), () => app.reviewDeliverable(a, now));
      }],
      [0.3, () => {
        app.publishCalendar(calendar2026, admin, now);
      }],
      [ending, () => {
        attempt(app, now, () => app.checkWithdraw({ actor: applicant, reason: '项目调整' }), () => app.withdraw({ actor: applicant, reason: '项目调整' }, now));
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

