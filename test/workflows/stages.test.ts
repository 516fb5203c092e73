import { describe, expect, it } from 'vitest';
import { timeSkippingSuite } from '../helpers/suite';
import { recordHistory } from '../helpers/history';
import { approve, approveRunning, matter, status } from '../helpers/drive';

const TASK_QUEUE = 'stages';
const at = (iso: string) => Date.parse(iso);

describe('government investment application through four stages (time-skipping, from 9 Feb 2026)', () => {
  const suite = timeSkippingSuite('2026-02-09T09:00:00+08:00', TASK_QUEUE);

  it('runs matters in parallel with due dates on the official calendar across the 2026 Spring Festival, through to completion', async () => {
    const handle = await suite.start();

    let v = await status(handle, suite.env);
    expect(v.currentStage).toBe('S1');
    // Accepted Monday 9 Feb; Saturday 14 Feb and 28 Feb are make-up working days; 15–23 Feb is the holiday.
    expect(matter(v, 'LY01')).toMatchObject({ status: 'inProgress', acceptance: 'unconditional', dueOn: '2026-02-25', dueAt: '2026-02-25T23:59:59.999+08:00' });
    expect(matter(v, 'LY04')).toMatchObject({ status: 'inProgress', dueOn: '2026-02-28' });
    expect(matter(v, 'LY06')).toMatchObject({ status: 'inProgress', dueOn: '2026-02-28' });
    expect(matter(v, 'LY07')).toMatchObject({ status: 'inProgress', dueOn: '2026-03-06' });
    expect(matter(v, 'LY08')).toMatchObject({ status: 'inProgress', dueOn: '2026-02-28' });
    expect(matter(v, 'LY02').status).toBe('waitingPrerequisites');
    expect(matter(v, 'LY05').status).toBe('waitingPrerequisites');
    expect(matter(v, 'UT01').status).toBe('pending');
    expect(v.stages.slice(1).map((s) => s.status)).toEqual(['pending', 'pending', 'pending']);

    // Tuesday 24 Feb, first working day after the holiday.
    await suite.env.sleep(at('2026-02-24T10:00:00+08:00') - (await suite.env.currentTimeMs()));
    v = await status(handle, suite.env);
    expect(matter(v, 'LY01')).toMatchObject({ workingDaysUsed: 6, workingDaysLeft: 1, level: 'warning' });
    await approve(handle, 'LY01', 'DRC');
    await approve(handle, 'LY04', 'NRP');
    v = await status(handle, suite.env);
    expect(matter(v, 'LY02').status).toBe('waitingPrerequisites'); // LY06 still open
    await approve(handle, 'LY06', 'DRC');
    v = await status(handle, suite.env);
    // LY02 starts the moment its last prerequisite's result exists: 20 working days from 24 Feb.
    expect(matter(v, 'LY02')).toMatchObject({ status: 'inProgress', acceptedAt: expect.stringMatching(/^2026-02-24T10:00/), dueOn: '2026-03-23' });

    await approveRunning(handle); // LY02, LY07, LY08
    v = await status(handle, suite.env);
    // 25, 26, 27 Feb, Saturday 28 Feb (调休), 2–6 Mar, 9 Mar
    expect(matter(v, 'LY05')).toMatchObject({ status: 'inProgress', dueOn: '2026-03-09' });
    expect(v.stages[0]!.status).toBe('inProgress');
    await approve(handle, 'LY05', 'NRP');

    v = await status(handle, suite.env);
    expect(v.stages[0]!.status).toBe('completed');
    expect(v.stages[0]!.outputs.map((o) => o.matter).sort()).toEqual(['LY01', 'LY02', 'LY04', 'LY05', 'LY06', 'LY07', 'LY08']);
    expect(v.currentStage).toBe('S2');
    // Stage 2 matters without unmet prerequisites start together; the rest wait for their inputs.
    const s2 = v.stages[1]!.matters;
    expect(s2.filter((m) => m.status === 'inProgress').map((m) => m.code).sort()).toEqual(['GC01', 'GC03', 'GC05', 'GC06']);
    expect(s2.filter((m) => m.status === 'waitingPrerequisites').map((m) => m.code).sort()).toEqual(['GC02', 'GC04']);

    for (let round = 0; round < 20 && v.status === 'running'; round++) {
      await suite.env.sleep('1 day');
      await approveRunning(handle);
      v = await status(handle, suite.env);
    }
    expect(v.status).toBe('completed');
    expect(v.stages.map((s) => s.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(matter(v, 'UT01').status).toBe('approved');
    const outcome = await handle.result();
    expect(outcome.status).toBe('completed');
    expect(outcome.results).toHaveLength(27);
    expect(v.accounting.governmentWorkingDays).toBeGreaterThan(0);
    await recordHistory(handle, 'full-government-investment-v3');
  });
});
