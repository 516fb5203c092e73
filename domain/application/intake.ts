import type { AcceptInput, MissingNoticeInput, SupplyInput } from '../../contracts/actions';
import { allMatters } from '../../catalogue/snapshot';
import { addWorkingDays } from '../calendar';
import { clockDueOn, startClock } from '../clock';
import { ActionRefused } from '../errors';
import { boundedText, TEXT_LIMITS } from '../text';
import { endOfDay, shanghaiDate } from '../time';
import { DOCUMENT_LIMITS, SYSTEM, type DocumentRef, type IntakeState, type MatterState, type MissingItem, type ServiceState, type SuppliedDocument } from '../types';
import { actorLabel, officerMatter, requireApplicant, requireOfficerOf, requireRunning, requireStatus, requireText } from './checks';
import type { Application } from './core';
import { COMMITTED_LIMIT_DAYS } from './commitment';
import { openJoint } from './joint';
import { hold, restart, updateLevel } from './matter-clock';

// ---- actions: the officer at the window (受理, 一次性告知) and the applicant's materials ----

export function checkAccept(app: Application, a: AcceptInput) {
  const m = officerMatter(app, a.actor, a.matter, 'accept');
  requireText(a.reason, 'a reason is required to accept despite flagged items');
  requireStatus(m, ['intake'], 'accept');
}

export function accept(app: Application, a: AcceptInput, now: number) {
  checkAccept(app, a);
  const m = app.state.matters[a.matter]!;
  // The officer confirms at the window that the flagged items were in fact handed in.
  for (const item of missingFor(app, m.code, 'blocking')) app.state.materials[item.material] = now;
  app.record(now, 'intakeConfirmed', a.actor, { matter: m.code, reason: a.reason });
  passIntake(app, m, now, 'officer');
  app.advance(now);
}

export function checkMissingNotice(app: Application, a: MissingNoticeInput, now: number) {
  requireRunning(app);
  const intake = app.state.intakes[a.stage];
  if (!intake) throw new ActionRefused('UNKNOWN_STAGE', `nothing of ${a.stage} has been received yet; there is nothing to give notice on`);
  requireOfficerOf(a.actor, intake.window, `the intake window of ${a.stage}`, 'issue the missing-materials notice for');
  if (intake.notice) {
    throw new ActionRefused('INVALID_STATE', `the one-time notice (一次性告知) for ${a.stage} was already issued; no second notice is allowed`);
  }
  if (intake.deemedAcceptedAt !== null || (intake.noticeDueOn !== null && now >= endOfDay(intake.noticeDueOn))) {
    throw new ActionRefused('INVALID_STATE', `the notice period for ${a.stage} ended on ${intake.noticeDueOn}; the application counts as accepted from receipt`);
  }
  if (batchMissing(app, a.stage).length === 0) throw new ActionRefused('INVALID_STATE', `nothing is missing for ${a.stage}`);
}

export function issueMissingNotice(app: Application, a: MissingNoticeInput, now: number) {
  checkMissingNotice(app, a, now);
  const items = batchMissing(app, a.stage);
  app.state.intakes[a.stage]!.notice = { issuedAt: now, by: actorLabel(a.actor), items, note: a.note };
  app.record(now, 'missingNotice', a.actor, { stage: a.stage, reason: a.note, data: { items } });
}

export function checkSupply(app: Application, a: SupplyInput) {
  requireRunning(app);
  requireApplicant(app, a.actor, 'supply materials');
  if (a.items.length === 0) throw new ActionRefused('INVALID_INPUT', 'list at least one material code');
  const known = new Set(allMatters(app.snapshot).flatMap((m) => m.materials.map((x) => x.code)));
  const unknown = a.items.filter((i) => !known.has(i));
  if (unknown.length) throw new ActionRefused('INVALID_INPUT', `materials ${unknown.join(', ')} are on no matter of process ${app.snapshot.code}`);
  const docs = a.documents ?? [];
  const stray = docs.filter((d) => !a.items.includes(d.material));
  if (stray.length) throw new ActionRefused('INVALID_INPUT', `documents of materials ${[...new Set(stray.map((d) => d.material))].join(', ')} name materials this supply does not hand in`);
  if (docs.length > DOCUMENT_LIMITS.perRequest) throw new ActionRefused('INVALID_INPUT', `a supply carries at most ${DOCUMENT_LIMITS.perRequest} documents`);
  if ((app.state.documents?.length ?? 0) + docs.length > DOCUMENT_LIMITS.perApplication) {
    throw new ActionRefused('INVALID_INPUT', `an application holds at most ${DOCUMENT_LIMITS.perApplication} document references`);
  }
}

export function supply(app: Application, a: SupplyInput, now: number) {
  checkSupply(app, a);
  const items = [...new Set(a.items)];
  // The matters owed these materials, before the supply settles them: where its documents went.
  const owedBy = (material: string) =>
    Object.values(app.state.matters)
      .filter((m) => (m.status === 'suspended' && m.owedForSupplement.includes(material)) || m.deferred.some((d) => d.suppliedAt === null && d.material === material))
      .map((m) => m.code);
  const documents = (a.documents ?? []).map((d) => ({ ...documentRef(d), suppliedAt: now, matters: owedBy(d.material) }));
  for (const item of items) app.state.materials[item] = now;
  if (documents.length) app.state.documents = [...(app.state.documents ?? []), ...documents];
  app.record(now, 'materialsSupplied', a.actor, { data: documents.length ? { items, documents: documents.map(documentRef) } : { items } });
  for (const service of Object.values(app.state.services)) {
    if (service.status === 'needed' && items.includes(service.deliverable)) {
      service.status = 'inHand';
      app.record(now, 'serviceSuppliedByApplicant', a.actor, { data: { serviceType: service.serviceType } });
    }
  }
  for (const m of Object.values(app.state.matters)) {
    if (m.status === 'suspended' && m.owedForSupplement.length) {
      m.owedForSupplement = m.owedForSupplement.filter((i) => !items.includes(i));
      if (m.owedForSupplement.length === 0) restart(app, m, now, a.actor, 'supplement received');
    }
    for (const d of m.deferred) if (d.suppliedAt === null && items.includes(d.material)) d.suppliedAt = now;
  }
  app.advance(now);
}

/** A document reference as state keeps it: bounded and well-formed whatever the edge let through; no empty type. */
function documentRef(d: DocumentRef): DocumentRef {
  const type = d.type === undefined ? '' : boundedText(d.type, DOCUMENT_LIMITS.type);
  return {
    material: boundedText(d.material, TEXT_LIMITS.code),
    name: boundedText(d.name, TEXT_LIMITS.name),
    ref: boundedText(d.ref, DOCUMENT_LIMITS.ref),
    ...(type ? { type } : {}),
  };
}

/**
 * The documents handed in with the application: kept with the start's instant, those of a
 * material the start does not hand in left out (the edge refuses them). No matter was owed them yet.
 */
export function documentsAtStart(app: Application, documents: DocumentRef[], materials: string[], now: number) {
  const kept = documents
    .filter((d) => materials.includes(d.material))
    .slice(0, DOCUMENT_LIMITS.perRequest)
    .map((d): SuppliedDocument => ({ ...documentRef(d), suppliedAt: now, matters: [] }));
  if (kept.length) app.state.documents = kept;
}

// ---- rules: receipt, intake, acceptance ----

/** One-window intake (一口受理): receive a batch and check it against each matter's list. */
export function receive(app: Application, codes: string[], batch: string, window: string, now: number) {
  const intake: IntakeState = { batch, window, receivedAt: now, noticeDueOn: noticeDueOn(app, now), notice: null, deemedAcceptedAt: null };
  app.state.intakes[batch] = intake;
  for (const code of codes) {
    const m = app.state.matters[code]!;
    m.status = 'intake';
    m.receivedAt = now;
  }
  const missing = batchMissing(app, batch);
  app.record(now, 'received', SYSTEM, {
    stage: batch,
    data: { matters: codes, missing, noticeDueOn: missing.length ? intake.noticeDueOn : undefined },
  });
}

export function passIntake(app: Application, m: MatterState, at: number, how: NonNullable<MatterState['acceptance']>) {
  m.acceptance = how;
  m.intakePassedAt = at;
  if (prerequisitesMet(app, m)) startMatter(app, m, at, how);
  else {
    m.status = 'waitingPrerequisites';
    app.record(at, 'waitingPrerequisites', SYSTEM, { matter: m.code, data: { prerequisites: app.def(m.code).prerequisites } });
  }
}

/** Acceptance: the matter's clock starts and its 容缺 items are dated. */
export function startMatter(app: Application, m: MatterState, at: number, how: NonNullable<MatterState['acceptance']>) {
  const def = app.def(m.code);
  m.status = 'inProgress';
  m.acceptedAt = at;
  m.acceptance = how;
  // 告知承诺制: decided within one working day of acceptance, without substantive review.
  m.clock = startClock(at, m.commitment ? COMMITTED_LIMIT_DAYS : def.timeLimitDays);
  const dueOn = app.tryDate(() => clockDueOn(app.cal, m.clock!));
  m.deferred = missingFor(app, m.code, 'deferrable').map((item) => ({ material: item.material, name: item.name, dueOn: null, suppliedAt: null }));
  dateDeferred(app, m);
  app.record(at, 'accepted', SYSTEM, {
    matter: m.code,
    data: { acceptance: how, dueOn, deferred: m.deferred.map((d) => ({ material: d.material, dueOn: d.dueOn })) },
  });
  openJoint(app, m, at);
  updateLevel(app, m, at);
  if (m.holdPending) hold(app, m, at, m.holdPending.source, m.holdPending.reason);
}

/**
 * 容缺 items are due the matter's deferral days after acceptance, never after its own due date;
 * while either date lies in an unpublished year the item has no due date (and cannot lapse).
 */
export function dateDeferred(app: Application, m: MatterState) {
  const def = app.def(m.code);
  const acceptedOn = shanghaiDate(m.acceptedAt!);
  const own = app.tryDate(() => addWorkingDays(app.cal, acceptedOn, def.deferralDays ?? def.timeLimitDays));
  const limit = app.tryDate(() => addWorkingDays(app.cal, acceptedOn, m.clock!.limitDays));
  for (const d of m.deferred) if (d.dueOn === null) d.dueOn = own !== null && limit !== null ? (own < limit ? own : limit) : null;
}

/** The last day for the one-time notice of a batch received at `at`, or null beyond the published calendars. */
export function noticeDueOn(app: Application, at: number): string | null {
  return app.tryDate(() => addWorkingDays(app.cal, shanghaiDate(at), app.snapshot.intakeLimitDays));
}

// ---- materials and prerequisites ----

export function batchOf(m: MatterState): string {
  return m.stage ?? m.code;
}

export function batchMatters(app: Application, batch: string): MatterState[] {
  return Object.values(app.state.matters).filter((m) => batchOf(m) === batch);
}

/** Required items not yet supplied: 'blocking' ones hold acceptance, 'deferrable' ones (容缺) do not. */
export function missingFor(app: Application, code: string, kind: 'blocking' | 'deferrable'): MissingItem[] {
  const viaServices = new Set(servicesOf(app, code).filter((s) => s.status !== 'inHand').map((s) => s.deliverable));
  return app
    .def(code)
    .materials.filter((x) => x.required && x.deferrable === (kind === 'deferrable') && !(x.code in app.state.materials) && !viaServices.has(x.code))
    .map((x) => ({ matter: code, material: x.code, name: x.name }));
}

export function batchMissing(app: Application, batch: string): MissingItem[] {
  return batchMatters(app, batch)
    .filter((m) => m.status === 'intake')
    .flatMap((m) => missingFor(app, m.code, 'blocking'));
}

/** The intermediary services a matter needs (none on applications started before services existed). */
export function servicesOf(app: Application, code: string): ServiceState[] {
  return app.def(code).intermediaryServices.map((t) => app.state.services[t]).filter((s): s is ServiceState => s !== undefined);
}

/** Services whose deliverable the matter still waits for. */
export function servicesPending(app: Application, code: string): ServiceState[] {
  return servicesOf(app, code).filter((s) => s.status !== 'inHand' && s.status !== 'waived' && s.status !== 'accepted');
}

/**
 * A matter may start once its prerequisites' outputs exist — in the same stage once the result
 * is issued, else once its stage has issued its output — and its intermediary deliverables are accepted.
 */
export function prerequisitesMet(app: Application, m: MatterState): boolean {
  if (servicesPending(app, m.code).length) return false;
  return app.def(m.code).prerequisites.every((code) => {
    const p = app.state.matters[code]!;
    // A revoked result still counts as issued here: its dependents carry on flagged, or are held
    // once their clock runs (commitment.ts), never left waiting for an output that will not come.
    if (p.status !== 'approved' || p.resultIssuedAt === null) return false;
    if (p.stage === null || p.stage === m.stage) return true;
    return app.state.stages.find((s) => s.code === p.stage)?.status === 'completed';
  });
}
