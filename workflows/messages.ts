import type { UpdateDefinition } from '@temporalio/common';
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
import type { CommandAnswer, CommandInput, CommandName, MatterAnswer } from '../domain/application/commands';
import type { ProjectionBatch } from '../domain/projection';
import type { ApplicationView } from '../domain/view';

/**
 * Every message of the application workflow; the API imports these, so each has one name, and
 * each constant is named after its wire name (a wire name is recorded in histories: never rename one).
 */

/**
 * The full state. A query sees the workflow's clock as of its last activation, so callers pass
 * their own `asOf` (epoch ms) to get working days used and left as of now.
 */
export const statusQuery = defineQuery<ApplicationView, [{ asOf?: number }?]>('status');
/** Everything the read model holds of this application, to rebuild the projection from the workflow. */
export const projectionQuery = defineQuery<ProjectionBatch>('projection');

// Every action is an Update whose validator refuses a wrong action with a typed code (domain/application/commands.ts).
export const acceptUpdate = defineUpdate<MatterAnswer, [AcceptInput]>('accept');
export const issueMissingNoticeUpdate = defineUpdate<ApplicationView, [MissingNoticeInput]>('issueMissingNotice');
export const approveUpdate = defineUpdate<MatterAnswer, [ApproveInput]>('approve');
export const rejectUpdate = defineUpdate<MatterAnswer, [RejectInput]>('reject');
export const requestSupplementUpdate = defineUpdate<MatterAnswer, [SupplementInput]>('requestSupplement');
export const startSpecialProcedureUpdate = defineUpdate<MatterAnswer, [StartSpecialProcedureInput]>('startSpecialProcedure');
export const endSpecialProcedureUpdate = defineUpdate<MatterAnswer, [EndSpecialProcedureInput]>('endSpecialProcedure');
export const extendUpdate = defineUpdate<MatterAnswer, [ExtendInput]>('extend');

// Applicant actions.
export const supplyMaterialsUpdate = defineUpdate<ApplicationView, [SupplyInput]>('supplyMaterials');
export const withdrawUpdate = defineUpdate<ApplicationView, [WithdrawInput]>('withdraw');

// Intermediary services: the applicant contracts and replaces, the provider delivers, the officer reviews.
export const chooseProviderUpdate = defineUpdate<ApplicationView, [ChooseProviderInput]>('chooseProvider');
export const replaceProviderUpdate = defineUpdate<ApplicationView, [ReplaceProviderInput]>('replaceProvider');
export const deliverUpdate = defineUpdate<ApplicationView, [DeliverInput]>('deliver');
export const reviewDeliverableUpdate = defineUpdate<ApplicationView, [ReviewDeliverableInput]>('reviewDeliverable');

// Supervision: Updates, refused like every other action.
export const urgeUpdate = defineUpdate<MatterAnswer, [UrgeInput]>('urge');
export const escalateUpdate = defineUpdate<MatterAnswer, [EscalateInput]>('escalate');

/** Each command's Update, for the workflow to register in one loop. */
export const commandUpdates: { [K in CommandName]: UpdateDefinition<CommandAnswer<K>, [CommandInput<K>]> } = {
  accept: acceptUpdate,
  issueMissingNotice: issueMissingNoticeUpdate,
  approve: approveUpdate,
  reject: rejectUpdate,
  requestSupplement: requestSupplementUpdate,
  startSpecialProcedure: startSpecialProcedureUpdate,
  endSpecialProcedure: endSpecialProcedureUpdate,
  extend: extendUpdate,
  supplyMaterials: supplyMaterialsUpdate,
  withdraw: withdrawUpdate,
  chooseProvider: chooseProviderUpdate,
  replaceProvider: replaceProviderUpdate,
  deliver: deliverUpdate,
  reviewDeliverable: reviewDeliverableUpdate,
  urge: urgeUpdate,
  escalate: escalateUpdate,
};

// Administration: a fire-and-forget signal, recorded on the application.
export const publishCalendarSignal = defineSignal<[PublishCalendarInput]>('publishCalendar');

/** Kept for replay only: older histories urge and escalate by signal (a refusal is recorded, not thrown). */
export const urgeSignal = defineSignal<[UrgeInput]>('urge');
/** Kept for replay only: see `urgeSignal`. */
export const escalateSignal = defineSignal<[EscalateInput]>('escalate');
