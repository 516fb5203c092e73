import { describe, expect, it } from 'vitest';
import { applicant, officer, start, supervisor } from './driver';

/** LY01: 7 working days from Monday 11 May 2026 → due Wednesday 20 May; LY04: 10 → due 25 May. */
const MAY = '2026-05-11T09:00:00+08:00';

describe('supervision (督办): urges and escalations by the supervision office', () => {
  it('records an urge on the matter with who, when and the note; the level is unchanged', () => {
    const run = start(MAY);
    run.passUntil('2026-05-18T00:01:00+08:00');
    expect(run.matter('LY01').level).toBe('warning');
    run.perform('urge', { actor: supervisor, matter: 'LY01', note: '请加快办理项目建议书审批' });
    expect(run.matter('LY01')).toMatchObject({
      level: 'warning',
      urges: [{ at: '2026-05-18T00:01:00.000+08:00', by: 'supervisor sup-01 (SUP)', note: '请加快办理项目建议书审批' }],
    });
    expect(run.events('urged').map((e) => [e.matter, e.reason])).toEqual([['LY01', '请加快办理项目建议书审批']]);
  });

  it('escalates a matter not even yellow straight past red to the department head, and time then climbs on from there', () => {
    const run = start(MAY);
    run.passUntil('2026-05-19T10:00:00+08:00');
    expect(run.matter('LY04')).toMatchObject({ dueOn: '2026-05-25', level: 'normal' });
    run.perform('escalate', { actor: supervisor, matter: 'LY04', reason: '群众投诉办理缓慢' });
    expect(run.matter('LY04').level).toBe('departmentHead');
    expect(run.events('escalated').map((e) => [e.matter, e.data!.to, e.reason])).toEqual([['LY04', 'departmentHead', '群众投诉办理缓慢']]);
    // Due 25 May: overdue from 26 May; the department head rung (27 May) is already reached; the supervision office at the end of 28 May.
    run.passUntil('2026-05-29T00:01:00+08:00');
    expect(run.matter('LY04')).toMatchObject({ level: 'supervisionOffice', overdueSince: '2026-05-26T00:00:00.000+08:00' });
  });

  it('escalates an overdue matter one rung above its level', () => {
    const run = start(MAY);
    run.passUntil('2026-05-21T10:00:00+08:00');
    expect(run.matter('LY01').level).toBe('overdue');
    run.perform('escalate', { actor: supervisor, matter: 'LY01', reason: '逾期未办' });
    expect(run.matter('LY01').level).toBe('departmentHead');
    run.perform('escalate', { actor: supervisor, matter: 'LY01', reason: '仍未办理' });
    expect(run.matter('LY01').level).toBe('supervisionOffice');
  });

  it('keeps the level, escalation included, while a clock is stopped; a supplement past the deadline does not make an overdue matter new again', () => {
    const run = start(MAY);
    run.passUntil('2026-05-29T00:01:00+08:00');
    expect(run.matter('LY01').level).toBe('leadership');
    run.perform('escalate', { actor: supervisor, matter: 'LY04', reason: '群众投诉' }, '2026-05-29T00:02:00+08:00');
    run.perform('requestSupplement', { actor: officer('NRP'), matter: 'LY04', items: ['M_SITE_MAP'], reason: '红线图坐标有误' });
    expect(run.matter('LY04')).toMatchObject({ status: 'suspended', level: 'leadership' });
    run.perform('requestSupplement', { actor: officer('DRC'), matter: 'LY01', items: ['M_PROPOSAL'], reason: '补充投资估算' });
    run.perform('supplyMaterials', { actor: applicant, items: ['M_PROPOSAL'] }, '2026-06-01T10:00:00+08:00');
    expect(run.matter('LY01')).toMatchObject({ status: 'inProgress', dueOn: '2026-05-20', level: 'leadership' });
    const decided = run.approve('LY01');
    expect(decided.decision).toMatchObject({ kind: 'approved', dueOn: '2026-05-20', onTime: false });
  });

  it('refuses an urge or escalation by anyone but the supervision office, on a decided or unknown matter, or on an ended application, with its code, and records nothing', () => {
    const run = start(MAY);
    expect(run.refusal('urge', { actor: officer('DRC'), matter: 'LY01', note: '催' })).toEqual({ code: 'NOT_PERMITTED', message: 'only the supervision office may urge or escalate' });
    expect(run.refusal('escalate', { actor: supervisor, matter: 'ZZ99', reason: 'x' })).toEqual({ code: 'UNKNOWN_MATTER', message: 'matter ZZ99 is not part of this application' });
    run.approve('LY01');
    expect(run.refusal('urge', { actor: supervisor, matter: 'LY01', note: '催' })).toEqual({ code: 'ALREADY_DECIDED', message: 'matter LY01 is already approved' });
    run.perform('withdraw', { actor: applicant, reason: '项目终止' });
    expect(run.refusal('escalate', { actor: supervisor, matter: 'LY04', reason: 'x' })).toEqual({ code: 'APPLICATION_CLOSED', message: 'the application is withdrawn' });
    // One refusal path: nothing is recorded, no urgeRefused or escalationRefused.
    expect(run.events('urged', 'escalated', 'urgeRefused', 'escalationRefused')).toEqual([]);
  });
});
