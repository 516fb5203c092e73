import type { ApproveInput, EndSpecialProcedureInput, ExtendInput, RejectInput, StartSpecialProcedureInput, SupplementInput } from '../../contracts/actions';
import { addWorkingDays } from '../calendar';
import { ActionRefused } from '../errors';
import { shanghaiDate } from '../time';
import { SYSTEM } from '../types';
import { actorLabel, describeStatus, officerMatter, requireStatus, requireText } from './checks';
import type { Application } from './core';
import { decide, isPastDeadline, restart, stop } from './matter-clock';
import { checkJointApproval } from './joint';
import { checkSupplementCap, withdrawalSchedule } from './remedies';
import { issueResult } from './stages';

// The department officer's actions on a matter under way: decide it, stop or extend its clock.

export function checkApprove(app: Application, a: ApproveInput) {
  const m = officerMatter(app, a.actor, a.matter, 'approve');
  requireStatus(m, ['inProgress'], 'approve');
  checkJointApproval(m);
}

export function approve(app: Application, a: ApproveInput, now: number) {
  checkApprove(app, a);
  const m = app.state.matters[a.matter]!;
  const result = { title: a.result.title ?? app.def(m.code).result, number: a.result.number };
  decide(app, m, now, { kind: 'approved', at: now, by: actorLabel(a.actor), reason: a.reason, result });
  app.record(now, 'approved', a.actor, { matter: m.code, reason: a.reason, data: { result } });
  if (m.deferred.some((d) => d.suppliedAt === null)) {
    app.record(now, 'resultHeld', SYSTEM, { matter: m.code, reason: '容缺 items outstanding', data: { items: m.deferred.filter((d) => d.suppliedAt === null).map((d) => d.material) } });
  } else {
    issueResult(app, m, now);
  }
  app.advance(now);
}

export function checkReject(app: Application, a: RejectInput) {
  const m = officerMatter(app, a.actor, a.matter, 'reject');
  requireText(a.reason, 'a rejection (不予许可) needs its reason');
  requireStatus(m, ['intake', 'waitingPrerequisites', 'inProgress', 'suspended'], 'reject');
}

export function reject(app: Application, a: RejectInput, now: number) {
  checkReject(app, a);
  const m = app.state.matters[a.matter]!;
  decide(app, m, now, { kind: 'rejected', at: now, by: actorLabel(a.actor), reason: a.reason });
  app.record(now, 'rejected', a.actor, { matter: m.code, reason: a.reason });
  app.advance(now);
}

export function checkSupplement(app: Application, a: SupplementInput) {
  const m = officerMatter(app, a.actor, a.matter, 'request a supplement');
  requireStatus(m, ['inProgress'], 'request a supplement for');
  requireText(a.reason, 'a supplement request needs its reason');
  if (a.items.length === 0) throw new ActionRefused('INVALID_INPUT', 'a supplement request lists at least one material');
  const known = new Set(app.def(m.code).materials.map((x) => x.code));
  const unknown = a.items.filter((i) => !known.has(i));
  if (unknown.length) {
    throw new ActionRefused('INVALID_INPUT', `items ${unknown.join(', ')} are not on matter ${m.code}'s material list (${[...known].join(', ')})`);
  }
  checkSupplementCap(app, m, a.approvedBy);
}

export function requestSupplement(app: Application, a: SupplementInput, now: number) {
  checkSupplement(app, a);
  const m = app.state.matters[a.matter]!;
  const items = [...new Set(a.items)];
  const approvedBy = a.approvedBy?.trim() && m.stops.some((s) => s.kind === 'supplement') ? a.approvedBy.trim() : undefined;
  stop(app, m, now, { kind: 'supplement', from: now, to: null, reason: a.reason, by: actorLabel(a.actor), items, ...(approvedBy ? { approvedBy } : {}) });
  m.owedForSupplement = items;
  const withdrawal = withdrawalSchedule(app, m);
  app.record(now, 'supplementRequested', a.actor, {
    matter: m.code,
    reason: a.reason,
    data: { items, ...(approvedBy ? { approvedBy } : {}), ...(withdrawal ? { deemedWithdrawnAfter: withdrawal.withdrawnOn } : {}) },
  });
}

export function checkStartSpecial(app: Application, a: StartSpecialProcedureInput) {
  const m = officerMatter(app, a.actor, a.matter, 'start a special procedure');
  requireStatus(m, ['inProgress'], 'start a special procedure on');
  requireText(a.reason, 'a special procedure needs its reason');
  if (!Number.isInteger(a.expectedWorkingDays) || a.expectedWorkingDays < 1) {
    throw new ActionRefused('INVALID_INPUT', 'expectedWorkingDays must be a whole number of working days ≥ 1 (the applicant is told it in writing)');
  }
  const allowed = app.def(m.code).specialProcedures;
  if (!allowed.includes(a.kind)) {
    throw new ActionRefused('INVALID_INPUT', `matter ${m.code} allows no ${a.kind}; its special procedures are: ${allowed.join(', ') || 'none'}`);
  }
}

export function startSpecialProcedure(app: Application, a: StartSpecialProcedureInput, now: number) {
  checkStartSpecial(app, a);
  const m = app.state.matters[a.matter]!;
  stop(app, m, now, { kind: 'specialProcedure', procedure: a.kind, from: now, to: null, reason: a.reason, by: actorLabel(a.actor), expectedWorkingDays: a.expectedWorkingDays });
  // Art. 45: the applicant is told the expected time in writing.
  app.record(now, 'specialProcedureStarted', a.actor, {
    matter: m.code,
    reason: a.reason,
    data: { procedure: a.kind, expectedWorkingDays: a.expectedWorkingDays, applicantToldExpectedEndOn: app.tryDate(() => addWorkingDays(app.cal, shanghaiDate(now), a.expectedWorkingDays)) },
  });
}

export function checkEndSpecial(app: Application, a: EndSpecialProcedureInput) {
  const m = officerMatter(app, a.actor, a.matter, 'end a special procedure');
  const open = m.stops.at(-1);
  if (m.status !== 'suspended' || !open || open.to !== null || open.kind !== 'specialProcedure') {
    throw new ActionRefused('INVALID_STATE', `matter ${m.code} has no special procedure under way (it is ${describeStatus(m)})`);
  }
}

export function endSpecialProcedure(app: Application, a: EndSpecialProcedureInput, now: number) {
  checkEndSpecial(app, a);
  restart(app, app.state.matters[a.matter]!, now, a.actor, a.reason);
  app.advance(now);
}

export function checkExtend(app: Application, a: ExtendInput, now: number) {
  const m = officerMatter(app, a.actor, a.matter, 'extend');
  requireStatus(m, ['inProgress', 'suspended'], 'extend');
  requireText(a.reason, 'an extension (延期) needs its reason');
  requireText(a.approvedBy, 'an extension names the department head who approved it');
  const legal = app.def(m.code).extensionDays;
  if (m.extension) throw new ActionRefused('INVALID_STATE', `matter ${m.code} was already extended once, on ${shanghaiDate(m.extension.at)}`);
  if (legal === 0) throw new ActionRefused('INVALID_INPUT', `matter ${m.code} allows no extension by law`);
  if (a.days > legal) throw new ActionRefused('INVALID_INPUT', `matter ${m.code} may be extended by at most ${legal} working days, not ${a.days}`);
  if (isPastDeadline(app, m, now)) {
    throw new ActionRefused('INVALID_STATE', `matter ${m.code} is already overdue; an extension must be asked for before the deadline`);
  }
}

export function extend(app: Application, a: ExtendInput, now: number) {
  checkExtend(app, a, now);
  const m = app.state.matters[a.matter]!;
  m.clock = { ...m.clock!, limitDays: m.clock!.limitDays + a.days };
  m.extension = { days: a.days, approvedBy: a.approvedBy, reason: a.reason, at: now };
  app.record(now, 'extended', a.actor, { matter: m.code, reason: a.reason, data: { days: a.days, approvedBy: a.approvedBy } });
  app.advance(now);
}
