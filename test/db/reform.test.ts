import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ProjectionDelta, type ProjectionBatch } from '../../domain/projection';
import { creditRecords, hasCreditRecord } from '../../readmodel/credit';
import { createDelegation, delegatingTo, delegationsOf, isDelegateFor, revokeDelegation } from '../../readmodel/delegations';
import { officerFigures } from '../../readmodel/figures';
import { alerts, alertsQuery, alertsSummary, inbox, inboxQuery, OPEN_TASK_SQL, scorecards, TASK_ALERT_SQL, type InboxQuery } from '../../readmodel/queries';
import { writeProjection } from '../../readmodel/writer';
import { writerDatabase } from '../helpers/postgres';
import { applicant, officer, start, type Run } from '../unit/engine/driver';
import { applicationRow, batch, eventRow, matterRow, taskRow } from './factories';

// The read model of issue 12's reform instruments, on real PostgreSQL: the rows the engine's own
// batches project (a commitment's verification, a joint matter's opinions, assignees, credit
// records), the inbox of a department and of one officer with delegations, late tasks among the
// alerts, a head's figures and the scorecards' new columns. Dates are counted on the 2026 calendar
// (清明 4–6 Apr, 劳动节 1–5 May with the make-up Saturday 9 May).

const fixture = writerDatabase();
const at = (date: string, time = '00:00:00') => `${date}T${time}.000+08:00`;

/** Writes every batch the engine hands over since the last one (deltas after the first), as the workflow does. */
async function project(run: Run): Promise<ProjectionBatch> {
  const b = run.nextProjection();
  await fixture.project(JSON.parse(JSON.stringify(b)));
  return b;
}

async function tasksOf(applicationId: string) {
  const { rows } = await fixture.db.pool.query(
    `SELECT matter, kind, department, assignee, round, due_on::text AS due_on, level, status, outcome, on_time,
            to_char(overdue_since AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS overdue_on
     FROM tasks WHERE application_id = $1 ORDER BY matter, kind, department`,
    [applicationId],
  );
  return rows;
}


describe('projection of the reform instruments from the engine’s batches', () => {
  it('projects a commitment’s verification as a DRC task that levels, appears among the alerts when late, is done when found false, and records the credit entry once', async () => {
    const run = start('2026-03-02T09:00:00+08:00', {
      applicationId: 'app-reform-commit',
      commitments: [{ matter: 'LY06', statement: '本单位承诺项目能效达到先进值' }],
    });
    await project(run);
    expect(await tasksOf('app-reform-commit')).toEqual([]);

    run.perform('claimMatter', { actor: officer('DRC'), matter: 'LY06' });
    run.approve('LY06', '2026-03-03T10:00:00+08:00');
    const delta = await project(run);
    expect(delta.complete).toBe(false);
    expect(delta.taskMatters).toEqual(expect.arrayContaining(['LY06']));
    // 30 working days from 3 Mar, across 清明: due 15 Apr. The verification follows the matter's assignee.
    expect(await tasksOf('app-reform-commit')).toEqual([
      { matter: 'LY06', kind: 'verification', department: 'DRC', assignee: 'officer-drc', round: null, due_on: '2026-04-15', level: 'normal', status: 'open', outcome: null, on_time: null, overdue_on: null },
    ]);
    const assignee = await fixture.db.pool.query(`SELECT code, assignee FROM matters WHERE application_id = 'app-reform-commit' AND assignee IS NOT NULL`);
    expect(assignee.rows).toEqual([{ code: 'LY06', assignee: 'officer-drc' }]);

    // An unrelated step carries no task rows: the verification's row is not sent again.
    run.approve('LY01', '2026-03-04T10:00:00+08:00');
    const unrelated = await project(run);
    expect(unrelated.tasks).toEqual([]);

    // Overdue when 15 Apr ends, the department head's on the first working day after (17 Apr).
    run.passUntil('2026-04-17T10:00:00+08:00');
    await project(run);
    expect(await tasksOf('app-reform-commit')).toEqual([expect.objectContaining({ level: 'departmentHead', status: 'open', overdue_on: '2026-04-16' })]);
    const late = await alerts(fixture.db.pool, { limit: 50, department: 'DRC' });
    expect(late.items.filter((a) => a.applicationId === 'app-reform-commit' && a.kind === 'verification')).toEqual([
      expect.objectContaining({ code: 'LY06', department: 'DRC', level: 'departmentHead', dueOn: '2026-04-15', overdueSince: at('2026-04-16') }),
    ]);
    const counts = await alertsSummary(fixture.db.pool, { department: 'DRC' });
    expect(counts).toContainEqual({ department: 'DRC', stage: 'S1', level: 'departmentHead', count: expect.any(Number) });

    run.perform('verifyCommitment', { actor: officer('DRC'), matter: 'LY06', outcome: 'false', reason: '现场核查：实际能效低于承诺值' }, '2026-04-20T10:00:00+08:00');
    const found = await project(run);
    expect(await tasksOf('app-reform-commit')).toEqual([expect.objectContaining({ status: 'done', outcome: 'false', on_time: false })]);
    expect(await hasCreditRecord(fixture.db.pool, 'ent-001')).toBe(true);
    expect(await hasCreditRecord(fixture.db.pool, 'ent-other')).toBe(false);

    // A retried batch records nothing twice.
    await writeProjection(fixture.db.pool, JSON.parse(JSON.stringify(found)));
    const records = await creditRecords(fixture.db.pool, { applicant: 'ent-001', limit: 10 });
    expect(records).toEqual({
      items: [
        {
          applicationId: 'app-reform-commit',
          seq: expect.any(Number),
          applicantId: 'ent-001',
          applicantName: '浏阳市教育投资有限公司',
          kind: 'falseCommitment',
          matter: 'LY06',
          department: 'DRC',
          reason: '现场核查：实际能效低于承诺值',
          at: at('2026-04-20', '10:00:00'),
        },
      ],
      next: null,
    });

    // Scorecards of April: DRC concluded one verification late and had one result revoked.
    const [drc] = await scorecards(fixture.db.pool, { from: '2026-04-01', to: '2026-04-30', department: 'DRC' });
    expect(drc).toMatchObject({ department: 'DRC', verificationsOnTime: 0, verificationsLate: 1, revocations: 1 });

    // A rebuild (the workflow's complete batch, the stored rows deleted first) gives the same rows and keeps the one credit record.
    const before = await tasksOf('app-reform-commit');
    await fixture.db.pool.query(`DELETE FROM applications WHERE application_id = 'app-reform-commit'`);
    expect(await tasksOf('app-reform-commit')).toEqual([]);
    await writeProjection(fixture.db.pool, JSON.parse(JSON.stringify(run.fullProjection())));
    expect(await tasksOf('app-reform-commit')).toEqual(before);
    expect((await creditRecords(fixture.db.pool, { applicant: 'ent-001', limit: 10 })).items).toHaveLength(1);
  });

  it('projects a joint matter’s opinions as tasks of the participants’ departments; after the rectification only the failing one’s re-inspection remains', async () => {
    const run = start('2026-04-29T09:00:00+08:00', { processCode: 'SOCIAL_REFORM', applicationId: 'app-reform-joint' });
    await project(run);
    run.approveThrough('S4');
    await project(run);
    // From acceptance on 29 Apr: MET's 4 working days end Fri 8 May, NRP's and CAD's 5 on the make-up Saturday 9 May.
    // SG07's opinions of S3 were given: done rows. JG07's are open.
    expect((await tasksOf('app-reform-joint')).filter((t) => t.matter === 'SG07').map((t) => [t.department, t.status, t.outcome])).toEqual([
      ['CAD', 'done', 'pass'],
      ['MET', 'done', 'pass'],
    ]);
    const jg07 = async () => (await tasksOf('app-reform-joint')).filter((t) => t.matter === 'JG07');
    expect(await jg07()).toEqual([
      expect.objectContaining({ matter: 'JG07', kind: 'opinion', department: 'CAD', assignee: null, round: 1, due_on: '2026-05-09', status: 'open' }),
      expect.objectContaining({ matter: 'JG07', kind: 'opinion', department: 'MET', round: 1, due_on: '2026-05-08', status: 'open' }),
      expect.objectContaining({ matter: 'JG07', kind: 'opinion', department: 'NRP', round: 1, due_on: '2026-05-09', status: 'open' }),
    ]);
    // The opinion is in the inbox of the department that owes it, not the lead's (HUD has the matter itself).
    const met = await inbox(fixture.db.pool, { department: 'MET', limit: 50 });
    expect(met.items.filter((i) => i.applicationId === 'app-reform-joint')).toEqual([
      expect.objectContaining({ kind: 'opinion', code: 'JG07', status: 'open', dueOn: '2026-05-08', assignee: null }),
    ]);
    const hud = await inbox(fixture.db.pool, { department: 'HUD', limit: 50 });
    expect(hud.items.filter((i) => i.applicationId === 'app-reform-joint' && i.code === 'JG07').map((i) => i.kind)).toEqual(['matter']);

    const opinion = (department: string, kind: 'pass' | 'fail', items: string[] = []) => ({ actor: officer(department), matter: 'JG07', opinion: kind, items, note: '' });
    run.perform('giveOpinion', opinion('NRP', 'pass'), '2026-05-07T11:00:00+08:00');
    run.perform('giveOpinion', opinion('CAD', 'fail', ['人防门安装不合格']), '2026-05-07T15:00:00+08:00');
    await project(run);
    // MET stays silent: deemed to consent when 8 May ends (silence is consent on JG07).
    run.passUntil('2026-05-11T10:00:00+08:00');
    await project(run);
    expect(await jg07()).toEqual([
      expect.objectContaining({ department: 'CAD', status: 'done', outcome: 'fail', on_time: true }),
      expect.objectContaining({ department: 'MET', status: 'done', outcome: 'deemedConsent', on_time: false }),
      expect.objectContaining({ department: 'NRP', status: 'done', outcome: 'pass', on_time: true }),
    ]);

    run.perform('submitRectification', { actor: applicant, matter: 'JG07', note: '人防门已更换' }, '2026-05-13T10:00:00+08:00');
    const delta = await project(run);
    expect(delta.complete).toBe(false);
    // Round 2: CAD re-inspects within 5 working days (14–15, 18–20 May); the others' rows are gone.
    expect(await jg07()).toEqual([expect.objectContaining({ department: 'CAD', round: 2, due_on: '2026-05-20', status: 'open', outcome: null })]);
  });

  it('carries in a delta of full batches only the tasks of matters whose tasks changed', () => {
    const run = start('2026-03-02T09:00:00+08:00', { applicationId: 'app-reform-delta', commitments: [{ matter: 'LY06', statement: '本单位承诺' }] });
    const delta = new ProjectionDelta();
    expect(delta.next(run.fullProjection()).complete).toBe(true);
    run.approve('LY06', '2026-03-03T10:00:00+08:00');
    const started = delta.next(run.fullProjection());
    expect([started.complete, started.taskMatters, started.tasks!.map((t) => [t.matter, t.kind, t.status])]).toEqual([false, ['LY06'], [['LY06', 'verification', 'open']]]);
    run.approve('LY01');
    const unrelated = delta.next(run.fullProjection());
    expect([unrelated.taskMatters, unrelated.tasks]).toEqual([[], []]);
  });

  it('spells the open and late task predicates as the task indexes do', () => {
    const migration = readFileSync(path.join(__dirname, '../../readmodel/db/migrations/006_reform.sql'), 'utf8');
    expect(migration).toContain(`WHERE ${OPEN_TASK_SQL.replace('t.', '')};`);
    expect(migration).toContain(`WHERE ${OPEN_TASK_SQL.replace('t.', '')} AND ${TASK_ALERT_SQL.replace('t.', '')};`);
  });

  it('accepts batches from before tasks and assignees existed, keeping the stored tasks', async () => {
    await writeProjection(fixture.db.pool, batch(applicationRow('app-older', { seq: 1 }), { matters: [matterRow('app-older', 'LY06')], tasks: [taskRow('app-older', 'LY06')] }));
    const { assignee: _a, ...older } = { ...matterRow('app-older', 'LY06', { status: 'approved' }), assignee: undefined };
    await writeProjection(fixture.db.pool, batch(applicationRow('app-older', { seq: 2 }), { matters: [older] }));
    expect(await tasksOf('app-older')).toEqual([expect.objectContaining({ matter: 'LY06', kind: 'verification', status: 'open' })]);
    const { rows } = await fixture.db.pool.query(`SELECT status, assignee FROM matters WHERE application_id = 'app-older'`);
    expect(rows).toEqual([{ status: 'approved', assignee: null }]);
  });
});

describe('inbox of a department and of one officer', () => {
  const due = (d: string | null) => ({ dueOn: d, dueAt: d ? at(d, '23:59:59') : null });

  async function seed() {
    await writeProjection(
      fixture.db.pool,
      batch(applicationRow('I1', { seq: 1 }), {
        matters: [
          matterRow('I1', 'LY01', { department: 'EEB', assignee: 'officer-eeb', ...due('2026-06-10') }),
          matterRow('I1', 'LY02', { department: 'EEB', assignee: 'officer-eeb-2', ...due('2026-06-12') }),
          matterRow('I1', 'LY03', { department: 'EEB', assignee: null, ...due('2026-06-11') }),
          matterRow('I1', 'LY04', { department: 'EEB', assignee: 'officer-eeb', status: 'suspended', ...due(null) }),
          matterRow('I1', 'LY05', { department: 'EEB', assignee: 'officer-eeb', status: 'approved', decision: 'approved', ...due('2026-06-01') }),
        ],
        tasks: [
          // Same due instant as LY01: sorts after it. A done task is not in any inbox.
          taskRow('I1', 'LY01', { department: 'EEB', assignee: 'officer-eeb', ...due('2026-06-10') }),
          taskRow('I1', 'LY05', { department: 'EEB', assignee: 'officer-eeb', status: 'done', outcome: 'confirmed', onTime: true, ...due('2026-06-09') }),
          taskRow('I1', 'SG07', { kind: 'opinion', department: 'EEB', round: 1, ...due('2026-06-11') }),
          taskRow('I1', 'SG07', { kind: 'opinion', department: 'CAD', round: 1, ...due('2026-06-09') }),
        ],
      }),
    );
  }

  const key = (i: { kind: string; code: string }) => `${i.kind} ${i.code}`;
  async function all(q: Omit<InboxQuery, 'limit' | 'after'>, limit: number): Promise<string[]> {
    const seen: string[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 20; pages++) {
      const p = await inbox(fixture.db.pool, { ...q, limit, ...(after ? { after } : {}) });
      seen.push(...p.items.filter((i) => i.applicationId === 'I1').map(key));
      if (!p.next) break;
      after = p.next;
    }
    return seen;
  }

  it('interleaves matters and the tasks the department owes by due instant, pages without repeats or gaps, and lists the mine view of an officer and the officers delegating to it', async () => {
    await seed();
    const department = ['matter LY01', 'verification LY01', 'matter LY03', 'opinion SG07', 'matter LY02', 'matter LY04'];
    expect(await all({ department: 'EEB' }, 50)).toEqual(department);
    for (const limit of [1, 2, 4]) expect(await all({ department: 'EEB' }, limit)).toEqual(department);
    const first = await inbox(fixture.db.pool, { department: 'EEB', limit: 50 });
    expect(first.items.filter((i) => i.applicationId === 'I1').map((i) => [i.kind, i.code, i.status, i.assignee])).toEqual([
      ['matter', 'LY01', 'inProgress', 'officer-eeb'],
      ['verification', 'LY01', 'open', 'officer-eeb'],
      ['matter', 'LY03', 'inProgress', null],
      ['opinion', 'SG07', 'open', null],
      ['matter', 'LY02', 'inProgress', 'officer-eeb-2'],
      ['matter', 'LY04', 'suspended', 'officer-eeb'],
    ]);

    expect(await all({ department: 'EEB', view: 'mine', officers: ['officer-eeb'] }, 1)).toEqual(['matter LY01', 'verification LY01', 'matter LY04']);
    expect(await all({ department: 'EEB', view: 'mine', officers: ['officer-eeb-2'] }, 50)).toEqual(['matter LY02']);
    // officer-eeb-2 stands in for officer-eeb: both officers' work, in one order.
    expect(await all({ department: 'EEB', view: 'mine', officers: ['officer-eeb-2', 'officer-eeb'] }, 2)).toEqual(['matter LY01', 'verification LY01', 'matter LY02', 'matter LY04']);
    // A cursor of the department view (three parts, before tasks existed) still reads.
    const old = Buffer.from(JSON.stringify(['2026-06-10T23:59:59+08:00', 'I1', 'LY01'])).toString('base64url');
    expect((await inbox(fixture.db.pool, { department: 'EEB', limit: 1, after: old })).items.map(key)).toEqual(['verification LY01']);
  });

  it('names the delegating officers only on the delegation’s dates and until it is revoked', async () => {
    const pool = fixture.db.pool;
    const d = await createDelegation(pool, { officer: 'officer-drc', delegate: 'officer-drc-2', department: 'DRC', from: '2026-06-15', until: '2026-06-21', reason: '出差' });
    expect(d).toMatchObject({ officer: 'officer-drc', delegate: 'officer-drc-2', department: 'DRC', from: '2026-06-15', until: '2026-06-21', reason: '出差', revokedAt: null });
    expect(await delegatingTo(pool, 'officer-drc-2', '2026-06-14')).toEqual([]);
    expect(await delegatingTo(pool, 'officer-drc-2', '2026-06-15')).toEqual(['officer-drc']);
    expect(await delegatingTo(pool, 'officer-drc-2', '2026-06-21')).toEqual(['officer-drc']);
    expect(await delegatingTo(pool, 'officer-drc-2', '2026-06-22')).toEqual([]);
    expect(await isDelegateFor(pool, 'officer-drc-2', 'officer-drc', '2026-06-18')).toBe(true);
    expect(await isDelegateFor(pool, 'officer-drc', 'officer-drc-2', '2026-06-18')).toBe(false);

    expect(await revokeDelegation(pool, 'officer-drc-2', d.id)).toBe('notOwn');
    expect(await revokeDelegation(pool, 'officer-drc', '999999')).toBe('notFound');
    expect(await revokeDelegation(pool, 'officer-drc', d.id)).toBe('revoked');
    expect(await isDelegateFor(pool, 'officer-drc-2', 'officer-drc', '2026-06-18')).toBe(false);
    // The row stays: the audit of who could act when.
    const { given, received } = await delegationsOf(pool, 'officer-drc');
    expect(given).toEqual([expect.objectContaining({ id: d.id, revokedAt: expect.stringMatching(/\+08:00$/) })]);
    expect(received).toEqual([]);
    expect((await delegationsOf(pool, 'officer-drc-2')).received).toEqual([expect.objectContaining({ id: d.id })]);
  });

  it('serves each half of the inbox and the alerts from its own index', async () => {
    const client = await fixture.db.pool.connect();
    try {
      await client.query('BEGIN');
      // The tables are tiny: forbid the sequential scan the planner would rather do, to see which indexes it can use.
      await client.query('SET LOCAL enable_seqscan = off');
      const plan = async (q: { text: string; values: unknown[] }) =>
        (await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${q.text}`, q.values)).rows.map((r) => r['QUERY PLAN']).join('\n');
      const department = await plan(inboxQuery({ department: 'EEB', limit: 50 }));
      expect(department).toMatch(/matters_inbox/);
      expect(department).toMatch(/tasks_inbox/);
      const mine = await plan(inboxQuery({ department: 'EEB', view: 'mine', officers: ['officer-eeb'], limit: 50 }));
      expect(mine).toMatch(/matters_mine/);
      // Either task index serves it (tasks_mine, or tasks_inbox filtered on assignee): never the whole table.
      expect(mine).toMatch(/Index Scan using tasks_(mine|inbox)/);
      const deep = (await inbox(fixture.db.pool, { department: 'EEB', limit: 1 })).next!;
      expect(await plan(inboxQuery({ department: 'EEB', limit: 50, after: deep }))).toMatch(/tasks_inbox/);
      const alertPlan = await plan(alertsQuery({ limit: 50 }));
      expect(alertPlan).toMatch(/matters_alerts/);
      expect(alertPlan).toMatch(/tasks_alerts/);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
  });
});

describe('a head’s figures of the department’s officers', () => {
  it('counts each officer’s open, decided, on-time and overdue work in the period and the median working days used', async () => {
    const decided = (code: string, assignee: string, decidedAt: string, used: number, onTime: boolean) =>
      matterRow('F1', code, { department: 'HUD', assignee, status: 'approved', decision: 'approved', decidedAt, workingDaysUsed: used, onTime, timeLimitDays: 10 });
    await writeProjection(
      fixture.db.pool,
      batch(applicationRow('F1', { seq: 1 }), {
        matters: [
          decided('D1', 'officer-hud', at('2026-05-06', '10:00:00'), 4, true),
          decided('D2', 'officer-hud', at('2026-05-20', '10:00:00'), 9, true),
          decided('D3', 'officer-hud', at('2026-05-28', '10:00:00'), 12, false),
          // Outside the period: counted in neither.
          decided('D4', 'officer-hud', at('2026-06-01', '00:00:00'), 1, true),
          matterRow('F1', 'O1', { department: 'HUD', assignee: 'officer-hud', level: 'overdue' }),
          matterRow('F1', 'O2', { department: 'HUD', assignee: 'officer-hud-2', level: 'warning' }),
          matterRow('F1', 'O3', { department: 'HUD', assignee: null }),
          // Another department's matter with a namesake assignee is not HUD's figure.
          matterRow('F1', 'X1', { department: 'EEB', assignee: 'officer-hud' }),
        ],
      }),
    );
    const figures = await officerFigures(fixture.db.pool, {
      department: 'HUD',
      officers: [{ id: 'head-hud', name: '住建局科长' }, { id: 'officer-hud' }, { id: 'officer-hud-2' }],
      from: '2026-05-01',
      to: '2026-05-31',
    });
    expect(figures).toEqual([
      { officer: 'head-hud', name: '住建局科长', assignedOpen: 0, decided: 0, decidedOnTime: 0, overdueOpen: 0, medianWorkingDaysUsed: null },
      { officer: 'officer-hud', name: null, assignedOpen: 1, decided: 3, decidedOnTime: 2, overdueOpen: 1, medianWorkingDaysUsed: 9 },
      { officer: 'officer-hud-2', name: null, assignedOpen: 1, decided: 0, decidedOnTime: 0, overdueOpen: 0, medianWorkingDaysUsed: null },
    ]);
  });
});

describe('scorecards of verifications and revocations', () => {
  it('counts verifications concluded in the period on time and late, and revoked results, per department', async () => {
    await writeProjection(
      fixture.db.pool,
      batch(applicationRow('S1', { seq: 3 }), {
        matters: [matterRow('S1', 'GC03', { department: 'MET' }), matterRow('S1', 'SG06', { department: 'MET' })],
        tasks: [
          taskRow('S1', 'GC03', { department: 'MET', status: 'done', outcome: 'confirmed', onTime: true, doneAt: at('2026-07-02', '10:00:00') }),
          taskRow('S1', 'SG06', { department: 'MET', status: 'done', outcome: 'false', onTime: false, doneAt: at('2026-07-03', '10:00:00') }),
        ],
        events: [
          eventRow('S1', 1, { kind: 'resultRevoked', matter: 'SG06', at: at('2026-07-03', '10:00:00') }),
          eventRow('S1', 2, { kind: 'creditRecorded', matter: 'SG06', at: at('2026-07-03', '10:00:00'), data: { applicant: 'ent-009', applicantName: '某公司', kind: 'falseCommitment' } }),
          eventRow('S1', 3, { kind: 'commitmentFalse', matter: 'SG06', at: at('2026-07-03', '10:00:00') }),
        ],
      }),
    );
    expect(await scorecards(fixture.db.pool, { from: '2026-07-01', to: '2026-07-31', department: 'MET' })).toEqual([
      expect.objectContaining({ department: 'MET', decided: 0, verificationsOnTime: 1, verificationsLate: 1, revocations: 1 }),
    ]);
    expect(await scorecards(fixture.db.pool, { from: '2026-08-01', to: '2026-08-31', department: 'MET' })).toEqual([]);
    expect((await creditRecords(fixture.db.pool, { applicant: 'ent-009', limit: 5 })).items).toEqual([expect.objectContaining({ matter: 'SG06', department: 'MET' })]);
    // All applicants' records, newest first, a page at a time.
    const first = await creditRecords(fixture.db.pool, { limit: 1 });
    expect(first.items.map((r) => r.applicantId)).toEqual(['ent-009']);
    expect((await creditRecords(fixture.db.pool, { limit: 1, after: first.next! })).items.map((r) => r.applicantId)).toEqual(['ent-001']);
  });
});
