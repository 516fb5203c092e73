import { describe, expect, it } from 'vitest';
import { InvalidProjectionBatchError, PROJECTION_CHANNEL, RefusedProjectionBatchError } from '../../readmodel/writer';
import { createProjectionActivities } from '../../worker/activities';
import { auditTrail } from '../../readmodel/queries';
import { parseAllowlist } from '../../readmodel/destinations';
import { createSubscription } from '../../readmodel/webhooks';
import { writerDatabase } from '../helpers/postgres';
import { applicationRow, batch, eventRow, eventRows, matterRow, serviceRow } from './factories';

const fixture = writerDatabase();
/** Subscriptions here point at loopback and see every application (as an admin's do). */
const LOOPBACK = { allowlist: parseAllowlist('127.0.0.1/32') };
const project = (batch: Parameters<typeof fixture.project>[0]) => fixture.project(batch);

/** Everything stored about one application, to compare before and after a write. */
async function stateOf(applicationId: string) {
  const q = async (sql: string) => (await fixture.db.pool.query(sql, [applicationId])).rows;
  return {
    application: await q('SELECT * FROM applications WHERE application_id = $1'),
    matters: await q('SELECT * FROM matters WHERE application_id = $1 ORDER BY code'),
    services: await q('SELECT * FROM services WHERE application_id = $1 ORDER BY contract_id'),
    events: await q('SELECT * FROM events WHERE application_id = $1 ORDER BY seq'),
    outbox: await q(`SELECT * FROM webhook_outbox WHERE event_key LIKE $1 || ':%' ORDER BY id`),
  };
}

describe('projectApplication', () => {
  it('stores a first batch: summary, matters, services and events', async () => {
    const id = 'A-first';
    const result = await project(
      batch(applicationRow(id, { seq: 3, currentStage: 'S1' }), {
        matters: [matterRow(id, 'LY01'), matterRow(id, 'LY02', { department: 'NRP', dueOn: null, dueAt: null })],
        services: [serviceRow(id, 'PROPOSAL_DRAFTING')],
        events: eventRows(id, 1, 3),
      }),
    );
    expect(result).toEqual({ applied: true });
    const state = await stateOf(id);
    expect(state.application).toHaveLength(1);
    expect(state.application[0]).toMatchObject({ seq: 3, process_code: 'GOV_INVESTMENT', current_stage: 'S1' });
    expect(state.matters.map((m) => [m.code, m.department, m.process_code])).toEqual([
      ['LY01', 'DRC', 'GOV_INVESTMENT'],
      ['LY02', 'NRP', 'GOV_INVESTMENT'],
    ]);
    expect(state.matters[0]!.due_on).toBeInstanceOf(Date);
    expect(state.services).toHaveLength(1);
    expect(state.services[0]).toMatchObject({ contract_id: 'PROPOSAL_DRAFTING', matters: ['LY01'] });
    expect(state.events.map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it('replaces summary, matters and services with a batch of a newer seq and appends its events', async () => {
    const id = 'A-newer';
    await project(
      batch(applicationRow(id, { seq: 2 }), {
        matters: [matterRow(id, 'LY01'), matterRow(id, 'LY02')],
        services: [serviceRow(id, 'PROPOSAL_DRAFTING')],
        events: eventRows(id, 1, 2),
      }),
    );
    const result = await project(
      batch(applicationRow(id, { seq: 4, currentStage: 'S2' }), {
        matters: [matterRow(id, 'LY01', { status: 'approved', decision: 'approved', decidedAt: '2026-01-08T10:00:00.000+08:00', onTime: true })],
        events: eventRows(id, 3, 4),
      }),
    );
    expect(result).toEqual({ applied: true });
    const state = await stateOf(id);
    expect(state.application[0]).toMatchObject({ seq: 4, current_stage: 'S2' });
    expect(state.matters.map((m) => [m.code, m.status, m.on_time])).toEqual([['LY01', 'approved', true]]);
    expect(state.services).toEqual([]);
    expect(state.events.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
  });

  it('rewrites only the matters whose values changed', async () => {
    const id = 'A-diff';
    const matters = [matterRow(id, 'LY01'), matterRow(id, 'LY02'), matterRow(id, 'LY03')];
    await project(batch(applicationRow(id, { seq: 1 }), { matters }));
    const versions = async () =>
      Object.fromEntries(
        (await fixture.db.pool.query<{ code: string; xmin: string }>('SELECT code, xmin::text FROM matters WHERE application_id = $1', [id])).rows.map((r) => [r.code, r.xmin]),
      );
    const before = await versions();
    await project(batch(applicationRow(id, { seq: 2 }), { matters: [matters[0]!, { ...matters[1]!, level: 'warning' }] }));
    const after = await versions();
    expect(after.LY01).toBe(before.LY01);
    expect(after.LY02).not.toBe(before.LY02);
    expect(Object.keys(after).sort()).toEqual(['LY01', 'LY02']);
  });

  it('applies a delta batch to the rows it carries and keeps every other row', async () => {
    const id = 'A-delta';
    await project(batch(applicationRow(id, { seq: 2 }), { matters: [matterRow(id, 'LY01'), matterRow(id, 'LY04')], services: [serviceRow(id, 'EIA_REPORT')] }));
    const delta = { ...batch(applicationRow(id, { seq: 3 }), { matters: [matterRow(id, 'LY01', { status: 'approved' })] }), complete: false };
    expect(await project(delta)).toEqual({ applied: true });
    const after = await stateOf(id);
    expect(after.matters.map((m) => [m.code, m.status])).toEqual([['LY01', 'approved'], ['LY04', 'inProgress']]);
    expect(after.services.map((x) => x.contract_id)).toEqual(['EIA_REPORT']);
  });

  it('stores the department of the matter an event is about', async () => {
    const id = 'A-dept';
    await project(
      batch(applicationRow(id, { seq: 2 }), {
        matters: [matterRow(id, 'GH01', { department: 'NRP' })],
        events: [eventRow(id, 1, { kind: 'submitted' }), eventRow(id, 2, { kind: 'urged', matter: 'GH01' })],
      }),
    );
    const { rows } = await fixture.db.pool.query('SELECT seq, department FROM events WHERE application_id = $1 ORDER BY seq', [id]);
    expect(rows).toEqual([
      { seq: 1, department: null },
      { seq: 2, department: 'NRP' },
    ]);
  });

  it('ignores a replayed batch and an older one, leaving every row as it was', async () => {
    const id = 'A-replay';
    await createSubscription(fixture.db.pool, { clientId: 'integrator-1', url: 'http://127.0.0.1:9/hook', eventTypes: ['*'], scopeAll: true }, LOOPBACK);
    const old = batch(applicationRow(id, { seq: 2, status: 'running' }), { matters: [matterRow(id, 'LY01')], events: eventRows(id, 1, 2) });
    const current = batch(applicationRow(id, { seq: 5, status: 'completed' }), {
      matters: [matterRow(id, 'LY01', { status: 'approved' })],
      events: eventRows(id, 3, 5),
    });
    await project(old);
    await project(current);
    const before = await stateOf(id);
    expect(before.outbox).toHaveLength(5);

    expect(await project(current)).toEqual({ applied: false });
    expect(await project(old)).toEqual({ applied: false });
    expect(await project(batch(applicationRow(id, { seq: 5, status: 'running' }), { matters: [] }))).toEqual({ applied: false });

    expect(await stateOf(id)).toEqual(before);
  });

  it('never stores an event twice, even when batches overlap', async () => {
    const id = 'A-overlap';
    await project(batch(applicationRow(id, { seq: 3 }), { events: eventRows(id, 1, 3) }));
    await project(batch(applicationRow(id, { seq: 6 }), { events: eventRows(id, 2, 6) }));
    const trail = await auditTrail(fixture.db.pool, id);
    expect(trail.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('fills in the events of a late batch without touching the newer summary', async () => {
    const id = 'A-late';
    // Batch 1..3 is delayed; the workflow's next batch (4..5) arrives first.
    const late = batch(applicationRow(id, { seq: 3, status: 'running' }), { matters: [matterRow(id, 'LY01')], events: eventRows(id, 1, 3) });
    const newer = batch(applicationRow(id, { seq: 5, status: 'completed' }), {
      matters: [matterRow(id, 'LY01', { status: 'approved' })],
      events: eventRows(id, 4, 5),
    });
    expect(await project(newer)).toEqual({ applied: true });
    expect(await project(late)).toEqual({ applied: false });
    const state = await stateOf(id);
    expect(state.application[0]).toMatchObject({ seq: 5, status: 'completed' });
    expect(state.matters.map((m) => m.status)).toEqual(['approved']);
    expect(state.events.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it('queues each new event once for every active subscription to its kind', async () => {
    const urges = await createSubscription(fixture.db.pool, { clientId: 'integrator-2', url: 'http://127.0.0.1:9/urges', eventTypes: ['urged'], scopeAll: true }, LOOPBACK);
    const inactive = await createSubscription(fixture.db.pool, { clientId: 'integrator-3', url: 'http://127.0.0.1:9/off', eventTypes: ['urged'], scopeAll: true }, LOOPBACK);
    await fixture.db.pool.query('UPDATE webhook_subscriptions SET active = false WHERE id = $1', [inactive.id]);
    const id = 'A-outbox';
    const b = batch(applicationRow(id, { seq: 3 }), {
      matters: [matterRow(id, 'LY01')],
      events: [
        eventRow(id, 1, { kind: 'submitted' }),
        eventRow(id, 2, { kind: 'urged', matter: 'LY01', actor: 'sup-1', reason: '请加快办理' }),
        eventRow(id, 3, { kind: 'urged', matter: 'LY01', actor: 'sup-1' }),
      ],
    });
    await project(b);
    await project(b);
    const { rows } = await fixture.db.pool.query<{ subscription_id: string; event_key: string; body: Record<string, unknown> }>(
      `SELECT subscription_id, event_key, body FROM webhook_outbox WHERE event_key LIKE 'A-outbox:%' ORDER BY subscription_id, event_key`,
    );
    const bySubscription = (sid: string) => rows.filter((r) => r.subscription_id === sid).map((r) => r.event_key);
    expect(bySubscription(urges.id)).toEqual(['A-outbox:2', 'A-outbox:3']);
    expect(bySubscription(inactive.id)).toEqual([]);
    expect(rows.find((r) => r.event_key === 'A-outbox:2' && r.subscription_id === urges.id)!.body).toEqual({
      id: 'A-outbox:2',
      type: 'urged',
      applicationId: id,
      seq: 2,
      at: '2026-01-05T09:02:00.000+08:00',
      actor: 'sup-1',
      matter: 'LY01',
      stage: null,
      reason: '请加快办理',
      data: null,
    });
  });

  it('is safe to call concurrently: many applications at once, and the same batch racing itself', async () => {
    const many = Array.from({ length: 30 }, (_, i) => {
      const id = `A-conc-${i}`;
      return batch(applicationRow(id, { seq: 2 }), { matters: [matterRow(id, 'LY01'), matterRow(id, 'LY02')], events: eventRows(id, 1, 2) });
    });
    const results = await Promise.all(many.map((b) => project(b)));
    expect(results.every((r) => r.applied)).toBe(true);

    const id = 'A-race';
    const same = batch(applicationRow(id, { seq: 4 }), { matters: [matterRow(id, 'LY01')], events: eventRows(id, 1, 4) });
    const raced = await Promise.all(Array.from({ length: 8 }, () => project(same)));
    expect(raced.filter((r) => r.applied)).toHaveLength(1);
    const state = await stateOf(id);
    expect(state.matters).toHaveLength(1);
    expect(state.events).toHaveLength(4);

    const { rows } = await fixture.db.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM matters WHERE application_id LIKE 'A-conc-%'`);
    expect(rows[0]!.n).toBe(60);
  });

  it('refuses a batch holding rows of another application or a matter twice', async () => {
    const b = batch(applicationRow('A-bad', { seq: 1 }), { matters: [matterRow('A-other', 'LY01')] });
    await expect(project(b)).rejects.toBeInstanceOf(InvalidProjectionBatchError);
    const { rows } = await fixture.db.pool.query(`SELECT 1 FROM applications WHERE application_id = 'A-bad'`);
    expect(rows).toEqual([]);
    const twice = batch(applicationRow('A-bad', { seq: 1 }), { matters: [matterRow('A-bad', 'LY01'), matterRow('A-bad', 'LY01')] });
    await expect(project(twice)).rejects.toThrow(/LY01 twice/);
  });
});

/** The read model never wedges: what PostgreSQL would refuse is made safe, or recorded and skipped. */
describe('the projection writer and hostile content', () => {
  it('stores a batch whose texts carry NUL and lone surrogates, with those characters made safe', async () => {
    const id = 'A-nul';
    const r = await project(
      batch(applicationRow(id, { projectName: '新\u0000校区\ud800', seq: 1 }), {
        matters: [matterRow(id, 'LY01')],
        events: [eventRow(id, 1, { reason: '理由\u0000', data: { note: 'a\u0000b', nested: ['\udfff'] } })],
      }),
    );
    expect(r.applied).toBe(true);
    const app = (await fixture.db.pool.query('SELECT project_name FROM applications WHERE application_id = $1', [id])).rows[0];
    expect(app.project_name).toBe('新校区\ufffd');
    const ev = (await fixture.db.pool.query('SELECT reason, data FROM events WHERE application_id = $1', [id])).rows[0];
    expect(ev).toEqual({ reason: '理由', data: { note: 'ab', nested: ['\ufffd'] } });
  });

  it('records a batch PostgreSQL refuses for its content and refuses it for good, then takes the next batch', async () => {
    const id = 'A-refused';
    const bad = batch(applicationRow(id, { seq: 2 }), { matters: [matterRow(id, 'LY01')], events: [eventRow(id, 1), eventRow(id, 2, { at: 'not a time' })] });
    const error = await project(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RefusedProjectionBatchError);
    // The workflow's retry policy names this type as non-retryable: the batch is not retried for ever.
    expect((error as Error).name).toBe(InvalidProjectionBatchError.name);
    const refusals = (await fixture.db.pool.query('SELECT seq, sqlstate, repaired_at FROM projection_refusals WHERE application_id = $1', [id])).rows;
    expect(refusals).toEqual([{ seq: 2, sqlstate: '22007', repaired_at: null }]);
    // Nothing of the refused batch was half-written.
    expect((await fixture.db.pool.query('SELECT count(*)::int AS n FROM applications WHERE application_id = $1', [id])).rows[0].n).toBe(0);

    // The workflow's next batch after a refusal carries every row again.
    const next = await project(batch(applicationRow(id, { seq: 3, status: 'withdrawn' }), { matters: [matterRow(id, 'LY01', { status: 'cancelled' })], events: [eventRow(id, 3)] }));
    expect(next.applied).toBe(true);
    const row = (await fixture.db.pool.query('SELECT status FROM applications WHERE application_id = $1', [id])).rows[0];
    expect(row.status).toBe('withdrawn');
  });

  it('announces on commit each batch that changed something, with the seq the row then holds, and nothing else', async () => {
    const listener = await fixture.db.pool.connect();
    const notices: unknown[] = [];
    listener.on('notification', (n) => {
      if (n.channel === PROJECTION_CHANNEL) notices.push(JSON.parse(n.payload ?? 'null'));
    });
    await listener.query(`LISTEN ${PROJECTION_CHANNEL}`);
    // A round trip on the listening connection delivers whatever was notified before it.
    const received = async () => (await listener.query('SELECT 1'), notices.splice(0));
    try {
      const id = 'A-notify';
      const late = batch(applicationRow(id, { seq: 3 }), { matters: [matterRow(id, 'LY01')], events: eventRows(id, 1, 3) });
      const newer = batch(applicationRow(id, { seq: 5 }), { matters: [matterRow(id, 'LY01', { status: 'approved' })], events: eventRows(id, 4, 5) });
      await project(newer);
      expect(await received()).toEqual([{ applicationId: id, seq: 5 }]);
      // Only events were new: the seq announced is the row's, the one a read answers with.
      await project(late);
      expect(await received()).toEqual([{ applicationId: id, seq: 5 }]);
      await project(newer);
      await project(late);
      expect(await received()).toEqual([]);
      await project(batch(applicationRow('A-notify-refused', { seq: 2 }), { events: [eventRow('A-notify-refused', 1), eventRow('A-notify-refused', 2, { at: 'not a time' })] })).catch(() => undefined);
      expect(await received()).toEqual([]);
    } finally {
      listener.release(true);
    }
  });

  it('still retries when the server, not the content, is at fault', async () => {
    const broken = createProjectionActivities({
      connect: async () => {
        throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5433'), { code: 'ECONNREFUSED' });
      },
      query: async () => {
        throw new Error('must not record a refusal for an outage');
      },
    } as never);
    const error = await broken.projectApplication(batch(applicationRow('A-down'))).catch((e: unknown) => e);
    expect(error).not.toBeInstanceOf(InvalidProjectionBatchError);
    expect((error as { code: string }).code).toBe('ECONNREFUSED');
  });
});
