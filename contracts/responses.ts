import { z } from 'zod';
import { calendarYearSchema, departmentSchema, escalationRungSchema, matterSchema, providerSchema, serviceTypeSchema, warningRuleSchema, zoneSchema } from '../catalogue/schema';
import { roleSchema } from './roles';
import { HOLDER_KINDS } from '../domain/attribution';
import { code, freeText, identifier, list, name } from './fields';
import { alertLevelSchema, applicationViewSchema, date, departmentViewSchema, eventKindSchema, instant, matterAnswerSchema, matterViewSchema, providerViewSchema, serviceViewSchema, visibleApplicationSchema } from './views';

/**
 * What every operation answers, as zod schemas: api/operation.ts carries each into /openapi.json
 * and, in tests, checks real answers against it (test/e2e/contract.test.ts). The shapes come from
 * the code that builds them (readmodel/queries.ts, api/routes/*); test/unit/contracts.test.ts keeps
 * the TypeScript types of both in step.
 */

const count = z.number().int().nonnegative();
const rate = z.number().nullable();

/** An error answer (RFC 9457 application/problem+json): `code` names the rule, `errors` the fields at fault. */
export const problemSchema = z.looseObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string(),
  code: z.string(),
  errors: z.array(z.strictObject({ field: z.string(), message: z.string() })).optional(),
  /** How many field issues were left out of `errors`. */
  moreErrors: z.number().int().optional(),
});

/** A page of a keyset-paginated list: pass `next` as `after` for the following page (null on the last). */
export const pageOf = <T extends z.ZodType>(item: T) => z.strictObject({ items: z.array(item), next: z.string().nullable() });

// ---- applications ----

/** POST /applications: the application started (or, with a repeated Idempotency-Key, the one started before). */
export const startedApplicationSchema = z.strictObject({
  applicationId: z.string(),
  processCode: z.string(),
  definitionHash: z.string(),
  applicant: z.strictObject({ id: z.string(), name: z.string() }),
});

/** Where a view came from and how fresh it is. */
export const freshnessSchema = z.strictObject({
  source: z.enum(['readModel', 'workflow']),
  seq: count,
  projectedAt: instant.nullable(),
});

/** GET /applications/:id: the application as the caller may see it, with its freshness. */
export const applicationReadSchema = z.union([
  applicationViewSchema.extend({ projection: freshnessSchema }),
  departmentViewSchema.extend({ projection: freshnessSchema }),
  providerViewSchema.extend({ projection: freshnessSchema }),
]);

/** Urge and escalate, when they were signals: the matter the supervision office acted on. */
export const supervisionSentSchema = z.strictObject({ accepted: z.literal(true), matter: z.string() });

/** GET /applications: one row per application (the read model's summary). */
export const applicationSummarySchema = z.strictObject({
  applicationId: z.string(),
  seq: count,
  processCode: z.string(),
  projectName: z.string(),
  applicantId: z.string(),
  applicantName: z.string(),
  status: z.string(),
  currentStage: z.string().nullable(),
  startedAt: instant,
  endedAt: instant.nullable(),
  outcomeReason: z.string().nullable(),
  governmentWorkingDays: z.number(),
  applicantDays: z.number(),
  specialProcedureDays: z.number(),
  calendarDays: z.number(),
  targetTotalDays: z.number(),
});

/** One stored audit event (the read model's `events` row). */
export const eventRowSchema = z.strictObject({
  applicationId: z.string(),
  seq: count,
  at: instant,
  kind: eventKindSchema,
  actor: z.string(),
  matter: z.string().nullable(),
  stage: z.string().nullable(),
  reason: z.string().nullable(),
  data: z.record(z.string(), z.unknown()).nullable(),
});

/** GET /applications/:id/audit */
export const auditTrailSchema = z.strictObject({ applicationId: z.string(), events: z.array(eventRowSchema) });

// ---- officers and supervision ----

const listedMatter = {
  applicationId: z.string(),
  code: z.string(),
  name: z.string(),
  stage: z.string().nullable(),
  status: z.string(),
  dueOn: date.nullable(),
  dueAt: instant.nullable(),
  urgeCount: count,
  /** 暂定: the due date is counted through a provisional calendar year and may move with the official one. */
  provisional: z.boolean(),
  projectName: z.string(),
  processCode: z.string(),
};

/** What a row of the inbox or the alerts is: the matter, its commitment's verification (核查) or a department's opinion on a joint matter. */
export const itemKindSchema = z.enum(['matter', 'verification', 'opinion']);

/**
 * GET /officers/inbox: a department's open matters and the verifications and opinions it owes
 * (view=department), or those assigned to the caller or to an officer whose delegation names the
 * caller today (view=mine), with the working days left on the official calendar. A task row names
 * its matter; its status, level, due date and `acceptedAt` (when its clock started) are its own.
 */
export const inboxRowSchema = z.strictObject({
  ...listedMatter,
  kind: itemKindSchema,
  level: z.string(),
  acceptedAt: instant.nullable(),
  supplementCount: count,
  assignee: identifier('officer id').nullable(),
  warning: z.boolean(),
  overdue: z.boolean(),
  workingDaysLeft: z.number().int().nullable(),
});
export const inboxPageSchema = pageOf(inboxRowSchema);

/** GET /supervision/alerts: a matter at warning or above, with the working days it has run over as of `asOf`. */
export const alertRowSchema = z.strictObject({
  ...listedMatter,
  kind: itemKindSchema,
  department: z.string(),
  overdueSince: instant.nullable(),
  level: alertLevelSchema,
  workingDaysOver: z.number().int().nullable(),
});
export const alertsPageSchema = pageOf(alertRowSchema).extend({ asOf: date });

/** GET /supervision/alerts/summary: open matters counted by department, stage and level. */
export const alertsSummarySchema = z.strictObject({
  counts: z.array(z.strictObject({ department: z.string(), stage: z.string().nullable(), level: alertLevelSchema, count })),
});

/** One department's figures for a period (formulas: readmodel/queries.ts `ScorecardRow`). */
export const scorecardRowSchema = z.strictObject({
  department: z.string(),
  decided: count,
  decidedWithDue: count,
  onTime: count,
  early: count,
  onTimeRate: rate,
  earlyRate: rate,
  overdue: count,
  avgWorkingDaysUsed: z.number().nullable(),
  avgUsedRatio: z.number().nullable(),
  withSupplement: count,
  supplementRate: rate,
  urges: count,
  verificationsOnTime: count,
  verificationsLate: count,
  revocations: count,
});
export const scorecardsSchema = z.strictObject({ from: date, to: date, departments: z.array(scorecardRowSchema) });
/** Days on the critical path and days over the limit caused, for a period (readmodel/attribution.ts `PathFigures`). */
const pathFigures = {
  applications: count,
  calendarDays: z.number(),
  workingDays: z.number().nullable(),
  overLimitCalendarDays: z.number(),
  overLimitWorkingDays: z.number().nullable(),
};
/** GET /supervision/scorecards/critical-path: where the days went, per department and per provider. */
export const criticalPathScorecardsSchema = z.strictObject({
  from: date,
  to: date,
  asOf: instant,
  departments: z.array(z.strictObject({ department: z.string(), ...pathFigures })),
  providers: z.array(z.strictObject({ provider: z.string(), ...pathFigures })),
  totals: z.array(z.strictObject({ kind: z.enum(HOLDER_KINDS), applications: count, calendarDays: z.number(), workingDays: z.number().nullable() })),
});
/** GET /officers/figures: one officer's work in a period (formulas: readmodel/figures.ts `OfficerFigures`). */
export const officerFiguresSchema = z.strictObject({
  officer: identifier('officer id'),
  name: name().nullable(),
  assignedOpen: count,
  decided: count,
  decidedOnTime: count,
  overdueOpen: count,
  medianWorkingDaysUsed: z.number().nonnegative().nullable(),
});
export const figuresSchema = z.strictObject({ department: code('department', 'DRC'), from: date, to: date, officers: list(officerFiguresSchema, 1000) });

/** An out-of-office delegation (代岗): revoked ones stay, with revokedAt. */
export const delegationSchema = z.strictObject({
  id: z.string().regex(/^\d{1,18}$/),
  officer: identifier('officer id'),
  delegate: identifier('officer id'),
  department: code('department', 'DRC'),
  from: date,
  until: date,
  reason: freeText(),
  createdAt: instant,
  revokedAt: instant.nullable(),
});
/** GET /officers/delegations: those the caller gave and received, newest first (at most 100 of each). */
export const delegationsSchema = z.strictObject({ given: list(delegationSchema, 100), received: list(delegationSchema, 100) });
/** DELETE /officers/delegations/:id: 204, an empty body. */
export const noContentSchema = z.literal('').describe('no content');

/** GET /supervision/credit-records: an applicant's false commitments (失信), newest first. */
export const creditRecordSchema = z.strictObject({
  applicationId: identifier('application id'),
  seq: count,
  applicantId: identifier('applicant id'),
  applicantName: name(),
  kind: z.enum(['falseCommitment']),
  matter: code('matter', 'LY06').nullable(),
  department: code('department', 'DRC').nullable(),
  reason: freeText().nullable(),
  at: instant,
});
export const creditRecordsPageSchema = pageOf(creditRecordSchema);

/** GET /supervision/scorecards.csv: a header row, then one row per department. */
export const csvSchema = z.string().describe('text/csv');

/** One provider's record for one service type (readmodel/provider-stats.ts). */
export const providerStatsSchema = z.strictObject({
  provider: z.string(),
  serviceType: z.string(),
  contracts: count,
  delivered: count,
  onTime: count,
  onTimeRate: rate,
  terminated: count,
  avgCalendarDays: z.number().nullable(),
  avgCommittedDays: z.number().nullable(),
  dayKind: z.string().nullable(),
  reworks: count,
});
export const providerStatsListSchema = z.strictObject({ providers: z.array(providerStatsSchema) });
/** GET /supervision/moved-deadlines: each deadline the official calendar year moved (暂定 → 正式), newest first. */
export const movedDeadlineSchema = z.strictObject({
  applicationId: identifier('application id'),
  projectName: name(),
  seq: count,
  at: instant,
  clock: z.enum(['matter', 'deferred', 'notice', 'contract', 'verification', 'opinion', 'withdrawal']),
  matter: code('matter', 'LY01').nullable(),
  matterName: name().nullable(),
  department: code('department', 'DRC').nullable(),
  /** The material, participant, service type or stage the clock is of, where the matter alone does not say. */
  of: code('material, department, service type or stage', 'M_PUBLIC_PARTICIPATION').nullable(),
  contractId: name().nullable(),
  from: date,
  to: date,
  /** Calendar days later (positive) or earlier (negative). */
  days: z.number().int(),
  year: z.number().int(),
  notice: name(),
});
export const movedDeadlinesPageSchema = pageOf(movedDeadlineSchema);


// ---- catalogue ----

export const dueDateSchema = z.strictObject({ acceptedOn: date, workingDays: z.number().int(), dueOn: date, provisional: z.boolean() });

/** GET /catalogue/processes: each process with its stages and the codes of its matters. */
export const publishedProcessesSchema = z.strictObject({
  definitionHash: z.string(),
  processes: z.array(
    z.strictObject({
      code: z.string(),
      name: z.string(),
      nameEn: z.string(),
      targetTotalDays: z.number(),
      warning: warningRuleSchema,
      escalation: z.array(escalationRungSchema),
      stages: z.array(
        z.strictObject({
          code: z.string(),
          name: z.string(),
          nameEn: z.string(),
          leadDepartment: z.string(),
          timeLimitDays: z.number(),
          completion: z.enum(['all', 'any']),
          matters: z.array(z.string()),
        }),
      ),
      alongside: z.array(z.string()),
    }),
  ),
});

/** A matter as a process places it: the catalogue matter with its stage (null beside the stages) and whether it is a milestone. */
export const resolvedMatterSchema = z.intersection(matterSchema, z.object({ stage: z.string().nullable(), milestone: z.boolean() }));
export const processMattersSchema = z.strictObject({ process: z.string(), definitionHash: z.string(), matters: z.array(resolvedMatterSchema) });
export const departmentsSchema = z.strictObject({ departments: z.array(departmentSchema) });
export const providersOnSchema = z.strictObject({
  on: date,
  serviceTypes: z.array(serviceTypeSchema),
  providers: z.array(
    providerSchema.extend({
      qualifications: z.array(z.object({ serviceType: z.string(), validUntil: date, committedDays: z.number(), dayKind: z.enum(['working', 'calendar']), valid: z.boolean() })),
    }),
  ),
});
export const zonesSchema = z.strictObject({ zones: z.array(zoneSchema) });
export const calendarsSchema = z.strictObject({ calendars: z.array(calendarYearSchema) });

// ---- integrators ----

export const subscriptionSchema = z.strictObject({
  id: z.string(),
  clientId: z.string(),
  url: z.string(),
  eventTypes: z.array(z.string()),
  scopeAll: z.boolean(),
  applicants: z.array(z.string()),
  active: z.boolean(),
  createdAt: instant,
});
/** POST /webhooks/subscriptions: the only answer that shows the signing secret. */
export const createdSubscriptionSchema = subscriptionSchema.extend({ secret: z.string() });
export const subscriptionsSchema = z.strictObject({ subscriptions: z.array(subscriptionSchema) });
export const deletedSubscriptionSchema = z.strictObject({ deleted: z.string() });

// ---- admin ----

export const definitionsPublishedSchema = z.strictObject({
  definitionHash: z.string(),
  changed: z.boolean(),
  versions: z.array(z.strictObject({ hash: z.string(), loadedAt: z.string() })),
});
/** POST /admin/calendars: the calendar is written; a broadcast takes it to the running applications. */
export const calendarPublishedSchema = z.strictObject({ year: z.number().int(), notice: z.string(), broadcastId: z.string() });
/** GET /admin/calendars/broadcasts/:id: how far a broadcast has got. */
export const calendarBroadcastSchema = z.strictObject({
  broadcastId: z.string(),
  status: z.enum(['running', 'completed', 'failed']),
  year: z.number().int(),
  signalled: count,
  done: z.boolean(),
});

// ---- system ----

export const healthSchema = z.strictObject({ status: z.enum(['up', 'down']) });
const dependency = z.enum(['up', 'down']);
export const readinessSchema = z.strictObject({ status: z.enum(['ready', 'unavailable']), temporal: dependency, database: dependency, worker: dependency });
export const meSchema = z.strictObject({
  id: z.string(),
  name: z.string().nullable(),
  role: roleSchema,
  department: z.string().nullable(),
  /** An officer who heads its department: assigns work and sees per-officer figures. */
  head: z.boolean(),
  applicants: z.array(z.string()),
});
export const demoPrincipalsSchema = z.strictObject({ principals: z.array(meSchema.extend({ token: z.string() })) });
/** GET /openapi.json: an OpenAPI 3.1 document. */
export const openApiDocumentSchema = z.looseObject({ openapi: z.literal('3.1.0'), info: z.looseObject({ title: z.string() }), paths: z.record(z.string(), z.unknown()) });
export const htmlSchema = z.string().describe('text/html');
export const eventStreamSchema = z.string().describe('text/event-stream');

// ---- predicted completion (issue 13 §2) ----

const predictedOn = date.nullable().describe('YYYY-MM-DD; null when it lies in a year whose working-day calendar is not published');
const share = z.number().min(0).max(1);
const basis = z.enum(['history', 'pooled', 'limit']).describe("history: the code's own decided matters; pooled: every code's, scaled to this limit; limit: the legal limit (no history)");

/** GET /applications/:id/prediction: the p50/p80 completion from the read model's history, beside the limit forecast and the targets. */
export const predictionSchema = z.strictObject({
  asOf: instant,
  basis: z.enum(['history', 'actual']),
  startedOn: date,
  completion: z.strictObject({ p50On: predictedOn, p80On: predictedOn, p50TotalDays: z.number().int().nullable(), p80TotalDays: z.number().int().nullable() }),
  targetTotalDays: count,
  exceedsTarget: z.strictObject({ p50: z.boolean().nullable(), p80: z.boolean().nullable() }),
  targets: z.array(z.strictObject({ days: count, p50Within: z.boolean().nullable(), p80Within: z.boolean().nullable() })),
  forecast: z.strictObject({ completionOn: date, projectedTotalDays: z.number().int(), approximate: z.boolean() }),
  stages: z.array(z.strictObject({ stage: z.string(), status: z.string(), p50On: predictedOn, p80On: predictedOn, forecastOn: date.nullable() })),
  matters: z.array(
    z.strictObject({
      code: z.string(),
      stage: z.string().nullable(),
      department: z.string(),
      status: z.enum(['decided', 'running', 'stopped', 'waiting', 'intake', 'pending']),
      p50On: predictedOn,
      p80On: predictedOn,
      basis,
      samples: count,
      medianWorkingDays: count,
      p80WorkingDays: count,
      supplementRate: share,
      specialProcedureRate: share,
    }),
  ),
  calendarGaps: z.array(z.number().int()),
  history: z.strictObject({ matters: count, contracts: count, minSamples: count }),
});

/** The answers /openapi.json names as components, so the operations that share them refer to one definition. */
export const NAMED_ANSWERS: Record<string, z.ZodType> = {
  Problem: problemSchema,
  ApplicationView: applicationViewSchema,
  DepartmentView: departmentViewSchema,
  ProviderView: providerViewSchema,
  VisibleApplication: visibleApplicationSchema,
  MatterView: matterViewSchema,
  MatterAnswer: matterAnswerSchema,
  ServiceView: serviceViewSchema,
  ApplicationRead: applicationReadSchema,
};

// ---- SPGL data exchange (issue 15, readmodel/spgl) ----

/** A row of an SPGL table as exchanged: the standard's field names, codes as strings or numbers, times `YYYY-MM-DD HH:mm:ss` (Asia/Shanghai). */
export const spglRowSchema = z.record(z.string(), z.union([z.string(), z.number(), z.null()]));

/** GET /spgl/:table: the table's offered rows changed after `since`, in GXSJ and key order. */
export const spglPageSchema = z.strictObject({ table: z.string(), items: z.array(spglRowSchema), next: z.string().nullable() });

/** POST /spgl/:table/receipts: how many refusals were recorded, and the keys not known (or not open to the caller). */
export const spglReceiptsAnswerSchema = z.strictObject({ table: z.string(), refused: count, unknown: z.array(z.string()) });

/** GET /spgl/log: the exchange log, newest first. */
export const spglLogPageSchema = pageOf(
  z.strictObject({
    id: count,
    batchId: z.string(),
    table: z.string(),
    key: z.string(),
    action: z.enum(['sent', 'refused', 'resent', 'invalidated']),
    by: z.enum(['checker', 'receiver']).nullable(),
    reason: z.string().nullable(),
    at: z.string(),
  }),
);
