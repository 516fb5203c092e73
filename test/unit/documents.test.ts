import { describe, expect, it } from 'vitest';
import { Application } from '../../domain/application/core';
import { documentsAtStart } from '../../domain/application/intake';
import { ActionRefused } from '../../domain/errors';
import { applicationFromStore, projectionBatch } from '../../domain/projection';
import { checkTables } from '../../readmodel/spgl/check';
import { exportApplication } from '../../readmodel/spgl/export';
import { applicant, applicationInput, officer } from '../helpers/temporal';

const at = (iso: string) => Date.parse(iso);

/**
 * Document references in the engine, with no server: kept with the instant and the matters owed
 * the material, carried by the read model's state row, and exported one XMQTFJXXB row each.
 */
describe('document references', () => {
  const start = () => {
    const input = applicationInput('GOV_INVESTMENT', { applicationId: 'app-docs-1', projectCode: '2026-430181-47-01-000123', applicantCreditCode: '91350100M000100Y43' });
    const app = new Application(input, at('2026-03-02T09:00:00+08:00'));
    documentsAtStart(app, [
      { material: 'M_APPLICATION_FORM', name: '申请表.pdf', ref: 'DOC-1', type: 'pdf' },
      { material: 'M_NOT_HANDED_IN', name: 'x.pdf', ref: 'DOC-X' },
    ], input.materials, at('2026-03-02T09:00:00+08:00'));
    app.advance(at('2026-03-02T09:00:00+08:00'));
    return app;
  };

  it('keeps a supplied document with the matter owed its material, and refuses one of a material not supplied', () => {
    const app = start();
    expect(app.state.documents?.map((d) => d.ref)).toEqual(['DOC-1']);
    app.act('requestSupplement', { actor: officer('DRC'), matter: 'LY01', items: ['M_PROPOSAL'], reason: '补充项目建议书' }, at('2026-03-03T09:00:00+08:00'));
    expect(() => app.check('supplyMaterials', { actor: applicant, items: ['M_PROPOSAL'], documents: [{ material: 'M_SITE_MAP', name: 'a', ref: 'b' }] }, at('2026-03-04T09:00:00+08:00'))).toThrow(ActionRefused);
    app.act('supplyMaterials', { actor: applicant, items: ['M_PROPOSAL'], documents: [{ material: 'M_PROPOSAL', name: '建议书.pdf', ref: 'DOC-2\u0007' }] }, at('2026-03-04T09:00:00+08:00'));
    expect(app.state.documents?.at(-1)).toEqual({ material: 'M_PROPOSAL', name: '建议书.pdf', ref: 'DOC-2', suppliedAt: at('2026-03-04T09:00:00+08:00'), matters: ['LY01'] });
    expect(app.state.events.find((e) => e.kind === 'materialsSupplied')?.data).toEqual({ items: ['M_PROPOSAL'], documents: [{ material: 'M_PROPOSAL', name: '建议书.pdf', ref: 'DOC-2' }] });
  });

  it('the read model’s rebuilt application exports one attachment row per document, and the checker finds nothing', () => {
    const app = start();
    app.act('requestSupplement', { actor: officer('WRB'), matter: 'LY08', items: ['M_SOIL_WATER_PLAN'], reason: '补充水保方案' }, at('2026-03-03T09:00:00+08:00'));
    app.act('supplyMaterials', { actor: applicant, items: ['M_SOIL_WATER_PLAN'], documents: [{ material: 'M_SOIL_WATER_PLAN', name: '水保方案.pdf', ref: 'DOC-3', type: 'pdf' }] }, at('2026-03-04T09:00:00+08:00'));
    const batch = projectionBatch(app, at('2026-03-04T09:00:00+08:00'), 0);
    const rebuilt = applicationFromStore({ snapshot: batch.snapshot!, state: batch.state!, matters: batch.matters.map((m) => m.state!), events: batch.events });
    const { tables, stops, contracts } = exportApplication(rebuilt, { regionCode: '430181' });
    expect(tables.XMQTFJXXB.map((r) => [r.DFSJZJ, r.SPSXSLBM, r.FJID, r.FJFL, r.FJLX, r.GCDM, r.GXSJ])).toEqual([
      ['app-docs-1/doc-1', 'app-docs-1/LY01', 'DOC-1', 1, 'pdf', '2026-430181-47-01-000123', '2026-03-02 09:00:00'],
      ['app-docs-1/doc-2', 'app-docs-1/LY08', 'DOC-3', 1, 'pdf', '2026-430181-47-01-000123', '2026-03-04 09:00:00'],
    ]);
    expect(tables.XMDWXXB[0]).toMatchObject({ DWTYSHXYDM: '91350100M000100Y43', XMDM: '2026-430181-47-01-000123' });
    expect(checkTables(tables, { stops, contracts })).toEqual([]);
  });
});
