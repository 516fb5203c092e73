import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { officerToken, TOKENS, type HttpResult } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { allMaterials } from '../helpers/temporal';
import { publishCalendarSignal } from '../../workflows/messages';
import { MOVES_FROM_25_JAN as DUE, OFFICIAL_2027, PROVISIONAL_2027 } from '../unit/engine/provisional-figures';

/**
 * Provisional calendars over HTTP and PostgreSQL (time-skipping from Monday 25 Jan 2027): the
 * inbox, the alerts and webhook bodies carry the provisional flag; the official notice, late on
 * Monday 1 Feb, moves the open deadlines and the supervision board lists each one.
 */
describe('provisional calendar years on the read model and the supervision board', () => {
  const suite = apiSuite('provisional-reads', { initialTime: '2027-01-25T09:00:00+08:00' });
  const until = async (read: () => Promise<HttpResult>, done: (r: HttpResult) => boolean): Promise<HttpResult> => {
    let r = await read();
    for (let i = 0; i < 100 && !done(r); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      r = await read();
    }
    return r;
  };
  const inboxRow = async (dept: string, code: string) => (await suite.call('GET', '/officers/inbox', officerToken(dept))).body.items.find((i: { code: string; kind: string }) => i.code === code && i.kind === 'matter');

  it('flags provisional due dates in the lists and webhooks, and lists the deadlines the official year moved', async () => {
    // What publishing a provisional year writes (the broadcast needs the dev server's visibility; there is nothing running to reach yet).
    writeFileSync(path.join(suite.definitionsDir, 'calendars', '2027.json'), JSON.stringify(PROVISIONAL_2027));
    expect((await suite.call('POST', '/admin/definitions/reload', TOKENS.admin)).status).toBe(200);
    const calendars = (await suite.call('GET', '/catalogue/calendars')).body.calendars;
    expect(calendars.find((c: { year: number }) => c.year === 2027)).toMatchObject({ provisional: true, makeupWorkingDays: [] });
    // The public due-date reckoner says so too: 10 working days from 25 Jan counted through the provisional year; 2026's are official.
    expect((await suite.call('GET', '/calendar/due?acceptedOn=2027-01-25&workingDays=10')).body).toEqual({ acceptedOn: '2027-01-25', workingDays: 10, dueOn: DUE[10][0], provisional: true });
    expect((await suite.call('GET', '/calendar/due?acceptedOn=2026-09-28&workingDays=7')).body).toEqual({ acceptedOn: '2026-09-28', workingDays: 7, dueOn: '2026-10-13', provisional: false });
    // A provisional year may not list make-up days.
    const withMakeup = await suite.call('POST', '/admin/calendars', TOKENS.admin, { ...PROVISIONAL_2027, makeupWorkingDays: [{ date: '2027-02-20', for: '春节' }] });
    expect(withMakeup).toMatchObject({ status: 400, body: { errors: [{ field: 'body.makeupWorkingDays', message: expect.stringMatching(/provisional year has no make-up working days/) }] } });

    expect((await suite.call('POST', '/webhooks/subscriptions', TOKENS.integrator, { url: 'http://127.0.0.1:9/hook', eventTypes: ['accepted', 'deadlineMoved'] })).status).toBe(201);
    const started = await suite.call('POST', '/applications', TOKENS.applicant, {
      processCode: 'GOV_INVESTMENT',
      projectName: '暂定日历测试',
      materials: allMaterials('GOV_INVESTMENT').filter((m) => m !== 'M_PUBLIC_PARTICIPATION'),
    });
    expect(started.status).toBe(201);
    const id: string = started.body.applicationId;

    const inbox = await until(
      () => suite.call('GET', '/officers/inbox', officerToken('DRC')),
      (r) => r.body.items.some((i: { code: string }) => i.code === 'LY01'),
    );
    expect(inbox.body.items.find((i: { code: string }) => i.code === 'LY01')).toMatchObject({ applicationId: id, kind: 'matter', dueOn: DUE[7][0], provisional: true });
    expect(await inboxRow('EEB', 'LY07')).toMatchObject({ dueOn: DUE[15][0], provisional: true });

    // The applicant supplies the 容缺 item on Friday 29 Jan, before its provisional last day.
    await suite.sleepUntil('2027-01-29T10:00:00+08:00');
    expect((await suite.call('POST', `/applications/${id}/materials`, TOKENS.applicant, { items: ['M_PUBLIC_PARTICIPATION'] })).status).toBe(200);

    // Monday 1 Feb: LY01's fifth working day on the provisional year, so yellow from 00:00.
    await suite.sleepUntil('2027-02-01T09:00:00+08:00');
    const warned = await until(
      () => suite.call('GET', '/supervision/alerts?department=DRC', TOKENS.supervisor),
      (r) => r.body.items.some((i: { code: string }) => i.code === 'LY01'),
    );
    expect(warned.body.items.find((i: { code: string }) => i.code === 'LY01')).toMatchObject({ level: 'warning', dueOn: DUE[7][0], provisional: true });

    // The notice comes out at 10:00 (here signalled as the broadcast would).
    await suite.sleepUntil('2027-02-01T10:00:00+08:00');
    await suite.env.client.workflow.getHandle(id).signal(publishCalendarSignal, { actor: { id: 'admin', role: 'admin' }, calendar: OFFICIAL_2027 });
    const board = await until(
      () => suite.call('GET', '/supervision/moved-deadlines', TOKENS.supervisor),
      (r) => r.body.items?.length >= 5,
    );
    expect(board.status).toBe(200);
    const rows = board.body.items.map((r: Record<string, unknown>) => [r['matter'], r['department'], r['clock'], r['from'], r['to'], r['days']]);
    expect(rows.sort()).toEqual([
      // 3 Feb → 2 Feb: the make-up Sunday counts.
      ['LY01', 'DRC', 'matter', DUE[7][0], DUE[7][1], -1],
      // 10 Feb → 15 Feb: 9–12 Feb are holidays on the official year.
      ['LY04', 'NRP', 'matter', DUE[10][0], DUE[10][1], 5],
      ['LY06', 'DRC', 'matter', DUE[10][0], DUE[10][1], 5],
      ['LY07', 'EEB', 'matter', DUE[15][0], DUE[15][1], 3],
      ['LY08', 'WRB', 'matter', DUE[10][0], DUE[10][1], 5],
    ]);
    expect(board.body.items[0]).toMatchObject({ applicationId: id, projectName: '暂定日历测试', year: 2027, notice: 'fixture-2027-official', at: expect.stringMatching(/^2027-02-01T10:00/) });
    expect(board.body.items.find((r: { matter: string }) => r.matter === 'LY04').matterName).toEqual(expect.any(String));

    // Filters and pages.
    expect((await suite.call('GET', '/supervision/moved-deadlines?department=DRC', TOKENS.supervisor)).body.items.map((r: { matter: string }) => r.matter).sort()).toEqual(['LY01', 'LY06']);
    expect((await suite.call('GET', '/supervision/moved-deadlines?year=2026', TOKENS.admin)).body.items).toEqual([]);
    const first = (await suite.call('GET', '/supervision/moved-deadlines?limit=3', TOKENS.supervisor)).body;
    const second = (await suite.call('GET', `/supervision/moved-deadlines?limit=3&after=${first.next}`, TOKENS.supervisor)).body;
    expect([...first.items, ...second.items].map((r: { seq: number }) => r.seq)).toEqual(board.body.items.map((r: { seq: number }) => r.seq));
    expect(second.next).toBeNull();
    expect((await suite.call('GET', '/supervision/moved-deadlines?department=XXB', TOKENS.supervisor)).status).toBe(400);
    expect((await suite.call('GET', '/supervision/moved-deadlines', officerToken('DRC'))).status).toBe(403);
    expect((await suite.call('GET', '/supervision/moved-deadlines', TOKENS.applicant)).status).toBe(403);

    // The lists show the official dates, no longer provisional.
    const after = await until(
      () => suite.call('GET', '/supervision/alerts?department=DRC', TOKENS.supervisor),
      (r) => r.body.items.some((i: { code: string; dueOn: string }) => i.code === 'LY01' && i.dueOn === DUE[7][1]),
    );
    expect(after.body.items.find((i: { code: string }) => i.code === 'LY01')).toMatchObject({ level: 'warning', dueOn: DUE[7][1], provisional: false });
    expect(await inboxRow('NRP', 'LY04')).toMatchObject({ dueOn: DUE[10][1], provisional: false });

    // Webhook bodies: the acceptances carry the flag, each move is its own event.
    const { rows: bodies } = await suite.db.pool.query<{ body: { type: string; matter: string; data: Record<string, unknown> } }>(
      `SELECT o.body FROM webhook_outbox o WHERE o.event_key LIKE $1 ORDER BY o.id`,
      [`${id}:%`],
    );
    const accepted = bodies.map((b) => b.body).filter((b) => b.type === 'accepted');
    expect(accepted.find((b) => b.matter === 'LY01')!.data).toMatchObject({ dueOn: DUE[7][0], provisional: true });
    expect(bodies.map((b) => b.body).filter((b) => b.type === 'deadlineMoved').map((b) => [b.matter, b.data['from'], b.data['to']]).sort()).toEqual(rows.map((r: unknown[]) => [r[0], r[3], r[4]]));
  });

  it('refuses a provisional year over a published official one', async () => {
    writeFileSync(path.join(suite.definitionsDir, 'calendars', '2027.json'), JSON.stringify(OFFICIAL_2027));
    expect((await suite.call('POST', '/admin/definitions/reload', TOKENS.admin)).status).toBe(200);
    const refused = await suite.call('POST', '/admin/calendars', TOKENS.admin, PROVISIONAL_2027);
    expect(refused).toMatchObject({ status: 409, body: { code: 'OFFICIAL_CALENDAR_PUBLISHED', detail: expect.stringMatching(/official 2027 calendar \(fixture-2027-official\) is published/) } });
  });
});
