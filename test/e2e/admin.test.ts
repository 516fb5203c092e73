import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TOKENS, type HttpResult } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { allMaterials } from '../helpers/temporal';
import { RUNNING_APPLICATIONS } from '../../worker/activities';
import { calendarBroadcastWorkflow } from '../../workflows/calendar-broadcast';
import { FIXTURE_2027 as fixture2027 } from '../unit/engine/figures';

describe('administration: publishing definitions and calendars without stopping running applications', () => {
  const suite = apiSuite('admin');
  const start = async () =>
    (await suite.call('POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT', projectName: '管理测试', materials: allMaterials('GOV_INVESTMENT') })).body;

  it('publishes a new definition version for new applications while running ones keep their snapshot; a broken one is refused', async () => {
    const before = await start();
    const file = path.join(suite.definitionsDir, 'matters.json');
    const original = readFileSync(file, 'utf8');
    const json = JSON.parse(original);
    json.matters.find((m: any) => m.code === 'LY01').timeLimitDays = 5;
    writeFileSync(file, JSON.stringify(json));
    const published = await suite.call('POST', '/admin/definitions/reload', TOKENS.admin);
    expect(published.body).toMatchObject({ changed: true });
    expect(published.body.definitionHash).not.toBe(before.definitionHash);
    const after = await start();
    expect(after.definitionHash).toBe(published.body.definitionHash);
    const oldView = (await suite.call('GET', `/applications/${before.applicationId}`, TOKENS.applicant)).body;
    const newView = (await suite.call('GET', `/applications/${after.applicationId}`, TOKENS.applicant)).body;
    expect(oldView.process.definitionHash).toBe(before.definitionHash);
    expect(oldView.stages[0].matters.find((m: any) => m.code === 'LY01').timeLimitDays).toBe(7);
    expect(newView.stages[0].matters.find((m: any) => m.code === 'LY01').timeLimitDays).toBe(5);

    json.matters.find((m: any) => m.code === 'LY04').department = 'XXB';
    writeFileSync(file, JSON.stringify(json));
    const broken = await suite.call('POST', '/admin/definitions/reload', TOKENS.admin);
    expect(broken).toMatchObject({ status: 422, body: { file: 'matters.json', rule: 'unknown department XXB' } });
    expect((await suite.call('GET', '/catalogue/processes')).body.definitionHash).toBe(published.body.definitionHash);
    writeFileSync(file, original);
  });

  it("publishes next year's calendar to every running application; an invalid one names the field", async () => {
    const running = await start();
    const bad = await suite.call('POST', '/admin/calendars', TOKENS.admin, { ...fixture2027, makeupWorkingDays: [{ date: '2027-03-03', for: 'x' }] });
    expect(bad).toMatchObject({ status: 400, body: { errors: [{ field: 'body.makeupWorkingDays.0', message: 'make-up working day 2027-03-03 is not a Saturday or Sunday' }] } });
    expect((await suite.call('POST', '/admin/calendars', TOKENS.supervisor, fixture2027)).status).toBe(403);

    // Visibility (which the broadcast lists) is eventually consistent: wait until it shows the new run.
    for (let i = 0; i < 50; i++) {
      const listed = [];
      for await (const wf of suite.env.client.workflow.list({ query: `WorkflowId = '${running.applicationId}'` })) listed.push(wf);
      if (listed.length) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const published = await suite.call('POST', '/admin/calendars', TOKENS.admin, fixture2027);
    expect(published).toMatchObject({ status: 202, body: { year: 2027, notice: 'fixture-2027', broadcastId: expect.stringMatching(/^calendar-2027-/) } });
    // The broadcast runs outside the request: follow it until it has reached every running application.
    let broadcast: HttpResult | undefined;
    for (let i = 0; i < 100; i++) {
      broadcast = await suite.call('GET', `/admin/calendars/broadcasts/${published.body.broadcastId}`, TOKENS.admin);
      if (broadcast.body.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(broadcast).toMatchObject({ status: 200, body: { broadcastId: published.body.broadcastId, status: 'completed', year: 2027, done: true } });
    expect(broadcast!.body.signalled).toBeGreaterThanOrEqual(1);
    expect((await suite.call('GET', `/admin/calendars/broadcasts/${published.body.broadcastId}`, TOKENS.supervisor)).status).toBe(403);
    expect((await suite.call('GET', '/admin/calendars/broadcasts/calendar-2027-00000000-0000-0000-0000-000000000000', TOKENS.admin)).status).toBe(404);
    // The signal has reached the workflow; the read model shows it once the projection has written it.
    let view = (await suite.call('GET', `/applications/${running.applicationId}`, TOKENS.applicant)).body;
    for (let i = 0; i < 50 && !view.calendarYears.includes(2027); i++) {
      await new Promise((r) => setTimeout(r, 100));
      view = (await suite.call('GET', `/applications/${running.applicationId}`, TOKENS.applicant)).body;
    }
    expect(view.calendarYears).toEqual([2025, 2026, 2027]);
    expect(view.events.at(-1)).toMatchObject({ kind: 'calendarPublished', data: { year: 2027 } });
    expect((await suite.call('GET', '/calendar/due?acceptedOn=2026-12-30&workingDays=3')).body.dueOn).toBe('2027-01-05');
  });

  it('broadcasts page by page and continues as new past its page count, reaching every running application once', async () => {
    const started = [await start(), await start(), await start()];
    const running = async () => {
      const ids: string[] = [];
      for await (const wf of suite.env.client.workflow.list({ query: RUNNING_APPLICATIONS })) ids.push(wf.workflowId);
      return ids;
    };
    // Visibility is eventually consistent: wait until it lists the new runs.
    for (let i = 0; i < 50; i++) {
      const ids = await running();
      if (started.every((a) => ids.includes(a.applicationId))) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const expected = (await running()).length;
    expect(expected).toBeGreaterThanOrEqual(3);
    const calendar = { ...fixture2027, timeZone: 'Asia/Shanghai' as const, source: { ...fixture2027.source, number: 'fixture-2027-b' } };
    const handle = await suite.env.client.workflow.start(calendarBroadcastWorkflow, {
      taskQueue: 'admin',
      workflowId: `calendar-2027-${randomUUID()}`,
      args: [{ calendar, actor: { id: 'admin', role: 'admin' }, pageSize: 1, pagesPerRun: 2 }],
    });
    expect(await handle.result()).toEqual({ year: 2027, signalled: expected, done: true });
    const runs: string[] = [];
    for await (const wf of suite.env.client.workflow.list({ query: `WorkflowId = '${handle.workflowId}'` })) runs.push(wf.runId);
    expect(new Set(runs).size).toBeGreaterThan(1);
    for (const a of started) {
      const view = (await suite.call('GET', `/applications/${a.applicationId}?consistency=strong`, TOKENS.applicant)).body;
      expect(view.events.filter((e: any) => e.kind === 'calendarPublished' && e.data?.notice === 'fixture-2027-b')).toHaveLength(1);
    }
  });
});
