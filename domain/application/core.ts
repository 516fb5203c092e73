import { allMatters, type ProcessSnapshot, type ResolvedMatter } from '../../catalogue/snapshot';
import { buildCalendar, isProvisionalBetween, knownOrNull, type WorkingCalendar } from '../calendar';
import { shanghaiDate } from '../time';
import type { ClockLevel } from '../clock';
import type { EventKind } from '../events';
import { SYSTEM, type Actor, type AppEvent, type ApplicationInput, type ApplicationState, type ContractState, type MatterState, type MissingItem, type ServiceState, type SERVICE_LEVELS } from '../types';
import { nextWakeAt, step } from './advance';
import { actorLabel } from './checks';
import { clockLevel, levelAt, overdueSinceAt } from './matter-clock';
import { commands, type CommandAnswer, type CommandInput, type CommandName } from './commands';
import { missingFor, prerequisitesMet, servicesOf, servicesPending } from './intake';
import { contractLevel, identifyServices } from './services';
import { commitAtStart, openVerifications, stepVerifications } from './commitment';

/** Rules that arrived while applications were running: the workflow decides each with `patched`. */
export interface EngineRules {
  /** Intermediary deliverables gate matters (`intermediary-services`). */
  servicesGate: boolean;
  /** Contracts close when the application ends or no matter needs them any more (`close-contracts`). */
  closeContracts: boolean;
  /** Level events carry their rule's instant, not the instant the timer fired (`levels-at-rule-instant`). */
  levelsAtRuleInstant: boolean;
  /** Commitment, joint matters, assignment and remedies (`reform-instruments`). */
  reformInstruments: boolean;
  /**
   * Provisional calendar years (`provisional-calendars`): a year published over another records each
   * deadline it moves, its dates are counted again, a due date on a provisional year is marked so in its event.
   * Absent: off, as in the rule sets older tests spell out.
   */
  provisionalCalendars?: boolean;
}

/** Every rule: what an application started on the current code runs on. */
export const CURRENT_RULES: EngineRules = { servicesGate: true, closeContracts: true, levelsAtRuleInstant: true, reformInstruments: true, provisionalCalendars: true };

/**
 * One application's rules, as a deterministic state machine over explicit instants.
 *
 * The workflow owns timers and messages; the engine owns every rule of DESIGN §4, each in one
 * named place by subdomain (intake, clock, matters, stages, services, supervision) and testable
 * without a server. This class holds the state; an action is a command of `./commands`: its
 * `check` is the Update validator (throws ActionRefused, changes nothing), its `apply` changes the
 * state. `advance(now)` applies everything that time alone decides and is idempotent.
 */
export class Application {
  readonly state: ApplicationState;
  readonly snapshot: ProcessSnapshot;
  /** The working calendar of the published years (replaced when a year is published). */
  cal: WorkingCalendar;
  readonly defs: Map<string, ResolvedMatter>;
  /** The instant up to which time's rules were last applied (`advance`): a rung after it was crossed by time alone. */
  levelsAsOf?: number;
  /** Rule `provisionalCalendars`; kept off the state because only the workflow publishes calendars and records events. */
  readonly provisionalCalendars: boolean;

  /**
   * @param rules the rules this application runs on; workflows started before a rule existed replay
   *   without it (the workflow decides each with `patched`).
   */
  constructor(input: ApplicationInput, now: number, rules: EngineRules = CURRENT_RULES) {
    this.snapshot = input.snapshot;
    this.defs = new Map(allMatters(input.snapshot).map((m) => [m.code, m]));
    this.cal = buildCalendar(input.snapshot.calendars);
    this.provisionalCalendars = rules.provisionalCalendars ?? false;
    const { snapshot: _s, materials, ...rest } = input;
    this.state = {
      input: rest,
      startedAt: now,
      status: 'running',
      outcome: null,
      materials: Object.fromEntries(materials.map((m) => [m, now])),
      stages: input.snapshot.stages.map((s) => ({ code: s.code, status: 'pending', startedAt: null, completedAt: null, outputs: [] })),
      matters: Object.fromEntries(allMatters(input.snapshot).map((m) => [m.code, newMatter(m)])),
      intakes: {},
      services: {},
      servicesGate: rules.servicesGate,
      closeContracts: rules.closeContracts,
      levelsAtRuleInstant: rules.levelsAtRuleInstant,
      ...(rules.reformInstruments ? { reformInstruments: true } : {}),
      calendars: [...input.snapshot.calendars],
      events: [],
    };
    this.record(now, 'applicationStarted', SYSTEM, {
      data: { process: this.snapshot.code, definitionHash: this.snapshot.definitionHash, materials, zone: input.zone?.code ?? null },
    });
    if (rules.servicesGate) identifyServices(this, input, now);
    if (rules.reformInstruments) commitAtStart(this, input, now);
    this.levelsAsOf = now;
  }

  /**
   * An application as stored state: the read model rebuilds it to compute the view at any instant
   * with the very functions the workflow's status query uses, so both always agree.
   */
  static fromState(snapshot: ProcessSnapshot, state: ApplicationState): Application {
    const app = Object.create(Application.prototype) as Application;
    return Object.assign(app, { snapshot, state, defs: new Map(allMatters(snapshot).map((m) => [m.code, m])), cal: buildCalendar(state.calendars), provisionalCalendars: true });
  }

  get ended(): boolean {
    return this.state.status !== 'running';
  }

  /** Whether the workflow still has work after the application ended: commitments under verification (核查). */
  get finished(): boolean {
    return this.ended && openVerifications(this).length === 0;
  }

  def(code: string): ResolvedMatter {
    return this.defs.get(code)!;
  }

  record(at: number, kind: EventKind, actor: Actor, extra: Omit<AppEvent, 'seq' | 'at' | 'kind' | 'actor'> = {}) {
    // An event's due date counted on a provisional year says so, for its readers and webhooks.
    const dueOn = extra.data?.['dueOn'];
    const provisional = this.provisionalCalendars && typeof dueOn === 'string' && isProvisionalBetween(this.cal, shanghaiDate(at), dueOn);
    const data = provisional ? { ...extra.data, provisional: true } : extra.data;
    this.state.events.push({ seq: this.state.events.length + 1, at, kind, actor: actorLabel(actor), ...extra, ...(data ? { data } : {}) });
  }

  /** A date the calendar gives, or null while it lies in a year not yet published. */
  tryDate(f: () => string | null): string | null {
    return knownOrNull(f);
  }

  /** After what instant a rung counts as crossed by time alone: the last `advance`, or `runStart` if later. */
  since(runStart: number): number {
    return Math.max(this.levelsAsOf ?? Number.NEGATIVE_INFINITY, runStart);
  }

  /** Refuses the action with a reason (ActionRefused) or returns; changes nothing. */
  check<K extends CommandName>(name: K, input: CommandInput<K>, now: number): void {
    (commands[name].check as (app: Application, a: CommandInput<K>, now: number) => void)(this, input, now);
  }

  /** Checks and applies the action. */
  act<K extends CommandName>(name: K, input: CommandInput<K>, now: number): void {
    (commands[name].apply as (app: Application, a: CommandInput<K>, now: number) => void)(this, input, now);
  }

  /** What the action answers its caller, after `act`. */
  answer<K extends CommandName>(name: K, input: CommandInput<K>, now: number): CommandAnswer<K> {
    return (commands[name].answer as (app: Application, a: CommandInput<K>, now: number) => CommandAnswer<K>)(this, input, now);
  }

  /** Applies every rule that depends only on the state and the instant; safe to call again. */
  advance(now: number): void {
    for (let guard = 0; guard < 1000 && this.state.status === 'running'; guard++) {
      if (!step(this, now)) break;
    }
    if (this.state.reformInstruments) stepVerifications(this, now);
    this.levelsAsOf = Math.max(this.levelsAsOf ?? now, now);
  }

  /** The next instant at which time alone changes something, or null. */
  nextWakeAt(now: number): number | null {
    return nextWakeAt(this, now);
  }

  // The readings the status view and the read model share with the engine.

  clockLevel(m: MatterState, now: number): ClockLevel {
    return clockLevel(this, m, now);
  }

  levelAt(m: MatterState, now: number): ClockLevel {
    return levelAt(this, m, now);
  }

  overdueSinceAt(m: MatterState, now: number): number | null {
    return overdueSinceAt(this, m, now);
  }

  contractLevel(c: ContractState, now: number): (typeof SERVICE_LEVELS)[number] {
    return contractLevel(this, c, now);
  }

  missingFor(code: string, kind: 'blocking' | 'deferrable'): MissingItem[] {
    return missingFor(this, code, kind);
  }

  servicesOf(code: string): ServiceState[] {
    return servicesOf(this, code);
  }

  servicesPending(code: string): ServiceState[] {
    return servicesPending(this, code);
  }

  prerequisitesMet(m: MatterState): boolean {
    return prerequisitesMet(this, m);
  }
}

function newMatter(m: ResolvedMatter): MatterState {
  return {
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
  };
}
