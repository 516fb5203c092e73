import { Application } from '../../domain/application/core';
import { ActionRefused } from '../../domain/errors';
import { WORKING_STATUSES, type Actor, type ApplicationInput, type MatterState, type MatterStatus } from '../../domain/types';
import { shanghaiDate } from '../../domain/time';
import { prng } from '../../scripts/prng';
import { allMaterials, applicant, catalogue, officer, supervisor } from './temporal';
import { escalateSignalled, publishCalendar, urgeSignalled } from '../../domain/application/supervision';

export const DAY = 86_400_000;
const ACTIVE: ReadonlySet<MatterStatus> = new Set(WORKING_STATUSES);
const admin: Actor = { id: 'admin', role: 'admin' };
const provider = (id: string): Actor => ({ id, role: 'provider' });
const head = (department: string): Actor => ({ id: `head-${department.toLowerCase()}`, role: 'officer', department, head: true });
/** The officer a matter is assigned to, or its department's officer while it is in the pool. */
const assigneeOf = (m: MatterState): Actor => officer(m.department, m.assignee?.officer);

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

  // An application that ended runs on while a commitment is under verification (its workflow does too).
  for (let i = 0; i < steps && !app.finished; i++) {
    const target = now + Math.floor(rnd() * DAY);
    for (let wake = app.nextWakeAt(now); wake !== null && wake <= target && !app.finished; wake = app.nextWakeAt(now)) {
      now = Math.max(now, wake);
      app.advance(now);
    }
    now = target;
    app.advance(now);
    if (app.finished) break;

    const matters = Object.values(app.state.matters);
    const active = matters.filter((x) => ACTIVE.has(x.status));
    const m = pick(active.length > 0 && rnd() < 0.9 ? active : matters);
    const def = app.def(m.code);
    // Mostly whoever may act on the matter (its assignee, else any officer of the department), now and then a colleague or the head.
    const by = rnd() < 0.8 ? assigneeOf(m) : pick([officer(m.department, `officer-${m.department.toLowerCase()}-2`), head(m.department)]);
    const verifying = pick([...matters.filter((x) => x.verification && !x.verification.outcome), undefined]);
    const joint = pick([...matters.filter((x) => x.joint && ACTIVE.has(x.status)), undefined]);
    const participant = joint && pick(joint.joint!.participants);
    const sessionOn = shanghaiDate(now + Math.floor(rnd() * 8) * DAY);
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
        // Now and then a second request with the department head's approval (the one-supplement remedy).
        const a = { actor: by, matter: m.code, items: [pick(def.materials).code], reason: '补正', ...(rnd() < 0.5 ? { approvedBy: '局长' } : {}) };
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
      // 告知承诺制: the applicant commits, the department verifies, a hold is lifted.
      [def.commitment ? 1 : 0, () => {
        const a = { actor: applicant, matter: m.code, statement: '本单位承诺符合审批条件' };
        attempt(app, now, () => app.check('commit', a, now), () => app.act('commit', a, now));
      }],
      [verifying ? 0.5 : 0, () => {
        if (!verifying) return;
        const a = { actor: officer(verifying.department), matter: verifying.code, outcome: rnd() < 0.5 ? ('false' as const) : ('confirmed' as const), reason: '现场核查' };
        attempt(app, now, () => app.check('verifyCommitment', a, now), () => app.act('verifyCommitment', a, now));
      }],
      [m.stops.at(-1)?.kind === 'hold' ? 2 : 0, () => attempt(app, now, () => app.check('liftHold', { actor: by, matter: m.code, reason: '可继续办理' }, now), () => app.act('liftHold', { actor: by, matter: m.code, reason: '可继续办理' }, now))],
      // Joint matters: the lead schedules and moves the session, participants give opinions, the applicant rectifies.
      [joint ? 1 : 0, () => {
        if (!joint) return;
        const a = { actor: assigneeOf(joint), matter: joint.code, on: sessionOn, time: '09:30', place: '项目现场' };
        attempt(app, now, () => app.check('scheduleSession', a, now), () => app.act('scheduleSession', a, now));
      }],
      [joint ? 0.5 : 0, () => {
        if (!joint) return;
        const a = { actor: assigneeOf(joint), matter: joint.code, on: sessionOn, time: '14:00', place: '项目现场', reason: '天气原因' };
        attempt(app, now, () => app.check('moveSession', a, now), () => app.act('moveSession', a, now));
      }],
      [joint ? 4 : 0, () => {
        if (!joint || !participant) return;
        const opinion = pick(['pass', 'pass', 'conditions', 'fail'] as const);
        const a = { actor: officer(participant.department), matter: joint.code, opinion, items: opinion === 'pass' ? [] : ['整改事项'], note: '' };
        attempt(app, now, () => app.check('giveOpinion', a, now), () => app.act('giveOpinion', a, now));
      }],
      [joint ? 2 : 0, () => {
        if (!joint) return;
        const a = { actor: applicant, matter: joint.code, note: '已整改' };
        attempt(app, now, () => app.check('submitRectification', a, now), () => app.act('submitRectification', a, now));
      }],
      // Work assigned to officers.
      [0.5, () => attempt(app, now, () => app.check('claimMatter', { actor: by, matter: m.code }, now), () => app.act('claimMatter', { actor: by, matter: m.code }, now))],
      [0.5, () => {
        const a = { actor: head(m.department), matter: m.code, officer: pick([`officer-${m.department.toLowerCase()}`, `officer-${m.department.toLowerCase()}-2`]), reason: '' };
        attempt(app, now, () => app.check('assignMatter', a, now), () => app.act('assignMatter', a, now));
      }],
      [0.5, () => attempt(app, now, () => app.check('returnToPool', { actor: by, matter: m.code, reason: '' }, now), () => app.act('returnToPool', { actor: by, matter: m.code, reason: '' }, now))],
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

