/**
 * The shapes the pages read and send, taken from the API's own code (type-only imports, so
 * nothing of the server is bundled): the application view the workflow computes, the read
 * model's list rows, the catalogue's schemas and the bodies the routes validate.
 */
import type { z } from 'zod';
import type { demoPrincipalsSchema, inboxRowSchema, meSchema, providersOnSchema, publishedProcessesSchema } from '../../../contracts/responses';
import type { AlertItem, ApplicationSummary, InboxItem, Page, ScorecardRow } from '../../../readmodel/queries';
import type { ProviderStats } from '../../../readmodel/provider-stats';
import type { CalendarYear, Department, Matter, Process, Provider, ServiceType, Zone } from '../../../catalogue/schema';
import type { ResolvedMatter } from '../../../catalogue/snapshot';
import type {
  acceptSchema,
  decisionBodySchema,
  endSpecialProcedureSchema,
  extendSchema,
  missingNoticeSchema,
  reviewBodySchema,
  selectionSchema,
  startApplicationSchema,
  startSpecialProcedureSchema,
  supplementSchema,
  supplySchema,
  urgeSchema,
  escalateSchema,
  withdrawSchema,
} from '../../../contracts/actions';
import type { ApplicationView, MatterView } from '../../../domain/view';

export type { AlertItem, ApplicationSummary, ApplicationView, CalendarYear, Department, InboxItem, Matter, MatterView, Page, Process, Provider, ProviderStats, ScorecardRow, ServiceType, Zone };
export type AlertLevel = AlertItem['level'];

/** GET /me */
export type Me = z.output<typeof meSchema>;
/** GET /demo/principals (embedded run only) */
export type DemoPrincipal = z.output<typeof demoPrincipalsSchema>['principals'][number];

/** GET /officers/inbox adds the working days left on the official calendar. */
export type InboxRow = z.output<typeof inboxRowSchema>;

/** GET /catalogue/processes */
export type PublishedProcess = z.output<typeof publishedProcessesSchema>['processes'][number];
/** GET /catalogue/processes/:code/matters: the process's matters, resolved (stage, materials, fees, limits). */
export type ProcessMatter = ResolvedMatter;

/** What the applicant, the officer and the supervisor send. */
type Body<S extends z.ZodType, K extends PropertyKey = 'actor'> = Omit<z.input<S>, K>;
export type StartBody = z.input<typeof startApplicationSchema>;
export type SupplyBody = Body<typeof supplySchema>;
export type WithdrawBody = Body<typeof withdrawSchema>;
export type Selection = z.input<typeof selectionSchema>;
export type ReviewBody = z.input<typeof reviewBodySchema>;
export type DecisionBody = z.input<typeof decisionBodySchema>;
export type AcceptBody = Body<typeof acceptSchema, 'actor' | 'matter'>;
export type SupplementBody = Body<typeof supplementSchema, 'actor' | 'matter'>;
export type SpecialProcedureBody = Body<typeof startSpecialProcedureSchema, 'actor' | 'matter'>;
export type EndSpecialProcedureBody = Body<typeof endSpecialProcedureSchema, 'actor' | 'matter'>;
export type ExtensionBody = Body<typeof extendSchema, 'actor' | 'matter'>;
export type MissingNoticeBody = Body<typeof missingNoticeSchema, 'actor' | 'stage'>;
export type UrgeBody = Body<typeof urgeSchema, 'actor' | 'matter'>;
export type EscalateBody = Body<typeof escalateSchema, 'actor' | 'matter'>;

// The officer and admin pages (type-only, like everything above).
import type { viewFor } from '../../../api/authz';
import type { Freshness } from '../../../api/routes/applications';
import type { CalendarPublished, DefinitionsPublished } from '../../../api/routes/admin';
import type { MatterAnswer } from '../../../domain/application/commands';

export type { CalendarPublished, DefinitionsPublished, Freshness, MatterAnswer };
/** GET /applications/:id: the application as the caller may see it (api/authz.ts viewFor), with where the read came from. */
export type VisibleApplication = ReturnType<typeof viewFor> & { projection: Freshness };
/** What an officer reads: the whole application, or a utility officer's header and own matters. */
export type OfficerApplication = Extract<VisibleApplication, { stages: unknown }>;
/** POST /applications/:id/stages/:stage/missing-notice answers with the application as the caller may see it. */
export type NoticeAnswer = ReturnType<typeof viewFor>;

// The supervision pages (type-only, like everything above).
import type { AlertRow, AlertsPage } from '../../../api/routes/readmodel';
import type { AlertCount } from '../../../readmodel/queries';

export type { AlertCount, AlertRow, AlertsPage };

// The codes the pages put words on (i18n/common.ts has one for each, in both languages).
import type { EventKind } from '../../../domain/events';

export type { EventKind };
type Service = ApplicationView['services'][number];
/** Every status a page names: an application's, a stage's, a matter's and its decision's, a service's, a contract's. */
export type Status =
  | ApplicationView['status']
  | ApplicationView['stages'][number]['status']
  | MatterView['status']
  | NonNullable<MatterView['decision']>['kind']
  | Service['status']
  | Service['contracts'][number]['status'];
/** Every level a page names: a matter's clock and a contract's. */
export type Level = MatterView['level'] | Service['contracts'][number]['level'];
export type Acceptance = NonNullable<MatterView['acceptance']>;
export type CommissionedBy = Service['commissionedBy'];
/** A clock stop's special procedure; `other` names a stop that records none. */
export type Procedure = NonNullable<MatterView['stops'][number]['procedure']> | 'other';

/** A provider as GET /catalogue/providers lists it: each qualification marked valid on the asked date. */
export type QualifiedProvider = z.output<typeof providersOnSchema>['providers'][number];

// Issue 12: commitment (告知承诺制), joint matters, work assigned to officers, remedies.
import type { creditRecordSchema, delegationsSchema, figuresSchema, movedDeadlineSchema } from '../../../contracts/responses';
import type {
  assignSchema,
  claimSchema,
  commitSchema,
  giveOpinionSchema,
  liftHoldSchema,
  moveSessionSchema,
  releaseSchema,
  scheduleSessionSchema,
  submitRectificationSchema,
  verifySchema,
} from '../../../contracts/actions';

type MatterBody<S extends z.ZodType> = Body<S, 'actor' | 'matter'>;
export type CommitBody = MatterBody<typeof commitSchema>;
export type VerifyBody = MatterBody<typeof verifySchema>;
export type LiftHoldBody = MatterBody<typeof liftHoldSchema>;
export type ScheduleSessionBody = MatterBody<typeof scheduleSessionSchema>;
export type MoveSessionBody = MatterBody<typeof moveSessionSchema>;
export type GiveOpinionBody = MatterBody<typeof giveOpinionSchema>;
export type RectificationBody = MatterBody<typeof submitRectificationSchema>;
export type ClaimBody = MatterBody<typeof claimSchema>;
export type AssignBody = MatterBody<typeof assignSchema>;
export type ReleaseBody = MatterBody<typeof releaseSchema>;

/** A matter's reform parts as the view carries them. */
export type JointView = NonNullable<MatterView['joint']>;
export type JointParticipantView = JointView['participants'][number];
export type OpinionView = NonNullable<JointParticipantView['opinion']>;
export type OpinionKind = OpinionView['kind'];
export type VerificationView = NonNullable<MatterView['verification']>;
export type StopKind = MatterView['stops'][number]['kind'];

/** What an inbox row asks of the department: the matter itself, a commitment's verification (核查), a participant's opinion (会审意见). */
export type InboxKind = InboxRow['kind'];
/** GET /officers/inbox?view=mine|department */
export type InboxView = 'mine' | 'department';
/** An inbox row: its kind and assignee come with it. */
export type InboxEntry = InboxRow;
/** GET /supervision/alerts rows name what is late: the matter, a verification or a participant's opinion. */
export type AlertEntry = AlertRow;

/** GET /officers/figures: per officer of the head's department (not public). */
export type FiguresAnswer = z.output<typeof figuresSchema>;
export type OfficerFigures = FiguresAnswer['officers'][number];

/** An out-of-office delegation (rows are never deleted: a revoked one keeps its revokedAt). GET /officers/delegations */
export type DelegationsAnswer = z.output<typeof delegationsSchema>;
export type Delegation = DelegationsAnswer['given'][number];
/** POST /officers/delegations (the route's body schema is its own, not exported). */
export interface DelegationBody {
  delegate: string;
  from: string;
  until: string;
  reason?: string;
}

/** GET /supervision/credit-records?applicant=: an applicant's false-commitment records (失信), a page newest first. */
export type CreditRecord = z.output<typeof creditRecordSchema>;

/** GET /supervision/moved-deadlines: each deadline the official calendar year moved (暂定 → 正式), a page newest first. */
export type MovedDeadline = z.output<typeof movedDeadlineSchema>;
