import type { UpdateDefinition } from '@temporalio/common';
import { ApplicationFailure, condition, log, patched, proxyActivities, setHandler } from '@temporalio/workflow';
import type { ProjectionActivities } from '../worker/activities';
import { ProjectionDelta, projectionBatch } from '../domain/projection';
import { Application } from '../domain/application';
import { ActionRefused } from '../domain/errors';
import { boundedText, sanitizeInput, TEXT_LIMITS } from '../domain/text';
import type { ApplicationInput, Outcome } from '../domain/types';
import { viewApplication, viewMatter, type ApplicationView } from '../domain/view';
import {
  acceptUpdate,
  approveUpdate,
  chooseProviderUpdate,
  deliverUpdate,
  replaceProviderUpdate,
  reviewDeliverableUpdate,
  endSpecialProcedureUpdate,
  escalateSignal,
  type MatterAnswer,
  extendUpdate,
  missingNoticeUpdate,
  publishCalendarSignal,
  rejectUpdate,
  startSpecialProcedureUpdate,
  projectionQuery,
  statusQuery,
  supervisionRefusalQuery,
  supplementUpdate,
  supplyUpdate,
  urgeSignal,
  withdrawUpdate,
} from './messages';

/**
 * A refusal crosses to the client as a non-retryable failure whose type is the refusal code. Its
 * message is made well-formed and bounded here, whatever it quotes: a lone surrogate in a failure
 * message cannot be encoded for the worker's core and would stop the worker.
 */
function refusing<T>(f: () => T): T {
  try {
    return f();
  } catch (e) {
    if (e instanceof ActionRefused) throw ApplicationFailure.create({ type: e.code, message: boundedText(e.message, TEXT_LIMITS.message), nonRetryable: true });
    throw e;
  }
}

/**
 * The read model is a projection: retried without limit (PostgreSQL may be down for a while;
 * the workflow goes on and the projection catches up), each write small and idempotent.
 */
const { projectApplication } = proxyActivities<ProjectionActivities>({
  startToCloseTimeout: '30 seconds',
  // A batch the writer calls invalid is a bug, not an outage: retrying cannot help.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: ['InvalidProjectionBatchError'] },
});

/**
 * One application's run through its process: four stages in order, matters in parallel,
 * working-day clocks, warnings and escalation. The rules live in domain/Application; this
 * function owns the durable parts: messages in, one timer for the next instant that matters.
 */
/**
 * The workflow clock: inside workflows the SDK replaces Date with the deterministic time of the
 * current activation (the same value on replay), so this is safe where wall-clock time is not.
 */
const now = (): number => Date.now();

export async function applicationWorkflow(input: ApplicationInput): Promise<Outcome> {
  // Since this patch every text a message or the start hands in is bounded and well-formed in
  // state, whatever the edge let through; older histories replay as they ran.
  const hygiene = patched('input-hygiene');
  const clean = <T>(a: T): T => (hygiene ? sanitizeInput(a) : a);
  const app = new Application(hygiene ? cleanStart(input) : input, now(), {
    // Intermediary deliverables gate matters since this patch; older histories replay without it.
    servicesGate: patched('intermediary-services'),
    // Since this patch an ending application (or a service no matter needs any more) closes its open
    // contracts with a reason and an event, and their clocks stop; older histories left them open.
    closeContracts: patched('close-contracts'),
    // Since this patch level events carry their rule's instant; older ones carry when the timer fired.
    levelsAtRuleInstant: patched('levels-at-rule-instant'),
  });
  let dirty = false;

  /** An Update: the validator refuses with a reason, the handler applies and answers with a view. */
  const update = <I, R>(
    def: UpdateDefinition<R, [I]>,
    check: (a: NoInfer<I>, now: number) => void,
    apply: (a: NoInfer<I>, now: number) => void,
    answer: (a: NoInfer<I>, now: number) => R,
  ) =>
    setHandler(
      def,
      (raw: I) => {
        const a = clean(raw);
        refusing(() => apply(a, now()));
        dirty = true;
        return answer(a, now());
      },
      { validator: (raw: I) => refusing(() => check(clean(raw), now())) },
    );
  const matterView = (a: { matter: string }, now: number): MatterAnswer => ({ ...viewMatter(app, app.state.matters[a.matter]!, now), applicationSeq: app.state.events.length });
  const appView = (_a: unknown, now: number): ApplicationView => viewApplication(app, now);
  const matterUpdate = <I extends { matter: string }>(def: UpdateDefinition<MatterAnswer, [I]>, check: (a: NoInfer<I>, now: number) => void, apply: (a: NoInfer<I>, now: number) => void) =>
    update(def, check, apply, matterView);
  const appUpdate = <I>(def: UpdateDefinition<ApplicationView, [I]>, check: (a: NoInfer<I>, now: number) => void, apply: (a: NoInfer<I>, now: number) => void) =>
    update(def, check, apply, appView);

  setHandler(statusQuery, (q) => viewApplication(app, Math.max(now(), q?.asOf ?? 0)));
  setHandler(projectionQuery, () => projectionBatch(app, now(), 0));
  setHandler(supervisionRefusalQuery, ({ actor, matter }) => app.supervisionRefusal(actor, matter));

  matterUpdate(acceptUpdate, (a) => app.checkAccept(a), (a, now) => app.accept(a, now));
  matterUpdate(approveUpdate, (a) => app.checkApprove(a), (a, now) => app.approve(a, now));
  matterUpdate(rejectUpdate, (a) => app.checkReject(a), (a, now) => app.reject(a, now));
  matterUpdate(supplementUpdate, (a) => app.checkSupplement(a), (a, now) => app.requestSupplement(a, now));
  matterUpdate(startSpecialProcedureUpdate, (a) => app.checkStartSpecial(a), (a, now) => app.startSpecialProcedure(a, now));
  matterUpdate(endSpecialProcedureUpdate, (a) => app.checkEndSpecial(a), (a, now) => app.endSpecialProcedure(a, now));
  matterUpdate(extendUpdate, (a, now) => app.checkExtend(a, now), (a, now) => app.extend(a, now));
  appUpdate(missingNoticeUpdate, (a, now) => app.checkMissingNotice(a, now), (a, now) => app.issueMissingNotice(a, now));
  appUpdate(supplyUpdate, (a) => app.checkSupply(a), (a, now) => app.supply(a, now));
  appUpdate(withdrawUpdate, (a) => app.checkWithdraw(a), (a, now) => app.withdraw(a, now));
  appUpdate(chooseProviderUpdate, (a, now) => app.checkChooseProvider(a, now), (a, now) => app.chooseProvider(a, now));
  appUpdate(replaceProviderUpdate, (a, now) => app.checkReplaceProvider(a, now), (a, now) => app.replaceProvider(a, now));
  appUpdate(deliverUpdate, (a) => app.checkDeliver(a), (a, now) => app.deliver(a, now));
  appUpdate(reviewDeliverableUpdate, (a) => app.checkReview(a), (a, now) => app.reviewDeliverable(a, now));

  setHandler(urgeSignal, (a) => {
    app.urge(clean(a), now());
    dirty = true;
  });
  setHandler(escalateSignal, (a) => {
    app.escalate(clean(a), now());
    dirty = true;
  });
  setHandler(publishCalendarSignal, (raw) => {
    const a = clean(raw);
    app.publishCalendar(a.calendar, a.actor, now());
    dirty = true;
  });

  // Since this patch every change is projected to the read model; older histories ran without.
  const projection = patched('read-model-projection') ? projectChanges(app, () => app.ended) : Promise.resolve();

  app.advance(now());
  while (!app.ended) {
    const next = app.nextWakeAt(now());
    dirty = false;
    if (next === null) await condition(() => dirty);
    else await condition(() => dirty, Math.max(1, next - now()));
    app.advance(now());
  }
  await projection;
  return app.state.outcome!;
}

/** The start's own texts, bounded and well-formed; the catalogue snapshot is ours and left alone. */
function cleanStart(input: ApplicationInput): ApplicationInput {
  return {
    ...input,
    projectName: boundedText(input.projectName, TEXT_LIMITS.name),
    applicant: { id: boundedText(input.applicant.id, TEXT_LIMITS.id), name: boundedText(input.applicant.name, TEXT_LIMITS.name) },
    materials: input.materials.slice(0, 200).map((m) => boundedText(m, TEXT_LIMITS.code)),
  };
}

/**
 * Hands the read model the latest state whenever there are events it has not seen, one batch
 * at a time: a burst of changes becomes one write. Returns once the final state is written.
 */
async function projectChanges(app: Application, ended: () => boolean): Promise<void> {
  let projected = 0;
  const delta = new ProjectionDelta();
  for (;;) {
    await condition(() => app.state.events.length > projected || ended());
    if (app.state.events.length === projected) return;
    const batch = delta.next(projectionBatch(app, now(), projected));
    try {
      await projectApplication(batch);
    } catch (e) {
      // Never let the read model fail an application: the writer recorded the refused batch for
      // repair (`npm run rebuild-projection`), and the next batch carries every row again.
      log.error('read-model projection refused a batch', { seq: batch.application.seq, error: boundedText((e as Error).message, 300) });
      delta.reset();
    }
    projected = batch.application.seq;
  }
}
