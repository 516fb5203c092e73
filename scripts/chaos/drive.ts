import { loadCatalogue, snapshotFor } from '../../catalogue/loader';
import { allMatters } from '../../catalogue/snapshot';
import { prng } from '../prng';
import type { ChaosClient } from './client';
import { sleep, type Principal, type Principals } from './system';

export type Outcome = 'completed' | 'rejected' | 'withdrawn';
export const PROCESSES = ['GOV_INVESTMENT', 'SOCIAL_APPROVAL'] as const;

/** What one simulated applicant means to do, drawn from the run's seed. */
export interface Plan {
  index: number;
  processCode: (typeof PROCESSES)[number];
  outcome: Outcome;
  /** Started without the EIA report: the applicant contracts a provider, which delivers, and the officer reviews. */
  viaProvider: boolean;
  /** One officer asks for a supplement, which the applicant supplies. */
  supplement: boolean;
  /** Officer decisions before the applicant withdraws or an officer rejects a milestone matter. */
  after: number;
  applicant: string;
}

/** The intermediary service an application started without its deliverable contracts (owner-commissioned in both processes). */
export const PROVIDER_SERVICE = { serviceType: 'EIA_REPORT', deliverable: 'M_EIA_DOCUMENT', provider: 'P_GREEN_ENV' } as const;

/**
 * The run's applications: the two processes alternate; one in ten ends rejected and one in ten
 * withdrawn, the rest completed; one in four goes through an intermediary, one in five has a
 * supplement requested.
 */
export function plans(n: number, seed: number, applicants: Principal[]): Plan[] {
  const random = prng(seed);
  return Array.from({ length: n }, (_, i) => ({
    index: i,
    // Alternating, with the parity flipped every ten so that every kind of plan meets both processes.
    processCode: PROCESSES[(i + Math.floor(i / 10)) % 2]!,
    outcome: i % 10 === 3 ? 'rejected' : i % 10 === 7 ? 'withdrawn' : 'completed',
    viaProvider: i % 4 === 1,
    supplement: i % 5 === 2,
    after: 1 + Math.floor(random() * 12),
    applicant: applicants[i % applicants.length]!.id,
  }));
}

const catalogue = loadCatalogue();

export function materialsOf(processCode: string): string[] {
  const snapshot = snapshotFor(catalogue, processCode)!;
  return [...new Set(allMatters(snapshot).flatMap((m) => m.materials.map((x) => x.code)))];
}

function firstMaterialOf(processCode: string, matter: string): string {
  return allMatters(snapshotFor(catalogue, processCode)!).find((m) => m.code === matter)!.materials[0]!.code;
}

export interface AppRecord {
  index: number;
  plan: Plan;
  applicationId?: string;
  /** The status the applicant last saw. */
  status?: string;
  startedAt?: number;
  endedAt?: number;
  actions: number;
  /** Actions refused after a retry because the first attempt had been applied (at-least-once on the client side). */
  appliedBeforeRetry: number;
  /** Refusals the plan did not expect, and anything else that went wrong for this application. */
  errors: string[];
}

export interface DriveContext {
  client: ChaosClient;
  principals: Principals;
  runId: string;
  onStarted(record: AppRecord): void;
  onEnded(record: AppRecord): void;
  /** Set when the run is interrupted: drivers stop at their next step. */
  aborted(): boolean;
}

interface Action {
  what: string;
  method: 'POST';
  path: string;
  token: string;
  body: unknown;
  /** A decision by an officer: counts towards `plan.after`. */
  decision?: boolean;
  supplement?: boolean;
}

type View = any;

/** Starts the application (Idempotency-Key, so a retried start is the same application). */
export async function startApplication(ctx: DriveContext, plan: Plan, record: AppRecord): Promise<string | undefined> {
  const applicant = ctx.principals.applicants.find((a) => a.id === plan.applicant)!;
  const materials = materialsOf(plan.processCode).filter((m) => !(plan.viaProvider && m === PROVIDER_SERVICE.deliverable));
  const res = await ctx.client.call('POST', '/applications', applicant.token, { processCode: plan.processCode, projectName: `混沌测试项目 ${plan.index + 1}`, materials }, {
    headers: { 'idempotency-key': `chaos-${ctx.runId}-${plan.index}` },
  });
  if (res.status !== 201 && res.status !== 200) {
    record.errors.push(`start: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
    return undefined;
  }
  return res.body.applicationId as string;
}

/**
 * Drives one application to its planned end through the API, one action at a time, reading its
 * writes (`?minSeq=`) after each. What to do next is decided from the application as read, so an
 * action applied before its answer was lost is simply not repeated.
 */
export async function driveApplication(ctx: DriveContext, plan: Plan): Promise<AppRecord> {
  const record: AppRecord = { index: plan.index, plan, actions: 0, appliedBeforeRetry: 0, errors: [] };
  const applicant = ctx.principals.applicants.find((a) => a.id === plan.applicant)!;
  try {
    record.startedAt = Date.now();
    const id = await startApplication(ctx, plan, record);
    if (!id) return record;
    record.applicationId = id;
    ctx.onStarted(record);
    let seq = 0;
    let decisions = 0;
    let supplementAsked = false;
    let idle = 0;
    let strong = false;
    for (let step = 0; step < 500 && !ctx.aborted(); step++) {
      const read = await ctx.client.call('GET', `/applications/${id}?${strong ? 'consistency=strong' : `minSeq=${seq}`}`, applicant.token);
      if (read.status !== 200) {
        record.errors.push(`read: HTTP ${read.status} ${JSON.stringify(read.body).slice(0, 300)}`);
        if (record.errors.length > 10) break;
        strong = true;
        continue;
      }
      const view: View = read.body;
      record.status = view.status;
      seq = Math.max(seq, view.seq ?? 0);
      if (view.status !== 'running') break;
      const action = nextAction(ctx, plan, view, decisions, supplementAsked);
      if (!action) {
        // Nothing this run's users can do: the read may be behind, or the workflow waits for something.
        if (++idle > 240) {
          record.errors.push(`no action possible for 2 min (matters: ${summary(view)})`);
          break;
        }
        strong = idle > 2;
        await sleep(500);
        continue;
      }
      idle = 0;
      strong = false;
      const res = await ctx.client.call(action.method, action.path, action.token, action.body);
      if (res.status >= 200 && res.status < 300) {
        record.actions++;
        if (action.decision) decisions++;
        if (action.supplement) supplementAsked = true;
        const answered: number | undefined = res.body?.applicationSeq ?? res.body?.seq;
        // A provider's view of the application carries no seq: read the workflow itself next.
        if (answered === undefined) strong = true;
        else seq = Math.max(seq, answered);
      } else if (res.attempts > 1 && res.status === 409) {
        // The attempt before the retry was applied; read again and go on.
        record.appliedBeforeRetry++;
        if (action.decision) decisions++;
        if (action.supplement) supplementAsked = true;
        strong = true;
      } else {
        record.errors.push(`${action.what}: HTTP ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
        if (record.errors.length > 10) break;
        strong = true;
      }
    }
  } catch (err) {
    record.errors.push(`driver: ${(err as Error).message}`);
  } finally {
    record.endedAt = Date.now();
    ctx.onEnded(record);
  }
  return record;
}

function summary(view: View): string {
  return [...view.stages.flatMap((s: any) => s.matters), ...view.alongside]
    .filter((m: any) => !['approved', 'rejected', 'cancelled', 'terminated'].includes(m.status))
    .map((m: any) => `${m.code}:${m.status}`)
    .join(' ');
}

/** The next move of the applicant, an officer or a provider, as the plan says. */
export function nextAction(ctx: DriveContext, plan: Plan, view: View, decisions: number, supplementAsked: boolean): Action | undefined {
  const id = view.applicationId as string;
  const p = ctx.principals;
  const applicant = p.applicants.find((a) => a.id === plan.applicant)!;
  const matters: any[] = [...view.stages.flatMap((s: any) => s.matters), ...view.alongside];
  const officer = (matter: string) => p.officers[matters.find((m) => m.code === matter)!.department]!;
  if (plan.outcome === 'withdrawn' && decisions >= plan.after) {
    return { what: 'withdraw', method: 'POST', path: `/applications/${id}/withdraw`, token: applicant.token, body: { reason: '企业调整投资计划（混沌测试）' } };
  }
  for (const s of view.services ?? []) {
    const base = `/applications/${id}/services/${s.serviceType}`;
    if (s.status === 'needed' && s.commissionedBy === 'owner') {
      return { what: `contract ${s.serviceType}`, method: 'POST', path: `${base}/contract`, token: applicant.token, body: { selection: { method: 'direct', provider: PROVIDER_SERVICE.provider } } };
    }
    if (s.status === 'contracted' || s.status === 'returned') {
      const provider = p.providers[s.contracts.at(-1).provider]!;
      return { what: `deliver ${s.serviceType}`, method: 'POST', path: `${base}/delivery`, token: provider.token, body: { note: '报告书（混沌测试）' } };
    }
    if (s.status === 'delivered') {
      return { what: `review ${s.serviceType}`, method: 'POST', path: `${base}/review`, token: officer(s.matters[0]).token, body: { decision: 'accept' } };
    }
  }
  const owed = matters.find((m) => m.status === 'suspended' && m.owedForSupplement.length);
  if (owed) return { what: `supply ${owed.code}`, method: 'POST', path: `/applications/${id}/materials`, token: applicant.token, body: { items: owed.owedForSupplement } };
  const m = matters.find((x) => x.status === 'inProgress');
  if (!m) return undefined;
  const path = `/applications/${id}/matters/${m.code}`;
  const token = officer(m.code).token;
  if (plan.supplement && !supplementAsked && decisions >= 1) {
    return { what: `supplement ${m.code}`, method: 'POST', path: `${path}/supplement`, token, body: { items: [firstMaterialOf(plan.processCode, m.code)], reason: '请补正（混沌测试）' }, supplement: true };
  }
  if (plan.outcome === 'rejected' && decisions >= plan.after && m.milestone) {
    return { what: `reject ${m.code}`, method: 'POST', path: `${path}/decision`, token, body: { decision: 'reject', reason: '不符合许可条件（混沌测试）' }, decision: true };
  }
  return { what: `approve ${m.code}`, method: 'POST', path: `${path}/decision`, token, body: { decision: 'approve', result: { number: `混沌〔2026〕${m.code}-${plan.index}号` } }, decision: true };
}
