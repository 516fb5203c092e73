import { describe, expect, it } from 'vitest';
import type { Principal } from '../../api/auth';
import { accessTo, auditFor, coversDepartment, partiesOfView, startRefusal, viewFor, type Access, type Parties } from '../../api/authz';
import { Application } from '../../domain/application/core';
import { ActionRefused } from '../../domain/errors';
import { viewApplication } from '../../domain/view';
import { allMaterials, applicant, applicationInput, catalogue } from '../helpers/temporal';

const t = Date.parse('2026-03-02T09:00:00+08:00');
const departments = catalogue.departments;

const who = (role: Principal['role'], id: string, extra: Partial<Principal> = {}): Principal => ({ id, role, applicants: [], ...extra });
const app: Parties = { applicantId: 'ent-001', startedBy: null, departments: ['DRC', 'NRP', 'WSC'], providers: ['P_GREEN_ENV'] };
const scope = (p: Principal, parties: Parties = app) => accessTo(p, parties, departments).scope;

/** An application in memory with a contract for its EIA report and the utilities' matters under way, and its full view. */
function contracted() {
  const input = applicationInput('GOV_INVESTMENT', { materials: allMaterials('GOV_INVESTMENT').filter((m) => m !== 'M_EIA_DOCUMENT') });
  input.snapshot = { ...input.snapshot, alongside: input.snapshot.alongside.map((m) => ({ ...m, prerequisites: [] })) };
  const engine = new Application(input, t);
  engine.advance(t);
  engine.act('chooseProvider', { actor: applicant, serviceType: 'EIA_REPORT', selection: { method: 'direct', provider: 'P_GREEN_ENV' } }, t);
  return { engine, view: viewApplication(engine, t) };
}

function refusalOf(f: () => void): ActionRefused {
  try {
    f();
  } catch (e) {
    if (e instanceof ActionRefused) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('authorization by object (api/authz.ts)', () => {
  it('marks the water and power supply companies as utilities in the catalogue, every other department as government', () => {
    expect(departments.filter((d) => d.kind === 'utility').map((d) => d.code)).toEqual(['WSC', 'PSC']);
    expect(departments.find((d) => d.code === 'DRC')!.kind).toBe('government');
  });

  it('lets an applicant see its own applications and no other', () => {
    expect(scope(who('applicant', 'ent-001'))).toBe('whole');
    expect(scope(who('applicant', 'ent-002'))).toBe('none');
  });

  it('lets an agent see the applications of the applicants that delegated to it, and no other', () => {
    expect(scope(who('agent', 'agent-1', { applicants: ['ent-001'] }))).toBe('whole');
    expect(scope(who('agent', 'agent-2', { applicants: ['ent-002'] }))).toBe('none');
    // Having started it does not keep an agent in once the delegation is gone.
    expect(scope(who('agent', 'agent-2'), { ...app, startedBy: 'agent-2' })).toBe('none');
  });

  it('lets an officer see an application where its department holds a matter, and refuses an uninvolved department or none', () => {
    expect(scope(who('officer', 'o-drc', { department: 'DRC' }))).toBe('whole');
    expect(scope(who('officer', 'o-met', { department: 'MET' }))).toBe('none');
    expect(scope(who('officer', 'o-none'))).toBe('none');
  });

  it("limits a utility's officer to its own department's matters, and refuses it where it holds none", () => {
    expect(accessTo(who('officer', 'o-wsc', { department: 'WSC' }), app, departments)).toEqual({ scope: 'matters', department: 'WSC' });
    expect(scope(who('officer', 'o-psc', { department: 'PSC' }))).toBe('none');
    // The kind comes from the catalogue, not from the code.
    expect(scope(who('officer', 'o-drc', { department: 'DRC' }), app)).toBe('whole');
    expect(accessTo(who('officer', 'o-drc', { department: 'DRC' }), app, [{ code: 'DRC', kind: 'utility' }]).scope).toBe('matters');
  });

  it('lets a provider see the applications where it holds a live or accepted contract, and no other', () => {
    expect(accessTo(who('provider', 'P_GREEN_ENV'), app, departments)).toEqual({ scope: 'contracts', provider: 'P_GREEN_ENV' });
    expect(scope(who('provider', 'P_HUAZHONG_ENV'))).toBe('none');
  });

  it('lets an integrator see the applications it started or whose applicant authorised it, and no other', () => {
    expect(scope(who('integrator', 'platform', { applicants: ['ent-001'] }))).toBe('whole');
    expect(scope(who('integrator', 'other'), { ...app, startedBy: 'other' })).toBe('whole');
    expect(scope(who('integrator', 'other'))).toBe('none');
    expect(scope(who('integrator', 'other', { applicants: ['ent-002'] }), { ...app, startedBy: 'platform' })).toBe('none');
  });

  it('lets the supervision office and admins see every application', () => {
    const stranger: Parties = { applicantId: 'ent-999', startedBy: 'someone', departments: [], providers: [] };
    expect(scope(who('supervisor', 'sup-01', { department: 'SUP' }), stranger)).toBe('whole');
    expect(scope(who('admin', 'admin'), stranger)).toBe('whole');
  });

  it('starts applications only for the applicant itself, a delegating or authorising applicant, or anyone for an admin, naming only the caller and the id it sent', () => {
    expect(startRefusal(who('applicant', 'ent-001'), 'ent-001')).toBeNull();
    expect(startRefusal(who('applicant', 'ent-001'), 'ent-002')).toBe('an applicant starts applications only for itself (ent-001)');
    expect(startRefusal(who('agent', 'agent-1', { applicants: ['ent-001'] }), 'ent-001')).toBeNull();
    expect(startRefusal(who('agent', 'agent-1', { applicants: ['ent-001'] }), 'ent-009')).toBe('agent agent-1 holds no delegation from applicant ent-009');
    expect(startRefusal(who('integrator', 'platform', { applicants: ['ent-001'] }), 'ent-001')).toBeNull();
    expect(startRefusal(who('integrator', 'platform', { applicants: ['ent-001'] }), 'ent-002')).toBe('integrator platform holds no authorisation from applicant ent-002');
    expect(startRefusal(who('admin', 'admin'), 'ent-777')).toBeNull();
    expect(startRefusal(who('officer', 'o-drc', { department: 'DRC' }), 'ent-001')).not.toBeNull();
  });

  it('reads the parties from the status view: applicant, starter, departments of every matter, providers of live contracts', () => {
    const { view } = contracted();
    const parties = partiesOfView({ ...view, startedBy: { id: 'platform', role: 'integrator' } });
    expect(parties).toMatchObject({ applicantId: 'ent-001', startedBy: 'platform', providers: ['P_GREEN_ENV'] });
    expect([...parties.departments].sort()).toEqual(['CAD', 'DRC', 'EEB', 'HUD', 'MET', 'NRP', 'PSC', 'UMB', 'WRB', 'WSC']);
    const terminated = { ...view, services: view.services.map((s) => ({ ...s, contracts: s.contracts.map((c) => ({ ...c, status: 'terminated' as const })) })) };
    expect(partiesOfView(terminated).providers).toEqual([]);
  });

  it('counts the departments giving opinions on an open joint matter among the parties, as participants alone', () => {
    // Social investment (reform pilot) cut to its completion stage: HUD leads JG07; NRP, MET and CAD give opinions.
    const full = applicationInput('SOCIAL_REFORM').snapshot;
    const snapshot = { ...full, stages: full.stages.filter((s) => s.code === 'S4'), alongside: [] };
    const at = (materials: string[]) => {
      const engine = new Application(applicationInput('SOCIAL_REFORM', { snapshot, materials }), t);
      engine.advance(t);
      return partiesOfView(viewApplication(engine, t));
    };
    const all = [...new Set(snapshot.stages[0]!.matters.flatMap((m) => m.materials.map((x) => x.code)))];
    expect([...at(all).departments].sort()).toEqual(['CAD', 'HUD', 'MET', 'NRP']);
    expect(scope(who('officer', 'o-met', { department: 'MET' }), at(all))).toBe('whole');
    // Before acceptance the joint matter has no opinions open, and its participants no part yet.
    expect(at([]).departments).toEqual(['HUD']);
  });

  it("shows a utility's officer the application header and its own matters, services and events only", () => {
    const { view } = contracted();
    const seen = viewFor(view, { scope: 'matters', department: 'WSC' }) as any;
    expect(seen).toMatchObject({ applicationId: view.applicationId, projectName: view.projectName, applicant: view.applicant, process: view.process, status: 'running' });
    expect(seen.stages).toEqual([]);
    expect(seen.alongside.map((m: any) => m.code)).toEqual(['UT01']);
    expect(seen.services).toEqual([]);
    expect(seen.events.length).toBeGreaterThan(0);
    expect(seen.events.every((e: any) => e.matter === 'UT01')).toBe(true);
    expect(seen).not.toHaveProperty('accounting');
    expect(seen).not.toHaveProperty('materials');
    expect(JSON.stringify(seen)).not.toMatch(/P_GREEN_ENV|LY0\d|UT02/);
    // A department with matters in a stage sees that stage with its matters alone, and the services they need.
    const eeb = viewFor(view, { scope: 'matters', department: 'EEB' }) as any;
    expect(eeb.stages.map((s: any) => [s.code, s.matters.map((m: any) => m.code)])).toEqual([['S1', ['LY07']]]);
    expect(eeb.stages[0]).not.toHaveProperty('intake');
    expect(eeb.services.map((s: any) => s.serviceType)).toEqual(['EIA_REPORT']);
  });

  it('shows a provider the project header and its own contracts only', () => {
    const { view } = contracted();
    const seen = viewFor(view, { scope: 'contracts', provider: 'P_GREEN_ENV' });
    expect(Object.keys(seen).sort()).toEqual(['applicant', 'applicationId', 'process', 'projectName', 'services', 'status']);
    expect((seen as any).services.map((s: any) => s.serviceType)).toEqual(['EIA_REPORT']);
    expect(viewFor(view, { scope: 'whole' })).toBe(view);
  });

  it("gives a utility's officer the audit events of its own matters only, everyone else with access all of them", () => {
    const events = [{ matter: 'UT01' }, { matter: 'UT02' }, { matter: null }, { matter: 'LY01' }];
    const departmentOf = { UT01: 'WSC', UT02: 'PSC', LY01: 'DRC' };
    expect(auditFor(events, { scope: 'matters', department: 'WSC' }, departmentOf)).toEqual([{ matter: 'UT01' }]);
    expect(auditFor(events, { scope: 'whole' }, departmentOf)).toBe(events);
    expect(auditFor(events, { scope: 'contracts', provider: 'P_GREEN_ENV' }, departmentOf)).toEqual([]);
  });

  it("lets a utility's officer act only on its own department's matters", () => {
    const utility: Access = { scope: 'matters', department: 'WSC' };
    expect(coversDepartment(utility, 'WSC')).toBe(true);
    expect(coversDepartment(utility, 'DRC')).toBe(false);
    expect(coversDepartment({ scope: 'whole' }, 'DRC')).toBe(true);
    expect(coversDepartment({ scope: 'none' }, 'DRC')).toBe(false);
  });
});

describe('refusals name no other party', () => {
  it('refuses a delivery by a provider without the contract without naming the provider that holds it', () => {
    const { engine } = contracted();
    const r = refusalOf(() => engine.check('deliver', { actor: { id: 'P_HUAZHONG_ENV', role: 'provider' }, serviceType: 'EIA_REPORT', note: '' }, t));
    expect(r.code).toBe('NOT_PERMITTED');
    expect(r.message).toBe('provider P_HUAZHONG_ENV does not hold the contract for EIA_REPORT');
  });

  it("refuses an applicant-side action by someone else without naming the application's applicant", () => {
    const { engine } = contracted();
    const r = refusalOf(() => engine.check('withdraw', { actor: { id: 'ent-002', role: 'applicant' }, reason: 'x' }, t));
    expect(r.code).toBe('NOT_PERMITTED');
    expect(r.message).not.toContain('ent-001');
  });
});
