import { z } from 'zod';
import { specialProcedureKind } from '../catalogue/schema';
import { HOLDER_KINDS, SEGMENT_REASONS } from '../domain/attribution';
import { CLOCK_LEVELS } from '../domain/clock';
import { EVENT_KINDS, isEventKind } from '../domain/events';
import { DOCUMENT_LIMITS, SERVICE_LEVELS } from '../domain/types';
import { code, CODE_PATTERN, creditCode, documentRef, fileType, freeText, list, name, projectCode } from './fields';
import { actorRoleSchema } from './roles';

/**
 * What the API answers about one application: the view domain/view.ts computes, and the shares
 * api/authz.ts cuts from it for a utility's officer and for a provider. Declared here so the
 * OpenAPI document shows it and the contract test checks real answers against it; the domain
 * builds plain objects and never runs these schemas (test/unit/contracts.test.ts keeps the
 * TypeScript types of both in step). Objects are strict: a field the view adds without
 * declaring it here is a contract failure, not a silent extra.
 */

/** An instant as ISO-8601 with its offset (+08:00), or in UTC (Z) where PostgreSQL gives it. */
export const instant = z
  .string()
  .max(40)
  .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$/)
  .describe('ISO-8601 instant with offset, e.g. 2026-03-02T09:00:00+08:00');
/** A calendar date in Asia/Shanghai. */
export const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/).describe('YYYY-MM-DD, Asia/Shanghai');
const count = z.number().int().nonnegative();
const days = z.number();

export const clockLevelSchema = z.enum(CLOCK_LEVELS);
/** The levels the supervision office watches: every clock level above normal. */
export const alertLevelSchema = clockLevelSchema.exclude(['normal']);
export const serviceLevelSchema = z.enum(SERVICE_LEVELS);
export const matterStatusSchema = z.enum(['pending', 'intake', 'waitingPrerequisites', 'inProgress', 'suspended', 'approved', 'rejected', 'terminated', 'cancelled', 'withdrawn']);
export const applicationStatusSchema = z.enum(['running', 'completed', 'rejected', 'withdrawn']);
const result = z.strictObject({ matter: code('matter', 'LY01'), title: name(), number: name() });

const stopView = z.strictObject({
  kind: z.enum(['supplement', 'specialProcedure', 'rectification', 'hold']),
  procedure: specialProcedureKind.nullable(),
  from: instant,
  to: instant.nullable(),
  reason: freeText(),
  by: name(),
  items: list(code('material', 'M_LAND_REPORT')),
  expectedWorkingDays: z.number().nullable(),
  /** A second supplement request under the one-supplement rule: the department head who approved it. */
  approvedBy: name().nullable(),
  /** A hold: the prerequisite whose revoked result holds the matter. */
  source: code('matter', 'LY04').nullable(),
  workingDays: z.number().nullable(),
  calendarDays: days,
});

const matterCode = code('matter', 'LY01');
const materialCode = code('material', 'M_LAND_REPORT');
const departmentCode = code('department', 'DRC');

export const matterViewSchema = z.strictObject({
  code: matterCode,
  name: name(),
  nameEn: name(),
  stage: code('stage', 'S1').nullable(),
  department: departmentCode,
  departmentName: name(),
  milestone: z.boolean(),
  status: matterStatusSchema,
  prerequisites: list(matterCode),
  receivedAt: instant.nullable(),
  acceptedAt: instant.nullable(),
  acceptance: z.enum(['unconditional', 'afterNotice', 'officer', 'deemed']).nullable(),
  timeLimitDays: z.number(),
  clockRunning: z.boolean(),
  dueOn: date.nullable(),
  dueAt: instant.nullable(),
  calendarGap: freeText().nullable(),
  /** 暂定: the due date is counted through a provisional calendar year and may move when the official one is published. */
  provisional: z.boolean(),
  workingDaysUsed: z.number().nullable(),
  workingDaysLeft: z.number().nullable(),
  level: clockLevelSchema,
  overdueSince: instant.nullable(),
  stops: z.array(stopView),
  owedForSupplement: list(materialCode),
  missing: list(z.strictObject({ matter: matterCode, material: materialCode, name: name() })),
  waitingFor: z.strictObject({ matters: list(matterCode), services: list(code('service type', 'EIA_REPORT')) }).nullable(),
  intermediaryServices: list(code('service type', 'EIA_REPORT')),
  deferred: list(z.strictObject({ material: materialCode, name: name(), dueOn: date.nullable(), suppliedAt: instant.nullable(), provisional: z.boolean() })),
  extension: z.strictObject({ days: z.number(), approvedBy: name(), reason: freeText(), at: instant.nullable() }).nullable(),
  urges: list(z.strictObject({ at: instant.nullable(), by: name(), note: freeText() }), 1000),
  decision: z
    .strictObject({
      kind: z.enum(['approved', 'rejected', 'terminated', 'cancelled', 'withdrawn']),
      at: instant.nullable(),
      by: name(),
      reason: freeText(),
      result: z.strictObject({ title: name(), number: name() }).optional(),
      dueOn: date.nullable().optional(),
      onTime: z.boolean().optional(),
    })
    .nullable(),
  resultIssuedAt: instant.nullable(),
  ...reformFields(),
});

/** A clock beside the matter's own: a verification's, a participant's opinion's. */
function sideClockView() {
  return { dueOn: date.nullable(), dueAt: instant.nullable(), level: clockLevelSchema, overdueSince: instant.nullable(), provisional: z.boolean() };
}

function reformFields() {
  const department = code('department', 'HUD');
  const opinion = z.strictObject({
    kind: z.enum(['pass', 'conditions', 'fail', 'deemedConsent']),
    items: list(freeText(undefined, 500), 50),
    note: freeText(),
    at: instant,
    by: name(),
    round: count,
  });
  return {
    commitmentPolicy: z.strictObject({ text: freeText(), verificationDays: count }).nullable(),
    commitment: z.strictObject({ conditions: freeText(), statement: freeText(), by: name(), at: instant }).nullable(),
    verification: z
      .strictObject({
        startedAt: instant,
        ...sideClockView(),
        outcome: z.strictObject({ kind: z.enum(['confirmed', 'false']), at: instant, by: name(), reason: freeText() }).nullable(),
      })
      .nullable(),
    revoked: z.strictObject({ at: instant, by: name(), reason: freeText() }).nullable(),
    flags: list(z.strictObject({ at: instant, source: code('matter', 'LY04'), reason: freeText() }), 100),
    joint: z
      .strictObject({
        silenceIsConsent: z.boolean(),
        session: z
          .strictObject({
            on: date,
            time: z.string().max(5),
            place: name(),
            by: name(),
            at: instant,
            moved: z.strictObject({ on: date, time: z.string().max(5), place: name(), reason: freeText(), by: name(), at: instant }).nullable(),
          })
          .nullable(),
        round: count,
        participants: list(
          z.strictObject({
            department,
            departmentName: name(),
            opinionDays: count,
            waiting: z.boolean(),
            due: z.strictObject(sideClockView()).nullable(),
            opinion: opinion.nullable(),
            earlier: list(opinion, 10),
          }),
          50,
        ),
        rectification: z
          .strictObject({
            items: list(z.strictObject({ department, item: freeText(undefined, 500) }), 500),
            requestedAt: instant,
            submittedAt: instant.nullable(),
            note: freeText(),
          })
          .nullable(),
      })
      .nullable(),
    assignee: z.strictObject({ officer: z.string().max(64), since: instant, by: name() }).nullable(),
    withdrawal: z.strictObject({ withdrawnOn: date, remindedAt: instant.nullable() }).nullable(),
  };
}

/** A contract of a service: its service type's code, then `#n` from the second contract on (a replaced provider). */
const contractId = z
  .string()
  .max(40)
  .regex(new RegExp(`${CODE_PATTERN.source.slice(0, -1)}(#\\d{1,4})?$`), 'a service type code, then #n from the second contract on');
const providerCode = code('provider', 'P_HUAZHONG_ENV');

const contractView = z.strictObject({
  contractId,
  provider: providerCode,
  providerName: name(),
  regulator: code('department', 'WRB'),
  selection: z.strictObject({
    method: z.enum(['direct', 'randomDraw', 'bidding']),
    candidates: list(providerCode).optional(),
    /** The draw's seed: `<application>/<service type>/<n>`. */
    seed: name().optional(),
    drawn: z.number().optional(),
    bids: list(z.strictObject({ provider: providerCode, quoteYuan: z.number() })).optional(),
  }),
  status: z.enum(['open', 'delivered', 'accepted', 'terminated', 'cancelled']),
  level: serviceLevelSchema,
  contractedAt: instant,
  committedDays: z.number(),
  dayKind: z.enum(['working', 'calendar']),
  committedDueOn: date.nullable(),
  dueOn: date.nullable(),
  /** 暂定: the open due date is counted in working days through a provisional calendar year. */
  provisional: z.boolean(),
  deliveries: z.array(z.strictObject({ at: instant, by: name(), note: freeText() })),
  returns: z.array(z.strictObject({ at: instant, by: name(), reasons: list(freeText()), reworkDays: z.number() })),
  closedAt: instant.nullable(),
  closeReason: freeText().nullable(),
  calendarDays: days,
  deliveredOnTime: z.boolean().nullable(),
});

const serviceStatus = z.enum(['needed', 'inHand', 'waived', 'contracted', 'delivered', 'returned', 'accepted', 'cancelled']);
const commissionedBy = z.enum(['government', 'owner']);

export const serviceViewSchema = z.strictObject({
  serviceType: code('service type', 'SOIL_WATER_PLAN'),
  name: name(),
  deliverable: code('material', 'M_SOIL_WATER_PLAN'),
  matters: list(code('matter', 'LY08')),
  commissionedBy,
  status: serviceStatus,
  waiver: z.strictObject({ zone: code('zone', 'LYEDZ'), zoneName: name(), completedOn: date, validUntil: date }).nullable(),
  acceptedAt: instant.nullable(),
  contracts: z.array(contractView),
  reworkCount: count,
  calendarDays: z.number().nullable(),
  workingDays: z.number().nullable(),
});

const spans = z.strictObject({ calendarDays: days, workingDays: z.number().nullable() });
const forecastFigures = {
  completionOn: date,
  projectedTotalDays: z.number(),
  targetTotalDays: z.number(),
  exceedsTarget: z.boolean(),
  overTargetDays: z.number(),
  approximate: z.boolean(),
  /** The projection counts through a provisional calendar year (暂定): its dates may move. */
  provisional: z.boolean(),
};

/** The time accounting of DESIGN §4.8 and the completion forecast. */
export const accountingSchema = z.strictObject({
  governmentWorkingDays: z.number(),
  stages: z.array(z.strictObject({ stage: z.string(), governmentWorkingDays: z.number(), timeLimitDays: z.number() })),
  intermediary: z.strictObject({
    all: spans,
    governmentCommissioned: spans,
    ownerCommissioned: spans,
    services: z.array(
      z.strictObject({ serviceType: z.string(), commissionedBy, status: serviceStatus, calendarDays: z.number().nullable(), workingDays: z.number().nullable(), contracts: count, reworkCount: count }),
    ),
  }),
  applicant: spans,
  specialProcedures: spans,
  calendarDays: z.number(),
  targetTotalDays: z.number(),
  forecast: z.discriminatedUnion('basis', [
    z.strictObject({ basis: z.literal('actual'), ...forecastFigures, stages: z.array(z.never()) }),
    z.strictObject({ basis: z.literal('limits'), ...forecastFigures, stages: z.array(z.strictObject({ stage: z.string(), projectedEndOn: date })) }),
  ]),
});

/** Where the days went (domain/attribution.ts): the elapsed time along the critical path, by holder. */
const holderKind = z.enum(HOLDER_KINDS);
const attributionFigures = { calendarDays: days, workingDays: z.number().nullable(), overLimitWorkingDays: z.number().nullable(), overLimitCalendarDays: days };
export const attributionSchema = z.strictObject({
  settled: z.boolean(),
  elapsed: z.strictObject({ calendarDays: days, workingDays: z.number().nullable() }),
  holders: z.array(z.strictObject({ kind: holderKind, holder: z.string().nullable(), name: z.string(), ...attributionFigures })),
  matters: z.array(z.strictObject({ department: z.string(), matter: z.string(), ...attributionFigures })),
  path: z.array(
    z.strictObject({
      from: instant,
      to: instant.nullable(),
      kind: holderKind,
      holder: z.string().nullable(),
      reason: z.enum(SEGMENT_REASONS),
      matter: z.string().nullable(),
      stage: z.string().nullable(),
      serviceType: z.string().nullable(),
      contractId: z.string().nullable(),
      overAfter: date.nullable(),
      calendarDays: days,
      workingDays: z.number().nullable(),
      overLimitWorkingDays: z.number().nullable(),
    }),
  ),
});

/**
 * An audit event's kind: one of domain/events.ts EVENT_KINDS, checked and listed in the OpenAPI
 * document. Its TypeScript type stays `string`, as AppEvent.kind and EventRow.kind are.
 */
export const eventKindSchema = z
  .string()
  .refine((kind): boolean => isEventKind(kind), { message: 'must be an event kind of domain/events.ts' })
  .meta({ enum: [...EVENT_KINDS] });

/** One audit event as the view lists it. */
export const viewEventSchema = z.strictObject({
  seq: count,
  at: instant,
  kind: eventKindSchema,
  actor: z.string(),
  matter: z.string().optional(),
  stage: z.string().optional(),
  reason: z.string().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
});

const stageIntake = z.strictObject({
  receivedAt: instant.nullable(),
  noticeDueOn: date.nullable(),
  notice: z
    .strictObject({ issuedAt: instant.nullable(), by: z.string(), items: z.array(z.strictObject({ matter: z.string(), material: z.string(), name: z.string() })), note: z.string() })
    .nullable(),
  deemedAcceptedAt: instant.nullable(),
});

const stageFields = {
  code: z.string(),
  name: z.string(),
  nameEn: z.string(),
  leadDepartment: z.string(),
  timeLimitDays: z.number(),
  status: z.enum(['pending', 'inProgress', 'completed', 'cancelled']),
  startedAt: instant.nullable(),
  completedAt: instant.nullable(),
  outputs: z.array(result),
  matters: z.array(matterViewSchema),
};

const header = {
  applicationId: z.string(),
  projectName: z.string(),
  applicant: z.strictObject({ id: z.string(), name: z.string() }),
  process: z.strictObject({ code: z.string(), name: z.string(), definitionHash: z.string() }),
  status: applicationStatusSchema,
};
const startedBy = z.strictObject({ id: z.string(), role: actorRoleSchema }).nullable();

/** The whole application (domain/view.ts `viewApplication`): what the applicant, the supervision office and a government department see. */
export const applicationViewSchema = z.strictObject({
  ...header,
  startedBy,
  /** 项目代码 from the investment-project online approval platform, when given at start. */
  projectCode: projectCode.nullable(),
  /** The applicant's unified social credit code (统一社会信用代码), when given at start. */
  applicantCreditCode: creditCode.nullable(),
  asOf: instant,
  /** The application's event count: how far this view has got. */
  seq: count,
  startedAt: instant,
  outcome: z
    .strictObject({
      status: z.enum(['completed', 'rejected', 'withdrawn']),
      at: instant.nullable(),
      reason: z.string(),
      matter: z.string().optional(),
      by: z.string().optional(),
      results: z.array(result),
    })
    .nullable(),
  currentStage: z.string().nullable(),
  materials: z.array(z.string()),
  /** References to the files of the materials (a document store keeps the files), in the order they came. */
  documents: list(
    z.strictObject({ material: materialCode, name: name(), ref: documentRef, type: fileType.nullable(), suppliedAt: instant, matters: list(matterCode) }),
    DOCUMENT_LIMITS.perApplication,
  ),
  stages: z.array(z.strictObject({ ...stageFields, intake: stageIntake.optional() })),
  alongside: z.array(matterViewSchema),
  /** The development zone's code, when the project lies in one. */
  zone: z.string().nullable(),
  services: z.array(serviceViewSchema),
  accounting: accountingSchema,
  attribution: attributionSchema,
  calendarYears: z.array(z.number().int()),
  events: z.array(viewEventSchema),
});

/** A utility's officer's share (api/authz.ts): the header and its own department's matters, outputs, services and events. */
export const departmentViewSchema = z.strictObject({
  ...header,
  startedBy,
  asOf: instant,
  startedAt: instant,
  currentStage: z.string().nullable(),
  zone: z.string().nullable(),
  stages: z.array(z.strictObject(stageFields)),
  alongside: z.array(matterViewSchema),
  services: z.array(serviceViewSchema),
  events: z.array(viewEventSchema),
});

/** A provider's share (api/authz.ts): the project header and its own contracts. */
export const providerViewSchema = z.strictObject({ ...header, services: z.array(serviceViewSchema) });

/** The application as the caller may see it: whole, a utility department's share, or a provider's. */
export const visibleApplicationSchema = z.union([applicationViewSchema, departmentViewSchema, providerViewSchema]);

/** What an officer's action on a matter answers: the matter's view and the application's event count after it (read your writes with `minSeq`). */
export const matterAnswerSchema = matterViewSchema.extend({ applicationSeq: count });
