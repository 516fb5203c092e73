import { describe, expect, it } from 'vitest';
import { applicant, officer, snapshotOf, start, without } from './driver';

describe('stages in order, matters in parallel (government investment from Monday 9 Feb 2026, across the Spring Festival)', () => {
  it('receives every stage-1 matter at the window at once and dates them on the official calendar: make-up Saturdays 14 and 28 Feb count, 15–23 Feb do not', () => {
    const run = start('2026-02-09T09:00:00+08:00');
    const v = run.view();
    expect(v.currentStage).toBe('S1');
    expect(run.matter('LY01')).toMatchObject({ status: 'inProgress', acceptance: 'unconditional', dueOn: '2026-02-25', dueAt: '2026-02-25T23:59:59.999+08:00' });
    expect(run.matter('LY04')).toMatchObject({ status: 'inProgress', dueOn: '2026-02-28' });
    expect(run.matter('LY06')).toMatchObject({ status: 'inProgress', dueOn: '2026-02-28' });
    expect(run.matter('LY07')).toMatchObject({ status: 'inProgress', dueOn: '2026-03-06' });
    expect(run.matter('LY08')).toMatchObject({ status: 'inProgress', dueOn: '2026-02-28' });
    expect(run.matter('LY02').status).toBe('waitingPrerequisites');
    expect(run.matter('LY05').status).toBe('waitingPrerequisites');
    expect(run.matter('UT01').status).toBe('pending');
    expect(v.stages.slice(1).map((s) => s.status)).toEqual(['pending', 'pending', 'pending']);
  });

  it('starts a matter the moment its last prerequisite’s result exists, completes the stage with one-window output, and starts the next stage', () => {
    const run = start('2026-02-09T09:00:00+08:00');
    run.passUntil('2026-02-24T10:00:00+08:00'); // first working day after the holiday
    expect(run.matter('LY01')).toMatchObject({ workingDaysUsed: 6, workingDaysLeft: 1, level: 'warning' });
    run.approve('LY01');
    run.approve('LY04');
    expect(run.matter('LY02').status).toBe('waitingPrerequisites'); // LY06 still open
    run.approve('LY06');
    // 20 working days from 24 Feb.
    expect(run.matter('LY02')).toMatchObject({ status: 'inProgress', acceptedAt: '2026-02-24T10:00:00.000+08:00', dueOn: '2026-03-23' });

    run.approveRunning(); // LY02, LY07, LY08
    // 25, 26, 27 Feb, Saturday 28 Feb (调休), 2–6 Mar, 9 Mar.
    expect(run.matter('LY05')).toMatchObject({ status: 'inProgress', dueOn: '2026-03-09' });
    expect(run.view().stages[0]!.status).toBe('inProgress');
    run.approve('LY05');

    const v = run.view();
    expect(v.stages[0]!.status).toBe('completed');
    expect(v.stages[0]!.outputs.map((o) => o.matter).sort()).toEqual(['LY01', 'LY02', 'LY04', 'LY05', 'LY06', 'LY07', 'LY08']);
    expect(run.events('stageCompleted').map((e) => e.stage)).toEqual(['S1']);
    expect(v.currentStage).toBe('S2');
    const s2 = v.stages[1]!.matters;
    expect(s2.filter((m) => m.status === 'inProgress').map((m) => m.code).sort()).toEqual(['GC01', 'GC03', 'GC05', 'GC06']);
    expect(s2.filter((m) => m.status === 'waitingPrerequisites').map((m) => m.code).sort()).toEqual(['GC02', 'GC04']);
  });

  it('completes the application after all four stages with every result listed (27 results)', () => {
    const run = start('2026-02-09T09:00:00+08:00');
    let day = Date.parse('2026-02-10T10:00:00+08:00');
    for (let round = 0; round < 30 && !run.ended; round++, day += 86_400_000) {
      run.passUntil(day);
      run.approveRunning();
    }
    const v = run.view();
    expect(v.status).toBe('completed');
    expect(v.stages.map((s) => s.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(run.matter('UT01').status).toBe('approved');
    expect(run.outcome).toMatchObject({ status: 'completed' });
    expect(run.outcome!.results).toHaveLength(27);
    expect(run.events().at(-1)!.kind).toBe('applicationCompleted');
    expect(v.accounting.governmentWorkingDays).toBeGreaterThan(0);
  });

  it('ends the application as rejected when a milestone matter is rejected, naming the matter, officer and reason; open matters and every stage are cancelled', () => {
    const run = start('2026-03-02T09:00:00+08:00');
    run.approve('LY01');
    run.perform('reject', { actor: officer('NRP'), matter: 'LY04', reason: '选址位于永久基本农田保护区内' });
    expect(run.ended).toBe(true);
    expect(run.outcome).toMatchObject({ status: 'rejected', matter: 'LY04', by: 'officer officer-nrp (NRP)', reason: '选址位于永久基本农田保护区内' });
    const v = run.view();
    expect(v.status).toBe('rejected');
    expect(run.matter('LY01').status).toBe('approved');
    expect(run.matter('LY06')).toMatchObject({ status: 'cancelled', decision: { reason: 'application rejected on matter LY04' } });
    expect(v.stages.map((s) => s.status)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
  });

  it('withdraws mid-stage through an agent: open matters cancelled with their clock stops closed, decided ones kept, the reason recorded', () => {
    const run = start('2026-03-02T09:00:00+08:00');
    run.approve('LY01');
    run.perform('requestSupplement', { actor: officer('EEB'), matter: 'LY07', items: ['M_EIA_DOCUMENT'], reason: '补充噪声监测数据' });
    const agent = { id: 'agent-park-01', role: 'agent' as const, onBehalfOf: 'ent-001' };
    const v = run.perform('withdraw', { actor: agent, reason: '项目选址调整，撤回重报' });
    expect(v.status).toBe('withdrawn');
    expect(v.outcome).toMatchObject({ status: 'withdrawn', reason: '项目选址调整，撤回重报', by: 'agent agent-park-01 for applicant ent-001' });
    expect(run.matter('LY01').status).toBe('approved');
    const ly07 = run.matter('LY07');
    expect(ly07).toMatchObject({ status: 'cancelled', clockRunning: false });
    expect(ly07.stops[0]!.to).not.toBeNull();
    expect(run.matter('GC01').status).toBe('cancelled');
    expect(run.events().at(-1)).toMatchObject({ kind: 'withdrawn', actor: 'agent agent-park-01 for applicant ent-001' });
    expect(run.refusal('supplyMaterials', { actor: applicant, items: ['M_PROPOSAL'] }).code).toBe('APPLICATION_CLOSED');
  });

  it('lets a stage complete without a non-milestone matter that was rejected (GC06), and receives a utility connection beside the stages once its prerequisite’s stage output is issued', () => {
    const run = start('2026-03-02T09:00:00+08:00');
    for (let i = 0; i < 3; i++) run.approveRunning((m) => m.stage === 'S1');
    expect(run.view().currentStage).toBe('S2');
    run.passUntil('2026-03-03T10:00:00+08:00');
    run.approve('GC01');
    run.approve('GC02');
    // GC02's result alone is not the stage's output: UT01 waits for the one-window output of S2.
    expect(run.matter('UT01').status).toBe('pending');
    run.perform('reject', { actor: officer('UMB'), matter: 'GC06', reason: '不予许可' });
    expect(run.view().status).toBe('running');
    for (let i = 0; i < 3; i++) run.approveRunning((m) => m.stage === 'S2');
    const v = run.view();
    expect([v.currentStage, v.stages[1]!.status]).toEqual(['S3', 'completed']);
    expect(v.stages[1]!.outputs.map((o) => o.matter)).toEqual(['GC01', 'GC02', 'GC03', 'GC04', 'GC05']);
    expect(run.matter('UT01')).toMatchObject({ status: 'inProgress', acceptedAt: '2026-03-03T10:00:00.000+08:00' });
  });

  it("completes an 'any' stage on its first issued result, waiting for a held one rather than rejecting", () => {
    const base = snapshotOf('GOV_INVESTMENT');
    const snapshot = { ...base, stages: base.stages.map((s, i) => (i === 0 ? { ...s, completion: 'any' as const } : s)) };
    const run = start('2026-03-02T09:00:00+08:00', { snapshot, materials: without('M_PUBLIC_PARTICIPATION') });
    // LY07 is approved but its result waits for a 容缺 item; every other milestone is rejected.
    run.approve('LY07');
    for (const code of ['LY01', 'LY04', 'LY06', 'LY08']) run.perform('reject', { actor: officer(run.matter(code).department), matter: code, reason: '不予许可' });
    expect(run.matter('LY02').status).toBe('cancelled'); // its prerequisites failed
    expect(run.view().status).toBe('running');
    run.perform('supplyMaterials', { actor: applicant, items: ['M_PUBLIC_PARTICIPATION'] }, '2026-03-03T09:00:00+08:00');
    expect(run.view().stages[0]!.status).toBe('completed');
    expect(run.view().stages[0]!.outputs.map((o) => o.matter)).toEqual(['LY07']);
  });
});
