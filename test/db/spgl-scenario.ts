import type { ProjectionActivities } from '../../worker/activities';
import { applicant, officer, provider, start, supervisor, without, type Run } from '../unit/engine/driver';

/** What the scenario needs of the read-model fixture (test/helpers/postgres.ts `writerDatabase`). */
interface Writer {
  readonly project: ProjectionActivities['projectApplication'];
}

/** The scenario's steps after the start, in order; `STEPS.procedureStarted` is the index of the expert review's start. */
export const STEPS = { supplementRequested: 0, procedureStarted: 4, procedureEnded: 10, last: 11 } as const;

/**
 * A government-investment application with a supplement, an urge and an expert review on the EIA
 * approval (LY07), and a soil-and-water plan (needed by LY08) whose late provider is replaced and
 * whose second provider's plan is returned for rework and then accepted; each step handed to the
 * read model as the workflow's projection hands it. `upTo` stops after that step (index); `resume`
 * goes on from there.
 */
export async function scripted(fixture: Writer, applicationId: string, upTo: number = STEPS.last): Promise<Run & { resume(to?: number): Promise<void> }> {
  const run = start('2026-03-02T09:00:00+08:00', { applicationId, materials: without('M_SOIL_WATER_PLAN') });
  const project = () => fixture.project(run.nextProjection());
  await project();
  for (let i = 0; i < 3; i++) run.approveRunning((m) => m.code !== 'LY07');
  run.perform('chooseProvider', { actor: applicant, serviceType: 'SOIL_WATER_PLAN', selection: { method: 'direct', provider: 'P_HENGYUAN_WATER' } });
  await project();
  const eeb = officer('EEB');
  const wrb = officer('WRB');
  const steps: (() => unknown)[] = [
    () => run.perform('requestSupplement', { actor: eeb, matter: 'LY07', items: ['M_EIA_DOCUMENT'], reason: '环评报告书缺少大气环境影响预测章节' }, '2026-03-05T10:00:00+08:00'),
    () => run.perform('supplyMaterials', { actor: applicant, items: ['M_EIA_DOCUMENT'] }, '2026-03-19T10:00:00+08:00'),
    () => run.perform('urge', { actor: supervisor, matter: 'LY07', note: '请加快办理' }, '2026-03-20T10:00:00+08:00'),
    // Due 22 Mar (20 calendar days): late on the 23rd.
    () => run.perform('replaceProvider', { actor: applicant, serviceType: 'SOIL_WATER_PLAN', selection: { method: 'direct', provider: 'P_HUAZHONG_ENV' }, reason: '原中介机构逾期未交付' }, '2026-03-23T10:00:00+08:00'),
    () => run.perform('startSpecialProcedure', { actor: eeb, matter: 'LY07', kind: 'expertReview', expectedWorkingDays: 10, reason: '组织专家技术评审' }, '2026-03-24T10:00:00+08:00'),
    () => run.perform('deliver', { actor: provider('P_HUAZHONG_ENV'), serviceType: 'SOIL_WATER_PLAN', note: '方案（送审稿）' }, '2026-03-30T15:00:00+08:00'),
    () => run.perform('reviewDeliverable', { actor: wrb, serviceType: 'SOIL_WATER_PLAN', decision: 'return', reasons: ['弃渣场选址论证不足'] }, '2026-03-31T10:00:00+08:00'),
    () => run.perform('deliver', { actor: provider('P_HUAZHONG_ENV'), serviceType: 'SOIL_WATER_PLAN', note: '修改稿' }, '2026-04-02T15:00:00+08:00'),
    () => run.perform('reviewDeliverable', { actor: wrb, serviceType: 'SOIL_WATER_PLAN', decision: 'accept', note: '' }, '2026-04-03T10:00:00+08:00'),
    () => run.approve('LY08', '2026-04-07T10:00:00+08:00'),
    () => run.perform('endSpecialProcedure', { actor: eeb, matter: 'LY07', reason: '专家评审通过' }, '2026-04-08T10:00:00+08:00'),
    () => run.approve('LY07', '2026-04-10T10:00:00+08:00'),
  ];
  let done = 0;
  const resume = async (to: number = STEPS.last) => {
    for (; done <= to; done++) {
      steps[done]!();
      await project();
    }
  };
  await resume(upTo);
  return Object.assign(run, { resume });
}
