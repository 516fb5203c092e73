import type { EventKind } from './events';
import type { CalendarYear } from '../catalogue/schema';
import { allMatters, type ProcessSnapshot, type ResolvedMatter } from '../catalogue/snapshot';
import type {
  AcceptInput,
  ApproveInput,
  ChooseProviderInput,
  DeliverInput,
  ReplaceProviderInput,
  ReviewDeliverableInput,
  Selection,
  EndSpecialProcedureInput,
  EscalateInput,
  ExtendInput,
  MissingNoticeInput,
  RejectInput,
  StartSpecialProcedureInput,
  SupplementInput,
  SupplyInput,
  UrgeInput,
  WithdrawInput,
} from '../contracts/actions';
import { addWorkingDays, buildCalendar, CalendarRangeError, type WorkingCalendar } from './calendar';
import {
  CLOCK_LEVELS,
  clockDueOn,
  pastDeadline,
  clockLevelAt,
  clockMilestones,
  higherLevel,
  levelChanges,
  levelRank,
  nextMilestone,
  restartClock,
  startClock,
  stopClock,
  type ClockLevel,
} from './clock';
import { ActionRefused } from './errors';
import { contractDueOn, contractLevelAt, contractMilestones, disqualification, draw, qualifiedProviders } from './intermediary';
import { endOfDay, shanghaiDate } from './time';
import {
  SYSTEM,
  type Actor,
  type AppEvent,
  type ApplicationInput,
  type ApplicationState,
  type ContractState,
  type ServiceState,
  SERVICE_LEVELS,
  type IntakeState,
  type MatterDecision,
  type MatterState,
  type MissingItem,
  type Outcome,
} from './types';

/** Rules that arrived while applications were running: the workflow decides each with `patched`. */
export interface EngineRules {
  /** Intermediary deliverables gate matters (`intermediary-services`). */
  servicesGate: boolean;
  /** Contracts close when the application ends or no matter needs them any more (`close-contracts`). */
  closeContracts: boolean;
  /** Level events carry their rule's instant, not the instant the timer fired (`levels-at-rule-instant`). */
  levelsAtRuleInstant: boolean;
}

/** Every rule: what an application started on the current code runs on. */
export const CURRENT_RULES: EngineRules = { servicesGate: true, closeContracts: true, levelsAtRuleInstant: true };

const OPEN: ReadonlySet<MatterState['status']> = new Set(['pending', 'intake', 'waitingPrerequisites', 'inProgress', 'suspended']);
const DECIDED: ReadonlySet<MatterState['status']> = new Set(['approved', 'rejected', 'terminated', 'cancelled']);

function actorLabel(a: Actor): string {
  if (a.role === 'agent' && a.onBehalfOf) return `agent ${a.id} for applicant ${a.onBehalfOf}`;
  return a.department ? `${a.role} ${a.id} (${a.department})` : `${a.role} ${a.id}`;
}

/**
 * One application's rules, as a deterministic state machine over explicit instants.
 *
 * The workflow owns timers and messages; this class owns every rule of DESIGN §4, so each is
 * in one named place and testable without a server. `check*` methods are the Update
 * validators (they throw ActionRefused and change nothing); the matching methods apply.
 * `advance(now)` applies everything that time alone decides (deemed acceptance, starts,
 * warnings, escalation, terminations, stage output) and is idempotent.
 */
export class Application {
  readonly state: ApplicationState;
  readonly snapshot: ProcessSnapshot;
  private calendar: WorkingCalendar;
  private readonly defs: Map<string, ResolvedMatter>;
  /** The instant up to which time's rules were last applied (`advance`): a rung after it was crossed by time alone. */
  private levelsAsOf?: number;

  /**
   * @param rules the rules this application runs on; workflows started before a rule existed replay
   *   without it (the workflow decides each with `patched`).
   */
  constructor(input: ApplicationInput, now: number, rules: EngineRules = CURRENT_RULES) {
    this.snapshot = input.snapshot;
    this.defs = new Map(allMatters(input.snapshot).map((m) => [m.code, m]));
    this.calendar = buildCalendar(input.snapshot.calendars);
    const { snapshot: _s, materials, ...rest } = input;
    this.state = {
      input: rest,
      startedAt: now,
      status: 'running',
      outcome: null,
      materials: Object.fromEntries(materials.map((m) => [m, now])),
      stages: input.snapshot.stages.map((s) => ({ code: s.code, status: 'pending', startedAt: null, completedAt: null, outputs: [] })),
      matters: Object.fromEntries(
        allMatters(input.snapshot).map((m) => [
          m.code,
          {
            code: m.code,
            stage: m.stage,
            department: m.department,
            milestone: m.milestone,
            status: 'pending',
            receivedAt: null,
            acceptedAt: null,
            acceptance: null,
            clock: null,
            stops: [],
            owedForSupplement: [],
            deferred: [],
            extension: null,
            level: 'normal',
            escalatedTo: 'normal',
            urges: [],
            decision: null,
            resultIssuedAt: null,
          } satisfies MatterState,
        ]),
      ),
      intakes: {},
      services: {},
      servicesGate: rules.servicesGate,
      closeContracts: rules.closeContracts,
      levelsAtRuleInstant: rules.levelsAtRuleInstant,
      calendars: [...input.snapshot.calendars],
      events: [],
    };
    this.record(now, 'applicationStarted', SYSTEM, {
      data: { process: this.snapshot.code, definitionHash: this.snapshot.definitionHash, materials, zone: input.zone?.code ?? null },
    });
    if (rules.servicesGate) this.identifyServices(input, now);
    this.levelsAsOf = now;
  }

  /**
   * An application as stored state: the read model rebuilds it to compute the view at any instant
   * with the very functions the workflow's status query uses, so both always agree.
   */
  static fromState(snapshot: ProcessSnapshot, state: ApplicationState): Application {
    const app = Object.create(Application.prototype) as Application;
    return Object.assign(app, { snapshot, state, defs: new Map(allMatters(snapshot).map((m) => [m.code, m])), calendar: buildCalendar(state.calendars) });
  }

  /** The intermediary services the process's matters need, less what the applicant holds or the zone waives. */
  private identifyServices(input: ApplicationInput, now: number) {
    const today = shanghaiDate(now);
    for (const m of allMatters(this.snapshot)) {
      for (const t of m.intermediaryServices) {
        const type = this.snapshot.serviceTypes[t]!;
        const service = (this.state.services[t] ??= {
          serviceType: t,
          deliverable: type.deliverable,
          matters: [],
          commissionedBy: this.snapshot.intermediary.governmentCommissioned.includes(t) ? 'government' : 'owner',
          status: 'needed',
          waiver: null,
          contracts: [],
          acceptedAt: null,
        });
        service.matters.push(m.code);
      }
    }
    for (const service of Object.values(this.state.services)) {
      const assessment = input.zone?.assessments.find((a) => a.serviceType === service.serviceType && a.completedOn <= today && today <= a.validUntil);
      if (service.deliverable in this.state.materials) service.status = 'inHand';
      else if (assessment && input.zone) {
        service.status = 'waived';
        service.waiver = { zone: input.zone.code, zoneName: input.zone.name, completedOn: assessment.completedOn, validUntil: assessment.validUntil };
      }
    }
    const by = (st: ServiceState['status']) => Object.values(this.state.services).filter((x) => x.status === st).map((x) => x.serviceType);
    this.record(now, 'servicesIdentified', SYSTEM, {
      data: { needed: by('needed'), inHand: by('inHand'), waived: by('waived'), zone: input.zone?.code ?? null },
    });
  }

  get cal(): WorkingCalendar {
    return this.calendar;
  }

  get ended(): boolean {
    return this.state.status !== 'running';
  }

  def(code: string): ResolvedMatter {
    return this.defs.get(code)!;
  }

  private record(at: number, kind: EventKind, actor: Actor, extra: Omit<AppEvent, 'seq' | 'at' | 'kind' | 'actor'> = {}) {
    this.state.events.push({ seq: this.state.events.length + 1, at, kind, actor: actorLabel(actor), ...extra });
  }

  // ---- checks shared by the validators ----

  private requireRunning() {
    if (this.state.status !== 'running') {
      throw new ActionRefused('APPLICATION_CLOSED', `the application is ${this.state.status}; no further actions are possible`);
    }
  }

  private matterFor(code: string): MatterState {
    const m = this.state.matters[code];
    if (!m) throw new ActionRefused('UNKNOWN_MATTER', `matter ${code} is not part of this application's process ${this.snapshot.code}`);
    return m;
  }

  private requireOfficerOf(actor: Actor, department: string, subject: string, verb: string) {
    if (actor.role !== 'officer') throw new ActionRefused('NOT_PERMITTED', `only an approval officer may ${verb} ${subject}; the caller's role is ${actor.role}`);
    if (actor.department !== department) {
      throw new ActionRefused(
        'WRONG_DEPARTMENT',
        `${subject} belongs to department ${department}; officer ${actor.id} of ${actor.department ?? 'no department'} may not ${verb} it`,
      );
    }
  }

  private officerMatter(actor: Actor, code: string, action: string): MatterState {
    this.requireRunning();
    const m = this.matterFor(code);
    this.requireOfficerOf(actor, m.department, `matter ${code}`, action);
    if (DECIDED.has(m.status)) {
      throw new ActionRefused('ALREADY_DECIDED', `matter ${code} is already ${m.status}; it cannot be changed by ${action}`);
    }
    return m;
  }

  private requireStatus(m: MatterState, allowed: MatterState['status'][], action: string) {
    if (!allowed.includes(m.status)) {
      throw new ActionRefused('INVALID_STATE', `cannot ${action} matter ${m.code} while it is ${describeStatus(m)}`);
    }
  }

  private requireApplicant(actor: Actor, what: string) {
    const owner = this.state.input.applicant.id;
    const ok = (actor.role === 'applicant' && actor.id === owner) || (actor.role === 'agent' && actor.onBehalfOf === owner);
    // The text names no one: a caller who is not the applicant learns nothing of who is.
    if (!ok) throw new ActionRefused('NOT_PERMITTED', `only the application's applicant or its agent may ${what}`);
  }

  // ---- officer actions ----

  checkAccept(a: AcceptInput) {
    const m = this.officerMatter(a.actor, a.matter, 'accept');
    requireText(a.reason, 'a reason is required to accept despite flagged items');
    this.requireStatus(m, ['intake'], 'accept');
  }

  accept(a: AcceptInput, now: number) {
    this.checkAccept(a);
    const m = this.state.matters[a.matter]!;
    // The officer confirms at the window that the flagged items were in fact handed in.
    for (const item of this.missingFor(m.code, 'blocking')) this.state.materials[item.material] = now;
    this.record(now, 'intakeConfirmed', a.actor, { matter: m.code, reason: a.reason });
    this.passIntake(m, now, 'officer');
    this.advance(now);
  }

  checkMissingNotice(a: MissingNoticeInput, now: number) {
    this.requireRunning();
    const intake = this.state.intakes[a.stage];
    if (!intake) throw new ActionRefused('UNKNOWN_STAGE', `nothing of ${a.stage} has been received yet; there is nothing to give notice on`);
    this.requireOfficerOf(a.actor, intake.window, `the intake window of ${a.stage}`, 'issue the missing-materials notice for');
    if (intake.notice) {
      throw new ActionRefused('INVALID_STATE', `the one-time notice (一次性告知) for ${a.stage} was already issued; no second notice is allowed`);
    }
    if (intake.deemedAcceptedAt !== null || (intake.noticeDueOn !== null && now >= endOfDay(intake.noticeDueOn))) {
      throw new ActionRefused(
        'INVALID_STATE',
        `the notice period for ${a.stage} ended on ${intake.noticeDueOn}; the application counts as accepted from receipt`,
      );
    }
    if (this.batchMissing(a.stage).length === 0) throw new ActionRefused('INVALID_STATE', `nothing is missing for ${a.stage}`);
  }

  issueMissingNotice(a: MissingNoticeInput, now: number) {
    this.checkMissingNotice(a, now);
    const items = this.batchMissing(a.stage);
    this.state.intakes[a.stage]!.notice = { issuedAt: now, by: actorLabel(a.actor), items, note: a.note };
    this.record(now, 'missingNotice', a.actor, { stage: a.stage, reason: a.note, data: { items } });
  }

  checkApprove(a: ApproveInput) {
    const m = this.officerMatter(a.actor, a.matter, 'approve');
    this.requireStatus(m, ['inProgress'], 'approve');
  }

  approve(a: ApproveInput, now: number) {
    this.checkApprove(a);
    const m = this.state.matters[a.matter]!;
    const result = { title: a.result.title ?? this.def(m.code).result, number: a.result.number };
    this.decide(m, now, { kind: 'approved', at: now, by: actorLabel(a.actor), reason: a.reason, result });
    this.record(now, 'approved', a.actor, { matter: m.code, reason: a.reason, data: { result } });
    if (m.deferred.some((d) => d.suppliedAt === null)) {
      this.record(now, 'resultHeld', SYSTEM, { matter: m.code, reason: '容缺 items outstanding', data: { items: m.deferred.filter((d) => d.suppliedAt === null).map((d) => d.material) } });
    } else {
      this.issueResult(m, now);
    }
    this.advance(now);
  }

  checkReject(a: RejectInput) {
    const m = this.officerMatter(a.actor, a.matter, 'reject');
    requireText(a.reason, 'a rejection (不予许可) needs its reason');
    this.requireStatus(m, ['intake', 'waitingPrerequisites', 'inProgress', 'suspended'], 'reject');
  }

  reject(a: RejectInput, now: number) {
    this.checkReject(a);
    const m = this.state.matters[a.matter]!;
    this.decide(m, now, { kind: 'rejected', at: now, by: actorLabel(a.actor), reason: a.reason });
    this.record(now, 'rejected', a.actor, { matter: m.code, reason: a.reason });
    this.advance(now);
  }

  checkSupplement(a: SupplementInput) {
    const m = this.officerMatter(a.actor, a.matter, 'request a supplement');
    this.requireStatus(m, ['inProgress'], 'request a supplement for');
    requireText(a.reason, 'a supplement request needs its reason');
    if (a.items.length === 0) throw new ActionRefused('INVALID_INPUT', 'a supplement request lists at least one material');
    const known = new Set(this.def(m.code).materials.map((x) => x.code));
    const unknown = a.items.filter((i) => !known.has(i));
    if (unknown.length) {
      throw new ActionRefused('INVALID_INPUT', `items ${unknown.join(', ')} are not on matter ${m.code}'s material list (${[...known].join(', ')})`);
    }
  }

  requestSupplement(a: SupplementInput, now: number) {
    this.checkSupplement(a);
    const m = this.state.matters[a.matter]!;
    const items = [...new Set(a.items)];
    this.stop(m, now, { kind: 'supplement', from: now, to: null, reason: a.reason, by: actorLabel(a.actor), items });
    m.owedForSupplement = items;
    this.record(now, 'supplementRequested', a.actor, { matter: m.code, reason: a.reason, data: { items } });
  }

  checkStartSpecial(a: StartSpecialProcedureInput) {
    const m = this.officerMatter(a.actor, a.matter, 'start a special procedure');
    this.requireStatus(m, ['inProgress'], 'start a special procedure on');
    requireText(a.reason, 'a special procedure needs its reason');
    if (!Number.isInteger(a.expectedWorkingDays) || a.expectedWorkingDays < 1) {
      throw new ActionRefused('INVALID_INPUT', 'expectedWorkingDays must be a whole number of working days ≥ 1 (the applicant is told it in writing)');
    }
    const allowed = this.def(m.code).specialProcedures;
    if (!allowed.includes(a.kind)) {
      throw new ActionRefused('INVALID_INPUT', `matter ${m.code} allows no ${a.kind}; its special procedures are: ${allowed.join(', ') || 'none'}`);
    }
  }

  startSpecialProcedure(a: StartSpecialProcedureInput, now: number) {
    this.checkStartSpecial(a);
    const m = this.state.matters[a.matter]!;
    this.stop(m, now, {
      kind: 'specialProcedure',
      procedure: a.kind,
      from: now,
      to: null,
      reason: a.reason,
      by: actorLabel(a.actor),
      expectedWorkingDays: a.expectedWorkingDays,
    });
    // Art. 45: the applicant is told the expected time in writing.
    this.record(now, 'specialProcedureStarted', a.actor, {
      matter: m.code,
      reason: a.reason,
      data: { procedure: a.kind, expectedWorkingDays: a.expectedWorkingDays, applicantToldExpectedEndOn: this.tryDate(() => addWorkingDays(this.calendar, shanghaiDate(now), a.expectedWorkingDays)) },
    });
  }

  checkEndSpecial(a: EndSpecialProcedureInput) {
    const m = this.officerMatter(a.actor, a.matter, 'end a special procedure');
    const open = m.stops.at(-1);
    if (m.status !== 'suspended' || !open || open.to !== null || open.kind !== 'specialProcedure') {
      throw new ActionRefused('INVALID_STATE', `matter ${m.code} has no special procedure under way (it is ${describeStatus(m)})`);
    }
  }

  endSpecialProcedure(a: EndSpecialProcedureInput, now: number) {
    this.checkEndSpecial(a);
    const m = this.state.matters[a.matter]!;
    this.restart(m, now, a.actor, a.reason);
    this.advance(now);
  }

  checkExtend(a: ExtendInput, now: number) {
    const m = this.officerMatter(a.actor, a.matter, 'extend');
    this.requireStatus(m, ['inProgress', 'suspended'], 'extend');
    requireText(a.reason, 'an extension (延期) needs its reason');
    requireText(a.approvedBy, 'an extension names the department head who approved it');
    const legal = this.def(m.code).extensionDays;
    if (m.extension) throw new ActionRefused('INVALID_STATE', `matter ${m.code} was already extended once, on ${shanghaiDate(m.extension.at)}`);
    if (legal === 0) throw new ActionRefused('INVALID_INPUT', `matter ${m.code} allows no extension by law`);
    if (a.days > legal) throw new ActionRefused('INVALID_INPUT', `matter ${m.code} may be extended by at most ${legal} working days, not ${a.days}`);
    if (this.pastDeadline(m, now)) {
      throw new ActionRefused('INVALID_STATE', `matter ${m.code} is already overdue; an extension must be asked for before the deadline`);
    }
  }

  extend(a: ExtendInput, now: number) {
    this.checkExtend(a, now);
    const m = this.state.matters[a.matter]!;
    m.clock = { ...m.clock!, limitDays: m.clock!.limitDays + a.days };
    m.extension = { days: a.days, approvedBy: a.approvedBy, reason: a.reason, at: now };
    this.record(now, 'extended', a.actor, { matter: m.code, reason: a.reason, data: { days: a.days, approvedBy: a.approvedBy } });
    this.advance(now);
  }

  // ---- applicant actions ----

  checkSupply(a: SupplyInput) {
    this.requireRunning();
    this.requireApplicant(a.actor, 'supply materials');
    if (a.items.length === 0) throw new ActionRefused('INVALID_INPUT', 'list at least one material code');
    const known = new Set(allMatters(this.snapshot).flatMap((m) => m.materials.map((x) => x.code)));
    const unknown = a.items.filter((i) => !known.has(i));
    if (unknown.length) throw new ActionRefused('INVALID_INPUT', `materials ${unknown.join(', ')} are on no matter of process ${this.snapshot.code}`);
  }

  supply(a: SupplyInput, now: number) {
    this.checkSupply(a);
    const items = [...new Set(a.items)];
    for (const item of items) this.state.materials[item] = now;
    this.record(now, 'materialsSupplied', a.actor, { data: { items } });
    for (const service of Object.values(this.state.services)) {
      if (service.status === 'needed' && items.includes(service.deliverable)) {
        service.status = 'inHand';
        this.record(now, 'serviceSuppliedByApplicant', a.actor, { data: { serviceType: service.serviceType } });
      }
    }
    for (const m of Object.values(this.state.matters)) {
      if (m.status === 'suspended' && m.owedForSupplement.length) {
        m.owedForSupplement = m.owedForSupplement.filter((i) => !items.includes(i));
        if (m.owedForSupplement.length === 0) this.restart(m, now, a.actor, 'supplement received');
      }
      for (const d of m.deferred) if (d.suppliedAt === null && items.includes(d.material)) d.suppliedAt = now;
    }
    this.advance(now);
  }

  checkWithdraw(a: WithdrawInput) {
    this.requireRunning();
    this.requireApplicant(a.actor, 'withdraw the application');
    requireText(a.reason, 'a withdrawal needs its reason');
  }

  withdraw(a: WithdrawInput, now: number) {
    this.checkWithdraw(a);
    for (const m of Object.values(this.state.matters)) {
      if (OPEN.has(m.status)) this.decide(m, now, { kind: 'cancelled', at: now, by: actorLabel(a.actor), reason: `application withdrawn: ${a.reason}` });
    }
    for (const s of this.state.stages) if (s.status !== 'completed') s.status = 'cancelled';
    this.closeContracts(Object.values(this.state.services), now, `application withdrawn: ${a.reason}`);
    this.record(now, 'withdrawn', a.actor, { reason: a.reason });
    this.end(now, { status: 'withdrawn', at: now, reason: a.reason, by: actorLabel(a.actor), results: this.results() });
  }

  // ---- intermediary services (中介服务) ----

  private serviceFor(type: string): ServiceState {
    const service = this.state.services[type];
    if (!service) {
      const known = Object.keys(this.state.services).join(', ') || 'none';
      throw new ActionRefused('UNKNOWN_SERVICE', `no matter of this application needs intermediary service ${type}; needed: ${known}`);
    }
    return service;
  }

  private currentContract(service: ServiceState): ContractState | undefined {
    return service.contracts.at(-1);
  }

  /** The provider a selection yields on `today`, with what the audit trail keeps of the selection. */
  private select(service: ServiceState, selection: Selection, today: string): { provider: string; detail: ContractState['selection'] } {
    const providers = this.snapshot.providers;
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
      const seed = `${this.state.input.applicationId}/${t}/${service.contracts.length + 1}`;
      const drawn = draw(seed, candidates.length);
      return { provider: candidates[drawn]!, detail: { method: 'randomDraw', candidates, seed, drawn } };
    }
    const unqualified = selection.bids.map((b) => excluded(b.provider) ?? disqualification(providers, b.provider, t, today)).filter((x): x is string => x !== null);
    if (unqualified.length) throw new ActionRefused('INVALID_INPUT', `bids from unqualified providers: ${unqualified.join('; ')}`);
    const winner = [...selection.bids].sort((a, b) => a.quoteYuan - b.quoteYuan || (a.provider < b.provider ? -1 : 1))[0]!;
    return { provider: winner.provider, detail: { method: 'bidding', bids: selection.bids } };
  }

  private requireServiceActor(a: { actor: Actor }, what: string) {
    this.requireRunning();
    this.requireApplicant(a.actor, what);
  }

  checkChooseProvider(a: ChooseProviderInput, now: number) {
    this.requireServiceActor(a, 'choose an intermediary');
    const service = this.serviceFor(a.serviceType);
    const unneeded = this.noLongerNeeded(service);
    if (service.status === 'needed' && unneeded) throw new ActionRefused('INVALID_STATE', `service ${a.serviceType} needs no provider now: ${unneeded}`);
    if (service.status !== 'needed') {
      const why: Record<string, string> = {
        waived: `it is waived by the regional assessment of ${service.waiver?.zoneName ?? 'the zone'}`,
        inHand: 'its deliverable was supplied with the application',
        contracted: `provider ${this.currentContract(service)?.provider} holds it; replace a late provider instead`,
        returned: `provider ${this.currentContract(service)?.provider} is reworking it`,
        delivered: 'its deliverable is awaiting review',
        accepted: 'its deliverable was accepted',
        cancelled: `its contract was closed (${this.currentContract(service)?.closeReason})`,
      };
      throw new ActionRefused('INVALID_STATE', `service ${a.serviceType} needs no provider now: ${why[service.status]}`);
    }
    this.select(service, a.selection, shanghaiDate(now));
  }

  chooseProvider(a: ChooseProviderInput, now: number) {
    this.checkChooseProvider(a, now);
    this.contract(this.state.services[a.serviceType]!, a.selection, a.actor, now);
  }

  private contract(service: ServiceState, selection: Selection, actor: Actor, now: number) {
    const today = shanghaiDate(now);
    const { provider, detail } = this.select(service, selection, today);
    const q = this.snapshot.providers.find((p) => p.code === provider)!.qualifications.find((x) => x.serviceType === service.serviceType)!;
    const c: ContractState = {
      contractId: service.contracts.length ? `${service.serviceType}#${service.contracts.length + 1}` : service.serviceType,
      provider,
      regulator: this.snapshot.serviceTypes[service.serviceType]!.regulator,
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
    this.record(now, 'contracted', actor, {
      data: {
        serviceType: service.serviceType,
        contractId: c.contractId,
        provider,
        selection: detail,
        committedDays: c.committedDays,
        dayKind: c.dayKind,
        dueOn: this.tryDate(() => contractDueOn(this.calendar, c)),
      },
    });
    this.updateServiceLevel(service, now);
  }

  checkReplaceProvider(a: ReplaceProviderInput, now: number) {
    this.requireServiceActor(a, 'replace an intermediary');
    requireText(a.reason, 'replacing a provider needs a reason');
    const service = this.serviceFor(a.serviceType);
    const c = this.currentContract(service);
    if (!c || c.status !== 'open') throw new ActionRefused('INVALID_STATE', `service ${a.serviceType} has no provider at work to replace`);
    if (SERVICE_LEVELS.indexOf(this.contractLevel(c, now)) < SERVICE_LEVELS.indexOf('overdue')) {
      const due = this.tryDate(() => contractDueOn(this.calendar, c));
      throw new ActionRefused('INVALID_STATE', `provider ${c.provider} is not late (due ${due}); a provider can be replaced once its committed date has passed`);
    }
    this.select(service, a.selection, shanghaiDate(now));
  }

  replaceProvider(a: ReplaceProviderInput, now: number) {
    this.checkReplaceProvider(a, now);
    const service = this.state.services[a.serviceType]!;
    const late = this.currentContract(service)!;
    if (this.state.levelsAtRuleInstant) this.updateServiceLevel(service, now);
    late.level = this.contractLevel(late, now);
    late.status = 'terminated';
    late.closedAt = now;
    late.closeReason = a.reason;
    this.record(now, 'providerReplaced', a.actor, { reason: a.reason, data: { serviceType: service.serviceType, contractId: late.contractId, provider: late.provider } });
    this.contract(service, a.selection, a.actor, now);
  }

  checkDeliver(a: DeliverInput) {
    this.requireRunning();
    const service = this.serviceFor(a.serviceType);
    const c = this.currentContract(service);
    if (!c || c.status !== 'open') throw new ActionRefused('INVALID_STATE', `service ${a.serviceType} has no contract awaiting delivery (it is ${service.status})`);
    if (a.actor.role === 'provider') {
      // Not who does: a refusal never names another party (a validator's text is not in the history, so this replays).
      if (a.actor.id !== c.provider) throw new ActionRefused('NOT_PERMITTED', `provider ${a.actor.id} does not hold the contract for ${a.serviceType}`);
    } else this.requireApplicant(a.actor, 'deliver on the provider’s behalf');
  }

  deliver(a: DeliverInput, now: number) {
    this.checkDeliver(a);
    const service = this.state.services[a.serviceType]!;
    const c = this.currentContract(service)!;
    if (this.state.levelsAtRuleInstant) this.updateServiceLevel(service, now);
    c.level = this.contractLevel(c, now);
    c.status = 'delivered';
    c.deliveries.push({ at: now, by: actorLabel(a.actor), note: a.note });
    service.status = 'delivered';
    const due = this.tryDate(() => contractDueOn(this.calendar, c));
    this.record(now, 'delivered', a.actor, { reason: a.note, data: { serviceType: a.serviceType, contractId: c.contractId, dueOn: due, late: due !== null && now >= endOfDay(due) } });
  }

  checkReview(a: ReviewDeliverableInput) {
    this.requireRunning();
    const service = this.serviceFor(a.serviceType);
    const departments = [...new Set(service.matters.map((m) => this.state.matters[m]!.department))];
    if (a.actor.role !== 'officer' || !a.actor.department || !departments.includes(a.actor.department)) {
      throw new ActionRefused('WRONG_DEPARTMENT', `the ${a.serviceType} deliverable is reviewed by the department of ${service.matters.join(', ')} (${departments.join(', ')})`);
    }
    if (service.status !== 'delivered') throw new ActionRefused('INVALID_STATE', `service ${a.serviceType} has no deliverable awaiting review (it is ${service.status})`);
  }

  reviewDeliverable(a: ReviewDeliverableInput, now: number) {
    this.checkReview(a);
    const service = this.state.services[a.serviceType]!;
    const c = this.currentContract(service)!;
    if (a.decision === 'accept') {
      c.status = 'accepted';
      c.closedAt = now;
      service.status = 'accepted';
      service.acceptedAt = now;
      this.state.materials[service.deliverable] = now;
      this.record(now, 'deliverableAccepted', a.actor, { reason: a.note, data: { serviceType: a.serviceType, contractId: c.contractId, matters: service.matters } });
    } else {
      const reworkDays = this.snapshot.intermediary.reworkDays;
      c.status = 'open';
      c.returns.push({ at: now, by: actorLabel(a.actor), reasons: a.reasons, reworkDays });
      c.clockStart = shanghaiDate(now);
      c.daysAllowed = reworkDays;
      service.status = 'returned';
      this.record(now, 'deliverableReturned', a.actor, {
        reason: a.reasons.join('; '),
        data: { serviceType: a.serviceType, contractId: c.contractId, reworkDays, reworkDueOn: this.tryDate(() => contractDueOn(this.calendar, c)) },
      });
      this.updateServiceLevel(service, now);
    }
    this.advance(now);
  }

  /**
   * A contract's level at `now` from its rule instants while the provider holds it; a contract
   * delivered or closed, or of an ended application, keeps the level it was left at. The engine's
   * level events and the status view both ask this.
   */
  contractLevel(c: ContractState, now: number): (typeof SERVICE_LEVELS)[number] {
    if (c.status !== 'open' || this.ended) return c.level;
    try {
      return contractLevelAt(contractMilestones(this.calendar, c, this.snapshot.intermediary), now);
    } catch (e) {
      if (e instanceof CalendarRangeError) return c.level;
      throw e;
    }
  }

  private updateServiceLevel(service: ServiceState, now: number) {
    const c = this.currentContract(service);
    if (!c || c.status !== 'open') return;
    const level = this.contractLevel(c, now);
    if (level === c.level) return;
    const changes = this.state.levelsAtRuleInstant
      ? levelChanges(SERVICE_LEVELS, contractMilestones(this.calendar, c, this.snapshot.intermediary), c.level, level, this.since(c.returns.at(-1)?.at ?? c.contractedAt), now)
      : [{ level, at: now }];
    for (const x of changes) {
      const notify = x.level === 'regulator' ? [`regulator ${c.regulator}`] : x.level === 'supervisionOffice' ? ['supervision office'] : ['applicant', `provider ${c.provider}`];
      this.record(x.at, 'serviceLevelChanged', SYSTEM, { data: { serviceType: service.serviceType, contractId: c.contractId, provider: c.provider, from: c.level, to: x.level, notify } });
      c.level = x.level;
    }
  }

  /** Why no matter needs a service's deliverable any more (each matter that needs it is decided), or null. */
  private noLongerNeeded(service: ServiceState): string | null {
    if (!this.state.closeContracts) return null;
    const matters = service.matters.map((code) => this.state.matters[code]!);
    if (!matters.every((m) => DECIDED.has(m.status))) return null;
    return `no matter needs ${service.serviceType} any more (${matters.map((m) => `${m.code} ${m.status}`).join(', ')})`;
  }

  /**
   * Closes each service's contract that is not closed yet (at work, in rework, or delivered and
   * awaiting review) as cancelled, at `now` and with the reason: the provider's clock stops where
   * it stands, with its level. Not the provider's fault, unlike a termination.
   */
  private closeContracts(services: ServiceState[], now: number, reason: string) {
    if (!this.state.closeContracts) return;
    for (const service of services) {
      const c = this.currentContract(service);
      if (!c || c.closedAt !== null) continue;
      this.updateServiceLevel(service, now);
      c.level = this.contractLevel(c, now);
      c.status = 'cancelled';
      c.closedAt = now;
      c.closeReason = reason;
      service.status = 'cancelled';
      this.record(now, 'contractClosed', SYSTEM, {
        reason,
        data: { serviceType: service.serviceType, contractId: c.contractId, provider: c.provider, status: c.status, level: c.level, matters: service.matters },
      });
    }
  }

  /** A contract whose deliverable no matter waits for any more closes while the application runs on. */
  private closeUnneededContracts(now: number) {
    for (const service of Object.values(this.state.services)) {
      const why = this.noLongerNeeded(service);
      if (why) this.closeContracts([service], now, why);
    }
  }

  // ---- supervision (signals: refused actions are recorded, not thrown) ----

  urge(a: UrgeInput, now: number) {
    const refusal = this.supervisionRefusal(a.actor, a.matter);
    if (refusal) return this.record(now, 'urgeRefused', a.actor, { matter: a.matter, reason: refusal });
    const m = this.state.matters[a.matter]!;
    m.urges.push({ at: now, by: actorLabel(a.actor), note: a.note });
    this.record(now, 'urged', a.actor, { matter: m.code, reason: a.note });
  }

  escalate(a: EscalateInput, now: number) {
    const refusal = this.supervisionRefusal(a.actor, a.matter);
    if (refusal) return this.record(now, 'escalationRefused', a.actor, { matter: a.matter, reason: refusal });
    const m = this.state.matters[a.matter]!;
    const rank = Math.max(levelRank(m.level), levelRank('overdue'));
    const next = CLOCK_LEVELS[Math.min(rank + 1, CLOCK_LEVELS.length - 1)]!;
    m.escalatedTo = higherLevel(m.escalatedTo, next);
    this.record(now, 'escalated', a.actor, { matter: m.code, reason: a.reason, data: { to: next } });
    this.updateLevel(m, now);
  }

  /** Why a supervision action cannot apply, or null. The API asks this before signalling. */
  supervisionRefusal(actor: Actor, code: string): string | null {
    if (actor.role !== 'supervisor') return 'only the supervision office may urge or escalate';
    if (this.state.status !== 'running') return `the application is ${this.state.status}`;
    const m = this.state.matters[code];
    if (!m) return `matter ${code} is not part of this application`;
    if (!OPEN.has(m.status)) return `matter ${code} is already ${m.status}`;
    return null;
  }

  // ---- administration ----

  publishCalendar(calendar: CalendarYear, actor: Actor, now: number) {
    this.state.calendars = [...this.state.calendars.filter((c) => c.year !== calendar.year), calendar].sort((a, b) => a.year - b.year);
    this.calendar = buildCalendar(this.state.calendars);
    for (const intake of Object.values(this.state.intakes)) intake.noticeDueOn ??= this.noticeDueOn(intake.receivedAt);
    for (const m of Object.values(this.state.matters)) if (m.acceptedAt !== null && m.clock) this.dateDeferred(m);
    this.record(now, 'calendarPublished', actor, { data: { year: calendar.year, notice: calendar.source.number } });
    this.advance(now);
  }

  // ---- what time decides ----

  /** Applies every rule that depends only on the state and the instant; safe to call again. */
  advance(now: number): void {
    for (let guard = 0; guard < 1000 && this.state.status === 'running'; guard++) {
      if (!this.step(now)) break;
    }
    this.levelsAsOf = Math.max(this.levelsAsOf ?? now, now);
  }

  private step(now: number): boolean {
    let changed = false;
    const stageIndex = this.state.stages.findIndex((s) => s.status !== 'completed');
    const stage = stageIndex >= 0 ? this.state.stages[stageIndex]! : null;
    if (stage && stage.status === 'pending') {
      this.startStage(stageIndex, now);
      return true;
    }
    // Matters beside the stages are received when their prerequisites' outputs exist.
    for (const m of Object.values(this.state.matters)) {
      if (m.stage === null && m.status === 'pending' && this.prerequisitesMet(m)) {
        this.receive([m.code], m.code, m.department, now);
        changed = true;
      }
    }
    for (const intake of Object.values(this.state.intakes)) {
      if (intake.notice === null && intake.deemedAcceptedAt === null && intake.noticeDueOn !== null && now >= endOfDay(intake.noticeDueOn)) {
        const waiting = this.batchMatters(intake.batch).filter((m) => m.status === 'intake');
        if (waiting.length) {
          intake.deemedAcceptedAt = now;
          this.record(now, 'intakeDeemedAccepted', SYSTEM, {
            stage: intake.batch,
            reason: `no missing-materials notice by ${intake.noticeDueOn} (Administrative Licensing Law Art. 32): accepted from receipt`,
          });
          for (const m of waiting) this.passIntake(m, intake.receivedAt, 'deemed');
          changed = true;
        }
      }
    }
    for (const m of Object.values(this.state.matters)) {
      if (m.status === 'intake' && this.missingFor(m.code, 'blocking').length === 0) {
        this.passIntake(m, now, this.state.intakes[this.batchOf(m)]?.notice ? 'afterNotice' : 'unconditional');
        changed = true;
      }
      const failedPre = this.def(m.code).prerequisites.find((p) => ['rejected', 'terminated', 'cancelled'].includes(this.state.matters[p]!.status));
      if (failedPre && (m.status === 'pending' || m.status === 'intake' || m.status === 'waitingPrerequisites')) {
        const reason = `prerequisite ${failedPre} was ${this.state.matters[failedPre]!.status}; this matter cannot start`;
        this.decide(m, now, { kind: 'cancelled', at: now, by: actorLabel(SYSTEM), reason });
        this.record(now, 'cancelled', SYSTEM, { matter: m.code, reason });
        changed = true;
        continue;
      }
      if (m.status === 'waitingPrerequisites' && this.prerequisitesMet(m)) {
        this.startMatter(m, now, m.acceptance ?? 'unconditional');
        changed = true;
      }
      if (m.status === 'approved' && m.resultIssuedAt === null && m.deferred.every((d) => d.suppliedAt !== null)) {
        this.issueResult(m, now);
        changed = true;
      }
      const lateItem = m.deferred.find((d) => d.suppliedAt === null && d.dueOn !== null && now >= endOfDay(d.dueOn));
      if (lateItem && (m.status === 'inProgress' || m.status === 'suspended' || m.status === 'approved') && m.resultIssuedAt === null) {
        const reason = `容缺 item ${lateItem.material} (${lateItem.name}) was not supplied by ${lateItem.dueOn}`;
        this.decide(m, now, { kind: 'terminated', at: now, by: actorLabel(SYSTEM), reason });
        this.record(now, 'terminated', SYSTEM, { matter: m.code, reason });
        changed = true;
      }
      if (m.status === 'inProgress' || m.status === 'suspended') this.updateLevel(m, now);
    }
    for (const service of Object.values(this.state.services)) this.updateServiceLevel(service, now);
    if (stage && stage.status === 'inProgress') changed = this.settleStage(stageIndex, now) || changed;
    if (this.state.status === 'running') this.closeUnneededContracts(now);
    if (stageIndex < 0 && Object.values(this.state.matters).every((m) => DECIDED.has(m.status))) {
      this.closeContracts(Object.values(this.state.services), now, 'application completed');
      this.record(now, 'applicationCompleted', SYSTEM);
      this.end(now, { status: 'completed', at: now, reason: 'all four stages completed', results: this.results() });
      return false;
    }
    return changed;
  }

  private startStage(index: number, now: number) {
    const stage = this.state.stages[index]!;
    const def = this.snapshot.stages[index]!;
    stage.status = 'inProgress';
    stage.startedAt = now;
    this.record(now, 'stageStarted', SYSTEM, { stage: stage.code, data: { leadDepartment: def.leadDepartment } });
    this.receive(def.matters.map((m) => m.code), stage.code, def.leadDepartment, now);
  }

  /** One-window intake (一口受理): receive a batch and check it against each matter's list. */
  private receive(codes: string[], batch: string, window: string, now: number) {
    const intake: IntakeState = {
      batch,
      window,
      receivedAt: now,
      noticeDueOn: this.noticeDueOn(now),
      notice: null,
      deemedAcceptedAt: null,
    };
    this.state.intakes[batch] = intake;
    for (const code of codes) {
      const m = this.state.matters[code]!;
      m.status = 'intake';
      m.receivedAt = now;
    }
    const missing = this.batchMissing(batch);
    this.record(now, 'received', SYSTEM, {
      stage: batch,
      data: { matters: codes, missing, noticeDueOn: missing.length ? intake.noticeDueOn : undefined },
    });
  }

  private passIntake(m: MatterState, at: number, how: NonNullable<MatterState['acceptance']>) {
    m.acceptance = how;
    m.intakePassedAt = at;
    if (this.prerequisitesMet(m)) this.startMatter(m, at, how);
    else {
      m.status = 'waitingPrerequisites';
      this.record(at, 'waitingPrerequisites', SYSTEM, { matter: m.code, data: { prerequisites: this.def(m.code).prerequisites } });
    }
  }

  private startMatter(m: MatterState, at: number, how: NonNullable<MatterState['acceptance']>) {
    const def = this.def(m.code);
    m.status = 'inProgress';
    m.acceptedAt = at;
    m.acceptance = how;
    m.clock = startClock(at, def.timeLimitDays);
    const dueOn = this.tryDate(() => clockDueOn(this.calendar, m.clock!));
    m.deferred = this.missingFor(m.code, 'deferrable').map((item) => ({ material: item.material, name: item.name, dueOn: null, suppliedAt: null }));
    this.dateDeferred(m);
    this.record(at, 'accepted', SYSTEM, {
      matter: m.code,
      data: { acceptance: how, dueOn, deferred: m.deferred.map((d) => ({ material: d.material, dueOn: d.dueOn })) },
    });
    this.updateLevel(m, at);
  }

  /**
   * 容缺 items are due the matter's deferral days after acceptance, never after its own due date;
   * while either date lies in an unpublished year the item has no due date (and cannot lapse).
   */
  private dateDeferred(m: MatterState) {
    const def = this.def(m.code);
    const acceptedOn = shanghaiDate(m.acceptedAt!);
    const own = this.tryDate(() => addWorkingDays(this.calendar, acceptedOn, def.deferralDays ?? def.timeLimitDays));
    const limit = this.tryDate(() => addWorkingDays(this.calendar, acceptedOn, m.clock!.limitDays));
    for (const d of m.deferred) if (d.dueOn === null) d.dueOn = own !== null && limit !== null ? (own < limit ? own : limit) : null;
  }

  /** The last day for the one-time notice of a batch received at `at`, or null beyond the published calendars. */
  private noticeDueOn(at: number): string | null {
    return this.tryDate(() => addWorkingDays(this.calendar, shanghaiDate(at), this.snapshot.intakeLimitDays));
  }

  private issueResult(m: MatterState, now: number) {
    m.resultIssuedAt = now;
    this.record(now, 'resultIssued', SYSTEM, { matter: m.code, data: { result: m.decision?.result } });
  }

  /** Stage completion and one-window output (一窗出件), or the application's rejection. */
  private settleStage(index: number, now: number): boolean {
    const stage = this.state.stages[index]!;
    const def = this.snapshot.stages[index]!;
    const milestones = def.matters.filter((m) => m.milestone).map((m) => this.state.matters[m.code]!);
    const failed = milestones.find((m) => m.status === 'rejected' || m.status === 'terminated' || m.status === 'cancelled');
    if (failed && def.completion === 'all') {
      this.rejectApplication(failed, now);
      return false;
    }
    const done = (m: MatterState) => m.status === 'approved' && m.resultIssuedAt !== null;
    const complete = def.completion === 'all' ? milestones.every(done) : milestones.some(done);
    if (!complete) {
      if (def.completion === 'any' && milestones.every((m) => m.status === 'rejected' || m.status === 'terminated' || m.status === 'cancelled')) {
        this.rejectApplication(failed ?? milestones[0]!, now);
      }
      return false;
    }
    stage.status = 'completed';
    stage.completedAt = now;
    stage.outputs = def.matters
      .map((x) => this.state.matters[x.code]!)
      .filter(done)
      .map((m) => ({ matter: m.code, ...m.decision!.result! }));
    this.record(now, 'stageCompleted', SYSTEM, { stage: stage.code, data: { outputs: stage.outputs } });
    return true;
  }

  private rejectApplication(m: MatterState, now: number) {
    for (const x of Object.values(this.state.matters)) {
      if (OPEN.has(x.status)) this.decide(x, now, { kind: 'cancelled', at: now, by: actorLabel(SYSTEM), reason: `application rejected on matter ${m.code}` });
    }
    for (const s of this.state.stages) if (s.status !== 'completed') s.status = 'cancelled';
    this.closeContracts(Object.values(this.state.services), now, `application rejected on matter ${m.code}`);
    const reason = m.decision!.reason;
    this.record(now, 'applicationRejected', SYSTEM, { matter: m.code, reason });
    this.end(now, { status: 'rejected', at: now, matter: m.code, by: m.decision!.by, reason, results: this.results() });
  }

  private end(now: number, outcome: Outcome) {
    this.state.status = outcome.status;
    this.state.outcome = outcome;
    void now;
  }

  private results() {
    return this.state.stages.flatMap((s) => s.outputs).concat(
      Object.values(this.state.matters)
        .filter((m) => m.stage === null && m.decision?.kind === 'approved' && m.resultIssuedAt !== null)
        .map((m) => ({ matter: m.code, ...m.decision!.result! })),
    );
  }

  // ---- clocks ----

  private stop(m: MatterState, now: number, stop: MatterState['stops'][number]) {
    if (this.state.levelsAtRuleInstant) this.updateLevel(m, now);
    m.level = higherLevel(this.clockLevel(m, now), m.escalatedTo);
    m.clock = stopClock(this.calendar, m.clock!, now);
    m.status = 'suspended';
    m.stops.push(stop);
    this.record(now, 'clockStopped', SYSTEM, { matter: m.code, reason: stop.reason, data: { kind: stop.kind, workingDaysUsed: m.clock.usedBefore } });
  }

  private restart(m: MatterState, now: number, actor: Actor, reason: string) {
    const stop = m.stops.at(-1)!;
    stop.to = now;
    m.clock = restartClock(m.clock!, now);
    m.status = 'inProgress';
    m.owedForSupplement = [];
    if (stop.kind === 'specialProcedure') this.record(now, 'specialProcedureEnded', actor, { matter: m.code, reason, data: { procedure: stop.procedure } });
    this.record(now, 'clockRestarted', SYSTEM, {
      matter: m.code,
      reason,
      data: { kind: stop.kind, dueOn: this.tryDate(() => clockDueOn(this.calendar, m.clock!)) },
    });
    this.updateLevel(m, now);
  }

  /** A decision ends the matter's clock where it stands and closes any open stop. */
  private decide(m: MatterState, now: number, decision: MatterDecision) {
    const last = m.stops.at(-1);
    if (last && last.to === null) last.to = now;
    m.owedForSupplement = [];
    if (m.clock && m.clock.runStart !== null) {
      const dueOn = this.tryDate(() => clockDueOn(this.calendar, m.clock!));
      decision = { ...decision, dueOn, ...(dueOn ? { onTime: now < endOfDay(dueOn) } : {}) };
      if (this.state.levelsAtRuleInstant) this.updateLevel(m, now);
      m.level = higherLevel(this.clockLevel(m, now), m.escalatedTo);
      m.clock = stopClock(this.calendar, m.clock, now);
    }
    m.status = decision.kind;
    m.decision = decision;
  }

  private pastDeadline(m: MatterState, now: number): boolean {
    if (!m.clock) return false;
    try {
      return pastDeadline(this.calendar, m.clock, now);
    } catch (e) {
      if (e instanceof CalendarRangeError) return false;
      throw e;
    }
  }

  /** The level the clock alone gives; a stopped clock keeps the level it had when it stopped. */
  clockLevel(m: MatterState, now: number): ClockLevel {
    if (!m.clock) return 'normal';
    if (m.clock.runStart === null) return m.level;
    const milestones = this.milestones(m);
    return milestones ? clockLevelAt(milestones, now) : m.level;
  }

  private milestones(m: MatterState) {
    if (!m.clock) return null;
    try {
      return clockMilestones(this.calendar, m.clock, this.snapshot.warning, this.snapshot.escalation);
    } catch (e) {
      if (e instanceof CalendarRangeError) return this.partialMilestones(m);
      throw e;
    }
  }

  /** Near a year end, the known part of the ladder while next year's calendar is unpublished. */
  private partialMilestones(m: MatterState): { level: ClockLevel; at: number }[] {
    for (let n = this.snapshot.escalation.length; n >= 0; n--) {
      try {
        return clockMilestones(this.calendar, m.clock!, this.snapshot.warning, this.snapshot.escalation.slice(0, n));
      } catch (e) {
        if (!(e instanceof CalendarRangeError)) throw e;
      }
    }
    return [];
  }

  /**
   * A matter's level at `now`: what its running clock has reached by the rule instants (warning
   * start, due end, each escalation rung), never below the supervision office's escalation; a
   * clock not running keeps the level it was left at. The engine's level events and the status
   * view both ask this, so the view shows a new level from the rule's instant, not from the timer.
   */
  levelAt(m: MatterState, now: number): ClockLevel {
    return higherLevel(this.clockLevel(m, now), m.escalatedTo);
  }

  /** The instant the matter's deadline passed (its clock's own overdue point), as of `now`; null if it has not. */
  overdueSinceAt(m: MatterState, now: number): number | null {
    if (m.overdueSince != null) return m.overdueSince;
    if (!m.clock?.runStart || levelRank(this.clockLevel(m, now)) < levelRank('overdue')) return null;
    return this.milestones(m)?.find((x) => x.level === 'overdue')?.at ?? now;
  }

  /** After what instant a rung counts as crossed by time alone: the last `advance`, or `runStart` if later. */
  private since(runStart: number): number {
    return Math.max(this.levelsAsOf ?? Number.NEGATIVE_INFINITY, runStart);
  }

  private updateLevel(m: MatterState, now: number) {
    const overdueSince = this.overdueSinceAt(m, now);
    if (overdueSince !== null) m.overdueSince = overdueSince;
    const level = this.levelAt(m, now);
    if (level === m.level) return;
    // The current run began at acceptance or at the last restart.
    const runStart = Math.max(m.acceptedAt ?? Number.NEGATIVE_INFINITY, m.stops.at(-1)?.to ?? Number.NEGATIVE_INFINITY);
    const changes = this.state.levelsAtRuleInstant ? levelChanges(CLOCK_LEVELS, this.milestones(m) ?? [], m.level, level, this.since(runStart), now) : [{ level, at: now }];
    for (const x of changes) {
      this.record(x.at, 'levelChanged', SYSTEM, { matter: m.code, data: { from: m.level, to: x.level } });
      m.level = x.level;
    }
  }

  /** The next instant at which time alone changes something, or null. */
  nextWakeAt(now: number): number | null {
    const candidates: number[] = [];
    for (const intake of Object.values(this.state.intakes)) {
      if (intake.notice === null && intake.deemedAcceptedAt === null && intake.noticeDueOn !== null && this.batchMatters(intake.batch).some((m) => m.status === 'intake')) {
        candidates.push(endOfDay(intake.noticeDueOn));
      }
    }
    for (const m of Object.values(this.state.matters)) {
      if (m.status === 'inProgress') {
        const ms = this.milestones(m);
        const next = ms && nextMilestone(ms, now);
        if (next !== null && next !== undefined) candidates.push(next);
      }
      if ((OPEN.has(m.status) || m.status === 'approved') && m.resultIssuedAt === null) {
        for (const d of m.deferred) if (d.suppliedAt === null && d.dueOn !== null) candidates.push(endOfDay(d.dueOn));
      }
    }
    for (const service of Object.values(this.state.services)) {
      const c = this.currentContract(service);
      if (!c || c.status !== 'open') continue;
      try {
        const next = contractMilestones(this.calendar, c, this.snapshot.intermediary).find((x) => x.at > now);
        if (next) candidates.push(next.at);
      } catch (e) {
        if (!(e instanceof CalendarRangeError)) throw e;
      }
    }
    const future = candidates.filter((c) => c > now);
    return future.length ? Math.min(...future) : null;
  }

  // ---- materials and prerequisites ----

  private batchOf(m: MatterState): string {
    return m.stage ?? m.code;
  }

  private batchMatters(batch: string): MatterState[] {
    return Object.values(this.state.matters).filter((m) => this.batchOf(m) === batch);
  }

  /** Required items not yet supplied: 'blocking' ones hold acceptance, 'deferrable' ones (容缺) do not. */
  missingFor(code: string, kind: 'blocking' | 'deferrable'): MissingItem[] {
    const viaServices = new Set(this.servicesOf(code).filter((s) => s.status !== 'inHand').map((s) => s.deliverable));
    return this.def(code)
      .materials.filter((x) => x.required && x.deferrable === (kind === 'deferrable') && !(x.code in this.state.materials) && !viaServices.has(x.code))
      .map((x) => ({ matter: code, material: x.code, name: x.name }));
  }

  private batchMissing(batch: string): MissingItem[] {
    return this.batchMatters(batch)
      .filter((m) => m.status === 'intake')
      .flatMap((m) => this.missingFor(m.code, 'blocking'));
  }

  /** The intermediary services a matter needs (none on applications started before services existed). */
  servicesOf(code: string): ServiceState[] {
    return this.def(code).intermediaryServices.map((t) => this.state.services[t]).filter((s): s is ServiceState => s !== undefined);
  }

  /** Services whose deliverable the matter still waits for. */
  servicesPending(code: string): ServiceState[] {
    return this.servicesOf(code).filter((s) => s.status !== 'inHand' && s.status !== 'waived' && s.status !== 'accepted');
  }

  /**
   * A matter may start once its prerequisites' outputs exist — in the same stage once the result
   * is issued, else once its stage has issued its output — and its intermediary deliverables are accepted.
   */
  prerequisitesMet(m: MatterState): boolean {
    if (this.servicesPending(m.code).length) return false;
    return this.def(m.code).prerequisites.every((code) => {
      const p = this.state.matters[code]!;
      if (p.status !== 'approved' || p.resultIssuedAt === null) return false;
      if (p.stage === null || p.stage === m.stage) return true;
      return this.state.stages.find((s) => s.code === p.stage)?.status === 'completed';
    });
  }

  private tryDate(f: () => string | null): string | null {
    try {
      return f();
    } catch (e) {
      if (e instanceof CalendarRangeError) return null;
      throw e;
    }
  }
}

function requireText(value: string | undefined, rule: string) {
  if (!value || !value.trim()) throw new ActionRefused('INVALID_INPUT', rule);
}

function describeStatus(m: MatterState): string {
  if (m.status === 'suspended') {
    const s = m.stops.at(-1);
    return s?.kind === 'supplement' ? 'suspended waiting for the applicant’s supplement' : `suspended for a ${s?.procedure ?? 'special procedure'}`;
  }
  const words: Record<MatterState['status'], string> = {
    pending: 'not yet received (its stage has not started)',
    intake: 'in intake, waiting for missing materials',
    waitingPrerequisites: 'waiting for its prerequisites',
    inProgress: 'in progress',
    suspended: 'suspended',
    approved: 'approved',
    rejected: 'rejected',
    terminated: 'terminated',
    cancelled: 'cancelled',
  };
  return words[m.status];
}
