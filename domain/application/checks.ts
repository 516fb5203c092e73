import { ActionRefused } from '../errors';
import { OPEN_STATUSES, type Actor, type MatterState } from '../types';
import type { Application } from './core';

/** A matter still under way: its clock or its intake can move. */
export const OPEN: ReadonlySet<MatterState['status']> = new Set(OPEN_STATUSES);
/** A matter with its outcome: nothing changes it any more. */
export const DECIDED: ReadonlySet<MatterState['status']> = new Set(['approved', 'rejected', 'terminated', 'cancelled', 'withdrawn']);

export function actorLabel(a: Actor): string {
  if (a.role === 'agent' && a.onBehalfOf) return `agent ${a.id} for applicant ${a.onBehalfOf}`;
  return a.department ? `${a.role} ${a.id} (${a.department})` : `${a.role} ${a.id}`;
}

export function requireRunning(app: Application) {
  if (app.state.status !== 'running') {
    throw new ActionRefused('APPLICATION_CLOSED', `the application is ${app.state.status}; no further actions are possible`);
  }
}

export function matterFor(app: Application, code: string): MatterState {
  const m = app.state.matters[code];
  if (!m) throw new ActionRefused('UNKNOWN_MATTER', `matter ${code} is not part of this application's process ${app.snapshot.code}`);
  return m;
}

export function requireOfficerOf(actor: Actor, department: string, subject: string, verb: string) {
  if (actor.role !== 'officer') throw new ActionRefused('NOT_PERMITTED', `only an approval officer may ${verb} ${subject}; the caller's role is ${actor.role}`);
  if (actor.department !== department) {
    throw new ActionRefused(
      'WRONG_DEPARTMENT',
      `${subject} belongs to department ${department}; officer ${actor.id} of ${actor.department ?? 'no department'} may not ${verb} it`,
    );
  }
}

/**
 * The matter an officer of its department may still act on; once it is assigned, only as its
 * assignee, the assignee's delegate or the department head (unless `assignment` is false: the
 * assignment actions check their own rules).
 */
export function officerMatter(app: Application, actor: Actor, code: string, action: string, opts: { assignment?: boolean } = {}): MatterState {
  requireRunning(app);
  const m = matterFor(app, code);
  requireOfficerOf(actor, m.department, `matter ${code}`, action);
  if (DECIDED.has(m.status)) {
    throw new ActionRefused('ALREADY_DECIDED', `matter ${code} is already ${m.status}; it cannot be changed by ${action}`);
  }
  if (opts.assignment !== false) requireAssignee(app, m, actor, action);
  return m;
}

/** Refuses an officer who may not act on an assigned matter. */
export function requireAssignee(app: Application, m: MatterState, actor: Actor, action: string) {
  const a = m.assignee;
  if (!app.state.reformInstruments || !a || actor.head || actor.id === a.officer || actor.delegateFor === a.officer) return;
  throw new ActionRefused('NOT_ASSIGNED', `matter ${m.code} is assigned to officer ${a.officer}; only that officer, its delegate or the department head may ${action} it`);
}

export function requireStatus(m: MatterState, allowed: MatterState['status'][], action: string) {
  if (!allowed.includes(m.status)) {
    throw new ActionRefused('INVALID_STATE', `cannot ${action} matter ${m.code} while it is ${describeStatus(m)}`);
  }
}

export function requireApplicant(app: Application, actor: Actor, what: string) {
  const owner = app.state.input.applicant.id;
  const ok = (actor.role === 'applicant' && actor.id === owner) || (actor.role === 'agent' && actor.onBehalfOf === owner);
  // The text names no one: a caller who is not the applicant learns nothing of who is.
  if (!ok) throw new ActionRefused('NOT_PERMITTED', `only the application's applicant or its agent may ${what}`);
}

export function requireText(value: string | undefined, rule: string) {
  if (!value || !value.trim()) throw new ActionRefused('INVALID_INPUT', rule);
}

export function describeStatus(m: MatterState): string {
  if (m.status === 'suspended') {
    const s = m.stops.at(-1);
    if (s?.kind === 'supplement') return 'suspended waiting for the applicant’s supplement';
    if (s?.kind === 'rectification') return 'suspended waiting for the applicant’s rectification (整改)';
    if (s?.kind === 'hold') return `held because prerequisite ${s.source ?? ''}'s result was revoked`;
    return `suspended for a ${s?.procedure ?? 'special procedure'}`;
  }
  const words: Record<MatterState['status'], string> = {
    pending: 'not yet received (its stage has not started)',
    intake: 'in intake, waiting for missing materials',
    waitingPrerequisites: 'waiting for its prerequisites',
    inProgress: 'in progress',
    suspended: 'suspended',
    approved: 'approved',
    rejected: 'rejected',
    terminated: 'terminated',
    cancelled: 'cancelled',
    withdrawn: 'deemed withdrawn (视为撤回)',
  };
  return words[m.status];
}
