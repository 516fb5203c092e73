import type { ChooseProviderInput, DeliverInput, ReplaceProviderInput, ReviewDeliverableInput, Selection } from '../../contracts/actions';
import { allMatters } from '../../catalogue/snapshot';
import { knownOrNull } from '../calendar';
import { levelChanges, levelReachedAt } from '../clock';
import { ActionRefused } from '../errors';
import { contractDueOn, contractMilestones, disqualification, draw, qualifiedProviders } from '../intermediary';
import { endOfDay, shanghaiDate } from '../time';
import { SERVICE_LEVELS, SYSTEM, type Actor, type ApplicationInput, type ContractState, type ServiceState } from '../types';
import { actorLabel, DECIDED, requireApplicant, requireRunning, requireText } from './checks';
import type { Application } from './core';

// Intermediary services (中介服务): the applicant contracts and replaces a provider, the provider
// delivers, the officer reviews; each contract runs on its own clock and level ladder.

/** The intermediary services the process's matters need, less what the applicant holds or the zone waives. */
export function identifyServices(app: Application, input: ApplicationInput, now: number) {
  const today = shanghaiDate(now);
  for (const m of allMatters(app.snapshot)) {
    for (const t of m.intermediaryServices) {
      const type = app.snapshot.serviceTypes[t]!;
      const service = (app.state.services[t] ??= {
        serviceType: t,
        deliverable: type.deliverable,
        matters: [],
        commissionedBy: app.snapshot.intermediary.governmentCommissioned.includes(t) ? 'government' : 'owner',
        status: 'needed',
        waiver: null,
        contracts: [],
        acceptedAt: null,
      });
      service.matters.push(m.code);
    }
  }
  for (const service of Object.values(app.state.services)) {
    const assessment = input.zone?.assessments.find((a) => a.serviceType === service.serviceType && a.completedOn <= today && today <= a.validUntil);
    if (service.deliverable in app.state.materials) service.status = 'inHand';
    else if (assessment && input.zone) {
      service.status = 'waived';
      service.waiver = { zone: input.zone.code, zoneName: input.zone.name, completedOn: assessment.completedOn, validUntil: assessment.validUntil };
    }
  }
  const by = (st: ServiceState['status']) => Object.values(app.state.services).filter((x) => x.status === st).map((x) => x.serviceType);
  app.record(now, 'servicesIdentified', SYSTEM, { data: { needed: by('needed'), inHand: by('inHand'), waived: by('waived'), zone: input.zone?.code ?? null } });
}

function serviceFor(app: Application, type: string): ServiceState {
  const service = app.state.services[type];
  if (!service) {
    const known = Object.keys(app.state.services).join(', ') || 'none';
    throw new ActionRefused('UNKNOWN_SERVICE', `no matter of this application needs intermediary service ${type}; needed: ${known}`);
  }
  return service;
}

export function currentContract(service: ServiceState): ContractState | undefined {
  return service.contracts.at(-1);
}

/** The provider a selection yields on `today`, with what the audit trail keeps of the selection. */
function select(app: Application, service: ServiceState, selection: Selection, today: string): { provider: string; detail: ContractState['selection'] } {
  const providers = app.snapshot.providers;
  const t = service.serviceType;
  // A provider replaced for lateness on this service is not chosen again, by any method.
  const replaced = new Set(service.contracts.filter((c) => c.status === 'terminated' || c.status === 'open').map((c) => c.provider));
  const excluded = (code: string) => (replaced.has(code) ? `provider ${code} is the one being replaced on ${t}` : null);
  if (selection.method === 'direct') {
    const why = excluded(selection.provider) ?? disqualification(providers, selection.provider, t, today);
    if (why) throw new ActionRefused('INVALID_INPUT', why);
    return { provider: selection.provider, detail: { method: 'direct' } };
  }
  if (selection.method === 'randomDraw') {
    const candidates = qualifiedProviders(providers, t, today).map((p) => p.code).filter((c) => !replaced.has(c));
    if (!candidates.length) throw new ActionRefused('INVALID_STATE', `no other provider is qualified for ${t} on ${today}`);
    const seed = `${app.state.input.applicationId}/${t}/${service.contracts.length + 1}`;
    const drawn = draw(seed, candidates.length);
    return { provider: candidates[drawn]!, detail: { method: 'randomDraw', candidates, seed, drawn } };
  }
  const unqualified = selection.bids.map((b) => excluded(b.provider) ?? disqualification(providers, b.provider, t, today)).filter((x): x is string => x !== null);
  if (unqualified.length) throw new ActionRefused('INVALID_INPUT', `bids from unqualified providers: ${unqualified.join('; ')}`);
  const winner = [...selection.bids].sort((a, b) => a.quoteYuan - b.quoteYuan || (a.provider < b.provider ? -1 : 1))[0]!;
  return { provider: winner.provider, detail: { method: 'bidding', bids: selection.bids } };
}

export function checkChooseProvider(app: Application, a: ChooseProviderInput, now: number) {
  requireRunning(app);
  requireApplicant(app, a.actor, 'choose an intermediary');
  const service = serviceFor(app, a.serviceType);
  const unneeded = noLongerNeeded(app, service);
  if (service.status === 'needed' && unneeded) throw new ActionRefused('INVALID_STATE', `service ${a.serviceType} needs no provider now: ${unneeded}`);
  if (service.status !== 'needed') {
    const why: Record<string, string> = {
      waived: `it is waived by the regional assessment of ${service.waiver?.zoneName ?? 'the zone'}`,
      inHand: 'its deliverable was supplied with the application',
      contracted: `provider ${currentContract(service)?.provider} holds it; replace a late provider instead`,
      returned: `provider ${currentContract(service)?.provider} is reworking it`,
      delivered: 'its deliverable is awaiting review',
      accepted: 'its deliverable was accepted',
      cancelled: `its contract was closed (${currentContract(service)?.closeReason})`,
    };
    throw new ActionRefused('INVALID_STATE', `service ${a.serviceType} needs no provider now: ${why[service.status]}`);
  }
  select(app, service, a.selection, shanghaiDate(now));
}

export function chooseProvider(app: Application, a: ChooseProviderInput, now: number) {
  checkChooseProvider(app, a, now);
  contract(app, app.state.services[a.serviceType]!, a.selection, a.actor, now);
}

function contract(app: Application, service: ServiceState, selection: Selection, actor: Actor, now: number) {
  const today = shanghaiDate(now);
  const { provider, detail } = select(app, service, selection, today);
  const q = app.snapshot.providers.find((p) => p.code === provider)!.qualifications.find((x) => x.serviceType === service.serviceType)!;
  const c: ContractState = {
    contractId: service.contracts.length ? `${service.serviceType}#${service.contracts.length + 1}` : service.serviceType,
    provider,
    regulator: app.snapshot.serviceTypes[service.serviceType]!.regulator,
    selection: detail,
    contractedAt: now,
    committedDays: q.committedDays,
    dayKind: q.dayKind,
    clockStart: today,
    daysAllowed: q.committedDays,
    clockStartAtContract: today,
    deliveries: [],
    returns: [],
    status: 'open',
    closedAt: null,
    closeReason: null,
    level: 'normal',
  };
  service.contracts.push(c);
  service.status = 'contracted';
  app.record(now, 'contracted', actor, {
    data: {
      serviceType: service.serviceType,
      contractId: c.contractId,
      provider,
      selection: detail,
      committedDays: c.committedDays,
      dayKind: c.dayKind,
      dueOn: app.tryDate(() => contractDueOn(app.cal, c)),
    },
  });
  updateServiceLevel(app, service, now);
}

export function checkReplaceProvider(app: Application, a: ReplaceProviderInput, now: number) {
  requireRunning(app);
  requireApplicant(app, a.actor, 'replace an intermediary');
  requireText(a.reason, 'replacing a provider needs a reason');
  const service = serviceFor(app, a.serviceType);
  const c = currentContract(service);
  if (!c || c.status !== 'open') throw new ActionRefused('INVALID_STATE', `service ${a.serviceType} has no provider at work to replace`);
  if (SERVICE_LEVELS.indexOf(contractLevel(app, c, now)) < SERVICE_LEVELS.indexOf('overdue')) {
    const due = app.tryDate(() => contractDueOn(app.cal, c));
    throw new ActionRefused('INVALID_STATE', `provider ${c.provider} is not late (due ${due}); a provider can be replaced once its committed date has passed`);
  }
  select(app, service, a.selection, shanghaiDate(now));
}

export function replaceProvider(app: Application, a: ReplaceProviderInput, now: number) {
  checkReplaceProvider(app, a, now);
  const service = app.state.services[a.serviceType]!;
  const late = currentContract(service)!;
  if (app.state.levelsAtRuleInstant) updateServiceLevel(app, service, now);
  late.level = contractLevel(app, late, now);
  late.status = 'terminated';
  late.closedAt = now;
  late.closeReason = a.reason;
  app.record(now, 'providerReplaced', a.actor, { reason: a.reason, data: { serviceType: service.serviceType, contractId: late.contractId, provider: late.provider } });
  contract(app, service, a.selection, a.actor, now);
}

export function checkDeliver(app: Application, a: DeliverInput) {
  requireRunning(app);
  const service = serviceFor(app, a.serviceType);
  const c = currentContract(service);
  if (!c || c.status !== 'open') throw new ActionRefused('INVALID_STATE', `service ${a.serviceType} has no contract awaiting delivery (it is ${service.status})`);
  if (a.actor.role === 'provider') {
    // Not who does: a refusal never names another party (a validator's text is not in the history, so this replays).
    if (a.actor.id !== c.provider) throw new ActionRefused('NOT_PERMITTED', `provider ${a.actor.id} does not hold the contract for ${a.serviceType}`);
  } else requireApplicant(app, a.actor, 'deliver on the provider’s behalf');
}

export function deliver(app: Application, a: DeliverInput, now: number) {
  checkDeliver(app, a);
  const service = app.state.services[a.serviceType]!;
  const c = currentContract(service)!;
  if (app.state.levelsAtRuleInstant) updateServiceLevel(app, service, now);
  c.level = contractLevel(app, c, now);
  c.status = 'delivered';
  c.deliveries.push({ at: now, by: actorLabel(a.actor), note: a.note });
  service.status = 'delivered';
  const due = app.tryDate(() => contractDueOn(app.cal, c));
  app.record(now, 'delivered', a.actor, { reason: a.note, data: { serviceType: a.serviceType, contractId: c.contractId, dueOn: due, late: due !== null && now >= endOfDay(due) } });
}

export function checkReview(app: Application, a: ReviewDeliverableInput) {
  requireRunning(app);
  const service = serviceFor(app, a.serviceType);
  const departments = [...new Set(service.matters.map((m) => app.state.matters[m]!.department))];
  if (a.actor.role !== 'officer' || !a.actor.department || !departments.includes(a.actor.department)) {
    throw new ActionRefused('WRONG_DEPARTMENT', `the ${a.serviceType} deliverable is reviewed by the department of ${service.matters.join(', ')} (${departments.join(', ')})`);
  }
  if (service.status !== 'delivered') throw new ActionRefused('INVALID_STATE', `service ${a.serviceType} has no deliverable awaiting review (it is ${service.status})`);
}

export function reviewDeliverable(app: Application, a: ReviewDeliverableInput, now: number) {
  checkReview(app, a);
  const service = app.state.services[a.serviceType]!;
  const c = currentContract(service)!;
  if (a.decision === 'accept') {
    c.status = 'accepted';
    c.closedAt = now;
    service.status = 'accepted';
    service.acceptedAt = now;
    app.state.materials[service.deliverable] = now;
    app.record(now, 'deliverableAccepted', a.actor, { reason: a.note, data: { serviceType: a.serviceType, contractId: c.contractId, matters: service.matters } });
  } else {
    const reworkDays = app.snapshot.intermediary.reworkDays;
    c.status = 'open';
    c.returns.push({ at: now, by: actorLabel(a.actor), reasons: a.reasons, reworkDays });
    c.clockStart = shanghaiDate(now);
    c.daysAllowed = reworkDays;
    service.status = 'returned';
    app.record(now, 'deliverableReturned', a.actor, {
      reason: a.reasons.join('; '),
      data: { serviceType: a.serviceType, contractId: c.contractId, reworkDays, reworkDueOn: app.tryDate(() => contractDueOn(app.cal, c)) },
    });
    updateServiceLevel(app, service, now);
  }
  app.advance(now);
}

/**
 * A contract's level at `now` from its rule instants while the provider holds it; a contract
 * delivered or closed, or of an ended application, keeps the level it was left at. The engine's
 * level events and the status view both ask this.
 */
export function contractLevel(app: Application, c: ContractState, now: number): (typeof SERVICE_LEVELS)[number] {
  if (c.status !== 'open' || app.ended) return c.level;
  return knownOrNull(() => levelReachedAt(contractMilestones(app.cal, c, app.snapshot.intermediary), now)) ?? c.level;
}

export function updateServiceLevel(app: Application, service: ServiceState, now: number) {
  const c = currentContract(service);
  if (!c || c.status !== 'open') return;
  const level = contractLevel(app, c, now);
  if (level === c.level) return;
  const changes = app.state.levelsAtRuleInstant
    ? levelChanges(SERVICE_LEVELS, contractMilestones(app.cal, c, app.snapshot.intermediary), c.level, level, app.since(c.returns.at(-1)?.at ?? c.contractedAt), now)
    : [{ level, at: now }];
  for (const x of changes) {
    const notify = x.level === 'regulator' ? [`regulator ${c.regulator}`] : x.level === 'supervisionOffice' ? ['supervision office'] : ['applicant', `provider ${c.provider}`];
    app.record(x.at, 'serviceLevelChanged', SYSTEM, { data: { serviceType: service.serviceType, contractId: c.contractId, provider: c.provider, from: c.level, to: x.level, notify } });
    c.level = x.level;
  }
}

/** Why no matter needs a service's deliverable any more (each matter that needs it is decided), or null. */
function noLongerNeeded(app: Application, service: ServiceState): string | null {
  if (!app.state.closeContracts) return null;
  const matters = service.matters.map((code) => app.state.matters[code]!);
  if (!matters.every((m) => DECIDED.has(m.status))) return null;
  return `no matter needs ${service.serviceType} any more (${matters.map((m) => `${m.code} ${m.status}`).join(', ')})`;
}

/**
 * Closes each service's contract that is not closed yet (at work, in rework, or delivered and
 * awaiting review) as cancelled, at `now` and with the reason: the provider's clock stops where
 * it stands, with its level. Not the provider's fault, unlike a termination.
 */
export function closeContracts(app: Application, services: ServiceState[], now: number, reason: string) {
  if (!app.state.closeContracts) return;
  for (const service of services) {
    const c = currentContract(service);
    if (!c || c.closedAt !== null) continue;
    updateServiceLevel(app, service, now);
    c.level = contractLevel(app, c, now);
    c.status = 'cancelled';
    c.closedAt = now;
    c.closeReason = reason;
    service.status = 'cancelled';
    app.record(now, 'contractClosed', SYSTEM, {
      reason,
      data: { serviceType: service.serviceType, contractId: c.contractId, provider: c.provider, status: c.status, level: c.level, matters: service.matters },
    });
  }
}

/** A contract whose deliverable no matter waits for any more closes while the application runs on. */
export function closeUnneededContracts(app: Application, now: number) {
  for (const service of Object.values(app.state.services)) {
    const why = noLongerNeeded(app, service);
    if (why) closeContracts(app, [service], now, why);
  }
}
