import { addWorkingDays } from '../calendar';
import { ActionRefused } from '../errors';
import { endOfDay, shanghaiDate } from '../time';
import { SYSTEM, type ClockStop, type MatterState } from '../types';
import { actorLabel } from './checks';
import type { Application } from './core';
import { decide } from './matter-clock';

// Remedies the catalogue switches on per matter: one supplement request (一次性告知) unless the
// department head approves another, named; and a matter deemed withdrawn (视为撤回) when the
// requested materials are not supplied within N working days, the applicant told beforehand.

/** The one-supplement rule: a second request needs the head's approval, named. */
export function checkSupplementCap(app: Application, m: MatterState, approvedBy: string | undefined) {
  if (!app.state.reformInstruments || !app.def(m.code).remedies?.oneSupplement) return;
  const earlier = m.stops.filter((s) => s.kind === 'supplement');
  if (earlier.length && !approvedBy?.trim()) {
    throw new ActionRefused(
      'SUPPLEMENT_LIMIT',
      `matter ${m.code} had its one supplement request on ${shanghaiDate(earlier[0]!.from)} (一次性告知); another needs the department head's approval, named in approvedBy`,
    );
  }
}

/** The open supplement request of a suspended matter, if any. */
function openSupplement(m: MatterState): ClockStop | null {
  const s = m.stops.at(-1);
  return m.status === 'suspended' && s && s.to === null && s.kind === 'supplement' ? s : null;
}

/** When the applicant is told, and when the matter is deemed withdrawn; null without the remedy or beyond the calendars. */
export function withdrawalSchedule(app: Application, m: MatterState): { remindAt: number | null; withdrawnOn: string; withdrawAt: number } | null {
  const r = app.def(m.code).remedies;
  const s = openSupplement(m);
  if (!app.state.reformInstruments || !r?.withdrawAfterWorkingDays || !s) return null;
  const from = shanghaiDate(s.from);
  const withdrawnOn = app.tryDate(() => addWorkingDays(app.cal, from, r.withdrawAfterWorkingDays!));
  if (withdrawnOn === null) return null;
  const before = r.withdrawAfterWorkingDays - r.reminderWorkingDaysBefore;
  const remindOn = r.reminderWorkingDaysBefore > 0 && before > 0 ? app.tryDate(() => addWorkingDays(app.cal, from, before)) : null;
  return { remindAt: remindOn ? endOfDay(remindOn) : null, withdrawnOn, withdrawAt: endOfDay(withdrawnOn) };
}

/** Time's rules: the reminder, then the deemed withdrawal, each at its rule's instant. */
export function stepRemedies(app: Application, now: number): boolean {
  let changed = false;
  for (const m of Object.values(app.state.matters)) {
    const w = withdrawalSchedule(app, m);
    if (!w) continue;
    const items = m.owedForSupplement;
    if (w.remindAt !== null && now >= w.remindAt && !m.withdrawalReminderAt && now < w.withdrawAt) {
      m.withdrawalReminderAt = w.remindAt;
      app.record(w.remindAt, 'withdrawalReminder', SYSTEM, {
        matter: m.code,
        reason: `the materials asked for are still missing; matter ${m.code} is deemed withdrawn unless they are supplied by ${w.withdrawnOn}`,
        data: { items, withdrawnOn: w.withdrawnOn },
      });
      changed = true;
    }
    if (now >= w.withdrawAt) {
      const reason = `the materials asked for (${items.join(', ')}) were not supplied by ${w.withdrawnOn}: deemed withdrawn (视为撤回)`;
      decide(app, m, w.withdrawAt, { kind: 'withdrawn', at: w.withdrawAt, by: actorLabel(SYSTEM), reason });
      app.record(w.withdrawAt, 'deemedWithdrawn', SYSTEM, { matter: m.code, reason, data: { items, withdrawnOn: w.withdrawnOn } });
      changed = true;
    }
  }
  return changed;
}

/** The next reminder or withdrawal instants. */
export function remedyWakes(app: Application): number[] {
  const out: number[] = [];
  for (const m of Object.values(app.state.matters)) {
    const w = withdrawalSchedule(app, m);
    if (!w) continue;
    if (w.remindAt !== null && !m.withdrawalReminderAt) out.push(w.remindAt);
    out.push(w.withdrawAt);
  }
  return out;
}
