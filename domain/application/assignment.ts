import type { AssignInput, ClaimInput, ReleaseInput } from '../../contracts/actions';
import { ActionRefused } from '../errors';
import type { Actor, MatterState } from '../types';
import { actorLabel, officerMatter } from './checks';
import type { Application } from './core';

// Work assigned to named officers within the department: an officer claims a matter from the
// department's pool, the department head assigns and reassigns, the assignee or the head returns
// it to the pool. Once assigned, only the assignee, a colleague its out-of-office delegation names
// (the API checks the dates and sets `delegateFor`) or the head acts on the matter.

function assignable(app: Application, actor: Actor, code: string, action: string): MatterState {
  if (!app.state.reformInstruments) throw new ActionRefused('NOT_AVAILABLE', 'this application was started before work assignment existed');
  return officerMatter(app, actor, code, action, { assignment: false });
}

export function checkClaim(app: Application, a: ClaimInput) {
  const m = assignable(app, a.actor, a.matter, 'claim');
  if (m.assignee?.officer === a.actor.id) throw new ActionRefused('INVALID_STATE', `matter ${m.code} is already assigned to you`);
  if (m.assignee) throw new ActionRefused('ALREADY_ASSIGNED', `matter ${m.code} is assigned to officer ${m.assignee.officer}; the department head reassigns it`);
}

export function claim(app: Application, a: ClaimInput, now: number) {
  checkClaim(app, a);
  const m = app.state.matters[a.matter]!;
  m.assignee = { officer: a.actor.id, since: now, by: actorLabel(a.actor) };
  app.record(now, 'assigned', a.actor, { matter: m.code, data: { officer: a.actor.id, previous: null, how: 'claim' } });
}

export function checkAssign(app: Application, a: AssignInput) {
  const m = assignable(app, a.actor, a.matter, 'assign');
  if (!a.actor.head) throw new ActionRefused('NOT_PERMITTED', `only the head of department ${m.department} assigns and reassigns its matters`);
  if (m.assignee?.officer === a.officer) throw new ActionRefused('INVALID_STATE', `matter ${m.code} is already assigned to officer ${a.officer}`);
}

export function assign(app: Application, a: AssignInput, now: number) {
  checkAssign(app, a);
  const m = app.state.matters[a.matter]!;
  const previous = m.assignee?.officer ?? null;
  m.assignee = { officer: a.officer, since: now, by: actorLabel(a.actor) };
  app.record(now, 'assigned', a.actor, { matter: m.code, reason: a.reason || undefined, data: { officer: a.officer, previous, how: previous ? 'reassign' : 'assign' } });
}

export function checkRelease(app: Application, a: ReleaseInput) {
  const m = assignable(app, a.actor, a.matter, 'return to the pool');
  if (!m.assignee) throw new ActionRefused('INVALID_STATE', `matter ${m.code} is in the department's pool already`);
  if (!a.actor.head && a.actor.id !== m.assignee.officer) {
    throw new ActionRefused('NOT_PERMITTED', `matter ${m.code} is assigned to officer ${m.assignee.officer}; only that officer or the department head returns it to the pool`);
  }
}

export function release(app: Application, a: ReleaseInput, now: number) {
  checkRelease(app, a);
  const m = app.state.matters[a.matter]!;
  const previous = m.assignee!.officer;
  m.assignee = null;
  app.record(now, 'returnedToPool', a.actor, { matter: m.code, reason: a.reason || undefined, data: { officer: previous } });
}
