import { describe, expect, it } from 'vitest';
import { timeSkippingSuite } from '../helpers/suite';
import { recordHistory } from '../helpers/history';
import { allMaterials, applicant, catalogue, memoryProjection } from '../helpers/temporal';
import { matter, sleepUntil, status, viewAfter } from '../helpers/drive';
import { snapshotFor } from '../../catalogue/loader';
import { publishCalendarSignal, supplyMaterialsUpdate } from '../../workflows/messages';
import { MOVES_FROM_25_JAN as DUE, OFFICIAL_2027, PROVISIONAL_2027 } from '../unit/engine/provisional-figures';

const TASK_QUEUE = 'provisional-calendars';
const admin = { id: 'admin', role: 'admin' as const };

describe('a provisional 2027 replaced by the official notice across 春节 (time-skipping, from Monday 25 Jan 2027)', () => {
  const projection = memoryProjection();
  const suite = timeSkippingSuite('2027-01-25T09:00:00+08:00', TASK_QUEUE, () => projection);

  it('flags the provisional due dates, records each one the official year moves, and runs the clocks on it', async () => {
    // Started after the admin published the provisional year: the catalogue's calendars hold it.
    const snapshot = { ...snapshotFor(catalogue, 'GOV_INVESTMENT')!, calendars: [...catalogue.calendars, PROVISIONAL_2027] };
    const h = await suite.start('GOV_INVESTMENT', { snapshot, materials: allMaterials('GOV_INVESTMENT').filter((m) => m !== 'M_PUBLIC_PARTICIPATION') });
    let v = await status(h, suite.env);
    expect(matter(v, 'LY01')).toMatchObject({ dueOn: DUE[7][0], provisional: true });
    expect(matter(v, 'LY04')).toMatchObject({ dueOn: DUE[10][0], provisional: true });
    expect(matter(v, 'LY07')).toMatchObject({ dueOn: DUE[15][0], provisional: true, deferred: [{ dueOn: DUE[5][0], provisional: true }] });
    const rows = () => new Map(projection.batches.flatMap((b) => b.matters.filter((m) => m.applicationId === v.applicationId)).map((m) => [m.code, m]));
    expect(rows().get('LY01')).toMatchObject({ dueOn: DUE[7][0], provisional: true });

    // The notice comes out on Friday 29 Jan: a longer 春节 (5–12 Feb) made up on Sunday 31 Jan and Saturday 20 Feb.
    await sleepUntil(suite.env, '2027-01-29T10:00:00+08:00');
    await h.signal(publishCalendarSignal, { actor: admin, calendar: OFFICIAL_2027 });
    v = await status(h, suite.env);
    expect(matter(v, 'LY01')).toMatchObject({ dueOn: DUE[7][1], provisional: false });
    expect(matter(v, 'LY04')).toMatchObject({ dueOn: DUE[10][1], provisional: false });
    expect(matter(v, 'LY07')).toMatchObject({ dueOn: DUE[15][1], deferred: [{ dueOn: DUE[5][1], provisional: false }] });
    const moved = v.events.filter((e) => e.kind === 'deadlineMoved').map((e) => `${e.matter} ${e.data!['clock']} ${e.data!['from']} → ${e.data!['to']}`);
    expect(moved.sort()).toEqual([
      `LY01 matter ${DUE[7][0]} → ${DUE[7][1]}`,
      `LY04 matter ${DUE[10][0]} → ${DUE[10][1]}`,
      `LY06 matter ${DUE[10][0]} → ${DUE[10][1]}`,
      `LY07 deferred ${DUE[5][0]} → ${DUE[5][1]}`,
      `LY07 matter ${DUE[15][0]} → ${DUE[15][1]}`,
      `LY08 matter ${DUE[10][0]} → ${DUE[10][1]}`,
    ]);

    // Told its 容缺 item is now due on Sunday 31 Jan, the applicant supplies it on Saturday.
    await sleepUntil(suite.env, '2027-01-30T10:00:00+08:00');
    v = await viewAfter(h, h.executeUpdate(supplyMaterialsUpdate, { args: [{ actor: applicant, items: ['M_PUBLIC_PARTICIPATION'] }] }));
    expect(matter(v, 'LY07').deferred[0]!.suppliedAt).toMatch(/^2027-01-30T10:00/);

    // LY01 counts the make-up Sunday: yellow from its start (2 days left), red at the end of Tuesday 2 Feb.
    await sleepUntil(suite.env, '2027-01-31T00:01:00+08:00');
    expect(matter(await status(h, suite.env), 'LY01')).toMatchObject({ level: 'warning', workingDaysUsed: 5, workingDaysLeft: 2 });
    await sleepUntil(suite.env, '2027-02-03T00:01:00+08:00');
    v = await status(h, suite.env);
    expect(matter(v, 'LY01')).toMatchObject({ level: 'overdue', overdueSince: '2027-02-03T00:00:00.000+08:00' });
    expect(v.events.filter((e) => e.kind === 'levelChanged' && e.matter === 'LY01').map((e) => [e.data!['to'], e.at])).toEqual([
      ['warning', '2027-01-31T00:00:00.000+08:00'],
      ['overdue', '2027-02-03T00:00:00.000+08:00'],
    ]);
    expect(v.status).toBe('running');
    expect(rows().get('LY01')).toMatchObject({ dueOn: DUE[7][1], provisional: false });
    await recordHistory(h, 'provisional-calendars');
  });
});
