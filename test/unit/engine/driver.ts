/**
 * Drives the rule engine in memory the way the workflow does (workflows/application.ts), with no
 * Temporal and no PostgreSQL: start an application at an instant, perform an action (check, then
 * apply, then the answer), let time pass (the advance/nextWakeAt loop of the workflow's one timer),
 * read the view at an instant. The only file of test/unit/engine that knows the engine's API: when
 * the engine changes shape, this file changes and the rule tests do not.
 */
import { COMMAND_NAMES, commands as engineCommands, type CommandAnswer, type CommandInput, type CommandName, type MatterAnswer } from '../../../domain/application/commands';
import { CURRENT_RULES, Application, type EngineRules } from '../../../domain/application/core';
import { publishCalendar } from '../../../domain/application/supervision';
import { ActionRefused } from '../../../domain/errors';
import { forecast } from '../../../domain/forecast';
import { ChangedRows, applicationFromStore, projectionBatch, projectionDeltaRead, type ProjectionBatch } from '../../../domain/projection';
import { sanitizeInput } from '../../../domain/text';
import { toShanghaiIso } from '../../../domain/time';
import type { Actor, AppEvent, ApplicationInput } from '../../../domain/types';
import { viewApplication, viewMatter, type ApplicationView, type MatterView } from '../../../domain/view';
import { loadCatalogue, snapshotFor } from '../../../catalogue/loader';
import type { PublishCalendarInput } from '../../../contracts/actions';

export const catalogue = loadCatalogue();

/** An instant: ISO-8601 with offset, or epoch ms. */
export type Instant = string | number;
const ms = (t: Instant): number => (typeof t === 'number' ? t : Date.parse(t));
export const iso = (t: Instant): string => toShanghaiIso(ms(t));

/** Every action by its wire name (the name of the workflow's message), with its input: the engine's commands and the calendar signal. */
export type Actions = { [K in CommandName]: CommandInput<K> } & { publishCalendar: PublishCalendarInput };
export type ActionName = keyof Actions;

/**
 * What an action answers here: a matter action the engine's own answer (the matter); an
 * application action and the calendar the application as the API answers them (it reads the
 * view after the engine's answer, which is only the seq).
 */
export type Answer<N extends ActionName> = N extends CommandName ? (CommandAnswer<N> extends MatterAnswer ? CommandAnswer<N> : ApplicationView) : ApplicationView;

export interface Refusal {
  /** The refusal code (domain/errors.ts). */
  code: string;
  message: string;
}
export type Outcome<N extends ActionName> = { refused: Refusal } | { answer: Answer<N> };

interface Command {
  check(a: never, now: number): void;
  apply(a: never, now: number): void;
  answer(a: never, now: number): unknown;
}

/** The engine's check and apply of each action, as the workflow registers them: the command table, and the calendar signal. */
function commands(app: Application): Record<ActionName, Command> {
  const table = Object.fromEntries(
    COMMAND_NAMES.map((name) => [
      name,
      {
        check: (a: never, now: number) => app.check(name, a, now),
        apply: (a: never, now: number) => app.act(name, a, now),
        answer: (a: never, now: number) => (engineCommands[name].answers === 'application' ? viewApplication(app, now) : app.answer(name, a, now)),
      },
    ]),
  ) as Record<CommandName, Command>;
  const calendar: Command = {
    check: () => undefined,
    apply: (a: PublishCalendarInput, now) => publishCalendar(app, a.calendar, a.actor, now),
    answer: (_a, now) => viewApplication(app, now),
  };
  return { ...table, publishCalendar: calendar };
}

function refusalOf(e: unknown): Refusal | null {
  if (e instanceof ActionRefused) return { code: e.code, message: e.message };
  return null;
}

/** Every material of every matter of a process: a complete application. */
export function allMaterials(processCode = 'GOV_INVESTMENT'): string[] {
  const snap = snapshotFor(catalogue, processCode)!;
  return [...new Set([...snap.stages.flatMap((s) => s.matters), ...snap.alongside].flatMap((m) => m.materials.map((x) => x.code)))];
}

/** The snapshot of a process an application starts on (to alter one for a test). */
export const snapshotOf = (processCode: string) => snapshotFor(catalogue, processCode)!;

/** A complete application but for the materials named. */
export const without = (...codes: string[]): string[] => allMaterials().filter((m) => !codes.includes(m));

export const officer = (department: string, id = `officer-${department.toLowerCase()}`): Actor => ({ id, role: 'officer', department });
export const applicant: Actor = { id: 'ent-001', role: 'applicant' };
export const supervisor: Actor = { id: 'sup-01', role: 'supervisor', department: 'SUP' };
export const provider = (code: string): Actor => ({ id: code, role: 'provider' });
export const admin: Actor = { id: 'admin', role: 'admin' };

export interface StartOptions extends Partial<ApplicationInput> {
  processCode?: string;
  /** The patched() decisions of the workflow; today's rules unless a test is about an older history. */
  rules?: EngineRules;
}

/** Starts an application at an instant (government investment, all materials, unless told otherwise). */
export function start(at: Instant, options: StartOptions = {}): Run {
  const { processCode = 'GOV_INVESTMENT', rules = CURRENT_RULES, ...overrides } = options;
  const input: ApplicationInput = {
    applicationId: 'app-engine-1',
    projectName: '浏阳市第一中学新校区建设项目',
    applicant: { id: 'ent-001', name: '浏阳市教育投资有限公司' },
    snapshot: snapshotFor(catalogue, processCode)!,
    materials: allMaterials(processCode),
    ...overrides,
  };
  return new Run(sanitizeInput(input), ms(at), rules);
}

/** One application in memory and its clock. */
export class Run {
  private readonly app: Application;
  private readonly table: Record<ActionName, Command>;
  private readonly changed = new ChangedRows();
  private projected = 0;
  private full = true;
  /** The engine's clock: the instant of the last activation (start, action or timer). */
  now: number;

  constructor(input: ApplicationInput, at: number, rules: EngineRules) {
    this.app = new Application(input, at, rules);
    this.table = commands(this.app);
    this.now = at;
    this.app.advance(at);
  }

  /**
   * Lets time pass to an instant: the workflow's timer fires at each instant the engine asks to
   * be woken at, up to `until`, and the engine advances there. `lateMs` delays every wake, as a
   * busy worker would.
   */
  passUntil(until: Instant, lateMs = 0): this {
    const end = ms(until);
    if (end < this.now) throw new Error(`the engine's clock is already past ${iso(end)}`);
    for (let guard = 0; guard < 10_000 && !this.app.finished; guard++) {
      const next = this.app.nextWakeAt(this.now);
      if (next === null) break;
      const wake = Math.max(this.now + 1, next) + lateMs;
      if (wake > end) break;
      this.now = wake;
      this.app.advance(wake);
    }
    this.now = end;
    if (!this.app.finished) this.app.advance(end);
    return this;
  }

  /** Performs an action at an instant (now by default): check, then apply and answer, or the refusal. */
  act<N extends ActionName>(name: N, input: Actions[N], at?: Instant): Outcome<N> {
    if (at !== undefined) this.passUntil(at);
    const a = sanitizeInput(input);
    const command = this.table[name];
    try {
      command.check(a as never, this.now);
    } catch (e) {
      const refused = refusalOf(e);
      if (refused) return { refused };
      throw e;
    }
    command.apply(a as never, this.now);
    const answer = command.answer(a as never, this.now) as Answer<N>;
    // The workflow's loop wakes after every message and advances: so does the driver.
    if (!this.app.finished) this.app.advance(this.now);
    return { answer };
  }

  /** An action that must be accepted: its answer. */
  perform<N extends ActionName>(name: N, input: Actions[N], at?: Instant): Answer<N> {
    const r = this.act(name, input, at);
    if ('refused' in r) throw new Error(`${name} was refused: ${r.refused.code} ${r.refused.message}`);
    return r.answer;
  }

  /** An action that must be refused: its code and message; the state is left as it was. */
  refusal<N extends ActionName>(name: N, input: Actions[N], at?: Instant): Refusal {
    if (at !== undefined) this.passUntil(at);
    const before = this.app.state.events.length;
    const r = this.act(name, input);
    if (!('refused' in r)) throw new Error(`expected ${name} to be refused, but it was accepted`);
    if (this.app.state.events.length !== before) throw new Error(`${name} was refused but recorded events`);
    return r.refused;
  }

  /** Approves a matter as its department's officer, with a result number. */
  approve(code: string, at?: Instant): MatterView {
    const m = this.matter(code);
    return this.perform('approve', { actor: officer(m.department), matter: code, result: { number: `浏审〔2026〕${code}号` }, reason: '' }, at);
  }

  /** Approves every matter whose clock runs (or those `only` picks); their codes. */
  approveRunning(only: (m: MatterView) => boolean = () => true): string[] {
    const running = this.matters().filter((m) => m.status === 'inProgress' && only(m));
    for (const m of running) this.approve(m.code);
    return running.map((m) => m.code);
  }

  /** Approves every matter under way (giving each joint participant's passing opinion first) until `stage` is the current one. */
  approveThrough(stage: string): void {
    for (let round = 0; round < 50 && this.view().currentStage !== stage; round++) {
      for (const m of this.matters().filter((x) => x.status === 'inProgress')) {
        for (const p of m.joint?.participants.filter((x) => x.waiting) ?? []) {
          this.perform('giveOpinion', { actor: officer(p.department), matter: m.code, opinion: 'pass', items: [], note: '' });
        }
        this.approve(m.code);
      }
    }
    if (this.view().currentStage !== stage) throw new Error(`stage ${stage} was not reached: the application is at ${this.view().currentStage}`);
  }

  /** The status view as of `asOf` (the engine's clock by default; a later instant reads without waking the engine, as the status query does). */
  view(asOf?: Instant): ApplicationView {
    return viewApplication(this.app, Math.max(this.now, asOf === undefined ? 0 : ms(asOf)));
  }

  matters(asOf?: Instant): MatterView[] {
    const v = this.view(asOf);
    return [...v.stages.flatMap((s) => s.matters), ...v.alongside];
  }

  matter(code: string, asOf?: Instant): MatterView {
    const m = this.app.state.matters[code];
    if (!m) throw new Error(`no matter ${code}`);
    return viewMatter(this.app, m, Math.max(this.now, asOf === undefined ? 0 : ms(asOf)));
  }

  service(type: string, asOf?: Instant) {
    const s = this.view(asOf).services.find((x) => x.serviceType === type);
    if (!s) throw new Error(`no service ${type}`);
    return s;
  }

  /** The audit trail, or the events of some kinds. */
  events(...kinds: AppEvent['kind'][]): ApplicationView['events'] {
    const all = this.view().events;
    return kinds.length ? all.filter((e) => kinds.includes(e.kind)) : all;
  }

  /** The instant the workflow's one timer is set for (ISO), or null when only a message can change anything. */
  nextWake(): string | null {
    const next = this.app.nextWakeAt(this.now);
    return next === null ? null : iso(next);
  }

  get ended(): boolean {
    return this.app.ended;
  }

  get outcome() {
    return this.app.state.outcome;
  }

  /** The forecast as of the engine's clock (or `asOf`). */
  forecast(asOf?: Instant) {
    return forecast(this.app, Math.max(this.now, asOf === undefined ? 0 : ms(asOf)));
  }

  /** The next batch for the read model, as the workflow's projection hands it to the writer (local activity): the first complete, then deltas. */
  nextProjection(): ProjectionBatch {
    const batch = projectionDeltaRead(this.app, this.now, this.projected, this.full, this.changed.next(this.app, this.projected));
    this.projected = batch.application.seq;
    this.full = false;
    return batch;
  }

  /** The writer refused a batch: the next one carries every row and the snapshot again. */
  projectionRefused(): void {
    this.changed.reset();
    this.full = true;
  }

  /** Everything the read model holds, as one complete batch. */
  fullProjection(): ProjectionBatch {
    return projectionBatch(this.app, this.now, 0);
  }

  /** The application rebuilt from the read model's rows, viewed at an instant, as the API reads it. */
  viewFromStore(batch: ProjectionBatch, asOf?: Instant): ApplicationView {
    const app = applicationFromStore({
      snapshot: batch.snapshot!,
      state: batch.state!,
      matters: batch.matters.flatMap((m) => (m.state ? [m.state] : [])),
      events: batch.events.map(({ applicationId: _id, ...e }) => e),
    });
    return viewApplication(app, Math.max(this.now, asOf === undefined ? 0 : ms(asOf)));
  }
}
