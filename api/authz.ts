import type { Department } from '../catalogue/schema';
import { mattersOfView, type ApplicationView } from '../domain/view';
import type { Principal } from './auth';
import { HttpProblem } from './problem';

/**
 * Who may see and act on which application: the one policy every route asks (DESIGN §3, the
 * README's "Who may see what"). The role check of each route (api/operation.ts) comes first; this
 * decides per object, from the application's parties alone, so the workflow view and the read
 * model row answer the same way.
 */

/** What the policy knows of an application: its parties. */
export interface Parties {
  applicantId: string;
  /** The principal that started it for the applicant; null when the applicant did. */
  startedBy: string | null;
  /** Departments holding a matter of the application's process snapshot, or giving an opinion on a joint one. */
  departments: readonly string[];
  /** Providers holding a live or accepted contract (a terminated one no longer counts). */
  providers: readonly string[];
}

/** How much of an application the caller sees. */
export type Access =
  | { scope: 'none' }
  | { scope: 'whole' }
  /** A utility's officer: the header and the matters of its department. */
  | { scope: 'matters'; department: string }
  /** A provider: the project header and its own contracts. */
  | { scope: 'contracts'; provider: string };

const NONE: Access = { scope: 'none' };
const WHOLE: Access = { scope: 'whole' };

/** The department kinds the policy reads; a code missing from the catalogue counts as government. */
export type DepartmentKinds = readonly Pick<Department, 'code' | 'kind'>[];

export function accessTo(p: Principal, app: Parties, departments: DepartmentKinds): Access {
  switch (p.role) {
    case 'supervisor':
    case 'admin':
      return WHOLE;
    case 'applicant':
      return p.id === app.applicantId ? WHOLE : NONE;
    case 'agent':
      return p.applicants.includes(app.applicantId) ? WHOLE : NONE;
    case 'integrator':
      return app.startedBy === p.id || p.applicants.includes(app.applicantId) ? WHOLE : NONE;
    case 'officer': {
      if (!p.department || !app.departments.includes(p.department)) return NONE;
      const utility = departments.find((d) => d.code === p.department)?.kind === 'utility';
      return utility ? { scope: 'matters', department: p.department } : WHOLE;
    }
    case 'provider':
      return app.providers.includes(p.id) ? { scope: 'contracts', provider: p.id } : NONE;
  }
}

/**
 * Why the caller may not start an application for this applicant, or null when it may:
 * applicants for themselves, agents and integrators for the applicants that delegated to or
 * authorised them, admins for anyone. The text names only the caller and the id it sent.
 */
export function startRefusal(p: Principal, applicantId: string): string | null {
  switch (p.role) {
    case 'admin':
      return null;
    case 'applicant':
      return applicantId === p.id ? null : `an applicant starts applications only for itself (${p.id})`;
    case 'agent':
      return p.applicants.includes(applicantId) ? null : `agent ${p.id} holds no delegation from applicant ${applicantId}`;
    case 'integrator':
      return p.applicants.includes(applicantId) ? null : `integrator ${p.id} holds no authorisation from applicant ${applicantId}`;
    default:
      return `a ${p.role} starts no applications`;
  }
}

/** The refusal of an application the caller is no party to: it names no one. */
export function notVisible(applicationId: string): HttpProblem {
  return new HttpProblem(403, 'Forbidden', `application ${applicationId} is not open to the caller`, { code: 'NOT_A_PARTY' });
}

/** The refusal of a start for an applicant the caller does not act for, or null. */
export function startForbidden(p: Principal, applicantId: string): HttpProblem | null {
  const why = startRefusal(p, applicantId);
  return why === null ? null : new HttpProblem(403, 'Forbidden', why, { code: 'NOT_AUTHORISED_BY_APPLICANT' });
}


/**
 * The parties of an application as its view shows them. A joint matter's participating
 * departments are parties too: each gives its opinion on the lead department's matter.
 */
export function partiesOfView(view: ApplicationView): Parties {
  return {
    applicantId: view.applicant.id,
    startedBy: view.startedBy?.id ?? null,
    departments: [...new Set(mattersOfView(view).flatMap((m) => [m.department, ...(m.joint?.participants.map((p) => p.department) ?? [])]))],
    providers: [...new Set(view.services.flatMap((s) => s.contracts.filter((c) => c.status !== 'terminated').map((c) => c.provider)))],
  };
}

/** May the caller act on a matter of this department? A utility's officer acts only on its own. */
export function coversDepartment(access: Access, department: string): boolean {
  if (access.scope === 'whole') return true;
  return access.scope === 'matters' && access.department === department;
}

const header = (view: ApplicationView) => ({
  applicationId: view.applicationId,
  projectName: view.projectName,
  applicant: view.applicant,
  process: view.process,
  status: view.status,
});

/** The application as the caller sees it under its access. */
export function viewFor(view: ApplicationView, access: Exclude<Access, { scope: 'none' }>) {
  switch (access.scope) {
    case 'whole':
      return view;
    case 'contracts':
      // The project and its own contracts, nothing of the government's work.
      return {
        ...header(view),
        services: view.services
          .filter((s) => s.contracts.some((c) => c.provider === access.provider))
          .map((s) => ({ ...s, contracts: s.contracts.filter((c) => c.provider === access.provider) })),
      };
    case 'matters': {
      const mine = (m: { department: string }) => m.department === access.department;
      const codes = new Set(mattersOfView(view).filter(mine).map((m) => m.code));
      return {
        ...header(view),
        startedBy: view.startedBy,
        asOf: view.asOf,
        startedAt: view.startedAt,
        currentStage: view.currentStage,
        zone: view.zone,
        // A stage's intake and missing-materials notice span every department's matters: left out.
        stages: view.stages
          .filter((s) => s.matters.some(mine))
          .map(({ intake: _intake, ...s }) => ({ ...s, outputs: s.outputs.filter((o) => codes.has(o.matter)), matters: s.matters.filter(mine) })),
        alongside: view.alongside.filter(mine),
        services: view.services.filter((s) => s.matters.some((m) => codes.has(m))),
        events: view.events.filter((e) => e.matter !== undefined && codes.has(e.matter)),
      };
    }
  }
}

/**
 * The audit trail as the caller sees it: whole, or a utility officer's own matters' events.
 * `departmentOf` maps the application's matter codes to their departments.
 */
export function auditFor<E extends { matter?: string | null }>(events: E[], access: Exclude<Access, { scope: 'none' }>, departmentOf: Record<string, string>): E[] {
  switch (access.scope) {
    case 'whole':
      return events;
    case 'matters':
      return events.filter((e) => !!e.matter && departmentOf[e.matter] === access.department);
    case 'contracts':
      // Providers read no audit trail: their contracts' facts are in the view they get.
      return [];
  }
}
