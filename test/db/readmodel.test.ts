import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../readmodel/db/migrate';
import { createProjectionActivities } from '../../worker/activities';
import { alerts, alertsSummary, type AlertsQuery, applicationsOf, auditTrail, inbox, InvalidQueryError } from '../../readmodel/queries';
import type { MatterRow } from '../../domain/projection';
import { createTestDatabase, type TestDatabase } from '../helpers/postgres';
import { applicationRow, batch, eventRow, matterRow } from './factories';

let db: TestDatabase;

let projectApplication: ReturnType<typeof createProjectionActivities>['projectApplication'];

beforeAll(async () => {
  db = await createTestDatabase();
  await migrate(db.pool);
  ({ projectApplication } = createProjectionActivities(db.pool));
  const store = (id: string, processCode: string, matters: MatterRow[], extra: Parameters<typeof applicationRow>[1] = {}) =>
    projectApplication(batch(applicationRow(id, { seq: 1, processCode, ...extra }), { matters, events: [eventRow(id, 1, { kind: 'submitted' })] }));
  const due = (dueAt: string | null) => ({ dueAt, dueOn: dueAt ? dueAt.slice(0, 10) : null });

  // Inbox of DRC: open matters by due instant, no due instant last.
  await store('A1', 'GOV_INVESTMENT', [
    matterRow('A1', 'LY01', { department: 'DRC', status: 'inProgress', ...due('2026-01-15T00:00:00.000+08:00') }),
    matterRow('A1', 'LY02', { department: 'DRC', status: 'inProgress', ...due('2026-01-14T00:00:00.000+08:00') }),
    matterRow('A1', 'LY09', { department: 'DRC', status: 'waitingPrerequisites', ...due(null) }),
    matterRow('A1', 'LY10', { department: 'DRC', status: 'pending', ...due(null) }),
    matterRow('A1', 'LY11', { department: 'DRC', status: 'approved', decision: 'approved', ...due('2026-01-10T00:00:00.000+08:00') }),
  ]);
  await store('A2', 'GOV_INVESTMENT', [matterRow('A2', 'LY03', { department: 'DRC', status: 'suspended', ...due(null) })]);
  await store('A3', 'GOV_INVESTMENT', [
    matterRow('A3', 'LY02', { department: 'DRC', status: 'intake', ...due('2026-01-14T00:00:00.000+08:00') }),
    matterRow('A3', 'GH01', { department: 'NRP', status: 'inProgress', ...due('2026-01-09T00:00:00.000+08:00') }),
  ]);
  // Written in UTC: 23:30 on the 13th in Shanghai, before midnight of the 14th.
  await store('A4', 'GOV_INVESTMENT', [matterRow('A4', 'LY05', { department: 'DRC', status: 'inProgress', dueOn: '2026-01-13', dueAt: '2026-01-13T15:30:00.000Z' })]);

  // Supervision: warnings and overdue matters.
  await store('B1', 'GOV_INVESTMENT', [
    matterRow('B1', 'M1', { department: 'DRC', stage: 'S1', level: 'leadership', overdueSince: '2026-01-20T00:00:00.000+08:00', ...due('2026-01-20T00:00:00.000+08:00') }),
    matterRow('B1', 'M2', { department: 'NRP', stage: 'S1', level: 'overdue', overdueSince: '2026-01-18T00:00:00.000+08:00', ...due('2026-01-18T00:00:00.000+08:00') }),
  ]);
  await store('B2', 'SOCIAL_INVESTMENT', [
    matterRow('B2', 'M1', { department: 'DRC', stage: 'S2', level: 'overdue', overdueSince: '2026-01-16T00:00:00.000+08:00', ...due('2026-01-16T00:00:00.000+08:00') }),
    matterRow('B2', 'M2', { department: 'DRC', stage: 'S2', level: 'warning', ...due('2026-01-25T00:00:00.000+08:00') }),
  ]);
  await store('B3', 'GOV_INVESTMENT', [
    matterRow('B3', 'M1', { department: 'HUD', stage: 'S3', level: 'warning', ...due('2026-01-22T00:00:00.000+08:00') }),
    matterRow('B3', 'M2', { department: 'HUD', stage: 'S3', level: 'departmentHead', status: 'suspended', overdueSince: '2026-01-10T00:00:00.000+08:00', ...due(null) }),
    matterRow('B3', 'M3', { department: 'HUD', stage: 'S3', level: 'overdue', status: 'approved', decision: 'approved', overdueSince: '2026-01-12T00:00:00.000+08:00' }),
    matterRow('B3', 'M4', { department: 'HUD', stage: 'S3', level: 'normal' }),
  ]);

  // One applicant's applications, newest first.
  await store('C1', 'GOV_INVESTMENT', [], { applicantId: 'applicant-c', startedAt: '2026-02-01T09:00:00.000+08:00' });
  await store('C2', 'GOV_INVESTMENT', [], { applicantId: 'applicant-c', startedAt: '2026-03-01T09:00:00.000+08:00' });
  await store('C3', 'GOV_INVESTMENT', [], { applicantId: 'applicant-c', startedAt: '2026-02-15T09:00:00.000+08:00' });
  await store('C4', 'GOV_INVESTMENT', [], { applicantId: 'applicant-d', startedAt: '2026-02-20T09:00:00.000+08:00' });
});

afterAll(async () => {
  await db.drop();
});

const keys = (items: { applicationId: string; code: string }[]) => items.map((i) => `${i.applicationId}/${i.code}`);

describe('inbox', () => {
  it("lists one department's open matters by due instant, those without one last", async () => {
    const page = await inbox(db.pool, { department: 'DRC', limit: 50 });
    expect(keys(page.items)).toEqual(['A4/LY05', 'A1/LY02', 'A3/LY02', 'A1/LY01', 'B2/M1', 'B1/M1', 'B2/M2', 'A1/LY09', 'A2/LY03']);
    expect(page.next).toBeNull();
  });

  it('returns instants in +08:00, the due date and the project name', async () => {
    const page = await inbox(db.pool, { department: 'DRC', limit: 1 });
    expect(page.items[0]).toEqual({
      applicationId: 'A4',
      projectName: '项目 A4',
      processCode: 'GOV_INVESTMENT',
      code: 'LY05',
      name: '事项 LY05',
      stage: 'S1',
      status: 'inProgress',
      level: 'normal',
      dueOn: '2026-01-13',
      dueAt: '2026-01-13T23:30:00.000+08:00',
      // A row projected without the flag (before provisional calendars) reads as not provisional.
      provisional: false,
      acceptedAt: '2026-01-05T09:00:00.000+08:00',
      supplementCount: 0,
      urgeCount: 0,
      kind: 'matter',
      assignee: null,
    });
  });

  it('pages by cursor with neither repeats nor gaps, across the matters without a due instant', async () => {
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    do {
      const page = await inbox(db.pool, { department: 'DRC', limit: 2, ...(after ? { after } : {}) });
      seen.push(...keys(page.items));
      after = page.next ?? undefined;
      pages++;
    } while (after);
    expect(pages).toBe(5);
    expect(seen).toEqual(['A4/LY05', 'A1/LY02', 'A3/LY02', 'A1/LY01', 'B2/M1', 'B1/M1', 'B2/M2', 'A1/LY09', 'A2/LY03']);
  });

  it('refuses a malformed cursor and a limit out of range', async () => {
    await expect(inbox(db.pool, { department: 'DRC', limit: 2, after: 'not-a-cursor' })).rejects.toBeInstanceOf(InvalidQueryError);
    await expect(inbox(db.pool, { department: 'DRC', limit: 0 })).rejects.toBeInstanceOf(InvalidQueryError);
    await expect(inbox(db.pool, { department: 'DRC', limit: 501 })).rejects.toBeInstanceOf(InvalidQueryError);
  });
});

describe('alerts', () => {
  const list = async (q: Omit<AlertsQuery, 'limit'>) => keys((await alerts(db.pool, { limit: 50, ...q })).items);

  it('lists open matters at warning or above, most severe first, then the oldest', async () => {
    expect(await list({})).toEqual(['B1/M1', 'B3/M2', 'B2/M1', 'B1/M2', 'B3/M1', 'B2/M2']);
  });

  it('filters by department, stage, level, process and the period of the overdue or due instant', async () => {
    expect(await list({ department: 'DRC' })).toEqual(['B1/M1', 'B2/M1', 'B2/M2']);
    expect(await list({ stage: 'S3' })).toEqual(['B3/M2', 'B3/M1']);
    expect(await list({ level: 'overdue' })).toEqual(['B2/M1', 'B1/M2']);
    expect(await list({ processCode: 'SOCIAL_INVESTMENT' })).toEqual(['B2/M1', 'B2/M2']);
    // Inclusive dates in Shanghai: the 20th at 00:00 is in; the 22nd and the 10th are out.
    expect(await list({ from: '2026-01-16', to: '2026-01-20' })).toEqual(['B1/M1', 'B2/M1', 'B1/M2']);
    expect(await list({ department: 'DRC', from: '2026-01-17' })).toEqual(['B1/M1', 'B2/M2']);
    expect(await list({ department: 'HUD', level: 'departmentHead', stage: 'S3', processCode: 'GOV_INVESTMENT', to: '2026-01-10' })).toEqual(['B3/M2']);
  });

  it('pages by an opaque cursor, keeping the filters', async () => {
    const first = await alerts(db.pool, { limit: 4 });
    expect(keys(first.items)).toEqual(['B1/M1', 'B3/M2', 'B2/M1', 'B1/M2']);
    expect(first.next).toMatch(/^[A-Za-z0-9_-]+$/);
    const second = await alerts(db.pool, { limit: 4, after: first.next! });
    expect(keys(second.items)).toEqual(['B3/M1', 'B2/M2']);
    expect(second.next).toBeNull();

    const filtered = await alerts(db.pool, { department: 'DRC', limit: 1 });
    const rest = await alerts(db.pool, { department: 'DRC', limit: 5, after: filtered.next! });
    expect([...keys(filtered.items), ...keys(rest.items)]).toEqual(['B1/M1', 'B2/M1', 'B2/M2']);
  });

  it('reports what the supervision office needs: level, department, overdue since', async () => {
    const page = await alerts(db.pool, { level: 'departmentHead', limit: 5 });
    expect(page.items).toEqual([
      expect.objectContaining({ applicationId: 'B3', code: 'M2', department: 'HUD', level: 'departmentHead', status: 'suspended', dueAt: null, overdueSince: '2026-01-10T00:00:00.000+08:00' }),
    ]);
  });

  it('refuses an unknown level, an impossible date and a foreign cursor', async () => {
    await expect(alerts(db.pool, { level: 'normal' as never, limit: 5 })).rejects.toBeInstanceOf(InvalidQueryError);
    await expect(alerts(db.pool, { from: '2026-02-30', limit: 5 })).rejects.toBeInstanceOf(InvalidQueryError);
    const inboxCursor = (await inbox(db.pool, { department: 'DRC', limit: 1 })).next!;
    await expect(alerts(db.pool, { limit: 5, after: inboxCursor })).rejects.toBeInstanceOf(InvalidQueryError);
  });
});

describe('applicationsOf and auditTrail', () => {
  it("pages an applicant's applications newest first", async () => {
    const first = await applicationsOf(db.pool, 'applicant-c', { limit: 2 });
    expect(first.items.map((a) => a.applicationId)).toEqual(['C2', 'C3']);
    const second = await applicationsOf(db.pool, 'applicant-c', { limit: 2, after: first.next! });
    expect(second.items.map((a) => a.applicationId)).toEqual(['C1']);
    expect(second.next).toBeNull();
    expect(second.items[0]).toMatchObject({ applicantId: 'applicant-c', startedAt: '2026-02-01T09:00:00.000+08:00', endedAt: null, seq: 1 });
  });

  it('returns the stored events of an application in order', async () => {
    expect(await auditTrail(db.pool, 'A1')).toEqual([eventRow('A1', 1, { kind: 'submitted' })]);
    expect(await auditTrail(db.pool, 'nobody')).toEqual([]);
  });
});

describe('alertsSummary (the department × stage view)', () => {
  it('counts the open alerts of each department, stage and level, so each cell is the length of its list', async () => {
    const counts = await alertsSummary(db.pool, {});
    expect(counts).toEqual([
      { department: 'DRC', stage: 'S1', level: 'leadership', count: 1 },
      { department: 'DRC', stage: 'S2', level: 'overdue', count: 1 },
      { department: 'DRC', stage: 'S2', level: 'warning', count: 1 },
      { department: 'HUD', stage: 'S3', level: 'departmentHead', count: 1 },
      { department: 'HUD', stage: 'S3', level: 'warning', count: 1 },
      { department: 'NRP', stage: 'S1', level: 'overdue', count: 1 },
    ]);
    for (const c of counts) {
      expect(keys((await alerts(db.pool, { department: c.department, stage: c.stage!, level: c.level, limit: 50 })).items)).toHaveLength(c.count);
    }
  });

  it('applies the filters of the alerts list and keeps matters beside the stages apart, last', async () => {
    expect(await alertsSummary(db.pool, { processCode: 'SOCIAL_INVESTMENT' })).toEqual([
      { department: 'DRC', stage: 'S2', level: 'overdue', count: 1 },
      { department: 'DRC', stage: 'S2', level: 'warning', count: 1 },
    ]);
    expect(await alertsSummary(db.pool, { department: 'HUD', to: '2026-01-10' })).toEqual([{ department: 'HUD', stage: 'S3', level: 'departmentHead', count: 1 }]);
    expect(await alertsSummary(db.pool, { level: 'overdue' })).toEqual([
      { department: 'DRC', stage: 'S2', level: 'overdue', count: 1 },
      { department: 'NRP', stage: 'S1', level: 'overdue', count: 1 },
    ]);
    await projectApplication(
      batch(applicationRow('B5', { seq: 1 }), {
        matters: [
          matterRow('B5', 'SD01', { department: 'NRP', stage: null, level: 'overdue', overdueSince: '2026-01-19T00:00:00.000+08:00', dueOn: '2026-01-18', dueAt: '2026-01-19T00:00:00.000+08:00' }),
          matterRow('B5', 'SD02', { department: 'NRP', stage: null, level: 'overdue', overdueSince: '2026-01-19T00:00:00.000+08:00', dueOn: '2026-01-18', dueAt: '2026-01-19T00:00:00.000+08:00' }),
        ],
        events: [eventRow('B5', 1, { kind: 'submitted' })],
      }),
    );
    expect(await alertsSummary(db.pool, { department: 'NRP' })).toEqual([
      { department: 'NRP', stage: 'S1', level: 'overdue', count: 1 },
      { department: 'NRP', stage: null, level: 'overdue', count: 2 },
    ]);
    await expect(alertsSummary(db.pool, { level: 'red' as never })).rejects.toBeInstanceOf(InvalidQueryError);
  });
});
