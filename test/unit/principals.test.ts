import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPrincipals } from '../../api/auth';

/**
 * The principals file is read at start-up, and what it names is echoed by GET /me, the demo
 * sign-in list and every actor an action records: each entry is held to the same building
 * blocks as any input at the edge, and a bad one stops the start naming the file and field.
 */
describe('the principals file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'principals-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const load = (entries: unknown[]) => {
    const file = path.join(dir, `p-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(entries));
    return () => loadPrincipals(file);
  };
  const good = { token: 'tok-applicant-ent-001-xxxx', id: 'ent-001', name: '浏阳市教育投资有限公司', role: 'applicant' };

  it('accepts well-formed principals and finds each by its token', () => {
    const registry = load([good, { token: 'tok-officer-drc-xxxxxxxx', id: 'officer-drc', role: 'officer', department: 'DRC' }])();
    expect(registry.find(good.token)).toMatchObject({ id: 'ent-001', role: 'applicant', applicants: [] });
    expect(registry.find('tok-officer-drc-xxxxxxxx')).toMatchObject({ department: 'DRC' });
  });

  it('knows the head of a department and lists each department’s officers, to assign its matters to', () => {
    const registry = load([
      good,
      { token: 'tok-officer-drc-xxxxxxxx', id: 'officer-drc', role: 'officer', department: 'DRC' },
      { token: 'tok-officer2-drc-xxxxxxx', id: 'officer-drc-2', role: 'officer', department: 'DRC' },
      { token: 'tok-head-drc-xxxxxxxxxxx', id: 'head-drc', role: 'officer', department: 'DRC', head: true },
      { token: 'tok-officer-nrp-xxxxxxxx', id: 'officer-nrp', role: 'officer', department: 'NRP' },
      { token: 'tok-supervisor-sup-01-xxx', id: 'sup-01', role: 'supervisor', department: 'DRC' },
    ])();
    expect(registry.find('tok-head-drc-xxxxxxxxxxx')).toMatchObject({ id: 'head-drc', head: true });
    expect(registry.find('tok-officer-drc-xxxxxxxx')!.head).toBeUndefined();
    // Officers only: a supervisor naming the department is not one of its officers.
    expect(registry.officersOf('DRC').map((p) => p.id)).toEqual(['officer-drc', 'officer-drc-2', 'head-drc']);
    expect(registry.officersOf('NRP').map((p) => p.id)).toEqual(['officer-nrp']);
    expect(registry.officersOf('MET')).toEqual([]);
  });

  it.each([
    ['a name with a control character', { ...good, name: '企业\u0000' }, '[0.name]'],
    ['a name with a lone surrogate', { ...good, name: '企业\uD800' }, '[0.name]'],
    ['an id over 64 characters', { ...good, id: 'e'.repeat(65) }, '[0.id]'],
    ['an id with a space', { ...good, id: 'ent 001' }, '[0.id]'],
    ['a department that is no code', { ...good, department: 'drc\n' }, '[0.department]'],
    ['a delegation that is no identifier', { ...good, role: 'agent', applicants: ['ent-001', 'x\u0007'] }, '[0.applicants.1]'],
    ['a token with a space', { ...good, token: 'tok applicant ent 001 xx' }, '[0.token]'],
    ['a token over 512 characters', { ...good, token: 't'.repeat(513) }, '[0.token]'],
    ['a head flag that is no boolean', { ...good, role: 'officer', department: 'DRC', head: 'yes' }, '[0.head]'],
  ])('refuses %s, naming the file and the field', (_what, entry, field) => {
    const start = load([entry]);
    expect(start).toThrow(field);
    expect(start).toThrow(/principals-.*\.json/);
  });
});
