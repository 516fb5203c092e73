import { z } from 'zod';
import { code, creditCode, documentRef, fileType, freeText, identifier, isoDate, list, name, projectCode, wholeNumber } from './fields';
import { DOCUMENT_LIMITS } from '../domain/types';
import { actorSchema } from './roles';
import { calendarYearSchema, specialProcedureKind } from '../catalogue/schema';

/**
 * The inputs of every action on an application, as zod schemas: the API validates bodies with
 * them (without `actor`, which comes from the caller's token) and the workflow's Update
 * validators re-check the domain rules. Workflows import only the inferred types.
 */
export { actorSchema };

const matter = code('matter', 'LY01');

/** A file of a material the applicant hands in, by the reference a document store keeps it under. */
export const documentSchema = z.object({
  material: code('material', 'M_APPLICATION_FORM'),
  name: name('name the file'),
  ref: documentRef,
  type: fileType.optional(),
});
const documentList = list(documentSchema, DOCUMENT_LIMITS.perRequest);

/** Each document is of a material the same request hands in (`materials` at start, `items` when supplying). */
function documentsOfMaterialsSent<K extends 'materials' | 'items'>(listed: K) {
  return (body: { documents?: { material: string }[] } & Record<K, string[]>, ctx: z.RefinementCtx) => {
    const sent = new Set(body[listed]);
    (body.documents ?? []).forEach((d, i) => {
      if (!sent.has(d.material)) ctx.addIssue({ code: 'custom', path: ['documents', i, 'material'], message: `material ${d.material} is not among the ${listed} of this request` });
    });
  };
}

/** What an applicant (or an agent, integrator or admin for one) sends to start an application. */
export const startApplicationSchema = z.object({
  processCode: code('process', 'GOV_INVESTMENT'),
  projectName: name('name the project'),
  /** For agents, integrators and admins: the applicant they act for. */
  applicant: z.object({ id: identifier('applicant id'), name: name('name the applicant') }).optional(),
  materials: list(code('material', 'M_APPLICATION_FORM'), 200).default([]),
  /** Development zone code, when the project lies in one with regional assessments (区域评估). */
  zone: code('zone', 'LYEDZ').optional(),
  /** 告知承诺制: matters the applicant commits on (each must allow it), with its signed statement. */
  commitments: list(z.object({ matter: code('matter', 'SG03'), statement: freeText('a commitment needs the applicant’s signed statement') }), 40).default([]),
  /** 项目代码 from the investment-project online approval platform (投资项目在线审批监管平台). */
  projectCode: projectCode.optional(),
  /** The applicant's unified social credit code (统一社会信用代码), whoever starts the application. */
  applicantCreditCode: creditCode.optional(),
  /** Files of the materials handed in, by their document store's reference. */
  documents: documentList.default([]),
}).superRefine(documentsOfMaterialsSent('materials'));
const reason = freeText('a reason is required');
const note = freeText().default('');
const materialCodes = list(code('material', 'M_APPLICATION_FORM'), 100, 1, 'list at least one material code');

export const acceptSchema = z.object({ actor: actorSchema, matter, reason });
export const missingNoticeSchema = z.object({ actor: actorSchema, stage: code('stage', 'S1'), note });
export const approveSchema = z.object({
  actor: actorSchema,
  matter,
  result: z.object({ number: name('the result needs its document number', 100), title: name('a result title must not be empty').optional() }),
  reason: note,
});
export const rejectSchema = z.object({ actor: actorSchema, matter, reason });
/** What an officer sends to decide a matter: the approval or the rejection, without who and which matter. */
export const decisionBodySchema = z.discriminatedUnion('decision', [
  approveSchema.omit({ actor: true, matter: true }).extend({ decision: z.literal('approve') }),
  rejectSchema.omit({ actor: true, matter: true }).extend({ decision: z.literal('reject') }),
]);
export const supplementSchema = z.object({
  actor: actorSchema,
  matter,
  items: materialCodes,
  reason,
  /** Where the catalogue allows one supplement request: the department head who approved another. */
  approvedBy: name('name the department head who approved another supplement request', 100).optional(),
});
export const startSpecialProcedureSchema = z.object({
  actor: actorSchema,
  matter,
  kind: specialProcedureKind,
  expectedWorkingDays: wholeNumber(1, 365),
  reason,
});
export const endSpecialProcedureSchema = z.object({ actor: actorSchema, matter, reason: note });
export const extendSchema = z.object({
  actor: actorSchema,
  matter,
  days: wholeNumber(1, 60),
  approvedBy: name('name the department head who approved the extension', 100),
  reason,
});
const supplyFields = { items: materialCodes, documents: documentList.optional() };
/** What the applicant sends to supply materials: the route's body; the action adds who. */
export const supplyBodySchema = z.object(supplyFields).superRefine(documentsOfMaterialsSent('items'));
export const supplySchema = z.object({ actor: actorSchema, ...supplyFields }).superRefine(documentsOfMaterialsSent('items'));
export const withdrawSchema = z.object({ actor: actorSchema, reason });
export const urgeSchema = z.object({ actor: actorSchema, matter, note: freeText('an urge needs a note') });
export const escalateSchema = z.object({ actor: actorSchema, matter, reason });

// 告知承诺制: the applicant commits; the department verifies; a false commitment revokes the result.
export const commitSchema = z.object({ actor: actorSchema, matter, statement: freeText('a commitment needs the applicant’s signed statement') });
export const verifySchema = z.object({ actor: actorSchema, matter, outcome: z.enum(['confirmed', 'false']), reason });
/** Ends the hold a revoked prerequisite put on a matter (the department has checked it may go on). */
export const liftHoldSchema = z.object({ actor: actorSchema, matter, reason });

// Joint matters: the lead schedules, participants give opinions, the applicant rectifies.
const session = {
  on: isoDate,
  time: z.string().max(5, 'must be a time HH:MM').regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a time HH:MM'),
  place: name('name the place', 100),
};
export const scheduleSessionSchema = z.object({ actor: actorSchema, matter, ...session });
export const moveSessionSchema = z.object({ actor: actorSchema, matter, ...session, reason });
const opinionFields = {
  opinion: z.enum(['pass', 'conditions', 'fail']),
  /** The failing items (fail) or the conditions (conditions). */
  items: list(freeText('an item must not be empty', 500), 50).default([]),
  note,
};
const itemsGiven = (o: { opinion: string; items: unknown[] }) => o.opinion === 'pass' || o.items.length > 0;
const itemsRule = { message: 'a failing opinion lists its items, a conditional one its conditions', path: ['items'] };
export const giveOpinionSchema = z.object({ actor: actorSchema, matter, ...opinionFields }).refine(itemsGiven, itemsRule);
/** What a participant sends to give its opinion: the route's body; the action adds who and which matter. */
export const opinionBodySchema = z.object(opinionFields).refine(itemsGiven, itemsRule);
export const submitRectificationSchema = z.object({ actor: actorSchema, matter, note: freeText('say what was rectified') });

// Work assigned to officers within the department.
export const claimSchema = z.object({ actor: actorSchema, matter });
export const assignSchema = z.object({ actor: actorSchema, matter, officer: identifier('officer id'), reason: note });
export const releaseSchema = z.object({ actor: actorSchema, matter, reason: note });

const serviceType = code('service type', 'EIA_REPORT');
const provider = code('provider', 'P_GREEN_ENV');

/** How the applicant picks a provider in the intermediary supermarket (中介服务超市). */
export const selectionSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('direct'), provider }),
  /** 随机中选: a reproducible draw among the providers qualified on the day. */
  z.object({ method: z.literal('randomDraw') }),
  /** 竞价选取: the lowest quote among qualified bidders wins; ties go to the lower provider code. */
  z.object({
    method: z.literal('bidding'),
    bids: list(z.object({ provider, quoteYuan: z.number().positive('a quote is a positive amount').max(1e10, 'a quote is at most 10,000,000,000 yuan') }), 50, 1, 'bidding needs at least one bid'),
  }),
]);
export const chooseProviderSchema = z.object({ actor: actorSchema, serviceType, selection: selectionSchema });
export const replaceProviderSchema = z.object({ actor: actorSchema, serviceType, selection: selectionSchema, reason });
export const deliverSchema = z.object({ actor: actorSchema, serviceType, note });
const acceptDeliverable = z.object({ decision: z.literal('accept'), note });
const returnDeliverable = z.object({
  decision: z.literal('return'),
  reasons: list(freeText('a reason must not be empty'), 20, 1, 'a returned deliverable lists the reasons for rework'),
});
/** What an officer sends to review a deliverable: the route's body; the action adds who and which service. */
export const reviewBodySchema = z.discriminatedUnion('decision', [acceptDeliverable, returnDeliverable]);
export const reviewDeliverableSchema = z.discriminatedUnion('decision', [
  acceptDeliverable.extend({ actor: actorSchema, serviceType }),
  returnDeliverable.extend({ actor: actorSchema, serviceType }),
]);

export const publishCalendarSchema = z.object({ actor: actorSchema, calendar: calendarYearSchema });

export type AcceptInput = z.infer<typeof acceptSchema>;
export type MissingNoticeInput = z.infer<typeof missingNoticeSchema>;
export type ApproveInput = z.infer<typeof approveSchema>;
export type RejectInput = z.infer<typeof rejectSchema>;
export type SupplementInput = z.infer<typeof supplementSchema>;
export type StartSpecialProcedureInput = z.infer<typeof startSpecialProcedureSchema>;
export type EndSpecialProcedureInput = z.infer<typeof endSpecialProcedureSchema>;
export type ExtendInput = z.infer<typeof extendSchema>;
export type SupplyInput = z.infer<typeof supplySchema>;
export type WithdrawInput = z.infer<typeof withdrawSchema>;
export type UrgeInput = z.infer<typeof urgeSchema>;
export type EscalateInput = z.infer<typeof escalateSchema>;
export type CommitInput = z.infer<typeof commitSchema>;
export type VerifyInput = z.infer<typeof verifySchema>;
export type LiftHoldInput = z.infer<typeof liftHoldSchema>;
export type ScheduleSessionInput = z.infer<typeof scheduleSessionSchema>;
export type MoveSessionInput = z.infer<typeof moveSessionSchema>;
export type GiveOpinionInput = z.infer<typeof giveOpinionSchema>;
export type SubmitRectificationInput = z.infer<typeof submitRectificationSchema>;
export type ClaimInput = z.infer<typeof claimSchema>;
export type AssignInput = z.infer<typeof assignSchema>;
export type ReleaseInput = z.infer<typeof releaseSchema>;
export type PublishCalendarInput = z.infer<typeof publishCalendarSchema>;
export type Selection = z.infer<typeof selectionSchema>;
export type ChooseProviderInput = z.infer<typeof chooseProviderSchema>;
export type ReplaceProviderInput = z.infer<typeof replaceProviderSchema>;
export type DeliverInput = z.infer<typeof deliverSchema>;
export type ReviewDeliverableInput = z.infer<typeof reviewDeliverableSchema>;
