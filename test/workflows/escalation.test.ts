import { describe, expect, it } from 'vitest';
import { timeSkippingSuite } from '../helpers/suite';
import { recordHistory } from '../helpers/history';
import { approveUpdate, escalateUpdate, requestSupplementUpdate, supplyMaterialsUpdate, urgeUpdate } from '../../workflows/messages';
import { applicant, officer, supervisor } from '../helpers/temporal';
import { matter, refusal, sleepUntil, status } from '../helpers/drive';

const TASK_QUEUE = 'escalation';

describe('an untouched matter warns, turns overdue and climbs the escalation ladder (time-skipping, May 2026)', () => {
  const suite = timeSkippingSuite('2026-05-11T09:00:00+08:00', TASK_QUEUE);

  it('raises each level at its working-day offset, with an urge and a supervision escalation in between', async () => {
    const h = await suite.start();
    // LY01: 7 working days from Monday 11 May → due Wednesday 20 May. Government investment warns
    // at 2 working days left (from Monday 18 May); the ladder climbs 1, 3 and 5 working days after the due day.
    let v = await status(h, suite.env);
    expect(matter(v, 'LY01')).toMatchObject({ dueOn: '2026-05-20', level: 'normal' });

    const levelAt = async (iso: string) => {
      await sleepUntil(suite.env, iso);
      return matter(await status(h, suite.env), 'LY01').level;
    };
    expect(await levelAt('2026-05-17T23:59:00+08:00')).toBe('normal');
    expect(await levelAt('2026-05-18T00:01:00+08:00')).toBe('warning');

    const urged = await h.executeUpdate(urgeUpdate, { args: [{ actor: supervisor, matter: 'LY01', note: '请加快办理项目建议书审批' }] });
    expect(urged).toMatchObject({ code: 'LY01', level: 'warning' });
    // A refused urge is a typed refusal, like every other action, and records nothing.
    expect(await refusal(h.executeUpdate(urgeUpdate, { args: [{ actor: officer('DRC'), matter: 'LY01', note: '催' }] }))).toEqual({
      code: 'NOT_PERMITTED',
      message: 'only the supervision office may urge or escalate',
    });
    v = await status(h, suite.env);
    expect(v.events.some((e) => e.kind === 'urgeRefused')).toBe(false);
    expect(matter(v, 'LY01').urges).toEqual([
      { at: expect.stringMatching(/^2026-05-18T00:01/), by: 'supervisor sup-01 (SUP)', note: '请加快办理项目建议书审批' },
    ]);

    // The supervision office escalates LY04 (due 25 May, not even yellow yet) straight past red.
    await sleepUntil(suite.env, '2026-05-19T10:00:00+08:00');
    expect(matter(await status(h, suite.env), 'LY04')).toMatchObject({ dueOn: '2026-05-25', level: 'normal' });
    await h.executeUpdate(escalateUpdate, { args: [{ actor: supervisor, matter: 'LY04', reason: '群众投诉办理缓慢' }] });
    v = await status(h, suite.env);
    expect(matter(v, 'LY04').level).toBe('departmentHead');
    expect(v.events.filter((e) => e.kind === 'escalated').map((e) => [e.matter, e.data!.to, e.reason])).toEqual([
      ['LY04', 'departmentHead', '群众投诉办理缓慢'],
    ]);

    expect(await levelAt('2026-05-20T23:59:00+08:00')).toBe('warning');
    expect(await levelAt('2026-05-21T00:01:00+08:00')).toBe('overdue');
    expect(await levelAt('2026-05-21T23:59:00+08:00')).toBe('overdue');
    expect(await levelAt('2026-05-22T00:01:00+08:00')).toBe('departmentHead');
    expect(await levelAt('2026-05-25T23:59:00+08:00')).toBe('departmentHead');
    expect(await levelAt('2026-05-26T00:01:00+08:00')).toBe('supervisionOffice');
    expect(await levelAt('2026-05-28T00:01:00+08:00')).toBe('leadership');

    v = await status(h, suite.env);
    const changes = v.events.filter((e) => e.kind === 'levelChanged' && e.matter === 'LY01').map((e) => [e.data!.to, e.at.slice(0, 16)]);
    expect(changes).toEqual([
      ['warning', '2026-05-18T00:00'],
      ['overdue', '2026-05-21T00:00'],
      ['departmentHead', '2026-05-22T00:00'],
      ['supervisionOffice', '2026-05-26T00:00'],
      ['leadership', '2026-05-28T00:00'],
    ]);
    expect(matter(v, 'LY01')).toMatchObject({ workingDaysUsed: 13, workingDaysLeft: -6 });

    // By the end of 29 May LY04 (escalated on 19 May, due 25 May) has climbed by time to the supervision office.
    expect(await levelAt('2026-05-29T00:01:00+08:00')).toBe('leadership');
    let ly04 = matter(await status(h, suite.env), 'LY04');
    expect(ly04).toMatchObject({ level: 'supervisionOffice', overdueSince: '2026-05-26T00:00:00.000+08:00' });

    // Stopping the clock keeps the level, escalation included; a supplement past the deadline
    // does not make an overdue matter new again: it stays due on 20 May and is decided late.
    await h.executeUpdate(requestSupplementUpdate, { args: [{ actor: officer('NRP'), matter: 'LY04', items: ['M_SITE_MAP'], reason: '红线图坐标有误' }] });
    ly04 = matter(await status(h, suite.env), 'LY04');
    expect(ly04).toMatchObject({ status: 'suspended', level: 'supervisionOffice' });
    await h.executeUpdate(requestSupplementUpdate, { args: [{ actor: officer('DRC'), matter: 'LY01', items: ['M_PROPOSAL'], reason: '补充投资估算' }] });
    await sleepUntil(suite.env, '2026-06-01T10:00:00+08:00');
    await h.executeUpdate(supplyMaterialsUpdate, { args: [{ actor: applicant, items: ['M_PROPOSAL'] }] });
    const v2 = await status(h, suite.env);
    expect(matter(v2, 'LY01')).toMatchObject({ status: 'inProgress', dueOn: '2026-05-20', level: 'leadership' });
    const decided = await h.executeUpdate(approveUpdate, { args: [{ actor: officer('DRC'), matter: 'LY01', result: { number: '浏发改〔2026〕9号' }, reason: '' }] });
    expect(decided.decision).toMatchObject({ kind: 'approved', dueOn: '2026-05-20', onTime: false });
    await recordHistory(h, 'escalation');
  });
});
