import { describe, expect, it } from 'vitest';
import { checkTables, type Finding } from '../../readmodel/spgl/check';
import { exportFromReadModel, type SpglExport } from '../../readmodel/spgl/export';
import { TABLES, type SpglTableName } from '../../readmodel/spgl/standard';
import { writerDatabase } from '../helpers/postgres';
import { scripted as script } from './spgl-scenario';

const fixture = writerDatabase();
const scripted = (applicationId: string) => script(fixture, applicationId);
const REGION = '430181';

async function exported(applicationId: string): Promise<SpglExport> {
  await scripted(applicationId);
  const result = await exportFromReadModel(fixture.db.pool, applicationId, { regionCode: REGION });
  expect(result).not.toBeNull();
  return result!;
}

const rules = (findings: Finding[]) => findings.map((f) => [f.table, f.field, f.rule]);

describe('the SPGL export from the read model', () => {
  it('exports a supplement, an urged special procedure, a replaced provider and a reworked deliverable, and every row passes the checker', async () => {
    const { tables, stops, contracts } = await exported('app-spgl-1');
    expect(checkTables(tables, { stops, contracts })).toEqual([]);

    expect(tables.XMJBXXB).toHaveLength(1);
    expect(tables.XMJBXXB[0]).toMatchObject({ XMDM: 'app-spgl-1', GCDM: 'app-spgl-1', SPLCBM: 'GOV_INVESTMENT', SPLCLX: 1, XZQHDM: REGION, SJYXBS: 1, SBSJ: '2026-03-02 09:00:00' });
    const ly07 = 'app-spgl-1/LY07';
    expect(tables.XMSPSXBLXXB.find((r) => r.SPSXSLBM === ly07)).toMatchObject({ SPBMBM: 'EEB', SXBLSX: 15, SJYXBS: 1, GXSJ: '2026-04-10 10:00:00' });
    expect(
      tables.XMSPSXBLXXXXB.filter((r) => r.SPSXSLBM === ly07)
        .filter((r) => r.BLZT !== 1 && r.BLZT !== 3)
        .map((r) => [r.BLZT, r.BLSJ]),
    ).toEqual([
      // 补正 (开始, 结束), 特别程序 (开始, 结束), 办结 (通过).
      [6, '2026-03-05 10:00:00'],
      [7, '2026-03-19 10:00:00'],
      [9, '2026-03-24 10:00:00'],
      [10, '2026-04-08 10:00:00'],
      [11, '2026-04-10 10:00:00'],
    ]);
    // Each step's update time is the instant of the change it reports.
    for (const r of tables.XMSPSXBLXXXXB) expect(r.GXSJ).toBe(r.BLSJ);
    // The supplement is its steps alone; the expert review is a special procedure, its end the step BLZT 10.
    expect(tables.XMSPSXBLTBCXXXB.filter((r) => r.SPSXSLBM === ly07).map((r) => [r.TBCX, r.TBCXMC, r.TBCXKSSJ, r.TBCXSX])).toEqual([[3, '专家评审：组织专家技术评审', '2026-03-24 10:00:00', 10]]);
    expect(tables.XMSPSXPFWJXXB.find((r) => r.SPSXSLBM === ly07)).toMatchObject({ PFRQ: '2026-04-10', PFWH: '浏审〔2026〕LY07号', PFWJYXQX: '9999-01-01' });
    expect(tables.ZJFWSXBLXXB.map((r) => [r.ZJFWSXSLBM, r.ZJJGDM, r.SPSXSLBM, r.SXLX, r.BLSX])).toEqual([
      ['app-spgl-1/SOIL_WATER_PLAN', 'P_HENGYUAN_WATER', 'app-spgl-1/LY08', 2, 20],
      ['app-spgl-1/SOIL_WATER_PLAN#2', 'P_HUAZHONG_ENV', 'app-spgl-1/LY08', 2, 20],
    ]);
    expect(tables.ZJFWSXBLGCXXB.map((r) => [r.ZJFWSXSLBM, r.BLZT, r.BLR, r.BLSJ])).toEqual([
      ['app-spgl-1/SOIL_WATER_PLAN', '1', 'applicant ent-001', '2026-03-02 09:00:00'],
      ['app-spgl-1/SOIL_WATER_PLAN', '5', 'applicant ent-001', '2026-03-23 10:00:00'],
      ['app-spgl-1/SOIL_WATER_PLAN#2', '1', 'applicant ent-001', '2026-03-23 10:00:00'],
      ['app-spgl-1/SOIL_WATER_PLAN#2', '2', 'provider P_HUAZHONG_ENV', '2026-03-30 15:00:00'],
      ['app-spgl-1/SOIL_WATER_PLAN#2', '3', 'officer officer-wrb (WRB)', '2026-03-31 10:00:00'],
      ['app-spgl-1/SOIL_WATER_PLAN#2', '2', 'provider P_HUAZHONG_ENV', '2026-04-02 15:00:00'],
      ['app-spgl-1/SOIL_WATER_PLAN#2', '4', 'officer officer-wrb (WRB)', '2026-04-03 10:00:00'],
    ]);
    // Only the standard's field names leave.
    for (const [table, rows] of Object.entries(tables) as [SpglTableName, Record<string, unknown>[]][]) {
      const names = new Set<string>(TABLES[table].fields.map((x) => x.name));
      for (const row of rows) for (const k of Object.keys(row)) expect(names.has(k), `${table}.${k}`).toBe(true);
    }
  });

  it('finds a corrupted row: a special procedure moved off its stop, an unknown step code, a step of a matter not exported, dates out of order', async () => {
    const { tables, stops } = await exported('app-spgl-2');
    const corrupted = structuredClone(tables);
    const review = corrupted.XMSPSXBLTBCXXXB.find((r) => r.TBCX === 3)!;
    review.TBCXKSSJ = '2026-03-20 10:00:00';
    const ended = corrupted.XMSPSXBLXXXXB.find((r) => r.BLZT === 10)!;
    ended.BLZT = 99;
    const orphan = { ...corrupted.XMSPSXBLXXXXB[0]!, DFSJZJ: 'app-spgl-2/LY99/received', SPSXSLBM: 'app-spgl-2/LY99' };
    corrupted.XMSPSXBLXXXXB.push(orphan);
    corrupted.XMJBXXB[0]!.SBSJ = null;
    Object.assign(corrupted.XMJBXXB[0]!, { NKGSJ: '2026-09-01', NJCSJ: '2026-08-31' });

    const findings = checkTables(corrupted, { stops });
    expect(findings.map((f) => [f.table, f.key, f.field, f.rule, f.message])).toEqual([
      ['XMJBXXB', 'app-spgl-2', 'SBSJ', 'required', 'SBSJ (申报时间) is required'],
      ['XMJBXXB', 'app-spgl-2', 'NJCSJ', 'dateOrder', 'NJCSJ (2026-08-31) is before NKGSJ (2026-09-01)'],
      ['XMSPSXBLXXXXB', ended.DFSJZJ, 'BLZT', 'codeList', 'BLZT = 99 is not in the code list 办理状态'],
      ['XMSPSXBLXXXXB', 'app-spgl-2/LY99/received', 'SPSXSLBM', 'reference', 'SPSXSLBM = app-spgl-2/LY99 has no valid row in SPGL_XMSPSXBLXXB'],
      // The review's end step is gone (its code is no code), and its row starts when no stop does.
      ['XMSPSXBLXXXXB', 'app-spgl-2/LY07', null, 'stopReconciliation', 'a clock stop of app-spgl-2/LY07 has no step BLZT 10 at 2026-04-08 10:00:00'],
      ['XMSPSXBLTBCXXXB', review.DFSJZJ, 'TBCXKSSJ', 'stopReconciliation', 'no clock stop of app-spgl-2/LY07 (other than a supplement) starts at 2026-03-20 10:00:00'],
      ['XMSPSXBLTBCXXXB', 'app-spgl-2/LY07', null, 'stopReconciliation', 'the clock stop of app-spgl-2/LY07 from 2026-03-24 10:00:00 has no special-procedure row'],
    ]);
    // The original export still passes: the checker read a copy.
    expect(checkTables(tables, { stops })).toEqual([]);
  });

  it('reconciles the clock stops with the rows: a supplement without its end step and a special procedure without its row are found', async () => {
    const { tables, stops } = await exported('app-spgl-3');
    const missing = { ...tables, XMSPSXBLTBCXXXB: tables.XMSPSXBLTBCXXXB.filter((r) => r.TBCX !== 3), XMSPSXBLXXXXB: tables.XMSPSXBLXXXXB.filter((r) => r.BLZT !== 7) };
    expect(checkTables(missing, { stops }).map((f) => [f.rule, f.message])).toEqual([
      ['stopReconciliation', 'a clock stop of app-spgl-3/LY07 has no step BLZT 7 at 2026-03-19 10:00:00'],
      ['stopReconciliation', 'the clock stop of app-spgl-3/LY07 from 2026-03-24 10:00:00 has no special-procedure row'],
    ]);
  });

  it('exports the process version the application runs on, and its matters refer to it', async () => {
    const { tables } = await exported('app-spgl-4');
    expect(tables.DFXMSPLCXXB).toEqual([expect.objectContaining({ SPLCBM: 'GOV_INVESTMENT', SPLCLX: 1 })]);
    expect(tables.DFXMSPLCJDXXB.map((r) => [r.SPJDBM, r.DYBZSPJDXH])).toEqual([
      ['S1', 1],
      ['S2', 2],
      ['S3', 3],
      ['S4', 4],
      ['ALONGSIDE', 5],
    ]);
    expect(tables.DFXMSPLCJDSXXXB.find((r) => r.SPSXBM === 'LY07')).toMatchObject({ SPJDXH: 1, SPBMBM: 'EEB', SPSXBLSX: 15 });
    const unknownMatter = { ...tables, DFXMSPLCJDSXXXB: tables.DFXMSPLCJDSXXXB.filter((r) => r.SPSXBM !== 'LY07') };
    expect(rules(checkTables(unknownMatter))).toEqual([['XMSPSXBLXXB', 'SPSXBM', 'reference']]);
  });

  it('keeps a contract’s steps within its span: a step after its acceptance is found', async () => {
    const { tables } = await exported('app-spgl-5');
    const late = { ...tables.ZJFWSXBLGCXXB.find((r) => r.BLZT === '2')!, DFSJZJ: 'late', BLSJ: '2026-04-04 09:00:00' };
    const findings = checkTables({ ...tables, ZJFWSXBLGCXXB: [...tables.ZJFWSXBLGCXXB, late] });
    expect(findings.map((f) => [f.key, f.rule, f.message])).toEqual([
      ['late', 'contractSpan', 'app-spgl-5/SOIL_WATER_PLAN#2 closed at 2026-04-03 10:00:00; this step at 2026-04-04 09:00:00 is after it'],
    ]);
  });

  it('reconciles intermediary rows with the contracts: a contract whose end the rows misstate, and a step outside its span, are found', async () => {
    const { tables, stops, contracts } = await exported('app-spgl-6');
    expect(checkTables(tables, { stops, contracts })).toEqual([]);
    const second = 'app-spgl-6/SOIL_WATER_PLAN#2';
    expect(contracts).toEqual([
      { contractInstance: 'app-spgl-6/SOIL_WATER_PLAN', start: '2026-03-02 09:00:00', committedDays: 20, dayKind: 'calendar', end: '2026-03-23 10:00:00' },
      { contractInstance: second, start: '2026-03-23 10:00:00', committedDays: 20, dayKind: 'calendar', end: '2026-04-03 10:00:00' },
    ]);

    // The accepting step says the contract ended an hour early (every step still in order).
    const endMoved = structuredClone(tables);
    endMoved.ZJFWSXBLGCXXB.find((r) => r.ZJFWSXSLBM === second && r.BLZT === '4')!.BLSJ = '2026-04-03 09:00:00';
    expect(checkTables(endMoved, { stops, contracts }).map((f) => [f.table, f.key, f.field, f.rule, f.message])).toEqual([
      ['ZJFWSXBLXXB', second, null, 'contractReconciliation', `${second} ended at 2026-04-03 10:00:00, its rows say 2026-04-03 09:00:00`],
    ]);

    // Committed days that are not the contract's, and a delivery before the contract was signed.
    const wrong = structuredClone(tables);
    wrong.ZJFWSXBLXXB.find((r) => r.ZJFWSXSLBM === second)!.BLSX = 15;
    const early = wrong.ZJFWSXBLGCXXB.find((r) => r.ZJFWSXSLBM === second && r.BLZT === '2')!;
    early.BLSJ = '2026-03-22 10:00:00';
    expect(rules(checkTables(wrong, { stops, contracts }))).toEqual([
      // The step order alone already shows it: the contract's first step is not its contracting.
      ['ZJFWSXBLGCXXB', 'BLSJ', 'contractSpan'],
      ['ZJFWSXBLXXB', 'BLSX', 'contractReconciliation'],
      ['ZJFWSXBLGCXXB', 'BLSJ', 'contractReconciliation'],
    ]);

    // A contract without its row.
    const missing = { ...tables, ZJFWSXBLXXB: tables.ZJFWSXBLXXB.filter((r) => r.ZJFWSXSLBM !== second), ZJFWSXBLGCXXB: tables.ZJFWSXBLGCXXB.filter((r) => r.ZJFWSXSLBM !== second) };
    expect(checkTables(missing, { stops, contracts }).map((f) => [f.rule, f.message])).toEqual([['contractReconciliation', `the contract ${second} has no row`]]);
  });

  it('refuses an invalidated row without its reason', () => {
    const findings = checkTables({ XMJBXXB: [{ DFSJZJ: 'x', SJYXBS: 0, SJWXYY: null }] });
    expect(findings.filter((f) => f.rule === 'invalidWithoutReason')).toHaveLength(1);
  });
});
