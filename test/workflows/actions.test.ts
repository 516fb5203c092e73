import { describe, expect, it } from 'vitest';
import { timeSkippingSuite } from '../helpers/suite';
import { recordHistory } from '../helpers/history';
import {
  approveUpdate,
  endSpecialProcedureUpdate,
  extendUpdate,
  issueMissingNoticeUpdate,
  rejectUpdate,
  startSpecialProcedureUpdate,
  requestSupplementUpdate,
  supplyMaterialsUpdate,
  withdrawUpdate,
} from '../../workflows/messages';
import { applicant, officer } from '../helpers/temporal';
import { approve, matter, refusal, sleepUntil, status, viewAfter } from '../helpers/drive';

const TASK_QUEUE = 'actions';
const result = { number: '浏审〔2026〕1号' };

describe('officer and applicant actions (time-skipping, March 2026)', () => {
  const suite = timeSkippingSuite('2026-03-02T09:00:00+08:00', TASK_QUEUE);

  it('refuses every wrong action with its reason, and changes nothing', async () => {
    const h = await suite.start();
    const untouched = await suite.start();
    const drc = officer('DRC');
    const before = await status(h, suite.env);
    const cases: [() => Promise<unknown>, string, RegExp][] = [
      [() => h.executeUpdate(approveUpdate, { args: [{ actor: officer('NRP'), matter: 'LY01', result, reason: '' }] }), 'WRONG_DEPARTMENT',
        /^matter LY01 belongs to department DRC; officer officer-nrp of NRP may not approve it$/],
      [() => h.executeUpdate(approveUpdate, { args: [{ actor: applicant, matter: 'LY01', result, reason: '' }] }), 'NOT_PERMITTED', /only an approval officer/],
      [() => h.executeUpdate(approveUpdate, { args: [{ actor: drc, matter: 'ZZ99', result, reason: '' }] }), 'UNKNOWN_MATTER', /matter ZZ99 is not part of this application's process GOV_INVESTMENT/],
      [() => h.executeUpdate(approveUpdate, { args: [{ actor: drc, matter: 'LY02', result, reason: '' }] }), 'INVALID_STATE', /cannot approve matter LY02 while it is waiting for its prerequisites/],
      [() => h.executeUpdate(approveUpdate, { args: [{ actor: officer('NRP'), matter: 'GC01', result, reason: '' }] }), 'INVALID_STATE', /not yet received \(its stage has not started\)/],
      [() => h.executeUpdate(rejectUpdate, { args: [{ actor: drc, matter: 'LY01', reason: ' ' }] }), 'INVALID_INPUT', /a rejection \(不予许可\) needs its reason/],
      [() => h.executeUpdate(requestSupplementUpdate, { args: [{ actor: drc, matter: 'LY01', items: ['M_EIA_DOCUMENT'], reason: 'x' }] }), 'INVALID_INPUT',
        /items M_EIA_DOCUMENT are not on matter LY01's material list/],
      [() => h.executeUpdate(startSpecialProcedureUpdate, { args: [{ actor: officer('NRP'), matter: 'LY04', kind: 'hearing', expectedWorkingDays: 5, reason: 'x' }] }), 'INVALID_INPUT',
        /matter LY04 allows no hearing; its special procedures are: siteInspection/],
      [() => h.executeUpdate(endSpecialProcedureUpdate, { args: [{ actor: drc, matter: 'LY01', reason: '' }] }), 'INVALID_STATE', /has no special procedure under way/],
      [() => h.executeUpdate(extendUpdate, { args: [{ actor: officer('NRP'), matter: 'LY04', days: 5, approvedBy: '王局长', reason: 'x' }] }), 'INVALID_INPUT', /allows no extension by law/],
      [() => h.executeUpdate(extendUpdate, { args: [{ actor: officer('WRB'), matter: 'LY08', days: 15, approvedBy: '王局长', reason: 'x' }] }), 'INVALID_INPUT', /at most 10 working days, not 15/],
      [() => h.executeUpdate(extendUpdate, { args: [{ actor: officer('WRB'), matter: 'LY08', days: 5, approvedBy: ' ', reason: 'x' }] }), 'INVALID_INPUT', /names the department head/],
      [() => h.executeUpdate(issueMissingNoticeUpdate, { args: [{ actor: drc, stage: 'S1', note: '' }] }), 'INVALID_STATE', /nothing is missing for S1/],
      [() => h.executeUpdate(issueMissingNoticeUpdate, { args: [{ actor: officer('HUD'), stage: 'S1', note: '' }] }), 'WRONG_DEPARTMENT', /the intake window of S1 belongs to department DRC/],
      [() => h.executeUpdate(supplyMaterialsUpdate, { args: [{ actor: applicant, items: ['M_NOPE'] }] }), 'INVALID_INPUT', /materials M_NOPE are on no matter of process GOV_INVESTMENT/],
      [() => h.executeUpdate(supplyMaterialsUpdate, { args: [{ actor: { id: 'ent-002', role: 'applicant' }, items: ['M_PROPOSAL'] }] }), 'NOT_PERMITTED', /only the application's applicant or its agent may supply materials/],
      [() => h.executeUpdate(withdrawUpdate, { args: [{ actor: drc, reason: 'x' }] }), 'NOT_PERMITTED', /only the application's applicant or its agent may withdraw/],
    ];
    for (const [p, code, message] of cases) {
      const r = await refusal(p());
      expect(r.code).toBe(code);
      expect(r.message).toMatch(message);
    }

    await approve(h, 'LY01', 'DRC');
    expect(await refusal(approve(h, 'LY01', 'DRC'))).toEqual({ code: 'ALREADY_DECIDED', message: 'matter LY01 is already approved; it cannot be changed by approve' });

    await h.executeUpdate(requestSupplementUpdate, { args: [{ actor: officer('WRB'), matter: 'LY08', items: ['M_SOIL_WATER_PLAN'], reason: '方案缺少弃渣场设计' }] });
    expect((await refusal(approve(h, 'LY08', 'WRB'))).message).toMatch(/while it is suspended waiting for the applicant’s supplement/);
    const once = await h.executeUpdate(extendUpdate, { args: [{ actor: officer('WRB'), matter: 'LY08', days: 10, approvedBy: '水利局 王局长', reason: '跨流域调水论证' }] });
    expect(once).toMatchObject({ timeLimitDays: 20, extension: { days: 10, approvedBy: '水利局 王局长' } });
    expect((await refusal(h.executeUpdate(extendUpdate, { args: [{ actor: officer('WRB'), matter: 'LY08', days: 1, approvedBy: '王', reason: 'x' }] }))).message).toMatch(
      /already extended once, on 2026-03-02/,
    );

    // Refusals left no trace; the accepted actions did.
    const after = await status(h, suite.env);
    expect(after.events.length - before.events.length).toBeGreaterThan(0);
    expect(after.events.some((e) => e.kind === 'rejected' || e.kind === 'missingNotice')).toBe(false);

    // An extension is asked for before the deadline, not after (LY08 of an untouched application, due 16 Mar).
    await sleepUntil(suite.env, '2026-03-17T10:00:00+08:00');
    expect(matter(await status(untouched, suite.env), 'LY08')).toMatchObject({ dueOn: '2026-03-16', level: 'overdue' });
    const late = await refusal(untouched.executeUpdate(extendUpdate, { args: [{ actor: officer('WRB'), matter: 'LY08', days: 5, approvedBy: '王局长', reason: 'x' }] }));
    expect(late).toEqual({ code: 'INVALID_STATE', message: 'matter LY08 is already overdue; an extension must be asked for before the deadline' });
  });

  it('ends the application as rejected when a mandatory matter is rejected, naming the matter, officer and reason', async () => {
    const h = await suite.start();
    await approve(h, 'LY01', 'DRC');
    await h.executeUpdate(rejectUpdate, { args: [{ actor: officer('NRP'), matter: 'LY04', reason: '选址位于永久基本农田保护区内' }] });
    const outcome = await h.result();
    expect(outcome).toMatchObject({ status: 'rejected', matter: 'LY04', by: 'officer officer-nrp (NRP)', reason: '选址位于永久基本农田保护区内' });
    const v = await status(h, suite.env);
    expect(v.status).toBe('rejected');
    expect(matter(v, 'LY01').status).toBe('approved');
    expect(matter(v, 'LY06')).toMatchObject({ status: 'cancelled', decision: { reason: 'application rejected on matter LY04' } });
    expect(v.stages.map((s) => s.status)).toEqual(['cancelled', 'cancelled', 'cancelled', 'cancelled']);
    await recordHistory(h, 'rejected');
  });

  it('withdraws mid-stage through an agent: open matters cancelled, decided ones kept, the reason recorded', async () => {
    const h = await suite.start();
    await approve(h, 'LY01', 'DRC');
    await h.executeUpdate(requestSupplementUpdate, { args: [{ actor: officer('EEB'), matter: 'LY07', items: ['M_EIA_DOCUMENT'], reason: '补充噪声监测数据' }] });
    const agent = { id: 'agent-park-01', role: 'agent' as const, onBehalfOf: 'ent-001' };
    const v = await viewAfter(h, h.executeUpdate(withdrawUpdate, { args: [{ actor: agent, reason: '项目选址调整，撤回重报' }] }));
    expect(v.status).toBe('withdrawn');
    expect(v.outcome).toMatchObject({ status: 'withdrawn', reason: '项目选址调整，撤回重报', by: 'agent agent-park-01 for applicant ent-001' });
    expect(matter(v, 'LY01').status).toBe('approved');
    const ly07 = matter(v, 'LY07');
    expect(ly07).toMatchObject({ status: 'cancelled', clockRunning: false });
    expect(ly07.stops[0]!.to).not.toBeNull();
    expect(matter(v, 'GC01').status).toBe('cancelled');
    expect((await h.result()).status).toBe('withdrawn');
    expect(v.events.at(-1)).toMatchObject({ kind: 'withdrawn', actor: 'agent agent-park-01 for applicant ent-001' });
    await recordHistory(h, 'withdrawn');
  });
});
