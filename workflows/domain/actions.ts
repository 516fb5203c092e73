import { z } from 'zod';
import { calendarYearSchema, specialProcedureKind } from '../../definitions/schema';

/**
 * The inputs of every action on an application, as zod schemas: the API validates bodies with
 * them (without `actor`, which comes from the caller's token) and the workflow's Update
 * validators re-check the domain rules. Workflows import only the inferred types.
 */
export const actorSchema = z.object({
  id: z.string().min(1),
  role: z.enum(['applicant', 'agent', 'officer', 'supervisor', 'integrator', 'admin', 'provider', 'system']),
  department: z.string().min(1).optional(),
  onBehalfOf: z.string().min(1).optional(),
});

const matter = z.string().regex(/^[A-Z][A-Z0-9_]{1,31}$/, 'must be a matter code such as LY01');
const reason = z.string().trim().min(1, 'a reason is required');
const materialCodes = z.array(z.string().min(1)).min(1, 'list at least one material code');

export const acceptSchema = z.object({ actor: actorSchema, matter, reason });
export const missingNoticeSchema = z.object({ actor: actorSchema, stage: z.string().min(1), note: z.string().default('') });
export const approveSchema = z.object({
  actor: actorSchema,
  matter,
  result: z.object({ number: z.string().trim().min(1, 'the result needs its document number'), title: z.string().trim().min(1).optional() }),
  reason: z.string().default(''),
});
export const rejectSchema = z.object({ actor: actorSchema, matter, reason });
export const supplementSchema = z.object({ actor: actorSchema, matter, items: materialCodes, reason });
export const startSpecialProcedureSchema = z.object({
  actor: actorSchema,
  matter,
  kind: specialProcedureKind,
  expectedWorkingDays: z.number().int().positive(),
  reason,
});
export const endSpecialProcedureSchema = z.object({ actor: actorSchema, matter, reason: z.string().default('') });
export const extendSchema = z.object({
  actor: actorSchema,
  matter,
  days: z.number().int().positive(),
  approvedBy: z.string().trim().min(1, 'name the department head who approved the extension'),
  reason,
});
export const supplySchema = z.object({ actor: actorSchema, items: materialCodes });
export const withdrawSchema = z.object({ actor: actorSchema, reason });
export const urgeSchema = z.object({ actor: actorSchema, matter, note: z.string().trim().min(1, 'an urge needs a note') });
export const escalateSchema = z.object({ actor: actorSchema, matter, reason });
const serviceType = z.string().regex(/^[A-Z][A-Z0-9_]{1,31}$/, 'must be a service type code such as EIA_REPORT');

/** How the applicant picks a provider in the intermediary supermarket (中介服务超市). */
export const selectionSchema = z.discriminatedUnion('method', [
  z.object({ method: z.literal('direct'), provider: z.string().min(1) }),
  /** 随机中选: a reproducible draw among the providers qualified on the day. */
  z.object({ method: z.literal('randomDraw') }),
  /** 竞价选取: the lowest quote among qualified bidders wins; ties go to the lower provider code. */
  z.object({
    method: z.literal('bidding'),
    bids: z.array(z.object({ provider: z.string().min(1), quoteYuan: z.number().positive() })).min(1, 'bidding needs at least one bid'),
  }),
]);
export const chooseProviderSchema = z.object({ actor: actorSchema, serviceType, selection: selectionSchema });
export const replaceProviderSchema = z.object({ actor: actorSchema, serviceType, selection: selectionSchema, reason });
export const deliverSchema = z.object({ actor: actorSchema, serviceType, note: z.string().default('') });
export const reviewDeliverableSchema = z.discriminatedUnion('decision', [
  z.object({ actor: actorSchema, serviceType, decision: z.literal('accept'), note: z.string().default('') }),
  z.object({
    actor: actorSchema,
    serviceType,
    decision: z.literal('return'),
    reasons: z.array(z.string().trim().min(1)).min(1, 'a returned deliverable lists the reasons for rework'),
  }),
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
export type PublishCalendarInput = z.infer<typeof publishCalendarSchema>;
export type Selection = z.infer<typeof selectionSchema>;
export type ChooseProviderInput = z.infer<typeof chooseProviderSchema>;
export type ReplaceProviderInput = z.infer<typeof replaceProviderSchema>;
export type DeliverInput = z.infer<typeof deliverSchema>;
export type ReviewDeliverableInput = z.infer<typeof reviewDeliverableSchema>;
