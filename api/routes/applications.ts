import { createHash, randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError, type UpdateDefinition } from '@temporalio/common';
import { z } from 'zod';
import { snapshotFor } from '../../definitions/loader';
import { allMatters } from '../../definitions/snapshot';
import { applicationWorkflow } from '../../workflows';
import {
  acceptSchema,
  approveSchema,
  chooseProviderSchema,
  deliverSchema,
  endSpecialProcedureSchema,
  escalateSchema,
  extendSchema,
  missingNoticeSchema,
  rejectSchema,
  replaceProviderSchema,
  startSpecialProcedureSchema,
  supplementSchema,
  supplySchema,
  urgeSchema,
  withdrawSchema,
} from '../../workflows/domain/actions';
import type { Actor } from '../../workflows/domain/types';
import type { ApplicationView } from '../../workflows/domain/view';
import {
  acceptUpdate,
  approveUpdate,
  chooseProviderUpdate,
  deliverUpdate,
  endSpecialProcedureUpdate,
  escalateSignal,
  extendUpdate,
  missingNoticeUpdate,
  rejectUpdate,
  replaceProviderUpdate,
  reviewDeliverableUpdate,
  startSpecialProcedureUpdate,
  statusQuery,
  supervisionRefusalQuery,
  supplementUpdate,
  supplyUpdate,
  urgeSignal,
  withdrawUpdate,
} from '../../workflows/messages';
import { actorOf, canSee, type Principal } from '../auth';
import type { CatalogueHolder } from '../catalogue-holder';
import type { OperationRegistry } from '../operation';
import { HttpProblem } from '../problem';

const code = (what: string, example: string) => z.string().regex(/^[A-Z][A-Z0-9_]{1,31}$/, `must be a ${what} code such as ${example}`);

export const startApplicationSchema = z.object({
  processCode: z.string().min(1),
  projectName: z.string().trim().min(1, 'name the project').max(200),
  /** For agents, integrators and admins: the applicant they act for. */
  applicant: z.object({ id: z.string().min(1), name: z.string().trim().min(1) }).optional(),
  materials: z.array(z.string().min(1)).default([]),
  /** Development zone code, when the project lies in one with regional assessments (区域评估). */
  zone: z.string().min(1).optional(),
});

export const idParams = z.object({ id: z.string().regex(/^app-[0-9a-f-]{36}$/, 'must be an application id such as app-…') });
const matterParams = idParams.extend({ code: code('matter', 'LY01') });
const stageParams = idParams.extend({ stage: code('stage', 'S1') });
const serviceParams = idParams.extend({ type: code('service type', 'EIA_REPORT') });
const idempotencyKey = z.string().min(8, 'Idempotency-Key must be 8–200 characters').max(200, 'Idempotency-Key must be 8–200 characters');

const reviewBodySchema = z.discriminatedUnion('decision', [
  z.object({ decision: z.literal('accept'), note: z.string().default('') }),
  z.object({ decision: z.literal('return'), reasons: z.array(z.string().trim().min(1)).min(1, 'a returned deliverable lists the reasons for rework') }),
]);

const decisionBodySchema = z.discriminatedUnion('decision', [
  approveSchema.omit({ actor: true, matter: true }).extend({ decision: z.literal('approve') }),
  rejectSchema.omit({ actor: true, matter: true }).extend({ decision: z.literal('reject') }),
]);

export interface ApplicationsDeps {
  client: Client;
  catalogue: CatalogueHolder;
  taskQueue: string;
}

/** A stable application id for (caller, Idempotency-Key): Temporal's unique workflow ids make the start idempotent. */
function idempotentId(principal: Principal, key: string): string {
  const h = createHash('sha256').update(`${principal.role}:${principal.id}\n${key}`).digest('hex');
  return `app-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Applicants, officers, providers and the supervision office acting on applications. */
export function registerApplications(api: OperationRegistry, { client, catalogue, taskQueue }: ApplicationsDeps): void {
  const handle = (id: string) => client.workflow.getHandle(id);

  /** An Update; on a closed application the server says "not found", we say why it is closed. */
  async function update<Ret, Arg>(id: string, def: UpdateDefinition<Ret, [Arg]>, arg: Arg): Promise<Ret> {
    try {
      return await handle(id).executeUpdate(def, { args: [arg] });
    } catch (e) {
      if (!(e instanceof WorkflowNotFoundError)) throw e;
      const view = await handle(id).query(statusQuery, {});
      throw new HttpProblem(409, 'Action refused', `the application is ${view.status}; no further actions are possible`, { code: 'APPLICATION_CLOSED' });
    }
  }

  /** The application as the caller may see it; 403 for anyone else's. */
  async function visible(p: Principal, id: string): Promise<ApplicationView> {
    const view = await handle(id).query(statusQuery, { asOf: Date.now() });
    if (!canSee(p, view)) throw new HttpProblem(403, 'Forbidden', `application ${id} is not one of ${p.role} ${p.id}'s`);
    return view;
  }

  /** The actor of an applicant-side action: the applicant itself, or an agent for the application's applicant. */
  async function applicantSide(p: Principal, id: string): Promise<Actor> {
    const view = await visible(p, id);
    return actorOf(p, view.applicant.id);
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
    },
    async ({ req, res, principal: p, body }) => {
      const cat = catalogue.current;
      const snapshot = snapshotFor(cat, body.processCode);
      if (!snapshot) {
        throw new HttpProblem(400, 'Invalid request', `body.processCode: unknown process ${body.processCode}; published: ${cat.processes.map((x) => x.code).join(', ')}`);
      }
      const known = new Set(allMatters(snapshot).flatMap((m) => m.materials.map((x) => x.code)));
      const unknown = body.materials.filter((m) => !known.has(m));
      if (unknown.length) throw new HttpProblem(400, 'Invalid request', `body.materials: ${unknown.join(', ')} are on no matter of ${body.processCode}`);
      let applicant = body.applicant;
      if (p.role === 'applicant') {
        if (applicant && applicant.id !== p.id) throw new HttpProblem(403, 'Forbidden', `an applicant starts applications only for itself (${p.id})`);
        applicant = { id: p.id, name: applicant?.name ?? p.name ?? p.id };
      } else if (!applicant) {
        throw new HttpProblem(400, 'Invalid request', 'body.applicant: name the applicant ({ id, name }) you act for');
      } else if (p.role === 'agent' && !p.applicants.includes(applicant.id)) {
        throw new HttpProblem(403, 'Forbidden', `agent ${p.id} holds no delegation from applicant ${applicant.id}`);
      }
      const zone = body.zone === undefined ? null : cat.zones.find((z) => z.code === body.zone);
      if (zone === undefined) throw new HttpProblem(400, 'Invalid request', `body.zone: unknown zone ${body.zone}; published: ${cat.zones.map((z) => z.code).join(', ')}`);

      const keyHeader = req.get('idempotency-key');
      const key = keyHeader === undefined ? undefined : idempotencyKey.safeParse(keyHeader);
      if (key && !key.success) throw new HttpProblem(400, 'Invalid request', `header.Idempotency-Key: ${key.error.issues[0]!.message}`);
      const requestHash = createHash('sha256').update(JSON.stringify(body)).digest('hex');
      const applicationId = key ? idempotentId(p, key.data!) : `app-${randomUUID()}`;
      const answer = { applicationId, processCode: snapshot.code, definitionHash: snapshot.definitionHash, applicant };
      try {
        await client.workflow.start(applicationWorkflow, {
          taskQueue,
          workflowId: applicationId,
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          memo: { requestHash },
          args: [{ applicationId, projectName: body.projectName, applicant, snapshot, materials: [...new Set(body.materials)], zone, startedBy: p.role === 'applicant' ? null : { id: p.id, role: p.role } }],
        });
      } catch (e) {
        if (!(e instanceof WorkflowExecutionAlreadyStartedError) || !key) throw e;
        const existing = await handle(applicationId).describe();
        if (existing.memo?.requestHash !== requestHash) {
          throw new HttpProblem(409, 'Conflict', `Idempotency-Key ${key.data} was used for a different request (application ${applicationId})`);
        }
        res.status(200).location(`/applications/${applicationId}`).json({ ...answer, definitionHash: (await visible(p, applicationId)).process.definitionHash });
        return;
      }
      res.status(201).location(`/applications/${applicationId}`).json(answer);
    },
  );

  api.add(
    { method: 'get', path: '/applications/:id', tag: 'applicants', summary: 'Read an application', roles: ['applicant', 'agent', 'officer', 'supervisor', 'integrator', 'admin', 'provider'], params: idParams },
    async ({ principal, params }) => {
      const view = await visible(principal, params.id);
      if (principal.role !== 'provider') return view;
      // A provider sees the project and its own contracts, nothing of the government's work.
      return {
        applicationId: view.applicationId,
        projectName: view.projectName,
        applicant: view.applicant,
        process: view.process,
        status: view.status,
        services: view.services
          .filter((s) => s.contracts.some((c) => c.provider === principal.id))
          .map((s) => ({ ...s, contracts: s.contracts.filter((c) => c.provider === principal.id) })),
      };
    },
  );

  // ---- applicant actions ----

  api.add(
    { method: 'post', path: '/applications/:id/materials', tag: 'applicants', summary: 'Supply materials', roles: ['applicant', 'agent'], params: idParams, body: supplySchema.omit({ actor: true }) },
    async ({ principal, params, body }) => update(params.id, supplyUpdate, { actor: await applicantSide(principal, params.id), ...body }),
  );

  api.add(
    { method: 'post', path: '/applications/:id/withdraw', tag: 'applicants', summary: 'Withdraw an application', roles: ['applicant', 'agent'], params: idParams, body: withdrawSchema.omit({ actor: true }) },
    async ({ principal, params, body }) => update(params.id, withdrawUpdate, { actor: await applicantSide(principal, params.id), ...body }),
  );

  // ---- intermediary services ----

  api.add(
    { method: 'post', path: '/applications/:id/services/:type/contract', tag: 'intermediaries', summary: 'Choose an intermediary', roles: ['applicant', 'agent'], params: serviceParams, body: chooseProviderSchema.pick({ selection: true }) },
    async ({ principal, params, body }) => update(params.id, chooseProviderUpdate, { actor: await applicantSide(principal, params.id), serviceType: params.type, ...body }),
  );

  api.add(
    { method: 'post', path: '/applications/:id/services/:type/replace', tag: 'intermediaries', summary: 'Replace a late intermediary', roles: ['applicant', 'agent'], params: serviceParams, body: replaceProviderSchema.pick({ selection: true, reason: true }) },
    async ({ principal, params, body }) => update(params.id, replaceProviderUpdate, { actor: await applicantSide(principal, params.id), serviceType: params.type, ...body }),
  );

  api.add(
    { method: 'post', path: '/applications/:id/services/:type/delivery', tag: 'intermediaries', summary: 'Deliver an intermediary report', roles: ['provider', 'applicant', 'agent'], params: serviceParams, body: deliverSchema.pick({ note: true }) },
    async ({ principal, params, body }) => {
      const actor = principal.role === 'provider' ? actorOf(principal) : await applicantSide(principal, params.id);
      return update(params.id, deliverUpdate, { actor, serviceType: params.type, ...body });
    },
  );

  api.add(
    { method: 'post', path: '/applications/:id/services/:type/review', tag: 'intermediaries', summary: 'Review an intermediary deliverable', roles: ['officer'], params: serviceParams, body: reviewBodySchema },
    ({ principal, params, body }) => update(params.id, reviewDeliverableUpdate, { actor: actorOf(principal), serviceType: params.type, ...body }),
  );

  // ---- officer actions: the workflow's validators check department, state and rules ----

  const officer = (principal: Principal, params: { code: string }) => ({ actor: actorOf(principal), matter: params.code });

  api.add(
    { method: 'post', path: '/applications/:id/matters/:code/decision', tag: 'officers', summary: 'Decide a matter', roles: ['officer'], params: matterParams, body: decisionBodySchema },
    ({ principal, params, body }) =>
      body.decision === 'approve'
        ? update(params.id, approveUpdate, { ...officer(principal, params), result: body.result, reason: body.reason })
        : update(params.id, rejectUpdate, { ...officer(principal, params), reason: body.reason }),
  );

  api.add(
    { method: 'post', path: '/applications/:id/matters/:code/accept', tag: 'officers', summary: 'Accept a matter', roles: ['officer'], params: matterParams, body: acceptSchema.omit({ actor: true, matter: true }) },
    ({ principal, params, body }) => update(params.id, acceptUpdate, { ...officer(principal, params), ...body }),
  );

  api.add(
    { method: 'post', path: '/applications/:id/matters/:code/supplement', tag: 'officers', summary: 'Request a supplement', roles: ['officer'], params: matterParams, body: supplementSchema.omit({ actor: true, matter: true }) },
    ({ principal, params, body }) => update(params.id, supplementUpdate, { ...officer(principal, params), ...body }),
  );

  api.add(
    { method: 'post', path: '/applications/:id/matters/:code/special-procedure', tag: 'officers', summary: 'Start a special procedure', roles: ['officer'], params: matterParams, body: startSpecialProcedureSchema.omit({ actor: true, matter: true }) },
    ({ principal, params, body }) => update(params.id, startSpecialProcedureUpdate, { ...officer(principal, params), ...body }),
  );

  api.add(
    { method: 'post', path: '/applications/:id/matters/:code/special-procedure/end', tag: 'officers', summary: 'End a special procedure', roles: ['officer'], params: matterParams, body: endSpecialProcedureSchema.omit({ actor: true, matter: true }) },
    ({ principal, params, body }) => update(params.id, endSpecialProcedureUpdate, { ...officer(principal, params), ...body }),
  );

  api.add(
    { method: 'post', path: '/applications/:id/matters/:code/extension', tag: 'officers', summary: 'Extend a matter', roles: ['officer'], params: matterParams, body: extendSchema.omit({ actor: true, matter: true }) },
    ({ principal, params, body }) => update(params.id, extendUpdate, { ...officer(principal, params), ...body }),
  );

  api.add(
    { method: 'post', path: '/applications/:id/stages/:stage/missing-notice', tag: 'officers', summary: 'Issue the missing-materials notice', roles: ['officer'], params: stageParams, body: missingNoticeSchema.omit({ actor: true, stage: true }) },
    ({ principal, params, body }) => update(params.id, missingNoticeUpdate, { actor: actorOf(principal), stage: params.stage, ...body }),
  );

  // ---- supervision office: signals, checked first so a wrong one is a 409, not a silent drop ----

  async function supervise(principal: Principal, id: string, matter: string) {
    const actor = actorOf(principal);
    const refusal = await handle(id).query(supervisionRefusalQuery, { actor, matter });
    if (refusal) throw new HttpProblem(409, 'Action refused', refusal);
    return actor;
  }

  api.add(
    { method: 'post', path: '/applications/:id/matters/:code/urge', tag: 'supervision', summary: 'Urge a matter', roles: ['supervisor'], params: matterParams, body: urgeSchema.omit({ actor: true, matter: true }), success: { status: 202, description: 'the urge was sent' } },
    async ({ principal, params, body }) => {
      const actor = await supervise(principal, params.id, params.code);
      await handle(params.id).signal(urgeSignal, { actor, matter: params.code, ...body });
      return { accepted: true, matter: params.code };
    },
  );

  api.add(
    { method: 'post', path: '/applications/:id/matters/:code/escalate', tag: 'supervision', summary: 'Escalate a matter', roles: ['supervisor'], params: matterParams, body: escalateSchema.omit({ actor: true, matter: true }), success: { status: 202, description: 'the escalation was sent' } },
    async ({ principal, params, body }) => {
      const actor = await supervise(principal, params.id, params.code);
      await handle(params.id).signal(escalateSignal, { actor, matter: params.code, ...body });
      return { accepted: true, matter: params.code };
    },
  );
}
