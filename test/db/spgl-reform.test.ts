import { describe, expect, it } from 'vitest';
import { checkTables } from '../../readmodel/spgl/check';
import { exportFromReadModel, type SpglExport } from '../../readmodel/spgl/export';
import { writerDatabase } from '../helpers/postgres';
import { applicant, officer, start, type Run } from '../unit/engine/driver';

// The SPGL export of the reform instruments' clock stops (issue 15): a hold (a prerequisite's
// commitment found false, the dependent under way held until its department lifts it) and a
// rectification (整改 of a joint matter after a failing opinion). Each is a special procedure
// (TBCX 8 其他) with its steps 9 and 10; the application is driven in memory and each step is
// projected into PostgreSQL as the workflow's projection hands it. Dates are those of
// test/unit/engine/reform.test.ts on the 2026 calendar.

const fixture = writerDatabase();
const REGION = '430181';

/** Writes the batch the engine hands over since the last one, as the workflow does. */
const project = (run: Run) => fixture.project(JSON.parse(JSON.stringify(run.nextProjection())));

async function exported(applicationId: string): Promise<SpglExport> {
  const result = await exportFromReadModel(fixture.db.pool, applicationId, { regionCode: REGION });
  expect(result).not.toBeNull();
  return result!;
}

/** A matter's clock-stop steps (补正 6/7, 特别程序 9/10) as [BLZT, BLSJ, BLR, BLYJ]. */
const stopSteps = ({ tables }: SpglExport, instance: string) =>
  tables.XMSPSXBLXXXXB.filter((r) => r.SPSXSLBM === instance && [6, 7, 9, 10].includes(Number(r.BLZT))).map((r) => [r.BLZT, r.BLSJ, r.BLR, r.BLYJ]);

/** A matter's special-procedure rows as [TBCX, TBCXMC, TBCXKSSJ, TBCXSXLX, TBCXSX]. */
const procedures = ({ tables }: SpglExport, instance: string) =>
  tables.XMSPSXBLTBCXXXB.filter((r) => r.SPSXSLBM === instance).map((r) => [r.TBCX, r.TBCXMC, r.TBCXKSSJ, r.TBCXSXLX, r.TBCXSX]);


describe('the SPGL export of holds and rectifications', () => {
  it('exports a hold (LY06 found false while LY02 runs) as 特别程序 其他 with steps 9 and 10, open and then lifted, with no checker finding; a copy without the lift’s step is found', async () => {
    const id = 'app-spgl-hold';
    const ly02 = `${id}/LY02`;
    const run = start('2026-03-02T09:00:00+08:00', { applicationId: id, commitments: [{ matter: 'LY06', statement: '本单位承诺项目能效达到先进值' }] });
    await project(run);
    run.approve('LY06', '2026-03-03T10:00:00+08:00');
    await project(run);
    run.approve('LY01');
    run.approve('LY04');
    await project(run);
    expect(run.matter('LY02')).toMatchObject({ status: 'inProgress', dueOn: '2026-03-31' });

    // Found false on 25 Mar: LY06's result revoked, LY02 (under way) held.
    run.perform('verifyCommitment', { actor: officer('DRC'), matter: 'LY06', outcome: 'false', reason: '现场核查：实际能效低于承诺值' }, '2026-03-25T10:00:00+08:00');
    await project(run);
    expect(run.matter('LY02').stops.at(-1)).toMatchObject({ kind: 'hold', source: 'LY06', to: null });

    // While the hold is open: its row and its start step, no end step, nothing found.
    const open = await exported(id);
    const heldBecause = "prerequisite LY06's result was revoked: the commitment on it was false";
    const row = [8, `暂停（前置审批结果撤销）：${heldBecause}`, '2026-03-25 10:00:00', 1, null];
    expect(procedures(open, ly02)).toEqual([row]);
    expect(String(open.tables.XMSPSXBLTBCXXXB.find((r) => r.SPSXSLBM === ly02)!.TBCXMC)).toMatch(/^暂停（前置审批结果撤销）：/);
    expect(open.tables.XMSPSXBLTBCXXXB.find((r) => r.SPSXSLBM === ly02)).toMatchObject({ DFSJZJ: `${ly02}/stop-1`, GCDM: id, XZQHDM: REGION, SJYXBS: 1, GXSJ: '2026-03-25 10:00:00' });
    // The hold is the engine's, caused by the DRC officer who found LY06's commitment false at that instant.
    expect(stopSteps(open, ly02)).toEqual([[9, '2026-03-25 10:00:00', 'officer officer-drc (DRC)', heldBecause]]);
    expect(open.stops).toEqual([{ matterInstance: ly02, kind: 'hold', from: '2026-03-25 10:00:00', to: null }]);
    // LY02's row reports the hold as its latest step.
    expect(open.tables.XMSPSXBLXXB.find((r) => r.SPSXSLBM === ly02)).toMatchObject({ GXSJ: '2026-03-25 10:00:00' });
    expect(checkTables(open.tables, { stops: open.stops, contracts: open.contracts })).toEqual([]);

    // Lifted by the DRC on Monday 30 Mar.
    run.perform('liftHold', { actor: officer('DRC'), matter: 'LY02', reason: '已重新审查节能措施，可继续办理' }, '2026-03-30T10:00:00+08:00');
    await project(run);
    const lifted = await exported(id);
    // The same row (the standard has no end time on it: the end is the step BLZT 10), and the lift's step by the DRC.
    expect(procedures(lifted, ly02)).toEqual([row]);
    expect(stopSteps(lifted, ly02)).toEqual([
      [9, '2026-03-25 10:00:00', 'officer officer-drc (DRC)', heldBecause],
      // The lift's reason, from its audit event.
      [10, '2026-03-30 10:00:00', 'officer officer-drc (DRC)', '已重新审查节能措施，可继续办理'],
    ]);
    expect(lifted.stops).toEqual([{ matterInstance: ly02, kind: 'hold', from: '2026-03-25 10:00:00', to: '2026-03-30 10:00:00' }]);
    expect(checkTables(lifted.tables, { stops: lifted.stops, contracts: lifted.contracts })).toEqual([]);

    // A copy without the lift's step: the checker finds the stop's missing end.
    const corrupted = structuredClone(lifted.tables);
    corrupted.XMSPSXBLXXXXB = corrupted.XMSPSXBLXXXXB.filter((r) => !(r.SPSXSLBM === ly02 && r.BLZT === 10));
    expect(corrupted.XMSPSXBLXXXXB).toHaveLength(lifted.tables.XMSPSXBLXXXXB.length - 1);
    expect(checkTables(corrupted, { stops: lifted.stops, contracts: lifted.contracts }).map((f) => [f.table, f.key, f.field, f.rule, f.message])).toEqual([
      ['XMSPSXBLXXXXB', ly02, null, 'stopReconciliation', `a clock stop of ${ly02} has no step BLZT 10 at 2026-03-30 10:00:00`],
    ]);
    // The export itself still passes: the checker read a copy.
    expect(checkTables(lifted.tables, { stops: lifted.stops, contracts: lifted.contracts })).toEqual([]);
  });

  it('exports a joint matter’s rectification (JG07: CAD fails, the applicant rectifies) as 特别程序 其他 with steps 9 and 10, with no checker finding', async () => {
    const id = 'app-spgl-rectify';
    const jg07 = `${id}/JG07`;
    const run = start('2026-04-29T09:00:00+08:00', { processCode: 'SOCIAL_REFORM', applicationId: id });
    await project(run);
    run.approveThrough('S4');
    await project(run);
    const opinion = (department: string, kind: 'pass' | 'fail', items: string[] = [], note = '') => ({ actor: officer(department), matter: 'JG07', opinion: kind, items, note });
    run.perform('giveOpinion', opinion('NRP', 'pass', [], '规划条件核实通过'), '2026-05-07T11:00:00+08:00');
    await project(run);
    run.perform('giveOpinion', opinion('CAD', 'fail', ['人防门安装不合格', '人防通风系统未调试'], '需整改后复验'), '2026-05-07T15:00:00+08:00');
    await project(run);
    // MET is deemed to consent as 8 May ends: the failures become one rectification list, the clock stops.
    run.passUntil('2026-05-11T09:00:00+08:00');
    await project(run);
    const requested = await exported(id);
    // The engine's reason already starts with 整改 (domain/application/joint.ts): the name is not said twice.
    const because = '整改: 2 item(s) from CAD';
    const row = [8, '整改：2 item(s) from CAD', '2026-05-09 00:00:00', 1, null];
    expect(procedures(requested, jg07)).toEqual([row]);
    expect(requested.tables.XMSPSXBLTBCXXXB.find((r) => r.SPSXSLBM === jg07)).toMatchObject({ DFSJZJ: `${jg07}/stop-1`, GCDM: id, SJYXBS: 1 });
    expect(stopSteps(requested, jg07)).toEqual([[9, '2026-05-09 00:00:00', 'system system', because]]);
    expect(requested.stops.filter((s) => s.matterInstance === jg07)).toEqual([{ matterInstance: jg07, kind: 'rectification', from: '2026-05-09 00:00:00', to: null }]);
    expect(checkTables(requested.tables, { stops: requested.stops, contracts: requested.contracts })).toEqual([]);

    run.perform('submitRectification', { actor: applicant, matter: 'JG07', note: '人防门已更换，通风系统已调试合格' }, '2026-05-13T10:00:00+08:00');
    await project(run);
    run.perform('giveOpinion', opinion('CAD', 'pass', [], '复验合格'), '2026-05-15T10:00:00+08:00');
    run.perform('approve', { actor: officer('HUD'), matter: 'JG07', result: { number: '浏联验〔2026〕7号' }, reason: '' });
    await project(run);
    const done = await exported(id);
    expect(procedures(done, jg07)).toEqual([row]);
    // Requested as MET's silence ended the round (9 May 00:00), ended by the applicant's submission on 13 May.
    expect(stopSteps(done, jg07)).toEqual([
      [9, '2026-05-09 00:00:00', 'system system', because],
      [10, '2026-05-13 10:00:00', 'applicant ent-001', '人防门已更换，通风系统已调试合格'],
    ]);
    expect(done.stops.filter((s) => s.matterInstance === jg07)).toEqual([{ matterInstance: jg07, kind: 'rectification', from: '2026-05-09 00:00:00', to: '2026-05-13 10:00:00' }]);
    // The matter went on to its approval: its steps after the rectification are in order.
    expect(done.tables.XMSPSXBLXXXXB.filter((r) => r.SPSXSLBM === jg07).map((r) => r.BLZT)).toEqual([1, 3, 9, 10, 11]);
    expect(checkTables(done.tables, { stops: done.stops, contracts: done.contracts })).toEqual([]);
  });
});
