import { describe, expect, it } from 'vitest';
import { checkTables } from '../../readmodel/spgl/check';
import { exportFromReadModel } from '../../readmodel/spgl/export';
import { DEFAULT_REGION_CODE } from '../../readmodel/spgl/store';
import { officerToken, TOKENS } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { allMaterials } from '../helpers/temporal';
import { until } from '../helpers/until';

const PROJECT_CODE = '2026-430181-47-01-000123';
/** A commonly cited valid 统一社会信用代码 (its GB 32100-2015 check character is 3). */
const CREDIT_CODE = '91350100M000100Y43';

/**
 * Registry codes and attachment references over HTTP, from Monday 2 March 2026: an application
 * started with its 项目代码, the applicant's 统一社会信用代码 and references to its files; a
 * supplement answered with a file; the platform pulls XMJBXXB, XMDWXXB and XMQTFJXXB with the codes
 * and one row per document, and the checker finds nothing in the export. Bad values are 400s
 * naming the field.
 */
describe('SPGL registry codes and attachment references', () => {
  const suite = apiSuite('e2e-spgl-registry', { initialTime: '2026-03-02T09:00:00+08:00' });
  const { call } = suite;

  const pull = async (table: string, id: string) => {
    const r = await call('GET', `/spgl/${table}?limit=500`, TOKENS.integrator);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    return (r.body.items as Record<string, unknown>[]).filter((row) => String(row.DFSJZJ).startsWith(id));
  };
  const fieldsOf = (r: { status: number; contentType: string; body: { errors?: { field: string }[] } }) => {
    expect(r.status, JSON.stringify(r.body)).toBe(400);
    expect(r.contentType).toMatch(/^application\/problem\+json/);
    return r.body.errors!.map((e) => e.field);
  };

  it('reports the project code, the credit code and one attachment row per document, and the checker finds nothing', async () => {
    const started = await call('POST', '/applications', TOKENS.applicant, {
      processCode: 'GOV_INVESTMENT',
      projectName: '浏阳市第一中学新校区建设项目',
      materials: allMaterials('GOV_INVESTMENT'),
      projectCode: PROJECT_CODE,
      applicantCreditCode: CREDIT_CODE,
      documents: [
        { material: 'M_APPLICATION_FORM', name: '申请表.pdf', ref: 'https://docs.liuyang.gov.cn/files/af-001', type: 'pdf' },
        { material: 'M_SOIL_WATER_PLAN', name: '水土保持方案.docx', ref: 'DOC-2026-000731' },
        // A stage-2 material: no received matter lists it yet, so no row until one does.
        { material: 'M_DESIGN_SCHEME', name: '设计方案.pdf', ref: 'DOC-2026-000732', type: 'pdf' },
      ],
    });
    expect(started.status, JSON.stringify(started.body)).toBe(201);
    const id: string = started.body.applicationId;

    // The applicant sees its codes and references.
    const view = await until('the application in the read model', async () => {
      const r = await call('GET', `/applications/${id}`, TOKENS.applicant);
      return r.status === 200 ? r.body : undefined;
    });
    expect(view).toMatchObject({ projectCode: PROJECT_CODE, applicantCreditCode: CREDIT_CODE });
    expect(view.documents.map((d: { material: string; type: string | null; matters: string[] }) => [d.material, d.type, d.matters])).toEqual([
      ['M_APPLICATION_FORM', 'pdf', []],
      ['M_SOIL_WATER_PLAN', null, []],
      ['M_DESIGN_SCHEME', 'pdf', []],
    ]);

    // A day later the DRC asks for a supplement; the applicant supplies it with a file.
    await suite.sleepUntil('2026-03-03T09:00:00+08:00');
    expect((await call('POST', `/applications/${id}/matters/LY01/supplement`, officerToken('DRC'), { items: ['M_PROPOSAL'], reason: '补充项目建议书' })).status).toBeLessThan(300);
    await suite.sleepUntil('2026-03-04T10:00:00+08:00');
    const supplied = await call('POST', `/applications/${id}/materials`, TOKENS.applicant, {
      items: ['M_PROPOSAL'],
      documents: [{ material: 'M_PROPOSAL', name: '项目建议书（修订）.pdf', ref: 'https://docs.liuyang.gov.cn/files/pr-002', type: 'pdf' }],
    });
    expect(supplied.status, JSON.stringify(supplied.body)).toBe(200);
    expect(supplied.body.documents.at(-1)).toMatchObject({ material: 'M_PROPOSAL', matters: ['LY01'], suppliedAt: expect.stringMatching(/^2026-03-04T10:00:00/) });
    const suppliedEvent = supplied.body.events.filter((e: { kind: string }) => e.kind === 'materialsSupplied').at(-1);
    expect(suppliedEvent.data).toEqual({ items: ['M_PROPOSAL'], documents: [{ material: 'M_PROPOSAL', name: '项目建议书（修订）.pdf', ref: 'https://docs.liuyang.gov.cn/files/pr-002', type: 'pdf' }] });

    const attachments = await until('the supplied document’s row', async () => {
      const rows = await pull('XMQTFJXXB', id);
      return rows.length === 3 ? rows : undefined;
    });
    expect(attachments.map((r) => [r.DFSJZJ, r.SPSXSLBM, r.FJID, r.FJMC, r.FJFL, r.FJLX, r.GCDM, r.SJYXBS])).toEqual([
      [`${id}/doc-1`, `${id}/LY01`, 'https://docs.liuyang.gov.cn/files/af-001', '申请表.pdf', 1, 'pdf', PROJECT_CODE, 1],
      [`${id}/doc-2`, `${id}/LY08`, 'DOC-2026-000731', '水土保持方案.docx', 1, null, PROJECT_CODE, 1],
      [`${id}/doc-4`, `${id}/LY01`, 'https://docs.liuyang.gov.cn/files/pr-002', '项目建议书（修订）.pdf', 1, 'pdf', PROJECT_CODE, 1],
    ]);
    expect(attachments.every((r) => r.XZQHDM === DEFAULT_REGION_CODE && r.BLSPSLBM === `${id}/S1`)).toBe(true);

    const [project] = await pull('XMJBXXB', id);
    expect(project).toMatchObject({ DFSJZJ: id, XMDM: PROJECT_CODE, GCDM: PROJECT_CODE, SJYXBS: 1 });
    const [unit] = await pull('XMDWXXB', id);
    expect(unit).toMatchObject({ DFSJZJ: `${id}/applicant`, XMDM: PROJECT_CODE, GCDM: PROJECT_CODE, DWTYSHXYDM: CREDIT_CODE, DWMC: expect.any(String) });
    expect((await pull('XMSPSXBLXXB', id)).every((r) => r.GCDM === PROJECT_CODE)).toBe(true);

    // The checker: required fields, codes and references (GCDM in XMJBXXB, SPSXSLBM in XMSPSXBLXXB) all hold.
    const exported = await exportFromReadModel(suite.db.pool, id, { regionCode: DEFAULT_REGION_CODE });
    expect(exported!.tables.XMQTFJXXB).toHaveLength(3);
    expect(checkTables(exported!.tables, { stops: exported!.stops, contracts: exported!.contracts })).toEqual([]);
  });

  it('an agent starts with the applicant’s credit code; an application without codes reports its own id as before', async () => {
    const agent = await call('POST', '/applications', TOKENS.agent, {
      processCode: 'GOV_INVESTMENT',
      projectName: '代办项目',
      applicant: { id: 'ent-001', name: '浏阳市教育投资有限公司' },
      applicantCreditCode: CREDIT_CODE,
      materials: allMaterials('GOV_INVESTMENT'),
    });
    expect(agent.status, JSON.stringify(agent.body)).toBe(201);
    const plain = await call('POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT', projectName: '无代码项目', materials: allMaterials('GOV_INVESTMENT') });
    expect(plain.status).toBe(201);
    const [a, p] = [agent.body.applicationId as string, plain.body.applicationId as string];
    const units = await until('both unit rows', async () => {
      const rows = [...(await pull('XMDWXXB', a)), ...(await pull('XMDWXXB', p))];
      return rows.length === 2 ? rows : undefined;
    });
    expect(units.map((r) => [r.XMDM, r.DWTYSHXYDM])).toEqual([
      [a, CREDIT_CODE],
      [p, 'ent-001'],
    ]);
    expect((await call('GET', `/applications/${p}`, TOKENS.applicant)).body).toMatchObject({ projectCode: null, applicantCreditCode: null, documents: [] });
  });

  it('refuses a wrong check character, a malformed project code, a document of a material not sent, control characters and a 600-character reference, naming the field', async () => {
    const start = (extra: Record<string, unknown>) =>
      call('POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT', projectName: '校验项目', materials: ['M_APPLICATION_FORM'], ...extra });
    const doc = (extra: Record<string, unknown> = {}) => ({ material: 'M_APPLICATION_FORM', name: '申请表.pdf', ref: 'DOC-1', ...extra });

    expect(fieldsOf(await start({ applicantCreditCode: '91350100M000100Y44' }))).toEqual(['body.applicantCreditCode']);
    expect(fieldsOf(await start({ applicantCreditCode: '91350100m000100y43' }))).toEqual(['body.applicantCreditCode']);
    expect(fieldsOf(await start({ projectCode: '2026-430181-47-01-00012' }))).toEqual(['body.projectCode']);
    expect(fieldsOf(await start({ projectCode: '2026/430181/47/01/000123' }))).toEqual(['body.projectCode']);
    expect(fieldsOf(await start({ documents: [doc(), doc({ material: 'M_PROPOSAL' })] }))).toEqual(['body.documents.1.material']);
    expect(fieldsOf(await start({ documents: [doc({ ref: 'DOC\u0007-1' })] }))).toEqual(['body.documents.0.ref']);
    expect(fieldsOf(await start({ documents: [doc({ ref: 'r'.repeat(600) })] }))).toEqual(['body.documents.0.ref']);
    expect(fieldsOf(await start({ documents: [doc({ type: 'p d f' })] }))).toEqual(['body.documents.0.type']);
    const tooMany = await start({ documents: Array.from({ length: 51 }, () => doc()) });
    expect(fieldsOf(tooMany)).toEqual(['body.documents']);

    const started = await start({});
    expect(started.status).toBe(201);
    const id = started.body.applicationId;
    const supply = (body: unknown) => call('POST', `/applications/${id}/materials`, TOKENS.applicant, body);
    expect(fieldsOf(await supply({ items: ['M_PROPOSAL'], documents: [doc()] }))).toEqual(['body.documents.0.material']);
    expect(fieldsOf(await supply({ items: ['M_APPLICATION_FORM'], documents: [doc({ ref: 'a\nb' })] }))).toEqual(['body.documents.0.ref']);
    expect(fieldsOf(await supply({ items: ['M_APPLICATION_FORM'], documents: [doc({ ref: 'x'.repeat(600) })] }))).toEqual(['body.documents.0.ref']);
  });
});
