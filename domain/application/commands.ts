import type { MatterView } from '../view';
import { viewMatter } from '../view';
import type { Application } from './core';
import { ActionRefused } from '../errors';
import { accept, checkAccept, checkMissingNotice, checkSupply, issueMissingNotice, supply } from './intake';
import { approve, checkApprove, checkEndSpecial, checkExtend, checkReject, checkStartSpecial, checkSupplement, endSpecialProcedure, extend, reject, requestSupplement, startSpecialProcedure } from './matters';
import { checkChooseProvider, checkDeliver, checkReplaceProvider, checkReview, chooseProvider, deliver, replaceProvider, reviewDeliverable } from './services';
import { checkWithdraw, withdraw } from './stages';
import { checkEscalate, checkUrge, escalate, urge } from './supervision';
import { checkCommit, checkLiftHold, checkVerify, commit, liftHold, verify } from './commitment';
import { checkGiveOpinion, checkMoveSession, checkScheduleSession, checkSubmitRectification, giveOpinion, moveSession, scheduleSession, submitRectification } from './joint';
import { assign, checkAssign, checkClaim, checkRelease, claim, release } from './assignment';

/** A matter action's answer: the matter, and the application's event count after it (read your writes with `minSeq`). */
export type MatterAnswer = MatterView & { applicationSeq: number };

/**
 * An application action's answer: the application's event count after it. The caller reads the
 * application at least that new (the API asks the workflow's status query); the whole view
 * (~25 KB) as the answer was stored in the history with every such action.
 */
export interface ApplicationAnswer {
  applicationSeq: number;
}

/**
 * One action on an application. `check` refuses with ActionRefused and changes nothing (the
 * workflow's Update validator); `apply` checks again and changes the state; `answer` is what the
 * caller gets back. The input's zod schema is contracts/actions.ts `<name>Schema`.
 */
export interface Command<I, R> {
  check(app: Application, a: I, now: number): void;
  apply(app: Application, a: I, now: number): void;
  answer(app: Application, a: I, now: number): R;
  /** Whether it answers with the matter or with the application's seq. */
  answers: 'matter' | 'application';
}

const matterAnswer = (app: Application, a: { matter: string }, now: number): MatterAnswer => ({
  ...viewMatter(app, app.state.matters[a.matter]!, now),
  applicationSeq: app.state.events.length,
});
const applicationAnswer = (app: Application): ApplicationAnswer => ({ applicationSeq: app.state.events.length });

/** A check that first refuses an application started before the reform instruments existed (patch `reform-instruments`). */
function reform<I>(check: (app: Application, a: I, now: number) => void) {
  return (app: Application, a: I, now: number) => {
    if (!app.state.reformInstruments) throw new ActionRefused('NOT_AVAILABLE', 'this application was started before commitments and joint matters existed');
    check(app, a, now);
  };
}

/** An action on one matter, answered with that matter. */
function onMatter<I extends { matter: string }>(check: (app: Application, a: I, now: number) => void, apply: (app: Application, a: I, now: number) => void): Command<I, MatterAnswer> {
  return { check, apply, answer: matterAnswer, answers: 'matter' };
}

/** An action on the application, answered with the application's seq. */
function onApplication<I>(check: (app: Application, a: I, now: number) => void, apply: (app: Application, a: I, now: number) => void): Command<I, ApplicationAnswer> {
  return { check, apply, answer: applicationAnswer, answers: 'application' };
}

/**
 * Every action on an application, by its Update's name: the workflow registers each in one loop,
 * tests drive the engine through the same table.
 */
export const commands = {
  // The department officer (受理, 一次性告知, 办结 / 不予许可, 补正, 特别程序, 延期).
  accept: onMatter(checkAccept, accept),
  issueMissingNotice: onApplication(checkMissingNotice, issueMissingNotice),
  approve: onMatter(checkApprove, approve),
  reject: onMatter(checkReject, reject),
  requestSupplement: onMatter(checkSupplement, requestSupplement),
  startSpecialProcedure: onMatter(checkStartSpecial, startSpecialProcedure),
  endSpecialProcedure: onMatter(checkEndSpecial, endSpecialProcedure),
  extend: onMatter(checkExtend, extend),
  // The applicant.
  supplyMaterials: onApplication(checkSupply, supply),
  withdraw: onApplication(checkWithdraw, withdraw),
  // Intermediary services: the applicant contracts and replaces, the provider delivers, the officer reviews.
  chooseProvider: onApplication(checkChooseProvider, chooseProvider),
  replaceProvider: onApplication(checkReplaceProvider, replaceProvider),
  deliver: onApplication(checkDeliver, deliver),
  reviewDeliverable: onApplication(checkReview, reviewDeliverable),
  // The supervision office (督办, 升级).
  urge: onMatter(checkUrge, urge),
  escalate: onMatter(checkEscalate, escalate),
  // 告知承诺制: the applicant commits before acceptance; the department verifies the commitment or lifts a hold.
  commit: onMatter(reform(checkCommit), commit),
  verifyCommitment: onMatter(reform(checkVerify), verify),
  liftHold: onMatter(reform(checkLiftHold), liftHold),
  // Joint matters: the lead schedules (and moves once), participants give opinions, the applicant rectifies.
  scheduleSession: onMatter(reform(checkScheduleSession), scheduleSession),
  moveSession: onMatter(reform(checkMoveSession), moveSession),
  giveOpinion: onMatter(reform(checkGiveOpinion), giveOpinion),
  submitRectification: onMatter(reform(checkSubmitRectification), submitRectification),
  // Work assigned to officers within the department.
  claimMatter: onMatter(checkClaim, claim),
  assignMatter: onMatter(checkAssign, assign),
  returnToPool: onMatter(checkRelease, release),
};

export type CommandName = keyof typeof commands;
export type CommandInput<K extends CommandName> = (typeof commands)[K] extends Command<infer I, unknown> ? I : never;
export type CommandAnswer<K extends CommandName> = (typeof commands)[K] extends Command<unknown, infer R> ? R : never;
export const COMMAND_NAMES = Object.keys(commands) as CommandName[];
