import { describe, expect, it } from 'vitest';
import { officerToken, TOKENS } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { allMaterials } from '../helpers/temporal';

describe('overdue listing and inbox after time passes (time-skipping server, PostgreSQL read model, HTTP)', () => {
  const suite = apiSuite('overdue', { initialTime: '2026-05-11T09:00:00+08:00' });

  it('lists warnings and overdue matters across applications, most severe first, with filters and a cursor', async () => {
    const start = async (name: string) =>
      (await suite.call('POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT', projectName: name, materials: allMaterials('GOV_INVESTMENT') })).body.applicationId as string;
    const a = await start('一号项目');
    await suite.sleepUntil('2026-05-13T09:00:00+08:00');
    const b = await start('二号项目');
    // The DRC decides its matters of A on time; everything else stays untouched.
    for (const code of ['LY01', 'LY06']) {
      const r = await suite.call('POST', `/applications/${a}/matters/${code}/decision`, officerToken('DRC'), { decision: 'approve', result: { number: `浏发改〔2026〕${code}` } });
      expect(r.status).toBe(200);
    }
    await suite.sleepUntil('2026-05-22T10:00:00+08:00');
    // Give the worker a moment to write the projections of the timers that fired.
    const alertsOf = async (query: string) => (await suite.call('GET', `/supervision/alerts${query}`, TOKENS.supervisor)).body;
    let all = await alertsOf('?limit=500');
    for (let i = 0; i < 40 && !all.items.some((x: any) => x.applicationId === b && x.code === 'LY01' && x.level === 'overdue'); i++) {
      await new Promise((r) => setTimeout(r, 250));
      all = await alertsOf('?limit=500');
    }
    const levelOf = (app: string, code: string) => all.items.find((x: any) => x.applicationId === app && x.code === code)?.level;
    // A's LY04 (NRP, due 25 May) warns; B's LY01 (accepted 13 May, due 22 May) is only overdue by the end of the 22nd.
    expect(levelOf(a, 'LY01')).toBeUndefined(); // decided
    expect(levelOf(a, 'LY04')).toBe('warning');
    expect(levelOf(b, 'LY01')).toBe('warning');
    const severity = ['leadership', 'supervisionOffice', 'departmentHead', 'overdue', 'warning'];
    const ranks = all.items.map((x: any) => severity.indexOf(x.level));
    expect(ranks).toEqual([...ranks].sort((x: number, y: number) => x - y));

    await suite.sleepUntil('2026-05-26T10:00:00+08:00');
    for (let i = 0; i < 40 && levelOf(b, 'LY01') !== 'departmentHead'; i++) {
      await new Promise((r) => setTimeout(r, 250));
      all = await alertsOf('?limit=500');
    }
    // B's LY01: due 22 May, overdue from the 23rd, department head after the first working day past it (25 May).
    expect(levelOf(b, 'LY01')).toBe('departmentHead');
    expect(levelOf(a, 'LY04')).toBe('overdue');
    const drcHead = await alertsOf('?department=DRC&level=departmentHead');
    expect(drcHead.items.map((x: any) => [x.applicationId, x.code, x.department, x.level])).toEqual([[b, 'LY01', 'DRC', 'departmentHead']]);
    expect((await alertsOf('?department=EEB')).items.every((x: any) => x.department === 'EEB')).toBe(true);
    const firstPage = await alertsOf('?limit=2');
    const secondPage = await alertsOf(`?limit=2&after=${encodeURIComponent(firstPage.next)}`);
    expect(secondPage.items[0]).toEqual(all.items[2]);
    expect((await suite.call('GET', '/supervision/alerts?level=red', TOKENS.supervisor)).body.errors[0].field).toBe('query.level');

    // The DRC inbox: its open matters, soonest due first.
    const inbox = (await suite.call('GET', '/officers/inbox', officerToken('DRC'))).body.items;
    const due = inbox.map((x: any) => x.dueAt ?? '9999');
    expect(due).toEqual([...due].sort());
    expect(inbox.find((x: any) => x.applicationId === b && x.code === 'LY01')).toMatchObject({ overdue: true, level: 'departmentHead' });
  });
});
