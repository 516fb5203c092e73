import type { UpdateDefinition } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { EscalateInput, PublishCalendarInput, UrgeInput } from '../contracts/actions';
import type { CommandAnswer, CommandInput, CommandName } from '../domain/application/commands';
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
/**
 * Everything the read model holds of this application: every row, the events after `fromSeq`
 * (default: all), and the process snapshot unless `snapshot` is false. The projection activity
 * reads it after each change; `npm run rebuild-projection` rebuilds the read model from it.
 */
export const projectionQuery = defineQuery<ProjectionBatch, [ProjectionQueryInput?]>('projection');
export interface ProjectionQueryInput {
  fromSeq?: number;
  snapshot?: boolean;
}

/** A command's Update (domain/application/commands.ts): its wire name is the command's name. */
const commandUpdate = <K extends CommandName>(name: K) => defineUpdate<CommandAnswer<K>, [CommandInput<K>]>(name);

// Every action is an Update whose validator refuses a wrong action with a typed code.
export const acceptUpdate = commandUpdate('accept');
export const issueMissingNoticeUpdate = commandUpdate('issueMissingNotice');
export const approveUpdate = commandUpdate('approve');
export const rejectUpdate = commandUpdate('reject');
export const requestSupplementUpdate = commandUpdate('requestSupplement');
export const startSpecialProcedureUpdate = commandUpdate('startSpecialProcedure');
export const endSpecialProcedureUpdate = commandUpdate('endSpecialProcedure');
export const extendUpdate = commandUpdate('extend');

// Applicant actions.
export const supplyMaterialsUpdate = commandUpdate('supplyMaterials');
export const withdrawUpdate = commandUpdate('withdraw');

// Intermediary services: the applicant contracts and replaces, the provider delivers, the officer reviews.
export const chooseProviderUpdate = commandUpdate('chooseProvider');
export const replaceProviderUpdate = commandUpdate('replaceProvider');
export const deliverUpdate = commandUpdate('deliver');
export const reviewDeliverableUpdate = commandUpdate('reviewDeliverable');

// Supervision: Updates, refused like every other action.
export const urgeUpdate = commandUpdate('urge');
export const escalateUpdate = commandUpdate('escalate');

// 告知承诺制, joint matters and work assignment.
export const commitUpdate = commandUpdate('commit');
export const verifyCommitmentUpdate = commandUpdate('verifyCommitment');
export const liftHoldUpdate = commandUpdate('liftHold');
export const scheduleSessionUpdate = commandUpdate('scheduleSession');
export const moveSessionUpdate = commandUpdate('moveSession');
export const giveOpinionUpdate = commandUpdate('giveOpinion');
export const submitRectificationUpdate = commandUpdate('submitRectification');
export const claimMatterUpdate = commandUpdate('claimMatter');
export const assignMatterUpdate = commandUpdate('assignMatter');
export const returnToPoolUpdate = commandUpdate('returnToPool');

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
  commit: commitUpdate,
  verifyCommitment: verifyCommitmentUpdate,
  liftHold: liftHoldUpdate,
  scheduleSession: scheduleSessionUpdate,
  moveSession: moveSessionUpdate,
  giveOpinion: giveOpinionUpdate,
  submitRectification: submitRectificationUpdate,
  claimMatter: claimMatterUpdate,
  assignMatter: assignMatterUpdate,
  returnToPool: returnToPoolUpdate,
};

// Administration: a fire-and-forget signal, recorded on the application.
export const publishCalendarSignal = defineSignal<[PublishCalendarInput]>('publishCalendar');

/** Kept for replay only: older histories urge and escalate by signal (a refusal is recorded, not thrown). */
export const urgeSignal = defineSignal<[UrgeInput]>('urge');
/** Kept for replay only: see `urgeSignal`. */
export const escalateSignal = defineSignal<[EscalateInput]>('escalate');
