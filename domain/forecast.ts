import type { Application } from './application/core';
import { isProvisionalBetween, knownOrNull, reckon } from './calendar';
import { clockDueOn, workingDaysUsed, type MatterClock } from './clock';
import { addDays, contractDueOn, qualifiedProviders, type DayKind } from './intermediary';
import { dateOfDayNumber, dayNumber, shanghaiDate } from './time';
import type { MatterState, ServiceState } from './types';

/**
 * When the application will complete if every open step takes its full allowance from today:
 * running matters end on their due dates, matters not yet started take their whole limit once
 * their prerequisites and intermediary deliverables are in, a needed service takes the shortest
 * commitment among qualified providers, and later stages follow in order. Overdue steps count as
 * ending today. Matters beside the stages hold nothing. A working-day step in a year without a
 * published calendar is approximated (7 calendar days per 5 working days) and flagged.
 */
export function forecast(app: Application, now: number) {
  const s = app.state;
  const cal = app.cal;
  const target = app.snapshot.targetTotalDays;
  const startDay = dayNumber(shanghaiDate(s.startedAt));
  if (s.outcome) {
    const total = dayNumber(shanghaiDate(s.outcome.at)) - startDay;
    return { basis: 'actual' as const, completionOn: shanghaiDate(s.outcome.at), projectedTotalDays: total, targetTotalDays: target, exceedsTarget: total > target, overTargetDays: Math.max(0, total - target), approximate: false, provisional: false, stages: [] };
  }
  let approximate = false;
  const today = shanghaiDate(now);
  const later = (a: string, b: string) => (a >= b ? a : b);
  const add = (date: string, n: number, kind: DayKind) => {
    const r = reckon(() => addDays(cal, date, n, kind));
    if (r.ok) return r.value;
    approximate = true;
    return dateOfDayNumber(dayNumber(date) + Math.ceil((n * 7) / 5));
  };
  /** Working days a clock has used (or, run into an unpublished year, at least used: approximate). */
  const used = (clock: MatterClock, at: number) => {
    const r = reckon(() => workingDaysUsed(cal, clock, at));
    if (r.ok) return r.value;
    approximate = true;
    return clock.usedBefore;
  };
  const serviceReadyOn = (svc: ServiceState, from: string): string => {
    if (svc.status === 'inHand' || svc.status === 'waived' || svc.status === 'accepted') return from;
    if (svc.status === 'delivered') return later(from, today);
    const c = svc.contracts.at(-1);
    if (c && c.status === 'open') {
      const due = reckon(() => contractDueOn(cal, c));
      if (due.ok) return later(later(from, today), due.value);
      approximate = true;
      return later(from, today);
    }
    const options = qualifiedProviders(app.snapshot.providers, svc.serviceType, from).map((p) => {
      const q = p.qualifications.find((x) => x.serviceType === svc.serviceType)!;
      return add(from, q.committedDays, q.dayKind);
    });
    return options.sort()[0] ?? from;
  };

  const ends = new Map<string, string>();
  const matterEnd = (m: MatterState, stageStart: string): string => {
    const known = ends.get(m.code);
    if (known) return known;
    const def = app.def(m.code);
    let end: string;
    if (m.decision) end = shanghaiDate(m.decision.at);
    else if (m.status === 'inProgress' && m.clock) {
      const clock = m.clock;
      const due = knownOrNull(() => clockDueOn(cal, clock));
      end = due ? later(due, today) : add(today, Math.max(0, m.clock.limitDays - used({ ...clock, runStart: null }, now)), 'working');
    } else if (m.status === 'suspended' && m.clock) {
      end = add(today, Math.max(0, m.clock.limitDays - used(m.clock, now)), 'working');
    } else {
      let from = later(stageStart, today);
      for (const svc of app.servicesOf(m.code)) from = later(from, serviceReadyOn(svc, stageStart));
      for (const p of def.prerequisites) {
        const pre = s.matters[p]!;
        if (pre.stage === m.stage) from = later(from, matterEnd(pre, stageStart));
      }
      end = add(from, def.timeLimitDays, 'working');
    }
    ends.set(m.code, end);
    return end;
  };

  let cursor = today;
  const stages: { stage: string; projectedEndOn: string }[] = [];
  app.snapshot.stages.forEach((st, i) => {
    const state = s.stages[i]!;
    if (state.status === 'completed') return;
    const milestones = st.matters.filter((x) => x.milestone).map((x) => matterEnd(s.matters[x.code]!, cursor));
    const end = milestones.sort()[st.completion === 'all' ? milestones.length - 1 : 0] ?? cursor;
    stages.push({ stage: st.code, projectedEndOn: end });
    cursor = end;
  });
  const total = dayNumber(cursor) - startDay;
  // 暂定: projected through a provisional calendar year, the dates may move with the official notice.
  const provisional = isProvisionalBetween(app.cal, today, cursor);
  return { basis: 'limits' as const, completionOn: cursor, projectedTotalDays: total, targetTotalDays: target, exceedsTarget: total > target, overTargetDays: Math.max(0, total - target), approximate, provisional, stages };
}
