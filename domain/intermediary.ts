import type { IntermediaryPolicy, Provider } from '../catalogue/schema';
import { addWorkingDays, isWorkingDay, type WorkingCalendar } from './calendar';
import { dateOfDayNumber, dayNumber, endOfDay, startOfDay } from './time';
import type { ContractState, ServiceLevel, ServiceState } from './types';

/**
 * Intermediary services (中介服务) on their own clocks: committed days in the unit the registry
 * gives (working or calendar days), warnings before the committed date, and a ladder of its own
 * that reaches the provider's regulator (行业主管部门) when the provider is late.
 */
export type DayKind = 'working' | 'calendar';

/** `date` plus n days of a kind; the start date itself is never counted. */
export function addDays(cal: WorkingCalendar, date: string, n: number, kind: DayKind): string {
  return kind === 'working' ? addWorkingDays(cal, date, n) : dateOfDayNumber(dayNumber(date) + n);
}

/** The n-th day of a kind before `date` (0 → `date`). */
export function daysBefore(cal: WorkingCalendar, date: string, n: number, kind: DayKind): string {
  if (kind === 'calendar') return dateOfDayNumber(dayNumber(date) - n);
  let day = dayNumber(date);
  for (let left = n; left > 0; ) {
    day -= 1;
    if (isWorkingDay(cal, dateOfDayNumber(day))) left -= 1;
  }
  return dateOfDayNumber(day);
}

/** Providers qualified for a service type and not expired on `onDate`, ordered by code. */
export function qualifiedProviders(providers: readonly Provider[], serviceType: string, onDate: string): Provider[] {
  return providers
    .filter((p) => p.qualifications.some((q) => q.serviceType === serviceType && q.validUntil >= onDate))
    .sort((a, b) => (a.code < b.code ? -1 : 1));
}

/** Why a provider cannot take a service on `onDate`, or null. */
export function disqualification(providers: readonly Provider[], code: string, serviceType: string, onDate: string): string | null {
  const p = providers.find((x) => x.code === code);
  if (!p) return `provider ${code} is not in the registry`;
  const q = p.qualifications.find((x) => x.serviceType === serviceType);
  if (!q) return `provider ${code} is not qualified for ${serviceType}`;
  if (q.validUntil < onDate) return `provider ${code}'s qualification for ${serviceType} expired on ${q.validUntil}`;
  return null;
}

/**
 * 随机中选, reproducibly: FNV-1a (32-bit) of the seed, modulo the number of candidates. The seed
 * and the candidate list are recorded, so anyone can recompute the draw.
 */
export function draw(seed: string, candidates: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < seed.length; i++) {
    h ^= seed.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % candidates;
}

/** The date the provider must deliver by: the committed date, or the rework date after a return. */
export function contractDueOn(cal: WorkingCalendar, c: ContractState): string {
  return addDays(cal, c.clockStart, c.daysAllowed, c.dayKind);
}

/** The committed date of the contract as signed. */
export function committedDueOn(cal: WorkingCalendar, c: ContractState): string {
  return addDays(cal, c.clockStartAtContract, c.committedDays, c.dayKind);
}

/** Level changes of a contract the provider holds (open, or returned for rework), in time order. */
export function contractMilestones(cal: WorkingCalendar, c: ContractState, policy: IntermediaryPolicy): { level: ServiceLevel; at: number }[] {
  if (c.status !== 'open') return [];
  const dueOn = contractDueOn(cal, c);
  return [
    { level: 'warning', at: startOfDay(daysBefore(cal, dueOn, policy.warningDaysBefore, c.dayKind)) },
    { level: 'overdue', at: endOfDay(dueOn) },
    ...policy.escalation.map((r) => ({ level: r.level, at: endOfDay(addDays(cal, dueOn, r.afterOverdueDays, c.dayKind)) })),
  ];
}

/**
 * When a contract's time stops counting: its close, else its last delivery, else the end of the
 * application (for contracts an ended application of an older history left open); null while it runs.
 */
export function contractEndsAt(c: ContractState, applicationEndedAt: number | null): number | null {
  return c.closedAt ?? c.deliveries.at(-1)?.at ?? applicationEndedAt;
}

/**
 * When a service's time stops counting: its deliverable accepted, its contract closed as cancelled
 * (the application ended, or no matter needs it any more), else the end of the application; null while it runs.
 */
export function serviceEndsAt(s: ServiceState, applicationEndedAt: number | null): number | null {
  if (s.acceptedAt !== null) return s.acceptedAt;
  if (s.status === 'cancelled') return s.contracts.at(-1)?.closedAt ?? applicationEndedAt;
  return applicationEndedAt;
}
