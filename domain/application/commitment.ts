import type { CommitInput, LiftHoldInput, VerifyInput } from '../../contracts/actions';
import { ActionRefused } from '../errors';
import { SYSTEM, type Actor, type ApplicationInput, type MatterState } from '../types';
import { actorLabel, DECIDED, describeStatus, matterFor, requireApplicant, requireOfficerOf, requireRunning, requireText } from './checks';
import type { Application } from './core';
import { hold, nextSideMilestone, restart, sideDueOn, startSideClock, updateSideLevel } from './matter-clock';

// 告知承诺制: approval on the applicant's written commitment. The matter is decided within one
// working day of acceptance without substantive review; its result issues and later matters may
// use it; a verification (核查) clock then runs. A false commitment revokes the result, flags or
// holds the matters that used it, and records a credit entry (失信) against the applicant.

/** The working days a committed matter has from acceptance to its decision. */
export const COMMITTED_LIMIT_DAYS = 1;

/** Statuses in which the applicant may still opt in: the matter has not been accepted yet. */
const BEFORE_ACCEPTANCE: ReadonlySet<MatterState['status']> = new Set(['pending', 'intake', 'waitingPrerequisites']);

/** The commitments made with the start, for matters whose catalogue allows it (the API refused the others). */
export function commitAtStart(app: Application, input: ApplicationInput, now: number) {
  // The commitment is the applicant's, signed by whoever started the application for it.
  const by = input.startedBy ? { id: input.startedBy.id, role: input.startedBy.role, ...(input.startedBy.role === 'agent' ? { onBehalfOf: input.applicant.id } : {}) } : { id: input.applicant.id, role: 'applicant' as const };
  for (const c of input.commitments ?? []) {
    const m = app.state.matters[c.matter];
    if (!m || !app.def(m.code).commitment || m.commitment) continue;
    record(app, m, c.statement, by, now);
  }
}

function record(app: Application, m: MatterState, statement: string, actor: Actor, now: number) {
  const conditions = app.def(m.code).commitment!.text;
  const by = actorLabel(actor);
  m.commitment = { conditions, statement, by, at: now };
  app.record(now, 'commitmentMade', actor, { matter: m.code, reason: statement, data: { conditions, by } });
}

export function checkCommit(app: Application, a: CommitInput) {
  requireRunning(app);
  requireApplicant(app, a.actor, 'commit on a matter');
  const m = matterFor(app, a.matter);
  if (!app.def(m.code).commitment) throw new ActionRefused('COMMITMENT_NOT_ALLOWED', `matter ${m.code} is not approved on commitment (告知承诺制)`);
  if (m.commitment) throw new ActionRefused('INVALID_STATE', `the applicant already committed on matter ${m.code}`);
  if (!BEFORE_ACCEPTANCE.has(m.status)) throw new ActionRefused('INVALID_STATE', `matter ${m.code} is ${describeStatus(m)}; a commitment is made before acceptance`);
  requireText(a.statement, 'a commitment needs the applicant’s signed statement');
}

export function commit(app: Application, a: CommitInput, now: number) {
  checkCommit(app, a);
  record(app, app.state.matters[a.matter]!, a.statement, a.actor, now);
  app.advance(now);
}

/** The result of a committed matter issued: its verification clock starts. */
export function startVerification(app: Application, m: MatterState, now: number) {
  const policy = app.def(m.code).commitment;
  if (!m.commitment || !policy || m.verification) return;
  m.verification = { ...startSideClock(now, policy.verificationDays), startedAt: now, outcome: null };
  app.record(now, 'verificationStarted', SYSTEM, { matter: m.code, data: { workingDays: policy.verificationDays, dueOn: sideDueOn(app, m.verification) } });
}

/** Verifications not yet concluded: the workflow runs on for them after the application ends. */
export function openVerifications(app: Application): MatterState[] {
  return Object.values(app.state.matters).filter((m) => m.verification && m.verification.outcome === null);
}

export function checkVerify(app: Application, a: VerifyInput) {
  const m = matterFor(app, a.matter);
  requireOfficerOf(a.actor, m.department, `matter ${m.code}`, 'verify the commitment on');
  if (!m.verification) throw new ActionRefused('INVALID_STATE', `matter ${m.code} has no commitment under verification`);
  if (m.verification.outcome) throw new ActionRefused('INVALID_STATE', `the commitment on matter ${m.code} was already found ${m.verification.outcome.kind}`);
  requireText(a.reason, 'a verification outcome needs its reason');
}

export function verify(app: Application, a: VerifyInput, now: number) {
  checkVerify(app, a);
  const m = app.state.matters[a.matter]!;
  const v = m.verification!;
  updateVerificationLevel(app, m, now);
  const by = actorLabel(a.actor);
  v.outcome = { kind: a.outcome, at: now, by, reason: a.reason };
  if (a.outcome === 'confirmed') {
    app.record(now, 'commitmentConfirmed', a.actor, { matter: m.code, reason: a.reason, data: { onTime: v.level === 'normal' || v.level === 'warning' } });
  } else {
    app.record(now, 'commitmentFalse', a.actor, { matter: m.code, reason: a.reason });
    m.revoked = { at: now, by, reason: a.reason };
    app.record(now, 'resultRevoked', a.actor, { matter: m.code, reason: a.reason, data: { result: m.decision?.result ?? null } });
    affectDependents(app, m, now);
    app.record(now, 'creditRecorded', SYSTEM, {
      matter: m.code,
      reason: a.reason,
      data: { applicant: app.state.input.applicant.id, applicantName: app.state.input.applicant.name, kind: 'falseCommitment' },
    });
  }
  app.advance(now);
}

/** Every matter that used the revoked one, directly or through another. */
function dependentsOf(app: Application, code: string): MatterState[] {
  const out = new Set<string>();
  const visit = (c: string) => {
    for (const m of Object.values(app.state.matters)) {
      if (!out.has(m.code) && app.def(m.code).prerequisites.includes(c)) {
        out.add(m.code);
        visit(m.code);
      }
    }
  };
  visit(code);
  return [...out].map((c) => app.state.matters[c]!);
}

/**
 * The catalogue's `dependents`, for the matters that name the revoked one as a prerequisite:
 * `flag` marks them and they carry on; `suspend` holds the clock of those under way until their
 * department lifts the hold, holds those not yet running as soon as their clock runs (accepted, or
 * restarted after a stop), and marks those already decided (an issued result cannot be held).
 * Matters further down that have already started are marked too (they built on it); those not
 * started yet are left alone.
 */
function affectDependents(app: Application, revoked: MatterState, now: number) {
  const policy = app.def(revoked.code).commitment!;
  const reason = `prerequisite ${revoked.code}'s result was revoked: the commitment on it was false`;
  for (const d of dependentsOf(app, revoked.code)) {
    const direct = app.def(d.code).prerequisites.includes(revoked.code);
    if (d.status === 'cancelled' || (!direct && d.status === 'pending')) continue;
    const suspend = direct && policy.dependents === 'suspend' && !DECIDED.has(d.status);
    if (suspend && d.status === 'inProgress') {
      hold(app, d, now, revoked.code, reason);
      continue;
    }
    (d.flags ??= []).push({ at: now, source: revoked.code, reason });
    app.record(now, 'dependentFlagged', SYSTEM, { matter: d.code, reason, data: { source: revoked.code, ...(suspend ? { heldWhenRunning: true } : {}) } });
    if (suspend) d.holdPending = { source: revoked.code, reason };
  }
}


export function checkLiftHold(app: Application, a: LiftHoldInput) {
  requireRunning(app);
  const m = matterFor(app, a.matter);
  requireOfficerOf(a.actor, m.department, `matter ${m.code}`, 'lift the hold on');
  const open = m.stops.at(-1);
  if (m.status !== 'suspended' || !open || open.to !== null || open.kind !== 'hold') {
    throw new ActionRefused('INVALID_STATE', `matter ${m.code} is not held for a revoked prerequisite (it is ${describeStatus(m)})`);
  }
  requireText(a.reason, 'lifting a hold needs its reason');
}

export function liftHold(app: Application, a: LiftHoldInput, now: number) {
  checkLiftHold(app, a);
  const m = app.state.matters[a.matter]!;
  app.record(now, 'holdLifted', a.actor, { matter: m.code, reason: a.reason, data: { source: m.stops.at(-1)!.source ?? null } });
  restart(app, m, now, a.actor, a.reason);
  app.advance(now);
}

/** Time's rules for verifications: their levels. */
export function stepVerifications(app: Application, now: number) {
  for (const m of openVerifications(app)) updateVerificationLevel(app, m, now);
}

/** Records each level the verification clock has reached since it last moved, at its rule's instant. */
function updateVerificationLevel(app: Application, m: MatterState, now: number) {
  const v = m.verification!;
  updateSideLevel(app, v, app.since(v.startedAt), now, (at, from, to) => app.record(at, 'verificationLevelChanged', SYSTEM, { matter: m.code, data: { from, to } }));
}

/** The next instants at which a verification changes level. */
export function verificationWakes(app: Application, now: number): number[] {
  return openVerifications(app)
    .map((m) => nextSideMilestone(app, m.verification!, now))
    .filter((x): x is number => x !== null);
}
