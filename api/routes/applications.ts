import { createHash, randomUUID } from 'node:crypto';
import { QueryNotRegisteredError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type UpdateDefinition } from '@temporalio/common';
import { z } from 'zod';
import { code } from '../../contracts/fields';
import { applicationReadSchema, predictionSchema, startedApplicationSchema } from '../../contracts/responses';
import { matterAnswerSchema, visibleApplicationSchema } from '../../contracts/views';
import { snapshotFor } from '../../catalogue/loader';
import { allMatters } from '../../catalogue/snapshot';
import { applicationWorkflow } from '../../workflows';
import {
  acceptSchema,
  assignSchema,
  chooseProviderSchema,
  claimSchema,
  commitSchema,
  decisionBodySchema,
  deliverSchema,
  endSpecialProcedureSchema,
  escalateSchema,
  extendSchema,
  opinionBodySchema,
  liftHoldSchema,
  missingNoticeSchema,
  moveSessionSchema,
  releaseSchema,
  replaceProviderSchema,
  reviewBodySchema,
  scheduleSessionSchema,
  startApplicationSchema,
  startSpecialProcedureSchema,
  submitRectificationSchema,
  supplementSchema,
  supplyBodySchema,
  urgeSchema,
  verifySchema,
  withdrawSchema,
} from '../../contracts/actions';
import type { Actor } from '../../domain/types';
import type { ApplicationAnswer } from '../../domain/application/commands';
import { shanghaiDate } from '../../domain/time';
import { mattersOfView, viewApplication, type ApplicationView, type MatterView } from '../../domain/view';
import { applicationFromStore } from '../../domain/projection';
import { projectedApplication } from '../../readmodel/queries';
import { hasCreditRecord } from '../../readmodel/credit';
import { isDelegateFor } from '../../readmodel/delegations';
import {
  acceptUpdate,
  approveUpdate,
  assignMatterUpdate,
  chooseProviderUpdate,
  claimMatterUpdate,
  commitUpdate,
  deliverUpdate,
  endSpecialProcedureUpdate,
  escalateUpdate,
  extendUpdate,
  giveOpinionUpdate,
  issueMissingNoticeUpdate,
  liftHoldUpdate,
  moveSessionUpdate,
  rejectUpdate,
  replaceProviderUpdate,
  returnToPoolUpdate,
  reviewDeliverableUpdate,
  scheduleSessionUpdate,
  startSpecialProcedureUpdate,
  statusQuery,
  requestSupplementUpdate,
  submitRectificationUpdate,
  supplyMaterialsUpdate,
  urgeUpdate,
  verifyCommitmentUpdate,
  withdrawUpdate,
} from '../../workflows/messages';
import { actorOf, type Principal, type PrincipalRegistry } from '../auth';
import { accessTo, coversDepartment, notVisible, partiesOfView, startForbidden, viewFor, type Access } from '../authz';
import type { CatalogueHolder } from '../catalogue-holder';
import { ROLES, type OperationRegistry } from '../operation';
import { fieldProblem, HttpProblem, isDatabaseDown } from '../problem';
import { predictionFor, predictionReader } from './prediction';

export const idParams = z.object({ id: z.string().max(40, 'must be an application id such as app-…').regex(/^app-[0-9a-f-]{36}$/, 'must be an application id such as app-…') });
const matterParams = idParams.extend({ code: code('matter', 'LY01') });
const stageParams = idParams.extend({ stage: code('stage', 'S1') });
const serviceParams = idParams.extend({ type: code('service type', 'EIA_REPORT') });
/** Printable ASCII only: the key is hashed into the application id and echoed in a conflict. */
const idempotencyKey = z
  .string()
  .min(8, 'Idempotency-Key must be 8–200 characters')
  .max(200, 'Idempotency-Key must be 8–200 characters')
  .regex(/^[\x21-\x7E]+$/, 'Idempotency-Key must be printable ASCII without spaces');

export interface ApplicationsDeps {
  client: Client;
  pool: Pool;
  catalogue: CatalogueHolder;
  taskQueue: string;
  /** Who the officers of a department are (a matter is assigned only to one of its department's). */
  principals: PrincipalRegistry;
  /** The instant reads are computed at (default: the machine's clock). */
  clock?: () => number;
}

/** How a read is served: from the read model (default) or, on request, from the workflow itself. */
export const readQuery = z.object({
  consistency: z.enum(['eventual', 'strong']).default('eventual'),
  /** Read your writes: the `seq` (or `applicationSeq`) an action answered with; the read waits briefly for the projection to reach it. */
  minSeq: z
    .string()
    .regex(/^\d{1,6}$/, 'must be a whole number (the seq an action answered with)')
    .transform(Number)
    .optional(),
});
export type ReadQuery = z.infer<typeof readQuery>;

/** Where a view came from and how fresh it is. */
export interface Freshness {
  source: 'readModel' | 'workflow';
  /** The application's event count the view reflects. */
  seq: number;
  /** When the read model stored it (null for a workflow read). */
  projectedAt: string | null;
}

/** How long a read waits for the projection to reach `minSeq`, and for a strongly consistent workflow query. */
const READ_YOUR_WRITES_WAIT_MS = 2_000;
const STRONG_READ_TIMEOUT_MS = 5_000;

/**
 * 告知承诺制 refused: the applicant has a credit record (失信) for a false commitment and the
 * catalogue refuses commitment on these matters after one. `fields` name what the caller sent.
 */
function creditRefusal(fields: { field: string; matter: string }[]): HttpProblem {
  const message = (matter: string) => `matter ${matter} refuses approval on commitment (告知承诺制) to an applicant with a credit record (失信) for a false commitment`;
  return new HttpProblem(422, 'Commitment not allowed', `${fields[0]!.field}: ${message(fields[0]!.matter)}`, {
    code: 'COMMITMENT_NOT_ALLOWED',
    errors: fields.map((f) => ({ field: f.field, message: message(f.matter) })),
  });
}

/** Whether an officer's department gives an opinion on this joint matter. */
function takesPart(m: MatterView, department: string | undefined): boolean {
  return !!department && !!m.joint?.participants.some((p) => p.department === department);
}

const matterIn = (view: ApplicationView, code: string): MatterView | undefined => mattersOfView(view).find((m) => m.code === code);

/** A stable application id for (caller, Idempotency-Key): Temporal's unique workflow ids make the start idempotent. */
function idempotentId(principal: Principal, key: string): string {
  const h = createHash('sha256').update(`${principal.role}:${principal.id}\n${key}`).digest('hex');
  return `app-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Applicants, officers, providers and the supervision office acting on applications. */
export function registerApplications(api: OperationRegistry, { client, pool, catalogue, taskQueue, principals, clock = Date.now }: ApplicationsDeps): void {
  const handle = (id: string) => client.workflow.getHandle(id);

  /** The workflow's own view, as of now, with a short deadline: a strongly consistent read. */
  async function workflowView(id: string): Promise<{ view: ApplicationView; freshness: Freshness }> {
    const deadline = Date.now() + STRONG_READ_TIMEOUT_MS;
    for (;;) {
      try {
        const view = await client.connection.withDeadline(deadline, () => handle(id).query(statusQuery, { asOf: clock() }));
        return { view, freshness: { source: 'workflow', seq: view.seq, projectedAt: null } };
      } catch (e) {
        // An application started a moment ago has not registered its query handler yet.
        if (!(e instanceof QueryNotRegisteredError) || Date.now() + 100 >= deadline) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }

  /**
   * The application's view as of now. By default from the read model, computed by the workflow's
   * own view function over the stored state, so it needs no worker; from the workflow when asked
   * (`strong`), when the read model does not hold it yet, or when it stays behind `minSeq`.
   */
  async function readView(id: string, q: ReadQuery = { consistency: 'eventual' }): Promise<{ view: ApplicationView; freshness: Freshness }> {
    if (q.consistency === 'strong') return workflowView(id);
    const deadline = Date.now() + (q.minSeq === undefined ? 0 : READ_YOUR_WRITES_WAIT_MS);
    for (;;) {
      let stored;
      try {
        stored = await projectedApplication(pool, id);
      } catch (e) {
        // With PostgreSQL down, the workflow answers instead.
        if (isDatabaseDown(e)) return workflowView(id);
        throw e;
      }
      if (stored && (q.minSeq === undefined || stored.seq >= q.minSeq)) {
        const view = viewApplication(applicationFromStore(stored.stored), clock());
        return { view, freshness: { source: 'readModel', seq: stored.seq, projectedAt: stored.projectedAt } };
      }
      if (Date.now() >= deadline) return workflowView(id);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** An Update; on a closed application the server says "not found", we say why it is closed. */
  async function update<Ret, Arg>(id: string, def: UpdateDefinition<Ret, [Arg]>, arg: Arg): Promise<Ret> {
    try {
      return await handle(id).executeUpdate(def, { args: [arg] });
    } catch (e) {
      if (!(e instanceof WorkflowNotFoundError)) throw e;
      const { view } = await readView(id);
      throw new HttpProblem(409, 'Action refused', `the application is ${view.status}; no further actions are possible`, { code: 'APPLICATION_CLOSED' });
    }
  }

  /** The whole application and the caller's access to it under the policy (api/authz.ts); 403 for a non-party. */
  async function authorized(p: Principal, id: string, q?: ReadQuery): Promise<{ view: ApplicationView; access: Exclude<Access, { scope: 'none' }>; freshness: Freshness }> {
    let read = await readView(id, q);
    let access = accessTo(p, partiesOfView(read.view), catalogue.current.departments);
    // A party the read model does not show yet (a contract just made) is asked of the workflow before a refusal.
    if (access.scope === 'none' && read.freshness.source === 'readModel') {
      // Without the worker the read model's answer stands: a refusal never waits on the workflow.
      const fresh = await workflowView(id).catch(() => null);
      if (fresh) {
        read = fresh;
        access = accessTo(p, partiesOfView(read.view), catalogue.current.departments);
      }
    }
    if (access.scope === 'none') throw notVisible(id);
    return { view: read.view, access, freshness: read.freshness };
  }

  /** The application as the caller may see it; 403 for anyone not party to it. */
  async function visible(p: Principal, id: string) {
    const { view, access } = await authorized(p, id);
    return viewFor(view, access);
  }

  /**
   * The actor of an action, once the policy lets the caller at the application: the applicant
   * itself, an agent for the application's applicant, a provider of a contract in it, an officer
   * of an involved department, the supervision office.
   */
  async function acting(p: Principal, id: string): Promise<{ actor: Actor; access: Exclude<Access, { scope: 'none' }> }> {
    const { view, access } = await authorized(p, id);
    return { actor: actorOf(p, view.applicant.id), access };
  }

  const isView = (answer: ApplicationAnswer | ApplicationView): answer is ApplicationView => 'stages' in answer;

  /**
   * An action on the application: authorized first, answered with the application as the caller
   * may see it. The workflow answers with its seq (a worker from before patch
   * 'application-answer-by-seq', during a rolling deploy, with the whole view); the view is then
   * read from the workflow, at least as new as the action.
   */
  async function applicationUpdate<Arg>(p: Principal, id: string, def: UpdateDefinition<ApplicationAnswer, [Arg]>, arg: (actor: Actor) => Arg) {
    const { actor, access } = await acting(p, id);
    const answer: ApplicationAnswer | ApplicationView = await update(id, def, arg(actor));
    const view = isView(answer) ? answer : (await workflowView(id)).view;
    return viewFor(view, access);
  }

  api.add(
    {
      method: 'post',
      path: '/applications',
      tag: 'applicants',
      summary: 'Start an application',
      roles: ['applicant', 'agent', 'integrator', 'admin'],
      body: startApplicationSchema,
      headers: [{ name: 'Idempotency-Key', description: 'the same key and body return the same application; the same key with another body is a 409' }],
      success: { status: 201, description: 'the application was started (200 when an Idempotency-Key repeats)' },
      response: startedApplicationSchema,
    },
    async ({ req, res, principal: p, body }) => {
      const cat = catalogue.current;
      const snapshot = snapshotFor(cat, body.processCode);
      if (!snapshot) {
        throw fieldProblem('body.processCode', `is not a published process; published: ${cat.processes.map((x) => x.code).join(', ')}`);
      }
      const known = new Set(allMatters(snapshot).flatMap((m) => m.materials.map((x) => x.code)));
      const unknown = body.materials.filter((m) => !known.has(m));
      if (unknown.length) {
        throw new HttpProblem(400, 'Invalid request', `body.materials: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ` and ${unknown.length - 5} more` : ''} are on no matter of ${snapshot.code}`, {
          errors: body.materials.flatMap((m, i) => (known.has(m) ? [] : [{ field: `body.materials.${i}`, message: `is on no matter of ${snapshot.code}` }])),
        });
      }
      if (p.role !== 'applicant' && !body.applicant) throw fieldProblem('body.applicant', 'name the applicant ({ id, name }) you act for');
      const refused = startForbidden(p, body.applicant?.id ?? p.id);
      if (refused) throw refused;
      const applicant = body.applicant ?? { id: p.id, name: p.name ?? p.id };
      const zone = body.zone === undefined ? null : cat.zones.find((z) => z.code === body.zone);
      if (zone === undefined) throw fieldProblem('body.zone', `is not a published zone; published: ${cat.zones.map((z) => z.code).join(', ') || 'none'}`);
      const matters = new Map(allMatters(snapshot).map((m) => [m.code, m]));
      const notCommittable = body.commitments.flatMap((c, i) => {
        const field = `body.commitments.${i}.matter`;
        const m = matters.get(c.matter);
        if (!m) return [{ field, message: `matter ${c.matter} is not part of process ${snapshot.code}` }];
        if (!m.commitment) return [{ field, message: `matter ${c.matter} is not approved on commitment (告知承诺制); these are: ${[...matters.values()].filter((x) => x.commitment).map((x) => x.code).join(', ') || 'none'}` }];
        if (body.commitments.findIndex((x) => x.matter === c.matter) < i) return [{ field, message: `matter ${c.matter} is committed on twice` }];
        return [];
      });
      if (notCommittable.length) {
        throw new HttpProblem(400, 'Invalid request', `${notCommittable[0]!.field}: ${notCommittable[0]!.message}`, { code: 'INVALID_REQUEST', errors: notCommittable });
      }
      const strict = body.commitments.flatMap((c, i) => (matters.get(c.matter)!.commitment!.refuseAfterFalse ? [{ field: `body.commitments.${i}.matter`, matter: c.matter }] : []));
      if (strict.length && (await hasCreditRecord(pool, applicant.id))) throw creditRefusal(strict);

      const keyHeader = req.get('idempotency-key');
      const key = keyHeader === undefined ? undefined : idempotencyKey.safeParse(keyHeader);
      if (key && !key.success) throw fieldProblem('header.Idempotency-Key', key.error.issues[0]!.message);
      const requestHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
      const applicationId = key ? idempotentId(p, key.data!) : `app-${randomUUID()}`;
      res.locals.applicationId = applicationId;
      const answer = { applicationId, processCode: snapshot.code, definitionHash: snapshot.definitionHash, applicant };
      try {
        await client.workflow.start(applicationWorkflow, {
          taskQueue,
          workflowId: applicationId,
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          memo: { requestHash },
          args: [
            {
              applicationId,
              projectName: body.projectName,
              applicant,
              snapshot,
              materials: [...new Set(body.materials)],
              zone,
              startedBy: p.role === 'applicant' ? null : { id: p.id, role: p.role },
              ...(body.commitments.length ? { commitments: body.commitments } : {}),
              ...(body.projectCode !== undefined ? { projectCode: body.projectCode } : {}),
              ...(body.applicantCreditCode !== undefined ? { applicantCreditCode: body.applicantCreditCode } : {}),
              ...(body.documents.length ? { documents: body.documents } : {}),
            },
          ],
        });
      } catch (e) {
        if (!(e instanceof WorkflowExecutionAlreadyStartedError) || !key) throw e;
        const existing = await handle(applicationId).describe();
        if (existing.memo?.requestHash !== requestHash) {
          throw new HttpProblem(409, 'Conflict', `this Idempotency-Key was used for a different request (application ${applicationId})`, { code: 'IDEMPOTENCY_KEY_REUSED' });
        }
        res.status(200).location(`/applications/${applicationId}`).json({ ...answer, definitionHash: (await visible(p, applicationId)).process.definitionHash });
        return;
      }
      res.status(201).location(`/applications/${applicationId}`).json(answer);
    },
  );

  api.add(
    { method: 'get', path: '/applications/:id', tag: 'applicants', summary: 'Read an application', roles: ROLES, params: idParams, query: readQuery, response: applicationReadSchema },
    async ({ principal, params, query }) => {
      const { view, access, freshness } = await authorized(principal, params.id, query);
      return { ...viewFor(view, access), projection: freshness };
    },
  );

  const prediction = predictionReader(pool, catalogue);
  api.add(
    { method: 'get', path: '/applications/:id/prediction', tag: 'applicants', summary: 'Predicted completion from history (p50/p80)', roles: ROLES, params: idParams, response: predictionSchema },
    async ({ principal, params }) => {
      const { access } = await authorized(principal, params.id);
      const stored = await projectedApplication(pool, params.id);
      if (!stored) throw new HttpProblem(503, 'Not yet in the read model', `application ${params.id} is not in the read model yet; try again shortly`, { code: 'NOT_PROJECTED' });
      return predictionFor(await prediction(applicationFromStore(stored.stored), clock()), access);
    },
  );

  // ---- applicant actions ----

  api.add(
    { method: 'post', path: '/applications/:id/materials', tag: 'applicants', summary: 'Supply materials', roles: ['applicant', 'agent'], params: idParams, body: supplyBodySchema, response: visibleApplicationSchema },
    ({ principal, params, body }) => applicationUpdate(principal, params.id, supplyMaterialsUpdate, (actor) => ({ actor, ...body })),
  );

  api.add(
    { method: 'post', path: '/applications/:id/withdraw', tag: 'applicants', summary: 'Withdraw an application', roles: ['applicant', 'agent'], params: idParams, body: withdrawSchema.omit({ actor: true }), response: visibleApplicationSchema },
    ({ principal, params, body }) => applicationUpdate(principal, params.id, withdrawUpdate, (actor) => ({ actor, ...body })),
  );

  /** The applicant's (or its agent's) actor on one matter, once the policy lets the caller at the application. */
  async function applicantOnMatter(principal: Principal, params: { id: string; code: string }) {
    const { view } = await authorized(principal, params.id);
    return { applicantId: view.applicant.id, on: { actor: actorOf(principal, view.applicant.id), matter: params.code } };
  }

  api.add(
    {
      method: 'post',
      path: '/applications/:id/matters/:code/commitment',
      tag: 'applicants',
      summary: 'Commit on a matter (告知承诺制)',
      roles: ['applicant', 'agent'],
      params: matterParams,
      body: commitSchema.omit({ actor: true, matter: true }),
      response: matterAnswerSchema,
    },
    async ({ principal, params, body }) => {
      const { applicantId, on } = await applicantOnMatter(principal, params);
      const policy = catalogue.current.matters.find((m) => m.code === params.code)?.commitment;
      if (policy?.refuseAfterFalse && (await hasCreditRecord(pool, applicantId))) throw creditRefusal([{ field: 'path.code', matter: params.code }]);
      return update(params.id, commitUpdate, { ...on, ...body });
    },
  );

  api.add(
    {
      method: 'post',
      path: '/applications/:id/matters/:code/rectification',
      tag: 'applicants',
      summary: 'Submit a rectification (整改)',
      roles: ['applicant', 'agent'],
      params: matterParams,
      body: submitRectificationSchema.omit({ actor: true, matter: true }),
      response: matterAnswerSchema,
    },
    async ({ principal, params, body }) => update(params.id, submitRectificationUpdate, { ...(await applicantOnMatter(principal, params)).on, ...body }),
  );

  // ---- intermediary services ----

  api.add(
    { method: 'post', path: '/applications/:id/services/:type/contract', tag: 'intermediaries', summary: 'Choose an intermediary', roles: ['applicant', 'agent'], params: serviceParams, body: chooseProviderSchema.pick({ selection: true }), response: visibleApplicationSchema },
    ({ principal, params, body }) => applicationUpdate(principal, params.id, chooseProviderUpdate, (actor) => ({ actor, serviceType: params.type, ...body })),
  );

  api.add(
    { method: 'post', path: '/applications/:id/services/:type/replace', tag: 'intermediaries', summary: 'Replace a late intermediary', roles: ['applicant', 'agent'], params: serviceParams, body: replaceProviderSchema.pick({ selection: true, reason: true }), response: visibleApplicationSchema },
    ({ principal, params, body }) => applicationUpdate(principal, params.id, replaceProviderUpdate, (actor) => ({ actor, serviceType: params.type, ...body })),
  );

  api.add(
    { method: 'post', path: '/applications/:id/services/:type/delivery', tag: 'intermediaries', summary: 'Deliver an intermediary report', roles: ['provider', 'applicant', 'agent'], params: serviceParams, body: deliverSchema.pick({ note: true }), response: visibleApplicationSchema },
    ({ principal, params, body }) => applicationUpdate(principal, params.id, deliverUpdate, (actor) => ({ actor, serviceType: params.type, ...body })),
  );

  api.add(
    { method: 'post', path: '/applications/:id/services/:type/review', tag: 'intermediaries', summary: 'Review an intermediary deliverable', roles: ['officer'], params: serviceParams, body: reviewBodySchema, response: visibleApplicationSchema },
    ({ principal, params, body }) => applicationUpdate(principal, params.id, reviewDeliverableUpdate, (actor) => ({ actor, serviceType: params.type, ...body })),
  );

  // ---- officer actions: the policy admits an involved department; the workflow's validators check the matter's department, state and rules ----

  /**
   * The officer's actor: with `delegateFor` when the matter is assigned to another officer whose
   * out-of-office delegation names the caller today (Asia/Shanghai date of the API's clock).
   */
  async function officerActor(principal: Principal, matter: MatterView | undefined): Promise<Actor> {
    const actor = actorOf(principal);
    const assignee = matter?.assignee?.officer;
    // A delegation names a colleague of the same department; a participant of a joint matter acts as its own department.
    if (!assignee || assignee === principal.id || principal.head || principal.department !== matter.department) return actor;
    return (await isDelegateFor(pool, principal.id, assignee, shanghaiDate(clock()))) ? { ...actor, delegateFor: assignee } : actor;
  }

  /**
   * The officer acting on a matter. A utility's officer acts only on its own department's matters,
   * or, with `participant`, on a joint matter its department gives an opinion on; an unknown code
   * is the workflow's 404.
   */
  async function officer(principal: Principal, params: { id: string; code: string }, opts: { participant?: boolean } = {}) {
    const { view, access } = await authorized(principal, params.id);
    const m = matterIn(view, params.code);
    if (m && !coversDepartment(access, m.department) && !(opts.participant && takesPart(m, principal.department))) throw notVisible(params.id);
    return { actor: await officerActor(principal, m), matter: params.code, department: m?.department };
  }

  /**
   * An officer's action on a matter. Refused as NOT_ASSIGNED while the read model did not show the
   * matter's assignee yet, it is tried once more as the assignee's delegate if the workflow's own
   * view names an assignee whose delegation covers the caller today.
   */
  async function officerUpdate<Ret, Arg extends { actor: Actor; matter: string }>(
    principal: Principal,
    params: { id: string; code: string },
    def: UpdateDefinition<Ret, [Arg]>,
    rest: Omit<Arg, 'actor' | 'matter'>,
    opts: { participant?: boolean } = {},
  ): Promise<Ret> {
    const { actor, matter } = await officer(principal, params, opts);
    try {
      return await update(params.id, def, { ...rest, actor, matter } as Arg);
    } catch (e) {
      if (actor.delegateFor || !(e instanceof WorkflowUpdateFailedError && e.cause instanceof ApplicationFailure && e.cause.type === 'NOT_ASSIGNED')) throw e;
      const fresh = await officerActor(principal, matterIn((await workflowView(params.id)).view, params.code));
      if (!fresh.delegateFor) throw e;
      return update(params.id, def, { ...rest, actor: fresh, matter } as Arg);
    }
  }

  api.add(
    { method: 'post', path: '/applications/:id/matters/:code/decision', tag: 'officers', summary: 'Decide a matter', roles: ['officer'], params: matterParams, body: decisionBodySchema, response: matterAnswerSchema },
    async ({ principal, params, body }) =>
      body.decision === 'approve'
        ? officerUpdate(principal, params, approveUpdate, { result: body.result, reason: body.reason })
        : officerUpdate(principal, params, rejectUpdate, { reason: body.reason }),
  );

  api.add(
    { method: 'post', path: '/applications/:id/matters/:code/accept', tag: 'officers', summary: 'Accept a matter', roles: ['officer'], params: matterParams, body: acceptSchema.omit({ actor: true, matter: true }), response: matterAnswerSchema },
    ({ principal, params, body }) => officerUpdate(principal, params, acceptUpdate, body),
  );

  api.add(
    { method: 'post', path: '/applications/:id/matters/:code/supplement', tag: 'officers', summary: 'Request a supplement', roles: ['officer'], params: matterParams, body: supplementSchema.omit({ actor: true, matter: true }), response: matterAnswerSchema },
    ({ principal, params, body }) => officerUpdate(principal, params, requestSupplementUpdate, body),
  );

  api.add(
    { method: 'post', path: '/applications/:id/matters/:code/special-procedure', tag: 'officers', summary: 'Start a special procedure', roles: ['officer'], params: matterParams, body: startSpecialProcedureSchema.omit({ actor: true, matter: true }), response: matterAnswerSchema },
    ({ principal, params, body }) => officerUpdate(principal, params, startSpecialProcedureUpdate, body),
  );

  api.add(
    { method: 'post', path: '/applications/:id/matters/:code/special-procedure/end', tag: 'officers', summary: 'End a special procedure', roles: ['officer'], params: matterParams, body: endSpecialProcedureSchema.omit({ actor: true, matter: true }), response: matterAnswerSchema },
    ({ principal, params, body }) => officerUpdate(principal, params, endSpecialProcedureUpdate, body),
  );

  api.add(
    { method: 'post', path: '/applications/:id/matters/:code/extension', tag: 'officers', summary: 'Extend a matter', roles: ['officer'], params: matterParams, body: extendSchema.omit({ actor: true, matter: true }), response: matterAnswerSchema },
    ({ principal, params, body }) => officerUpdate(principal, params, extendUpdate, body),
  );

  // 告知承诺制: the department verifies the commitment, or lifts the hold a revoked prerequisite put on a matter.
  api.add(
    { method: 'post', path: '/applications/:id/matters/:code/verification', tag: 'officers', summary: 'Record a commitment’s verification (核查)', roles: ['officer'], params: matterParams, body: verifySchema.omit({ actor: true, matter: true }), response: matterAnswerSchema },
    ({ principal, params, body }) => officerUpdate(principal, params, verifyCommitmentUpdate, body),
  );

  api.add(
    { method: 'post', path: '/applications/:id/matters/:code/hold/lift', tag: 'officers', summary: 'Lift a hold for a revoked prerequisite', roles: ['officer'], params: matterParams, body: liftHoldSchema.omit({ actor: true, matter: true }), response: matterAnswerSchema },
    ({ principal, params, body }) => officerUpdate(principal, params, liftHoldUpdate, body),
  );

  // Joint matters: the lead department schedules the session (and moves it once); participants give opinions.
  api.add(
    { method: 'post', path: '/applications/:id/matters/:code/session', tag: 'officers', summary: 'Schedule a joint matter’s session', roles: ['officer'], params: matterParams, body: scheduleSessionSchema.omit({ actor: true, matter: true }), response: matterAnswerSchema },
    ({ principal, params, body }) => officerUpdate(principal, params, scheduleSessionUpdate, body),
  );

  api.add(
    { method: 'post', path: '/applications/:id/matters/:code/session/move', tag: 'officers', summary: 'Move a joint matter’s session once', roles: ['officer'], params: matterParams, body: moveSessionSchema.omit({ actor: true, matter: true }), response: matterAnswerSchema },
    ({ principal, params, body }) => officerUpdate(principal, params, moveSessionUpdate, body),
  );

  api.add(
    {
      method: 'post',
      path: '/applications/:id/matters/:code/opinion',
      tag: 'officers',
      summary: 'Give a participating department’s opinion on a joint matter',
      roles: ['officer'],
      params: matterParams,
      body: opinionBodySchema,
      response: matterAnswerSchema,
    },
    ({ principal, params, body }) => officerUpdate(principal, params, giveOpinionUpdate, body, { participant: true }),
  );

  // Work assigned to officers: claim from the department's pool, assignment by the head, return to the pool.
  api.add(
    { method: 'post', path: '/applications/:id/matters/:code/claim', tag: 'officers', summary: 'Claim a matter', roles: ['officer'], params: matterParams, body: claimSchema.omit({ actor: true, matter: true }), response: matterAnswerSchema },
    ({ principal, params, body }) => officerUpdate(principal, params, claimMatterUpdate, body),
  );

  api.add(
    { method: 'post', path: '/applications/:id/matters/:code/assign', tag: 'officers', summary: 'Assign a matter to an officer (department head)', roles: ['officer'], params: matterParams, body: assignSchema.omit({ actor: true, matter: true }), response: matterAnswerSchema },
    async ({ principal, params, body }) => {
      const { department, ...on } = await officer(principal, params);
      if (department && !principals.officersOf(department).some((o) => o.id === body.officer)) {
        throw fieldProblem('body.officer', `is not an officer of department ${department}, which matter ${params.code} belongs to`);
      }
      return update(params.id, assignMatterUpdate, { ...on, ...body });
    },
  );

  api.add(
    { method: 'post', path: '/applications/:id/matters/:code/release', tag: 'officers', summary: 'Return a matter to the department’s pool', roles: ['officer'], params: matterParams, body: releaseSchema.omit({ actor: true, matter: true }), response: matterAnswerSchema },
    ({ principal, params, body }) => officerUpdate(principal, params, returnToPoolUpdate, body),
  );

  api.add(
    { method: 'post', path: '/applications/:id/stages/:stage/missing-notice', tag: 'officers', summary: 'Issue the missing-materials notice', roles: ['officer'], params: stageParams, body: missingNoticeSchema.omit({ actor: true, stage: true }), response: visibleApplicationSchema },
    ({ principal, params, body }) => applicationUpdate(principal, params.id, issueMissingNoticeUpdate, (actor) => ({ actor, stage: params.stage, ...body })),
  );

  // ---- supervision office: Updates, refused with a code like every other action ----

  /** The supervision office's actor, once the policy lets it at the application. */
  async function supervisor(principal: Principal, params: { id: string; code: string }) {
    const { actor } = await acting(principal, params.id);
    return { actor, matter: params.code };
  }

  api.add(
    { method: 'post', path: '/applications/:id/matters/:code/urge', tag: 'supervision', summary: 'Urge a matter', roles: ['supervisor'], params: matterParams, body: urgeSchema.omit({ actor: true, matter: true }), success: { status: 202, description: 'the urge was recorded; the answer is the matter' }, response: matterAnswerSchema },
    async ({ principal, params, body }) => update(params.id, urgeUpdate, { ...(await supervisor(principal, params)), ...body }),
  );

  api.add(
    { method: 'post', path: '/applications/:id/matters/:code/escalate', tag: 'supervision', summary: 'Escalate a matter', roles: ['supervisor'], params: matterParams, body: escalateSchema.omit({ actor: true, matter: true }), success: { status: 202, description: 'the escalation was recorded; the answer is the matter' }, response: matterAnswerSchema },
    async ({ principal, params, body }) => update(params.id, escalateUpdate, { ...(await supervisor(principal, params)), ...body }),
  );
}
