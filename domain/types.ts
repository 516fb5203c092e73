import type { CalendarYear, SpecialProcedureKind, Zone } from '../catalogue/schema';
import type { ProcessSnapshot } from '../catalogue/snapshot';
import type { ClockLevel, MatterClock } from './clock';
import type { ActorRole } from '../contracts/roles';

/** Who did something. The API derives it from the caller's token; workflows check it again. */
export interface Actor {
  id: string;
  role: ActorRole;
  department?: string;
  /** For an agent (帮代办): the applicant it acts for. */
  onBehalfOf?: string;
}

export const SYSTEM: Actor = { id: 'system', role: 'system' };

export interface ApplicationInput {
  applicationId: string;
  projectName: string;
  applicant: { id: string; name: string };
  snapshot: ProcessSnapshot;
  /** Material codes handed in with the application. */
  materials: string[];
  /** The development zone the project lies in, when its regional assessments may waive services (区域评估). */
  zone?: Zone | null;
  /** Who started it, when that was not the applicant itself: an agent, an integrator or an admin. */
  startedBy?: { id: string; role: Actor['role'] } | null;
}

export type MatterStatus =
  | 'pending'
  | 'intake'
  | 'waitingPrerequisites'
  | 'inProgress'
  | 'suspended'
  | 'approved'
  | 'rejected'
  | 'terminated'
  | 'cancelled';

/**
 * Matters a department still has work on (受理, 等待前置, 审批中, 中止), in the order the read model's
 * partial indexes spell them: inboxes and alerts list these.
 */
export const WORKING_STATUSES = ['inProgress', 'suspended', 'intake', 'waitingPrerequisites'] as const satisfies readonly MatterStatus[];

/** Matters not yet decided: the working ones and those whose stage has not begun. */
export const OPEN_STATUSES = ['pending', ...WORKING_STATUSES] as const satisfies readonly MatterStatus[];

export function isOpenStatus(status: MatterStatus): boolean {
  return (OPEN_STATUSES as readonly MatterStatus[]).includes(status);
}

export type Acceptance = 'unconditional' | 'afterNotice' | 'officer' | 'deemed';

export interface ClockStop {
  kind: 'supplement' | 'specialProcedure';
  procedure?: SpecialProcedureKind;
  from: number;
  to: number | null;
  reason: string;
  by: string;
  /** Supplement: material codes asked for. */
  items?: string[];
  /** Special procedure: the expected working days the applicant is told in writing. */
  expectedWorkingDays?: number;
}

export interface DeferredItem {
  material: string;
  name: string;
  /** Null while it falls in a year whose calendar is not published (no termination then). */
  dueOn: string | null;
  suppliedAt: number | null;
}

export interface MatterDecision {
  kind: 'approved' | 'rejected' | 'terminated' | 'cancelled';
  at: number;
  by: string;
  reason: string;
  result?: { title: string; number: string };
  /** The due date in force when the decision was taken, and whether it was met. */
  dueOn?: string | null;
  onTime?: boolean;
}

export interface MatterState {
  code: string;
  stage: string | null;
  department: string;
  milestone: boolean;
  status: MatterStatus;
  receivedAt: number | null;
  /** When its materials were complete (or accepted as such): the applicant's part of intake ends here. */
  intakePassedAt?: number | null;
  acceptedAt: number | null;
  acceptance: Acceptance | null;
  clock: MatterClock | null;
  stops: ClockStop[];
  /** Material codes still owed for the open supplement request. */
  owedForSupplement: string[];
  deferred: DeferredItem[];
  extension: { days: number; approvedBy: string; reason: string; at: number } | null;
  level: ClockLevel;
  /** The instant the deadline passed (the clock's own overdue point), for scorecards. */
  overdueSince?: number | null;
  /** The floor set by supervision escalations; the clock can raise the level above it. */
  escalatedTo: ClockLevel;
  urges: { at: number; by: string; note: string }[];
  decision: MatterDecision | null;
  /** When the result was issued; an approval waits here for 容缺 items. */
  resultIssuedAt: number | null;
}

export interface IntakeState {
  /** Stage code, or the matter code of a matter beside the stages. */
  batch: string;
  window: string;
  receivedAt: number;
  /** Last day for the one-time missing-materials notice (一次性告知); null while the calendar does not reach it. */
  noticeDueOn: string | null;
  notice: { issuedAt: number; by: string; items: MissingItem[]; note: string } | null;
  /** Set when the window let its limit pass: the matters count as accepted from receipt. */
  deemedAcceptedAt: number | null;
}

export interface MissingItem {
  matter: string;
  material: string;
  name: string;
}

export interface StageState {
  code: string;
  status: 'pending' | 'inProgress' | 'completed' | 'cancelled';
  startedAt: number | null;
  completedAt: number | null;
  outputs: { matter: string; title: string; number: string }[];
}

export type ApplicationStatusKind = 'running' | 'completed' | 'rejected' | 'withdrawn';

export interface AppEvent {
  seq: number;
  at: number;
  kind: string;
  actor: string;
  matter?: string;
  stage?: string;
  reason?: string;
  data?: Record<string, unknown>;
}

export interface Outcome {
  status: Exclude<ApplicationStatusKind, 'running'>;
  at: number;
  reason: string;
  matter?: string;
  by?: string;
  results: { matter: string; title: string; number: string }[];
}

/** `cancelled`: its contract was closed because the application ended or no matter needs the deliverable any more. */
export type ServiceStatus = 'needed' | 'inHand' | 'waived' | 'contracted' | 'delivered' | 'returned' | 'accepted' | 'cancelled';
export const SERVICE_LEVELS = ['normal', 'warning', 'overdue', 'regulator', 'supervisionOffice'] as const;
export type ServiceLevel = (typeof SERVICE_LEVELS)[number];

/**
 * One contract with a provider; a replaced provider's contract stays, closed as terminated (the
 * provider's fault). One the application no longer needs (it ended, or every matter waiting for the
 * deliverable was decided) closes as cancelled, which is no fault of the provider's.
 */
export interface ContractState {
  contractId: string;
  provider: string;
  regulator: string;
  selection: { method: 'direct' | 'randomDraw' | 'bidding'; candidates?: string[]; seed?: string; drawn?: number; bids?: { provider: string; quoteYuan: number }[] };
  contractedAt: number;
  committedDays: number;
  dayKind: 'working' | 'calendar';
  /** The provider's clock: days allowed from a start date (not counted) — the contract, or a return for rework. */
  clockStart: string;
  daysAllowed: number;
  /** The contract's own start date, which the committed date counts from. */
  clockStartAtContract: string;
  deliveries: { at: number; by: string; note: string }[];
  returns: { at: number; by: string; reasons: string[]; reworkDays: number }[];
  status: 'open' | 'delivered' | 'accepted' | 'terminated' | 'cancelled';
  closedAt: number | null;
  closeReason: string | null;
  level: ServiceLevel;
}

export interface ServiceState {
  serviceType: string;
  deliverable: string;
  /** Matters that cannot be accepted before this deliverable is. */
  matters: string[];
  commissionedBy: 'government' | 'owner';
  status: ServiceStatus;
  waiver: { zone: string; zoneName: string; completedOn: string; validUntil: string } | null;
  contracts: ContractState[];
  acceptedAt: number | null;
}

export interface ApplicationState {
  input: Omit<ApplicationInput, 'snapshot' | 'materials'>;
  startedAt: number;
  status: ApplicationStatusKind;
  outcome: Outcome | null;
  /** Material code → when it was (last) supplied. */
  materials: Record<string, number>;
  stages: StageState[];
  matters: Record<string, MatterState>;
  intakes: Record<string, IntakeState>;
  /** Intermediary services by service type; absent on applications started before they existed. */
  services: Record<string, ServiceState>;
  /** Whether intermediary deliverables gate matters (a patch: older histories ran without). */
  servicesGate: boolean;
  /** Whether contracts close when nothing needs them any more (patch `close-contracts`; older histories ran without). */
  closeContracts?: boolean;
  /** Whether level events carry their rule's instant (patch `levels-at-rule-instant`; older histories record when the timer fired). */
  levelsAtRuleInstant?: boolean;
  calendars: CalendarYear[];
  events: AppEvent[];
}
