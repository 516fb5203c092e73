import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type {
  AcceptInput,
  ApproveInput,
  ChooseProviderInput,
  DeliverInput,
  ReplaceProviderInput,
  ReviewDeliverableInput,
  EndSpecialProcedureInput,
  EscalateInput,
  ExtendInput,
  MissingNoticeInput,
  PublishCalendarInput,
  RejectInput,
  StartSpecialProcedureInput,
  SupplementInput,
  SupplyInput,
  UrgeInput,
  WithdrawInput,
} from '../contracts/actions';
import type { ApplicationView, MatterView } from '../domain/view';

/** A matter action's answer: the matter, and the application's event count after it (read your writes with `minSeq`). */
export type MatterAnswer = MatterView & { applicationSeq: number };
import type { ProjectionBatch } from '../domain/projection';

/** Every message of the application workflow; the API imports these, so each has one name. */
/**
 * The full state. A query sees the workflow's clock as of its last activation, so callers pass
 * their own `asOf` (epoch ms) to get working days used and left as of now.
 */
export const statusQuery = defineQuery<ApplicationView, [{ asOf?: number }?]>('status');
/** Everything the read model holds of this application, to rebuild the projection from the workflow. */
export const projectionQuery = defineQuery<ProjectionBatch>('projection');
/** Why a supervision signal would be ignored, so the API can answer 4xx before sending it. */
export const supervisionRefusalQuery = defineQuery<string | null, [{ actor: UrgeInput['actor']; matter: string }]>('supervisionRefusal');

// Officer actions need an answer: Updates whose validators refuse wrong actions with a reason.
export const acceptUpdate = defineUpdate<MatterAnswer, [AcceptInput]>('accept');
export const missingNoticeUpdate = defineUpdate<ApplicationView, [MissingNoticeInput]>('issueMissingNotice');
export const approveUpdate = defineUpdate<MatterAnswer, [ApproveInput]>('approve');
export const rejectUpdate = defineUpdate<MatterAnswer, [RejectInput]>('reject');
export const supplementUpdate = defineUpdate<MatterAnswer, [SupplementInput]>('requestSupplement');
export const startSpecialProcedureUpdate = defineUpdate<MatterAnswer, [StartSpecialProcedureInput]>('startSpecialProcedure');
export const endSpecialProcedureUpdate = defineUpdate<MatterAnswer, [EndSpecialProcedureInput]>('endSpecialProcedure');
export const extendUpdate = defineUpdate<MatterAnswer, [ExtendInput]>('extend');

// Applicant actions.
export const supplyUpdate = defineUpdate<ApplicationView, [SupplyInput]>('supplyMaterials');
export const withdrawUpdate = defineUpdate<ApplicationView, [WithdrawInput]>('withdraw');

// Intermediary services: the applicant contracts and replaces, the provider delivers, the officer reviews.
export const chooseProviderUpdate = defineUpdate<ApplicationView, [ChooseProviderInput]>('chooseProvider');
export const replaceProviderUpdate = defineUpdate<ApplicationView, [ReplaceProviderInput]>('replaceProvider');
export const deliverUpdate = defineUpdate<ApplicationView, [DeliverInput]>('deliver');
export const reviewDeliverableUpdate = defineUpdate<ApplicationView, [ReviewDeliverableInput]>('reviewDeliverable');

// Supervision and administration: fire-and-forget signals, recorded on the application.
export const urgeSignal = defineSignal<[UrgeInput]>('urge');
export const escalateSignal = defineSignal<[EscalateInput]>('escalate');
export const publishCalendarSignal = defineSignal<[PublishCalendarInput]>('publishCalendar');
