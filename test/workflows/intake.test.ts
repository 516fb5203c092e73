import { describe, expect, it } from 'vitest';
import { timeSkippingSuite } from '../helpers/suite';
import { recordHistory } from '../helpers/history';
import { acceptUpdate, issueMissingNoticeUpdate, supplyMaterialsUpdate } from '../../workflows/messages';
import { allMaterials, applicant, officer } from '../helpers/temporal';
import { approve, matter, refusal, sleepUntil, status, viewAfter } from '../helpers/drive';

const TASK_QUEUE = 'intake';
const without = (...codes: string[]) => allMaterials('GOV_INVESTMENT').filter((m) => !codes.includes(m));

describe('one-window intake, the one-time notice, deemed acceptance and 容缺 (time-skipping, March 2026)', () => {
  const suite = timeSkippingSuite('2026-03-02T09:00:00+08:00', TASK_QUEUE);

  it('issues one notice listing everything missing, starts each clock when its items arrive, and terminates a matter whose 容缺 item never comes', async () => {
    const a = await suite.start('GOV_INVESTMENT', { materials: without('M_LAND_REPORT', 'M_SITE_MAP', 'M_FUNDS_PROOF') });
    const b = await suite.start('GOV_INVESTMENT', { materials: without('M_LAND_REPORT') });
    const c = await suite.start('GOV_INVESTMENT', { materials: without('M_LAND_REPORT', 'M_FUNDS_PROOF') });

    let v = await status(a, suite.env);
    const received = v.events.find((e) => e.kind === 'received' && e.stage === 'S1')!;
    expect(received.data).toMatchObject({
      noticeDueOn: '2026-03-09',
      missing: [
        { matter: 'LY04', material: 'M_SITE_MAP', name: '项目用地红线图' },
        { matter: 'LY04', material: 'M_LAND_REPORT', name: '建设项目用地预审申请报告' },
        { matter: 'LY05', material: 'M_SITE_MAP', name: '项目用地红线图' },
      ],
    });
    expect(matter(v, 'LY04')).toMatchObject({ status: 'intake', acceptedAt: null, dueOn: null, missing: [{ material: 'M_SITE_MAP' }, { material: 'M_LAND_REPORT' }] });
    expect(matter(v, 'LY01')).toMatchObject({ status: 'inProgress', acceptance: 'unconditional' });
    expect(matter(v, 'LY06')).toMatchObject({ status: 'inProgress', acceptance: 'unconditional' });
    expect(matter(v, 'LY02').status).toBe('waitingPrerequisites'); // its missing item is deferrable

    // C: the land bureau accepts LY04 on the officer's judgement; LY02 then runs with a 容缺 item.
    const accepted = await c.executeUpdate(acceptUpdate, { args: [{ actor: officer('NRP'), matter: 'LY04', reason: '窗口已收到纸质用地预审申请报告' }] });
    expect(accepted).toMatchObject({ status: 'inProgress', acceptance: 'officer' });
    for (const [code, dept] of [['LY01', 'DRC'], ['LY04', 'NRP'], ['LY06', 'DRC']] as const) await approve(c, code, dept);
    v = await status(c, suite.env);
    expect(matter(v, 'LY02')).toMatchObject({ status: 'inProgress', deferred: [{ material: 'M_FUNDS_PROOF', dueOn: '2026-03-16', suppliedAt: null }] });
    await approve(c, 'LY02', 'DRC');
    v = await status(c, suite.env);
    expect(matter(v, 'LY02')).toMatchObject({ status: 'approved', resultIssuedAt: null });
    expect(matter(v, 'LY05').status).toBe('waitingPrerequisites'); // no result yet, so no input for LY05
    await c.executeUpdate(supplyMaterialsUpdate, { args: [{ actor: applicant, items: ['M_FUNDS_PROOF'] }] });
    v = await status(c, suite.env);
    expect(matter(v, 'LY02').resultIssuedAt).not.toBeNull();
    expect(matter(v, 'LY05').status).toBe('inProgress');

    // A: the window issues the one-time notice; a second is refused.
    await sleepUntil(suite.env, '2026-03-03T10:00:00+08:00');
    const noticed = await viewAfter(a, a.executeUpdate(issueMissingNoticeUpdate, { args: [{ actor: officer('DRC'), stage: 'S1', note: '请一次性补齐' }] }));
    expect(noticed.stages[0]!.intake!.notice!.items.map((i) => `${i.matter}/${i.material}`)).toEqual(['LY04/M_SITE_MAP', 'LY04/M_LAND_REPORT', 'LY05/M_SITE_MAP']);
    expect((await refusal(a.executeUpdate(issueMissingNoticeUpdate, { args: [{ actor: officer('DRC'), stage: 'S1', note: '' }] }))).message).toMatch(
      /one-time notice \(一次性告知\) for S1 was already issued; no second notice/,
    );

    await sleepUntil(suite.env, '2026-03-05T10:00:00+08:00');
    await a.executeUpdate(supplyMaterialsUpdate, { args: [{ actor: applicant, items: ['M_LAND_REPORT'] }] });
    v = await status(a, suite.env);
    expect(matter(v, 'LY04')).toMatchObject({ status: 'intake', missing: [{ material: 'M_SITE_MAP' }] });

    await sleepUntil(suite.env, '2026-03-06T10:00:00+08:00');
    await a.executeUpdate(supplyMaterialsUpdate, { args: [{ actor: applicant, items: ['M_SITE_MAP'] }] });
    v = await status(a, suite.env);
    // Accepted on 6 Mar, 10 working days: 9–13, 16–20 Mar.
    expect(matter(v, 'LY04')).toMatchObject({ status: 'inProgress', acceptance: 'afterNotice', dueOn: '2026-03-20' });
    expect(matter(v, 'LY05').status).toBe('waitingPrerequisites');
    for (const [code, dept] of [['LY01', 'DRC'], ['LY04', 'NRP'], ['LY06', 'DRC']] as const) await approve(a, code, dept);
    v = await status(a, suite.env);
    // 容缺 item due 10 working days after 6 Mar, inside LY02's own 20.
    expect(matter(v, 'LY02')).toMatchObject({ status: 'inProgress', dueOn: '2026-04-03', deferred: [{ material: 'M_FUNDS_PROOF', dueOn: '2026-03-20' }] });
    expect(v.accounting.applicant.calendarDays).toBe(3); // from the notice to the last item

    // B: no notice within 5 working days → accepted from receipt (Art. 32), clock from 2 Mar.
    await sleepUntil(suite.env, '2026-03-10T10:00:00+08:00');
    v = await status(b, suite.env);
    expect(matter(v, 'LY04')).toMatchObject({ status: 'inProgress', acceptance: 'deemed', acceptedAt: expect.stringMatching(/^2026-03-02T09:00/), dueOn: '2026-03-16' });
    expect(v.events.find((e) => e.kind === 'intakeDeemedAccepted')!.at).toMatch(/^2026-03-10T00:00/);
    expect((await refusal(b.executeUpdate(issueMissingNoticeUpdate, { args: [{ actor: officer('DRC'), stage: 'S1', note: '' }] }))).message).toBe(
      'the notice period for S1 ended on 2026-03-09; the application counts as accepted from receipt',
    );

    // A: LY02 approved but its result waits for the 容缺 item, which never comes.
    await approve(a, 'LY02', 'DRC');
    expect(matter(await status(a, suite.env), 'LY02')).toMatchObject({ status: 'approved', resultIssuedAt: null });
    await sleepUntil(suite.env, '2026-03-21T00:01:00+08:00');
    const outcome = await a.result();
    expect(outcome).toMatchObject({ status: 'rejected', matter: 'LY02', reason: '容缺 item M_FUNDS_PROOF (资金来源证明) was not supplied by 2026-03-20' });
    expect(matter(await status(a, suite.env), 'LY02').status).toBe('terminated');
    await recordHistory(a, 'intake-terminated-v2');
  });
});
