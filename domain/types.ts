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
  /** An officer who heads its department (科室负责人): assigns work, approves a second supplement. */
  head?: boolean;
  /** An officer acting for a colleague whose out-of-office delegation names it (the API checks the dates). */
  delegateFor?: string;
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
  /** 告知承诺制: matters the applicant opted into at start, with its signed statement. */
  commitments?: { matter: string; statement: string }[];
  /** 项目代码 from the investment-project online approval platform (投资项目在线审批监管平台), when given at start. */
  projectCode?: string;
  /** The applicant's unified social credit code (统一社会信用代码), when given at start. */
  applicantCreditCode?: string;
  /**
   * References to files of the materials handed in, kept by a document store: the workflow takes
   * them into `ApplicationState.documents` (intake.ts `documentsAtStart`), not into the input.
   */
  documents?: DocumentRef[];
}

/** A file of a material, as a document store keeps it: we hold its reference, never the file. */
export interface DocumentRef {
  /** The material code the file is of. */
  material: string;
  /** The file name. */
  name: string;
  /** The document store's id or URL of the file. */
  ref: string;
  /** A short file type such as pdf. */
  type?: string;
}

/** A document reference the applicant handed in, when, and the matters it went to if known. */
export interface SuppliedDocument extends DocumentRef {
  suppliedAt: number;
  /** Matters that were owed the material (an open supplement, a 容缺 item) when it came; empty when none was. */
  matters: string[];
}

/** Bounds on document references: per request, in one application, and of each field. */
export const DOCUMENT_LIMITS = { perRequest: 50, perApplication: 1000, ref: 500, type: 16 } as const;

export type MatterStatus =
  | 'pending'
  | 'intake'
  | 'waitingPrerequisites'
  | 'inProgress'
  | 'suspended'
  | 'approved'
  | 'rejected'
  | 'terminated'
  | 'cancelled'
  /** 视为撤回: requested materials were not supplied in time. */
  | 'withdrawn';

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
  /**
   * Whose time it is: the applicant's (a supplement, a joint matter's rectification 整改), a
   * special procedure's, or a hold because a prerequisite's result was revoked (false commitment).
   */
  kind: 'supplement' | 'specialProcedure' | 'rectification' | 'hold';
  procedure?: SpecialProcedureKind;
  from: number;
  to: number | null;
  reason: string;
  by: string;
  /** Supplement: material codes asked for. */
  items?: string[];
  /** Special procedure: the expected working days the applicant is told in writing. */
  expectedWorkingDays?: number;
  /** A second supplement request (one-supplement rule): the department head who approved it. */
  approvedBy?: string;
  /** Hold: the prerequisite whose revoked result holds this matter. */
  source?: string;
}

export interface DeferredItem {
  material: string;
  name: string;
  /** Null while it falls in a year whose calendar is not published (no termination then). */
  dueOn: string | null;
  suppliedAt: number | null;
}

export interface MatterDecision {
  kind: 'approved' | 'rejected' | 'terminated' | 'cancelled' | 'withdrawn';
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
  /** 告知承诺制: the applicant's commitment, recorded verbatim; absent or null when it did not commit. */
  commitment?: Commitment | null;
  /** The verification (核查) of a commitment, from the result's issue. */
  verification?: Verification | null;
  /** A result revoked because its commitment was false. */
  revoked?: { at: number; by: string; reason: string } | null;
  /** Flagged because a prerequisite's result was revoked (the catalogue's `dependents: flag`, or a result already issued). */
  flags?: { at: number; source: string; reason: string }[];
  /** A joint matter's sessions, participants and rectification. */
  joint?: JointState | null;
  /** The officer the matter is assigned to within its department; null or absent: in the department's pool. */
  assignee?: { officer: string; since: number; by: string } | null;
  /** A hold owed to a revoked prerequisite (`dependents: suspend`), applied when this matter's clock next runs. */
  holdPending?: { source: string; reason: string } | null;
  /** 视为撤回: the reminder the applicant was given for the open supplement request. */
  withdrawalReminderAt?: number | null;
}

export interface Commitment {
  /** The catalogue's conditions, verbatim. */
  conditions: string;
  /** The applicant's own statement, verbatim. */
  statement: string;
  by: string;
  at: number;
}

/** A clock beside the matter's own (a verification, a participant's opinion): it warns and escalates on the process ladder. */
export interface SideClock {
  clock: MatterClock;
  level: ClockLevel;
  overdueSince: number | null;
}

export interface Verification extends SideClock {
  startedAt: number;
  outcome: { kind: 'confirmed' | 'false'; at: number; by: string; reason: string } | null;
}

export type OpinionKind = 'pass' | 'conditions' | 'fail' | 'deemedConsent';

export interface Opinion {
  kind: OpinionKind;
  /** Failing items (fail) or the conditions attached (conditions). */
  items: string[];
  note: string;
  at: number;
  by: string;
  round: number;
}

export interface JointParticipant {
  department: string;
  opinionDays: number;
  /** This round's opinion clock; null once the participant need give no opinion this round. */
  due: SideClock | null;
  opinion: Opinion | null;
  /** Opinions of earlier rounds. */
  earlier: Opinion[];
}

export interface JointState {
  session: { on: string; time: string; place: string; by: string; at: number; moved: { on: string; time: string; place: string; reason: string; by: string; at: number } | null } | null;
  /** 1: the first inspection; 2: the re-inspection after rectification. */
  round: number;
  participants: JointParticipant[];
  /** One consolidated rectification list (整改) on the applicant's clock. */
  rectification: { items: { department: string; item: string }[]; requestedAt: number; submittedAt: number | null; note: string } | null;
  /** The last round whose opinions were all in (settled once). */
  completedRound: number | null;
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
  input: Omit<ApplicationInput, 'snapshot' | 'materials' | 'documents'>;
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
  /** Commitment, joint matters, assignment and remedies (patch `reform-instruments`; older histories ran without). */
  reformInstruments?: boolean;
  calendars: CalendarYear[];
  /** References to the files of the materials handed in, in the order they came; absent on applications without any. */
  documents?: SuppliedDocument[];
  events: AppEvent[];
}
