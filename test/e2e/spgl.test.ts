import { describe, expect, it } from 'vitest';
import { officerToken, TOKENS } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { allMaterials } from '../helpers/temporal';
import { until } from '../helpers/until';

/**
 * The SPGL pull over HTTP on the time-skipping server, from Monday 2 March 2026: the provincial
 * platform (an integrator authorised by ent-001) pulls a table page by page and then only what
 * changed since an instant; another integrator sees nothing of the application; an unknown table is
 * a 400; the platform's refusals are logged and the supervision office reads the exchange log.
 */
describe('the SPGL pull API', () => {
  const suite = apiSuite('e2e-spgl', { initialTime: '2026-03-02T09:00:00+08:00' });
  const { call } = suite;

  /** Every row of a table changed after `since`, following `next` page by page. */
  const pull = async (table: string, token: string, since?: string, limit = 4) => {
    const rows: Record<string, unknown>[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const q = new URLSearchParams({ limit: String(limit), ...(since ? { since } : {}), ...(after ? { after } : {}) });
      const r = await call('GET', `/spgl/${table}?${q}`, token);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.table).toBe(table);
      rows.push(...r.body.items);
      after = r.body.next;
      pages++;
    } while (after);
    return { rows, pages };
  };

  it('pulls by since and cursor, scopes an integrator, refuses an unknown table and logs the receiver’s refusals', async () => {
    const started = await call('POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT', projectName: 'SPGL 报送项目', materials: allMaterials('GOV_INVESTMENT') });
    expect(started.status).toBe(201);
    const id: string = started.body.applicationId;

    const project = await until('the project row', async () => {
      const { rows } = await pull('XMJBXXB', TOKENS.integrator);
      return rows.find((r) => r.DFSJZJ === id);
    });
    expect(project).toMatchObject({ XMDM: id, SPLCBM: 'GOV_INVESTMENT', SJYXBS: 1 });
    const steps = await pull('XMSPSXBLXXXXB', TOKENS.integrator);
    expect(steps.pages).toBeGreaterThan(1);
    expect(new Set(steps.rows.map((r) => r.DFSJZJ)).size).toBe(steps.rows.length);
    expect(steps.rows.every((r) => r.BLZT === 1 || r.BLZT === 3)).toBe(true);

    // Another integrator, authorised by no party of it, sees nothing of the application.
    for (const table of ['XMJBXXB', 'XMDWXXB', 'XMSPSXBLXXB', 'XMSPSXBLXXXXB']) expect((await pull(table, TOKENS.otherIntegrator)).rows).toEqual([]);

    // A day later the DRC asks for a supplement: a pull since then carries only its rows.
    await suite.sleepUntil('2026-03-03T09:00:00+08:00');
    const since = '2026-03-03T09:00:00+08:00';
    expect((await call('POST', `/applications/${id}/matters/LY01/supplement`, officerToken('DRC'), { items: ['M_PROPOSAL'], reason: '补充项目建议书' })).status).toBeLessThan(300);
    const changed = await until('the supplement rows', async () => {
      const { rows } = await pull('XMSPSXBLXXXXB', TOKENS.integrator, since);
      return rows.length ? rows : undefined;
    });
    // 补正（开始）; a supplement is reported by its steps, with no special-procedure row.
    expect(changed.map((r) => [r.SPSXSLBM, r.BLZT])).toEqual([[`${id}/LY01`, 6]]);
    expect((await pull('XMSPSXBLTBCXXXB', TOKENS.integrator, since)).rows).toEqual([]);
    expect((await pull('XMJBXXB', TOKENS.integrator, since)).rows).toEqual([]);
    expect((await pull('XMDWXXB', TOKENS.integrator, since)).rows).toEqual([]);

    const unknown = await call('GET', '/spgl/SPGL_NOPE', TOKENS.integrator);
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors.map((e: { field: string }) => e.field)).toEqual(['path.table']);
    expect((await call('GET', '/spgl/XMJBXXB?since=yesterday', TOKENS.integrator)).body.errors.map((e: { field: string }) => e.field)).toEqual(['query.since']);
    expect((await call('GET', '/spgl/XMJBXXB?after=bm90LWEtY3Vyc29y', TOKENS.integrator)).status).toBe(400);

    const receipt = await call('POST', '/spgl/XMDWXXB/receipts', TOKENS.integrator, [
      { key: `${id}/applicant`, reason: '统一社会信用代码校验失败' },
      { key: 'not-ours', reason: '未知' },
    ]);
    expect(receipt).toMatchObject({ status: 200, body: { table: 'XMDWXXB', refused: 1, unknown: ['not-ours'] } });
    // The refused row is no longer offered.
    expect((await pull('XMDWXXB', TOKENS.integrator)).rows.filter((r) => r.DFSJZJ === `${id}/applicant`)).toEqual([]);
    const log = await call('GET', '/spgl/log?limit=5', TOKENS.supervisor);
    expect(log.status).toBe(200);
    expect(log.body.items[0]).toMatchObject({ table: 'XMDWXXB', key: `${id}/applicant`, action: 'refused', by: 'receiver', reason: '统一社会信用代码校验失败' });
    expect(log.body.next).not.toBeNull();
    expect((await call('GET', '/spgl/log', TOKENS.integrator)).status).toBe(403);
  });
});
