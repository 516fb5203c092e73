import { ActivityFailure, ApplicationFailure, CancellationScope, condition, log, patched, proxyActivities, proxyLocalActivities, setHandler, sleep } from '@temporalio/workflow';
import type { UpdateDefinition } from '@temporalio/common';
import type { ProjectionActivities } from '../worker/activities';
import { ChangedRows, ProjectionDelta, projectionBatch, projectionDeltaRead, projectionRead } from '../domain/projection';
import { COMMAND_NAMES, commands, type Command, type CommandName } from '../domain/application/commands';
import { Application } from '../domain/application/core';
import { documentsAtStart } from '../domain/application/intake';
import { escalateSignalled, publishCalendar, urgeSignalled } from '../domain/application/supervision';
import { ActionRefused } from '../domain/errors';
import { boundedText, sanitizeInput, TEXT_LIMITS } from '../domain/text';
import { DOCUMENT_LIMITS, type ApplicationInput, type Outcome } from '../domain/types';
import { viewApplication } from '../domain/view';
import { commandUpdates, escalateSignal, projectionQuery, publishCalendarSignal, statusQuery, urgeSignal } from './messages';

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
const { projectApplication, refreshProjection } = proxyActivities<ProjectionActivities>({
  startToCloseTimeout: '30 seconds',
  // A batch the writer calls invalid is a bug, not an outage: retrying cannot help.
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute', nonRetryableErrorTypes: ['InvalidProjectionBatchError'] },
});

/**
 * The fast path: the writer called as a local activity with the rows themselves. A local
 * activity's input is not recorded in the history (only its marker is), and it runs within the
 * workflow task, with no activity task or query round trip. One attempt, briefly: when
 * PostgreSQL is away the durable path above (by reference, retried without limit) takes over.
 */
const { projectApplication: projectApplicationNow } = proxyLocalActivities<ProjectionActivities>({
  startToCloseTimeout: '5 seconds',
  retry: { maximumAttempts: 1 },
});

/**
 * One application's run through its process: four stages in order, matters in parallel,
 * working-day clocks, warnings and escalation. The rules live in domain/application/; this
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
  // Document references go to the application's documents, not to its input (absent on older histories).
  const { documents, ...started } = hygiene ? cleanStart(input) : input;
  const app = new Application(started, now(), {
    // Intermediary deliverables gate matters since this patch; older histories replay without it.
    servicesGate: patched('intermediary-services'),
    // Since this patch an ending application (or a service no matter needs any more) closes its open
    // contracts with a reason and an event, and their clocks stop; older histories left them open.
    closeContracts: patched('close-contracts'),
    // Since this patch level events carry their rule's instant; older ones carry when the timer fired.
    levelsAtRuleInstant: patched('levels-at-rule-instant'),
    // Since this patch: commitments (告知承诺制), joint matters, work assignment and the catalogue's remedies.
    reformInstruments: patched('reform-instruments'),
    // Since this patch a year published over another (暂定 → 正式) records each deadline it moves,
    // counts the open dates again and keeps an official year from a provisional one.
    provisionalCalendars: patched('provisional-calendars'),
  });
  if (documents?.length) documentsAtStart(app, documents, started.materials, now());
  // Since this patch the application takes its first step (intake, the first stage opening)
  // before any handler is registered: an Update delivered with the start (buffered until its
  // handler exists) is judged on the application as started, not on the state before that.
  const advanceFirst = patched('advance-before-handlers');
  if (advanceFirst) app.advance(now());
  // Since this patch an application action answers with the seq, not the whole view (~25 KB each in the history).
  const answerBySeq = patched('application-answer-by-seq');
  let dirty = false;

  /** Every action is an Update: the validator is the command's check, the handler applies it and answers. */
  const register = (name: CommandName) => {
    // One loop over every command: its input and answer types are the command table's (messages.ts).
    const command = commands[name] as Command<unknown, unknown>;
    setHandler(
      commandUpdates[name] as UpdateDefinition<unknown, [unknown]>,
      (raw: unknown) => {
        const a = clean(raw);
        refusing(() => command.apply(app, a, now()));
        dirty = true;
        if (command.answers === 'application' && !answerBySeq) return viewApplication(app, now());
        return command.answer(app, a, now());
      },
      { validator: (raw: unknown) => refusing(() => command.check(app, clean(raw), now())) },
    );
  };
  for (const name of COMMAND_NAMES) register(name);

  setHandler(statusQuery, (q) => viewApplication(app, Math.max(now(), q?.asOf ?? 0)));
  setHandler(projectionQuery, (q) => projectionRead(app, now(), q?.fromSeq ?? 0, q?.snapshot ?? true));

  // Kept for replay only: older histories urge and escalate by signal, and a refusal is recorded.
  setHandler(urgeSignal, (a) => {
    urgeSignalled(app, clean(a), now());
    dirty = true;
  });
  setHandler(escalateSignal, (a) => {
    escalateSignalled(app, clean(a), now());
    dirty = true;
  });
  setHandler(publishCalendarSignal, (raw) => {
    const a = clean(raw);
    publishCalendar(app, a.calendar, a.actor, now());
    dirty = true;
  });

  // Since this patch every change is projected to the read model; older histories ran without.
  // Since 'projection-by-reference' the rows no longer travel in the history (83 % of its bytes
  // before): a local activity hands them over, or an activity carrying a reference reads them.
  const projection = !patched('read-model-projection')
    ? Promise.resolve()
    : patched('projection-by-reference')
      ? projectByReference(app, () => app.finished)
      : projectChanges(app, () => app.ended);

  if (!advanceFirst) app.advance(now());
  if (patched('timer-kept-while-unchanged')) {
    // One timer for the next instant that matters, kept while that instant stays the same (most
    // actions do not move it) and replaced only when it moves: no timer cancelled and started
    // again with every action.
    const timer = new WakeTimer();
    // An application that ended runs on while a commitment is under verification (核查); before
    // patch 'reform-instruments' none is, and `finished` is `ended`.
    while (!app.finished) {
      timer.wakeAt(app.nextWakeAt(now()));
      dirty = false;
      await condition(() => dirty || timer.fired);
      timer.consume();
      app.advance(now());
    }
  } else {
    while (!app.ended) {
      const next = app.nextWakeAt(now());
      dirty = false;
      if (next === null) await condition(() => dirty);
      else await condition(() => dirty, Math.max(1, next - now()));
      app.advance(now());
    }
  }
  await projection;
  return app.state.outcome!;
}

/** A durable timer for one instant, replaced only when the instant changes. */
class WakeTimer {
  private at: number | null = null;
  private scope: CancellationScope | null = null;
  fired = false;

  /** Arms the timer for `at` (null: none), unless it is already set for that instant. */
  wakeAt(at: number | null): void {
    if (at === this.at && !this.fired) return;
    this.scope?.cancel();
    this.scope = null;
    this.at = at;
    this.fired = false;
    if (at === null) return;
    const scope = new CancellationScope();
    this.scope = scope;
    scope.run(() => sleep(Math.max(1, at - now()))).then(
      () => {
        if (this.scope === scope) this.fired = true;
      },
      () => undefined, // cancelled: a later instant replaced it
    );
  }

  /** After a wake: the instant has passed, the next `wakeAt` arms a new timer. */
  consume(): void {
    if (!this.fired) return;
    this.fired = false;
    this.at = null;
    this.scope = null;
  }
}

/** The start's own texts, bounded and well-formed; the catalogue snapshot is ours and left alone. */
function cleanStart(input: ApplicationInput): ApplicationInput {
  return {
    ...input,
    projectName: boundedText(input.projectName, TEXT_LIMITS.name),
    applicant: { id: boundedText(input.applicant.id, TEXT_LIMITS.id), name: boundedText(input.applicant.name, TEXT_LIMITS.name) },
    materials: input.materials.slice(0, 200).map((m) => boundedText(m, TEXT_LIMITS.code)),
    // Registry codes: at most their own length (24 and 18 characters).
    ...(input.projectCode !== undefined ? { projectCode: boundedText(input.projectCode, 24) } : {}),
    ...(input.applicantCreditCode !== undefined ? { applicantCreditCode: boundedText(input.applicantCreditCode, 18) } : {}),
    // Each document's texts are bounded where the application takes them (documentsAtStart).
    ...(input.documents !== undefined ? { documents: input.documents.slice(0, DOCUMENT_LIMITS.perRequest) } : {}),
  };
}

/**
 * Asks the read model to catch up whenever there are events it has not seen, one call at a time:
 * a burst of changes becomes one write. First the writer is handed the rows by a local activity,
 * which the history does not record; if that fails for PostgreSQL (down or slow), an activity
 * that carries only a reference reads the rows through this workflow's projection query and is
 * retried until it succeeds. Returns once the final state is written.
 */
async function projectByReference(app: Application, ended: () => boolean): Promise<void> {
  let projected = 0;
  let full = true;
  const changed = new ChangedRows();
  for (;;) {
    await condition(() => app.state.events.length > projected || ended());
    const seq = app.state.events.length;
    if (seq === projected) return;
    try {
      await projectApplicationNow(projectionDeltaRead(app, now(), projected, full, changed.next(app, projected)));
      projected = seq;
      full = false;
      continue;
    } catch (e) {
      // Whatever happens next, the next batch carries every matter again.
      changed.reset();
      if (refusedBatch(e)) {
        // The writer recorded the refused batch for repair; the same rows would be refused again.
        log.error('read-model projection refused a batch', { seq, error: boundedText((e as Error).message, 300) });
        projected = seq;
        full = true;
        continue;
      }
      // PostgreSQL is away: the durable path below.
    }
    try {
      const written = await refreshProjection({ applicationId: app.state.input.applicationId, seq, fromSeq: projected, full });
      // The rows were read a moment later than asked, perhaps with more events: those are written too.
      projected = Math.max(seq, written.seq);
      full = false;
    } catch (e) {
      // Never let the read model fail an application: the writer recorded the refused batch for
      // repair (`npm run rebuild-projection`), and the next call has the snapshot read again.
      log.error('read-model projection refused a batch', { seq, error: boundedText((e as Error).message, 300) });
      projected = seq;
      full = true;
    }
  }
}

/**
 * A batch the writer refused for its content (not an outage): retrying the same rows cannot help.
 * A local activity's failure arrives as the activity's own failure, an activity's wrapped in ActivityFailure.
 */
function refusedBatch(e: unknown): boolean {
  const failure = e instanceof ActivityFailure ? e.cause : e;
  return failure instanceof ApplicationFailure && failure.type === 'InvalidProjectionBatchError';
}

/**
 * Histories from before 'projection-by-reference': hands the read model the rows themselves
 * (only those that changed) whenever there are events it has not seen, one batch at a time.
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
