import type { EscalateInput, UrgeInput } from '../../contracts/actions';
import type { CalendarYear } from '../../catalogue/schema';
import { buildCalendar } from '../calendar';
import { CLOCK_LEVELS, higherLevel, levelRank } from '../clock';
import { ActionRefused } from '../errors';
import type { Actor } from '../types';
import { actorLabel, OPEN } from './checks';
import type { Application } from './core';
import { dateDeferred, noticeDueOn } from './intake';
import { updateLevel } from './matter-clock';

// The supervision office (督办, 升级) and the administration's calendar.

/** Refuses a supervision action that cannot apply: only the office, on an open matter of a running application. */
export function checkSupervision(app: Application, actor: Actor, code: string) {
  if (actor.role !== 'supervisor') throw new ActionRefused('NOT_PERMITTED', 'only the supervision office may urge or escalate');
  if (app.state.status !== 'running') throw new ActionRefused('APPLICATION_CLOSED', `the application is ${app.state.status}`);
  const m = app.state.matters[code];
  if (!m) throw new ActionRefused('UNKNOWN_MATTER', `matter ${code} is not part of this application`);
  if (!OPEN.has(m.status)) throw new ActionRefused('ALREADY_DECIDED', `matter ${code} is already ${m.status}`);
}

/** Why a supervision action cannot apply, or null: the signals of older histories record it as a refusal. */
export function supervisionRefusal(app: Application, actor: Actor, code: string): string | null {
  try {
    checkSupervision(app, actor, code);
    return null;
  } catch (e) {
    if (e instanceof ActionRefused) return e.message;
    throw e;
  }
}

export function checkUrge(app: Application, a: UrgeInput) {
  checkSupervision(app, a.actor, a.matter);
}

export function urge(app: Application, a: UrgeInput, now: number) {
  checkUrge(app, a);
  const m = app.state.matters[a.matter]!;
  m.urges.push({ at: now, by: actorLabel(a.actor), note: a.note });
  app.record(now, 'urged', a.actor, { matter: m.code, reason: a.note });
}

export function checkEscalate(app: Application, a: EscalateInput) {
  checkSupervision(app, a.actor, a.matter);
}

export function escalate(app: Application, a: EscalateInput, now: number) {
  checkEscalate(app, a);
  const m = app.state.matters[a.matter]!;
  const rank = Math.max(levelRank(m.level), levelRank('overdue'));
  const next = CLOCK_LEVELS[Math.min(rank + 1, CLOCK_LEVELS.length - 1)]!;
  m.escalatedTo = higherLevel(m.escalatedTo, next);
  app.record(now, 'escalated', a.actor, { matter: m.code, reason: a.reason, data: { to: next } });
  updateLevel(app, m, now);
}

/** The urge signal of older histories (kept for replay): a refused urge is recorded, not thrown. */
export function urgeSignalled(app: Application, a: UrgeInput, now: number) {
  const refusal = supervisionRefusal(app, a.actor, a.matter);
  if (refusal) return app.record(now, 'urgeRefused', a.actor, { matter: a.matter, reason: refusal });
  urge(app, a, now);
}

/** The escalate signal of older histories (kept for replay): a refused escalation is recorded, not thrown. */
export function escalateSignalled(app: Application, a: EscalateInput, now: number) {
  const refusal = supervisionRefusal(app, a.actor, a.matter);
  if (refusal) return app.record(now, 'escalationRefused', a.actor, { matter: a.matter, reason: refusal });
  escalate(app, a, now);
}

/** A newly published calendar year: dates that lay beyond the published years are set now. */
export function publishCalendar(app: Application, calendar: CalendarYear, actor: Actor, now: number) {
  app.state.calendars = [...app.state.calendars.filter((c) => c.year !== calendar.year), calendar].sort((a, b) => a.year - b.year);
  app.cal = buildCalendar(app.state.calendars);
  for (const intake of Object.values(app.state.intakes)) intake.noticeDueOn ??= noticeDueOn(app, intake.receivedAt);
  for (const m of Object.values(app.state.matters)) if (m.acceptedAt !== null && m.clock) dateDeferred(app, m);
  app.record(now, 'calendarPublished', actor, { data: { year: calendar.year, notice: calendar.source.number } });
  app.advance(now);
}
