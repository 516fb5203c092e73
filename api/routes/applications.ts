import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { WorkflowNotFoundError, type UpdateDefinition } from '@temporalio/common';
import { Router, type Request } from 'express';
import { z } from 'zod';
import { snapshotFor, type Catalogue } from '../../definitions/loader';
import { allMatters } from '../../definitions/snapshot';
import { applicationWorkflow } from '../../workflows';
import {
  acceptSchema,
  approveSchema,
  chooseProviderSchema,
  deliverSchema,
  replaceProviderSchema,
  endSpecialProcedureSchema,
  escalateSchema,
  extendSchema,
  missingNoticeSchema,
  rejectSchema,
  startSpecialProcedureSchema,
  supplementSchema,
  supplySchema,
  urgeSchema,
  withdrawSchema,
} from '../../workflows/domain/actions';
import type { ApplicationView } from '../../workflows/domain/view';
import {
  acceptUpdate,
  approveUpdate,
  chooseProviderUpdate,
  deliverUpdate,
  replaceProviderUpdate,
  reviewDeliverableUpdate,
  endSpecialProcedureUpdate,
  escalateSignal,
  extendUpdate,
  missingNoticeUpdate,
  rejectUpdate,
  startSpecialProcedureUpdate,
  statusQuery,
  supervisionRefusalQuery,
  supplementUpdate,
  supplyUpdate,
  urgeSignal,
  withdrawUpdate,
} from '../../workflows/messages';
import { actorOf, canSee, principalOf, requireRole, type Principal } from '../auth';
import { HttpProblem } from '../problem';
import { parse } from '../validate';

export const startApplicationSchema = z.object({
  processCode: z.string().min(1),
  projectName: z.string().trim().min(1, 'name the project').max(200),
  applicant: z.object({ id: z.string().min(1), name: z.string().trim().min(1) }).optional(),
  materials: z.array(z.string().min(1)).default([]),
  /** Development zone code, when the project lies in one with regional assessments (区域评估). */
  zone: z.string().min(1).optional(),
});

const idParams = z.object({ id: z.string().regex(/^app-[0-9a-f-]{36}$/, 'must be an application id such as app-…') });
const matterParams = idParams.extend({ code: z.string().regex(/^[A-Z][A-Z0-9_]{1,31}$/, 'must be a matter code such as LY01') });
const stageParams = idParams.extend({ stage: z.string().regex(/^[A-Z][A-Z0-9_]{1,31}$/, 'must be a stage code such as S1') });

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
  catalogue: Catalogue;
  taskQueue: string;
}

/** Applicants, officers and the supervision office acting on applications. */
export function applicationsRouter({ client, catalogue, taskQueue }: ApplicationsDeps): Router {
  const r = Router();
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

  /** The application as the caller may see it; 403 for another applicant's. */
  async function visible(p: Principal, id: string): Promise<ApplicationView> {
    const view = await handle(id).query(statusQuery, { asOf: Date.now() });
    if (!canSee(p, view)) {
      throw new HttpProblem(403, 'Forbidden', `application ${id} belongs to another applicant`);
    }
    return view;
  }

  r.post('/applications', async (req, res) => {
    const p = principalOf(res);
    requireRole(p, ['applicant', 'agent', 'integrator', 'admin'], 'start an application');
    const body = parse(startApplicationSchema, req.body, 'body');
    const snapshot = snapshotFor(catalogue, body.processCode);
    if (!snapshot) {
      const known = catalogue.processes.map((x) => x.code).join(', ');
      throw new HttpProblem(400, 'Invalid request', `body.processCode: unknown process ${body.processCode}; published: ${known}`);
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
    const zone = body.zone === undefined ? null : catalogue.zones.find((z) => z.code === body.zone);
    if (zone === undefined) {
      throw new HttpProblem(400, 'Invalid request', `body.zone: unknown zone ${body.zone}; published: ${catalogue.zones.map((z) => z.code).join(', ')}`);
    }
    const applicationId = `app-${randomUUID()}`;
    await client.workflow.start(applicationWorkflow, {
      taskQueue,
      workflowId: applicationId,
      args: [{ applicationId, projectName: body.projectName, applicant, snapshot, materials: [...new Set(body.materials)], zone }],
    });
    res
      .status(201)
      .location(`/applications/${applicationId}`)
      .json({ applicationId, processCode: snapshot.code, definitionHash: snapshot.definitionHash, applicant });
  });

  r.get('/applications/:id', async (req, res) => {
    const { id } = parse(idParams, req.params, 'path');
    res.json(await visible(principalOf(res), id));
  });

  // ---- applicant actions ----

  async function applicantActor(req: Request, p: Principal, what: string) {
    requireRole(p, ['applicant', 'agent'], what);
    const { id } = parse(idParams, req.params, 'path');
    const view = await visible(p, id);
    return { id, actor: actorOf(p, view.applicant.id) };
  }

  r.post('/applications/:id/materials', async (req, res) => {
    const { id, actor } = await applicantActor(req, principalOf(res), 'supply materials');
    const body = parse(supplySchema.omit({ actor: true }), req.body, 'body');
    res.json(await update(id, supplyUpdate, { actor, ...body }));
  });

  r.post('/applications/:id/withdraw', async (req, res) => {
    const { id, actor } = await applicantActor(req, principalOf(res), 'withdraw an application');
    const body = parse(withdrawSchema.omit({ actor: true }), req.body, 'body');
    res.json(await update(id, withdrawUpdate, { actor, ...body }));
  });

  // ---- intermediary services ----

  const serviceParams = idParams.extend({ type: z.string().regex(/^[A-Z][A-Z0-9_]{1,31}$/, 'must be a service type code such as EIA_REPORT') });

  r.post('/applications/:id/services/:type/contract', async (req, res) => {
    const { id, actor } = await applicantActor(req, principalOf(res), 'choose an intermediary');
    const { type } = parse(serviceParams, req.params, 'path');
    const body = parse(chooseProviderSchema.pick({ selection: true }), req.body, 'body');
    res.json(await update(id, chooseProviderUpdate, { actor, serviceType: type, ...body }));
  });

  r.post('/applications/:id/services/:type/replace', async (req, res) => {
    const { id, actor } = await applicantActor(req, principalOf(res), 'replace an intermediary');
    const { type } = parse(serviceParams, req.params, 'path');
    const body = parse(replaceProviderSchema.pick({ selection: true, reason: true }), req.body, 'body');
    res.json(await update(id, replaceProviderUpdate, { actor, serviceType: type, ...body }));
  });

  r.post('/applications/:id/services/:type/delivery', async (req, res) => {
    const p = principalOf(res);
    requireRole(p, ['provider', 'applicant', 'agent'], 'deliver an intermediary report');
    const { id, type } = parse(serviceParams, req.params, 'path');
    const body = parse(deliverSchema.pick({ note: true }), req.body ?? {}, 'body');
    const actor = p.role === 'provider' ? actorOf(p) : (await applicantActor(req, p, 'deliver an intermediary report')).actor;
    res.json(await update(id, deliverUpdate, { actor, serviceType: type, ...body }));
  });

  r.post('/applications/:id/services/:type/review', async (req, res) => {
    const p = principalOf(res);
    requireRole(p, ['officer'], 'review an intermediary deliverable');
    const { id, type } = parse(serviceParams, req.params, 'path');
    const body = parse(reviewBodySchema, req.body, 'body');
    res.json(await update(id, reviewDeliverableUpdate, { actor: actorOf(p), serviceType: type, ...body }));
  });

  // ---- officer actions: the workflow's validators check department, state and rules ----

  function officerAction(req: Request, p: Principal, what: string) {
    requireRole(p, ['officer'], what);
    const { id, code } = parse(matterParams, req.params, 'path');
    return { id, base: { actor: actorOf(p), matter: code } };
  }

  r.post('/applications/:id/matters/:code/decision', async (req, res) => {
    const { id, base } = officerAction(req, principalOf(res), 'decide a matter');
    const body = parse(decisionBodySchema, req.body, 'body');
    const view =
      body.decision === 'approve'
        ? await update(id, approveUpdate, { ...base, result: body.result, reason: body.reason })
        : await update(id, rejectUpdate, { ...base, reason: body.reason });
    res.json(view);
  });

  r.post('/applications/:id/matters/:code/accept', async (req, res) => {
    const { id, base } = officerAction(req, principalOf(res), 'accept a matter');
    const body = parse(acceptSchema.omit({ actor: true, matter: true }), req.body, 'body');
    res.json(await update(id, acceptUpdate, { ...base, ...body }));
  });

  r.post('/applications/:id/matters/:code/supplement', async (req, res) => {
    const { id, base } = officerAction(req, principalOf(res), 'request a supplement');
    const body = parse(supplementSchema.omit({ actor: true, matter: true }), req.body, 'body');
    res.json(await update(id, supplementUpdate, { ...base, ...body }));
  });

  r.post('/applications/:id/matters/:code/special-procedure', async (req, res) => {
    const { id, base } = officerAction(req, principalOf(res), 'start a special procedure');
    const body = parse(startSpecialProcedureSchema.omit({ actor: true, matter: true }), req.body, 'body');
    res.json(await update(id, startSpecialProcedureUpdate, { ...base, ...body }));
  });

  r.post('/applications/:id/matters/:code/special-procedure/end', async (req, res) => {
    const { id, base } = officerAction(req, principalOf(res), 'end a special procedure');
    const body = parse(endSpecialProcedureSchema.omit({ actor: true, matter: true }), req.body ?? {}, 'body');
    res.json(await update(id, endSpecialProcedureUpdate, { ...base, ...body }));
  });

  r.post('/applications/:id/matters/:code/extension', async (req, res) => {
    const { id, base } = officerAction(req, principalOf(res), 'extend a matter');
    const body = parse(extendSchema.omit({ actor: true, matter: true }), req.body, 'body');
    res.json(await update(id, extendUpdate, { ...base, ...body }));
  });

  r.post('/applications/:id/stages/:stage/missing-notice', async (req, res) => {
    const p = principalOf(res);
    requireRole(p, ['officer'], 'issue a missing-materials notice');
    const { id, stage } = parse(stageParams, req.params, 'path');
    const body = parse(missingNoticeSchema.omit({ actor: true, stage: true }), req.body ?? {}, 'body');
    res.json(await update(id, missingNoticeUpdate, { actor: actorOf(p), stage, ...body }));
  });

  // ---- supervision office: signals, checked first so a wrong one is a 409, not a silent drop ----

  async function supervise(req: Request, p: Principal, what: string) {
    requireRole(p, ['supervisor'], what);
    const { id, code } = parse(matterParams, req.params, 'path');
    const actor = actorOf(p);
    const refusal = await handle(id).query(supervisionRefusalQuery, { actor, matter: code });
    if (refusal) throw new HttpProblem(409, 'Action refused', refusal);
    return { h: handle(id), actor, matter: code };
  }

  r.post('/applications/:id/matters/:code/urge', async (req, res) => {
    const { h, actor, matter } = await supervise(req, principalOf(res), 'urge a matter');
    const body = parse(urgeSchema.omit({ actor: true, matter: true }), req.body, 'body');
    await h.signal(urgeSignal, { actor, matter, ...body });
    res.status(202).json({ accepted: true, matter });
  });

  r.post('/applications/:id/matters/:code/escalate', async (req, res) => {
    const { h, actor, matter } = await supervise(req, principalOf(res), 'escalate a matter');
    const body = parse(escalateSchema.omit({ actor: true, matter: true }), req.body, 'body');
    await h.signal(escalateSignal, { actor, matter, ...body });
    res.status(202).json({ accepted: true, matter });
  });

  return r;
}
