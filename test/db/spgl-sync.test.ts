import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeSpglFiles } from '../../readmodel/spgl/files';
import { checkTables } from '../../readmodel/spgl/check';
import { emptyTables, TABLES, type SpglRow, type SpglTableName, type SpglTables } from '../../readmodel/spgl/standard';
import { changesSince, CORRECTION_REASON, exchangeLog, heldBackReason, MATTER_REFUSED_REASON, recordReceipts, syncApplication, syncPending, SPGL_TABLE_NAMES, type SpglScope } from '../../readmodel/spgl/store';
import { writerDatabase } from '../helpers/postgres';
import { officer } from '../unit/engine/driver';
import { scripted, STEPS } from './spgl-scenario';

const fixture = writerDatabase();
const ALL: SpglScope = { kind: 'all' };
const REGION = '430181';

/** A clock the test moves: each sync is stamped at the instant given. */
const at = (iso: string) => () => Date.parse(iso);

/** Every offered row of every table changed after `since`, as the platform would pull them page by page. */
async function pullAll(since?: number, scope: SpglScope = ALL): Promise<SpglTables> {
  const tables = emptyTables();
  for (const table of SPGL_TABLE_NAMES) {
    let after: string | undefined;
    do {
      const page = await changesSince(fixture.db.pool, table, { since, after, limit: 7 }, scope);
      tables[table].push(...page.items);
      after = page.next ?? undefined;
    } while (after);
  }
  return tables;
}

const counts = (tables: SpglTables) => Object.fromEntries(SPGL_TABLE_NAMES.map((t) => [t, tables[t].length]).filter(([, n]) => n)) as Record<SpglTableName, number>;
const rowsOf = (tables: SpglTables, app: string) => {
  const out = emptyTables();
  for (const t of SPGL_TABLE_NAMES) out[t] = tables[t].filter((r) => String(r.DFSJZJ).startsWith(`${app}/`) || r.DFSJZJ === app);
  return out;
};

/** Replaces the applicant's name in the read model's state, as a faulty projection (or a later fix) would; the seq moves. */
async function setApplicantName(applicationId: string, name: string): Promise<void> {
  const { rows } = await fixture.db.pool.query<{ state: any }>('SELECT state FROM applications WHERE application_id = $1', [applicationId]);
  const state = rows[0]!.state;
  state.input.applicant.name = name;
  await fixture.db.pool.query('UPDATE applications SET state = $2::json, seq = seq + 1 WHERE application_id = $1', [applicationId, JSON.stringify(state)]);
}

/** Replaces the project's name in the read model's state, as a faulty projection (or a later fix) would; the seq moves. */
async function setProjectName(applicationId: string, name: string): Promise<void> {
  const { rows } = await fixture.db.pool.query<{ state: any }>('SELECT state FROM applications WHERE application_id = $1', [applicationId]);
  const state = rows[0]!.state;
  state.input.projectName = name;
  await fixture.db.pool.query('UPDATE applications SET state = $2::json, seq = seq + 1 WHERE application_id = $1', [applicationId, JSON.stringify(state)]);
}

/** Gives a matter an extension of some days in the read model's state, as a faulty projection (or a later fix) would; the seq moves. */
async function setExtension(applicationId: string, matter: string, days: number): Promise<void> {
  const { rows } = await fixture.db.pool.query<{ state: any }>("SELECT state FROM matters WHERE application_id = $1 AND state->>'code' = $2", [applicationId, matter]);
  const state = rows[0]!.state;
  state.extension = { days, approvedBy: 'officer officer-eeb (EEB)', reason: '补充论证', at: Date.parse('2026-03-06T02:00:00Z') };
  await fixture.db.pool.query("UPDATE matters SET state = $3::json WHERE application_id = $1 AND state->>'code' = $2", [applicationId, matter, JSON.stringify(state)]);
  await fixture.db.pool.query('UPDATE applications SET seq = seq + 1 WHERE application_id = $1', [applicationId]);
}

describe('the SPGL exchange: incremental export, corrections, refusals and the log', () => {
  it('exports the full scenario once, every pulled row passes the checker, and a second sync without change sends nothing', async () => {
    await scripted(fixture, 'app-sync-1');
    const first = await syncApplication(fixture.db.pool, 'app-sync-1', { regionCode: REGION, clock: at('2026-04-11T08:00:00Z') });
    expect(first).toMatchObject({ corrected: 0, refused: 0, resent: 0, withdrawn: 0, findings: [] });

    const pulled = await pullAll();
    expect(checkTables(pulled)).toEqual([]);
    expect(counts(pulled)).toEqual({
      DFXMSPLCXXB: 1,
      DFXMSPLCJDXXB: 5,
      DFXMSPLCJDSXXXB: 27,
      XMJBXXB: 1,
      XMDWXXB: 1,
      XMSPSXBLXXB: 13,
      XMSPSXBLXXXXB: 35,
      XMSPSXPFWJXXB: 7,
      XMSPSXBLTBCXXXB: 1,
      ZJFWSXBLXXB: 2,
      ZJFWSXBLGCXXB: 7,
    });
    expect(first!.sent).toBe(Object.values(counts(pulled)).reduce((a, b) => a + b, 0));
    // Stored rows carry the sync's instant as GXSJ, and are valid.
    for (const t of SPGL_TABLE_NAMES) for (const r of pulled[t]) expect([r.GXSJ, r.SJYXBS]).toEqual(['2026-04-11 16:00:00', 1]);

    const again = await syncApplication(fixture.db.pool, 'app-sync-1', { regionCode: REGION, clock: at('2026-04-12T08:00:00Z') });
    expect(again).toMatchObject({ sent: 0, corrected: 0, refused: 0, unchanged: first!.sent });
    expect(counts(await pullAll(Date.parse('2026-04-11T08:00:00Z')))).toEqual({});
    // A second application on the same process version shares its process rows: only its own are new.
    await scripted(fixture, 'app-sync-1b', STEPS.supplementRequested);
    const second = await syncPending(fixture.db.pool, ALL, { regionCode: REGION, clock: at('2026-04-13T08:00:00Z') });
    expect(second.map((r) => r.applicationId)).toEqual(['app-sync-1b']);
    const news = await pullAll(Date.parse('2026-04-12T08:00:00Z'));
    expect(news.DFXMSPLCXXB).toEqual([]);
    expect(news.XMJBXXB.map((r) => r.DFSJZJ)).toEqual(['app-sync-1b']);
  });

  it('carries only what changed after an incremental sync; an extension is a correction that invalidates the earlier matter row', async () => {
    const run = await scripted(fixture, 'app-sync-2', STEPS.procedureStarted);
    await syncApplication(fixture.db.pool, 'app-sync-2', { regionCode: REGION, clock: at('2026-05-01T00:00:00Z') });
    const before = rowsOf(await pullAll(Date.parse('2026-04-30T00:00:00Z')), 'app-sync-2');
    const ly07 = 'app-sync-2/LY07';
    expect(before.XMSPSXBLTBCXXXB.map((r) => [r.DFSJZJ, r.TBCX, r.SJYXBS])).toEqual([[`${ly07}/stop-2`, 3, 1]]);
    const ly08 = 'app-sync-2/LY08';
    expect(before.XMSPSXBLXXB.find((r) => r.SPSXSLBM === ly08)).toMatchObject({ DFSJZJ: ly08, SXBLSX: 10 });

    // The soil-and-water plan is accepted; the department head grants LY08 five more working days; the review ends and LY07 is approved.
    await run.resume(STEPS.procedureEnded - 2);
    run.perform('extend', { actor: officer('WRB'), matter: 'LY08', days: 5, approvedBy: '水保科科长', reason: '水土保持方案需现场核实' }, '2026-04-06T10:00:00+08:00');
    await fixture.project(run.nextProjection());
    await run.resume();
    const result = await syncApplication(fixture.db.pool, 'app-sync-2', { regionCode: REGION, clock: at('2026-05-02T00:00:00Z') });
    expect(result!.findings).toEqual([]);
    const after = rowsOf(await pullAll(Date.parse('2026-05-01T00:00:00Z')), 'app-sync-2');
    const firstKeys = new Set(SPGL_TABLE_NAMES.flatMap((t) => before[t].map((r) => `${t}|${r.DFSJZJ}`)));
    // Nothing unchanged comes again: each row is new, or an earlier row invalidated by a correction.
    for (const t of SPGL_TABLE_NAMES)
      for (const r of after[t]) {
        if (firstKeys.has(`${t}|${r.DFSJZJ}`)) expect({ t, key: r.DFSJZJ, valid: r.SJYXBS, why: r.SJWXYY }).toEqual({ t, key: r.DFSJZJ, valid: 0, why: CORRECTION_REASON });
      }
    expect(after.XMDWXXB).toEqual([]);
    // The review's row did not change: its end is a new step (特别程序结束, BLZT 10), as is the approval (11).
    expect(after.XMSPSXBLTBCXXXB).toEqual([]);
    expect(after.XMSPSXBLXXXXB.filter((r) => r.SPSXSLBM === ly07).map((r) => [r.BLZT, r.BLSJ]).sort((a, b) => String(a[1]).localeCompare(String(b[1])))).toEqual([
      [10, '2026-04-08 10:00:00'],
      [11, '2026-04-10 10:00:00'],
    ]);
    // LY08's row: the earlier one invalidated (更正), the extended one valid under a new key.
    expect(after.XMSPSXBLXXB.filter((r) => r.SPSXSLBM === ly08).map((r) => [r.DFSJZJ, r.SJYXBS, r.SJWXYY, r.SXBLSX])).toEqual([
      [ly08, 0, CORRECTION_REASON, 10],
      [`${ly08}~2`, 1, null, 15],
    ]);
    expect(result!.corrected).toBe(SPGL_TABLE_NAMES.reduce((n, t) => n + after[t].filter((r) => r.SJYXBS === 0).length, 0));
    // Both pulls together are the application's whole export (its process rows came with app-sync-1's): the checker finds nothing.
    const merged: Partial<SpglTables> = {};
    for (const t of SPGL_TABLE_NAMES.filter((t) => !t.startsWith('DFXMSPLC'))) {
      const byKey = new Map<string, SpglRow>();
      for (const r of [...before[t], ...after[t]]) byKey.set(String(r.DFSJZJ), r);
      merged[t] = [...byKey.values()];
    }
    expect(checkTables(merged)).toEqual([]);
    const log = await exchangeLog(fixture.db.pool, { limit: 10, key: ly08 });
    expect(log.items.map((e) => [e.action, e.reason])).toEqual([
      ['invalidated', CORRECTION_REASON],
      ['sent', null],
    ]);
  });

  it('logs a row the checker refuses, offers it not, and re-sends it once corrected', async () => {
    await scripted(fixture, 'app-sync-3', STEPS.supplementRequested);
    await setApplicantName('app-sync-3', '');
    const refused = await syncApplication(fixture.db.pool, 'app-sync-3', { regionCode: REGION, clock: at('2026-06-01T00:00:00Z') });
    expect(refused!.refused).toBe(1);
    expect((await pullAll(Date.parse('2026-05-31T00:00:00Z'))).XMDWXXB).toEqual([]);
    const logged = await exchangeLog(fixture.db.pool, { limit: 5, key: 'app-sync-3/applicant' });
    expect(logged.items.map((e) => [e.table, e.action, e.by, e.reason])).toEqual([['XMDWXXB', 'refused', 'checker', 'required: DWMC (单位名称) is required']]);
    // Nothing moved: the next pull syncs nothing and the refusal is not logged again.
    expect(await syncPending(fixture.db.pool, ALL, { regionCode: REGION, clock: at('2026-06-01T01:00:00Z') })).toEqual([]);

    await setApplicantName('app-sync-3', '浏阳市教育投资有限公司');
    const fixed = await syncPending(fixture.db.pool, ALL, { regionCode: REGION, clock: at('2026-06-02T00:00:00Z') });
    expect(fixed.map((r) => [r.applicationId, r.resent, r.refused])).toEqual([['app-sync-3', 1, 0]]);
    expect((await pullAll(Date.parse('2026-06-01T12:00:00Z'))).XMDWXXB).toEqual([expect.objectContaining({ DFSJZJ: 'app-sync-3/applicant', DWMC: '浏阳市教育投资有限公司', SJYXBS: 1, GXSJ: '2026-06-02 08:00:00' })]);
    expect((await exchangeLog(fixture.db.pool, { limit: 5, key: 'app-sync-3/applicant' })).items.map((e) => e.action)).toEqual(['resent', 'refused']);
  });

  it('marks rows the receiver refused, keeps them back until their content changes, and scopes an integrator', async () => {
    await scripted(fixture, 'app-sync-4', STEPS.supplementRequested);
    await syncApplication(fixture.db.pool, 'app-sync-4', { regionCode: REGION, clock: at('2026-07-01T00:00:00Z') });
    const outsider: SpglScope = { kind: 'integrator', id: 'other-system', applicants: [] };
    const receipt = await recordReceipts(fixture.db.pool, 'XMDWXXB', [{ key: 'app-sync-4/applicant', reason: '统一社会信用代码校验失败' }], outsider);
    expect(receipt).toEqual({ refused: 0, unknown: ['app-sync-4/applicant'] });
    const authorised: SpglScope = { kind: 'integrator', id: 'provincial-platform', applicants: ['ent-001'] };
    expect((await changesSince(fixture.db.pool, 'XMJBXXB', { since: Date.parse('2026-06-30T00:00:00Z'), limit: 50 }, outsider)).items).toEqual([]);
    expect((await changesSince(fixture.db.pool, 'XMJBXXB', { since: Date.parse('2026-06-30T00:00:00Z'), limit: 50 }, authorised)).items.map((r) => r.DFSJZJ)).toEqual(['app-sync-4']);

    expect(await recordReceipts(fixture.db.pool, 'XMDWXXB', [{ key: 'app-sync-4/applicant', reason: '统一社会信用代码校验失败' }, { key: 'nope', reason: 'x' }], authorised)).toEqual({ refused: 1, unknown: ['nope'] });
    expect((await pullAll(Date.parse('2026-06-30T00:00:00Z'))).XMDWXXB.filter((r) => r.DFSJZJ === 'app-sync-4/applicant')).toEqual([]);
    // The same content is not offered again; a changed one is, under its key.
    await fixture.db.pool.query('UPDATE applications SET seq = seq + 1 WHERE application_id = $1', ['app-sync-4']);
    expect((await syncPending(fixture.db.pool, ALL, { regionCode: REGION, clock: at('2026-07-02T00:00:00Z') }))[0]).toMatchObject({ resent: 0 });
    await setApplicantName('app-sync-4', '浏阳市教育投资有限公司（更名）');
    expect((await syncPending(fixture.db.pool, ALL, { regionCode: REGION, clock: at('2026-07-03T00:00:00Z') }))[0]).toMatchObject({ resent: 1 });
    expect((await exchangeLog(fixture.db.pool, { limit: 5, key: 'app-sync-4/applicant' })).items.map((e) => [e.action, e.by])).toEqual([
      ['resent', null],
      ['refused', 'receiver'],
      ['sent', null],
    ]);
  });
  it('writes the offered rows as JSON lines and CSV, the header being the standard’s field names', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spgl-'));
    try {
      const written = await writeSpglFiles(fixture.db.pool, dir, { since: Date.parse('2026-04-11T00:00:00Z'), clock: at('2026-08-01T00:00:00Z') });
      expect(written.XMJBXXB).toBeGreaterThanOrEqual(4);
      for (const t of SPGL_TABLE_NAMES) {
        const lines = (await readFile(join(dir, `SPGL_${t}.jsonl`), 'utf8')).split('\n').filter(Boolean).map((l) => JSON.parse(l));
        expect(lines).toHaveLength(written[t]);
        const csv = (await readFile(join(dir, `SPGL_${t}.csv`), 'utf8')).split('\r\n').filter(Boolean);
        expect(csv[0]).toBe(TABLES[t].fields.map((f) => f.name).join(','));
        expect(csv).toHaveLength(written[t] + 1);
      }
      const withdrawn = (await readFile(join(dir, 'SPGL_XMSPSXBLXXB.csv'), 'utf8')).split('\r\n').find((l) => l.startsWith('app-sync-2/LY08,'));
      expect(withdrawn).toContain(`,0,${CORRECTION_REASON},`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('holds back the steps and special procedures of a matter whose row the checker refuses, and offers them once it passes', async () => {
    await scripted(fixture, 'app-sync-5', STEPS.supplementRequested);
    // A faulty projection gives LY07 an extension of 2.5 days: its matter row's SXBLSX is no integer.
    await setExtension('app-sync-5', 'LY07', 2.5);
    const refused = await syncApplication(fixture.db.pool, 'app-sync-5', { regionCode: REGION, clock: at('2026-09-10T00:00:00Z') });
    const ly07 = 'app-sync-5/LY07';
    expect(refused!.findings.map((f) => [f.table, f.key, f.field, f.rule])).toEqual([['XMSPSXBLXXB', ly07, 'SXBLSX', 'type']]);
    // Received, accepted, and the supplement's start (补正 6; a supplement has no special-procedure row).
    const held = ['received', 'accepted', 'stop-1-start'].map((s) => `${ly07}/${s}`);
    expect(refused!.refused).toBe(1 + held.length);
    const pulled = await pullAll(Date.parse('2026-09-09T00:00:00Z'));
    expect(pulled.XMSPSXBLXXB.filter((r) => r.SPSXSLBM === ly07)).toEqual([]);
    expect(pulled.XMSPSXBLXXXXB.filter((r) => r.SPSXSLBM === ly07)).toEqual([]);
    expect(pulled.XMSPSXBLTBCXXXB.filter((r) => r.SPSXSLBM === ly07)).toEqual([]);
    // Another matter's steps go.
    expect(pulled.XMSPSXBLXXXXB.filter((r) => r.SPSXSLBM === 'app-sync-5/LY08').length).toBeGreaterThan(0);
    for (const key of held)
      expect((await exchangeLog(fixture.db.pool, { limit: 5, key })).items.map((e) => [e.action, e.by, e.reason])).toEqual([['refused', 'checker', MATTER_REFUSED_REASON]]);

    await setExtension('app-sync-5', 'LY07', 3);
    const fixed = await syncApplication(fixture.db.pool, 'app-sync-5', { regionCode: REGION, clock: at('2026-09-11T00:00:00Z') });
    expect(fixed).toMatchObject({ findings: [], refused: 0, resent: 1 + held.length });
    const after = await pullAll(Date.parse('2026-09-10T12:00:00Z'));
    expect(after.XMSPSXBLXXB.map((r) => [r.DFSJZJ, r.SXBLSX])).toEqual([[ly07, 18]]);
    expect(after.XMSPSXBLXXXXB.map((r) => r.DFSJZJ).sort()).toEqual([...held].sort());
    expect(after.XMSPSXBLTBCXXXB).toEqual([]);
    expect((await exchangeLog(fixture.db.pool, { limit: 5, key: `${ly07}/received` })).items.map((e) => e.action)).toEqual(['resent', 'refused']);
  });

  it('holds an approval document back with its refused matter row, and keeps the row the platform holds valid while its correction is refused', async () => {
    await scripted(fixture, 'app-sync-6');
    const ly08 = 'app-sync-6/LY08';
    await setExtension('app-sync-6', 'LY08', 2.5);
    const first = await syncApplication(fixture.db.pool, 'app-sync-6', { regionCode: REGION, clock: at('2026-10-01T00:00:00Z') });
    expect(first!.findings.map((f) => [f.key, f.rule])).toEqual([[ly08, 'type']]);
    const pulled = rowsOf(await pullAll(Date.parse('2026-09-30T00:00:00Z')), 'app-sync-6');
    // The matter row, its steps and its approval document wait; the contract waiting on LY08 waits too (it names LY08), and so do its steps.
    expect(pulled.XMSPSXBLXXB.map((r) => r.SPSXSLBM)).not.toContain(ly08);
    expect(pulled.XMSPSXPFWJXXB.filter((r) => r.SPSXSLBM === ly08)).toEqual([]);
    expect((await exchangeLog(fixture.db.pool, { limit: 5, key: `${ly08}/result` })).items.map((e) => [e.action, e.by, e.reason])).toEqual([['refused', 'checker', MATTER_REFUSED_REASON]]);
    const contracts = pulled.ZJFWSXBLXXB.map((r) => r.SPSXSLBM);
    expect(contracts).not.toContain(ly08);
    const heldSteps = (await fixture.db.pool.query<{ row_key: string }>("SELECT row_key FROM spgl_rows WHERE table_name = 'ZJFWSXBLGCXXB' AND status = 'refused' AND application_id = $1", ['app-sync-6'])).rows;
    for (const { row_key } of heldSteps)
      expect((await exchangeLog(fixture.db.pool, { limit: 5, key: row_key })).items.map((e) => e.reason)).toEqual([heldBackReason('ZJFWSXBLXXB')]);

    // Fixed: everything held goes; then a later correction the checker refuses leaves the platform's row valid.
    await setExtension('app-sync-6', 'LY08', 3);
    expect(await syncApplication(fixture.db.pool, 'app-sync-6', { regionCode: REGION, clock: at('2026-10-02T00:00:00Z') })).toMatchObject({ findings: [], refused: 0 });
    expect(rowsOf(await pullAll(Date.parse('2026-10-01T12:00:00Z')), 'app-sync-6').XMSPSXPFWJXXB.map((r) => r.DFSJZJ)).toContain(`${ly08}/result`);
    await setExtension('app-sync-6', 'LY08', 4.5);
    const refusedCorrection = await syncApplication(fixture.db.pool, 'app-sync-6', { regionCode: REGION, clock: at('2026-10-03T00:00:00Z') });
    expect(refusedCorrection).toMatchObject({ corrected: 0 });
    expect(rowsOf(await pullAll(Date.parse('2026-10-02T12:00:00Z')), 'app-sync-6').XMSPSXBLXXB).toEqual([]);
    const standing = (await changesSince(fixture.db.pool, 'XMSPSXBLXXB', { since: Date.parse('2026-10-01T12:00:00Z'), limit: 100 }, ALL)).items.filter((r) => r.SPSXSLBM === ly08);
    expect(standing.map((r) => [r.DFSJZJ, r.SJYXBS, r.SXBLSX])).toEqual([[ly08, 1, 13]]);

    // The correction passes: the platform's row is invalidated (更正) as the corrected one is offered under its new key.
    await setExtension('app-sync-6', 'LY08', 4);
    const corrected = await syncApplication(fixture.db.pool, 'app-sync-6', { regionCode: REGION, clock: at('2026-10-04T00:00:00Z') });
    expect(corrected).toMatchObject({ findings: [], refused: 0, corrected: 1 });
    const after = rowsOf(await pullAll(Date.parse('2026-10-03T12:00:00Z')), 'app-sync-6').XMSPSXBLXXB;
    expect(after.map((r) => [r.DFSJZJ, r.SJYXBS, r.SJWXYY, r.SXBLSX])).toEqual([
      [ly08, 0, CORRECTION_REASON, 13],
      [`${ly08}~2`, 1, null, 14],
    ]);
  });

  it('holds every row of an application back while its project row is refused', async () => {
    await scripted(fixture, 'app-sync-7', STEPS.supplementRequested);
    await setProjectName('app-sync-7', '');
    const refused = await syncApplication(fixture.db.pool, 'app-sync-7', { regionCode: REGION, clock: at('2026-11-01T00:00:00Z') });
    expect(refused!.findings.map((f) => [f.table, f.field, f.rule])).toEqual(expect.arrayContaining([['XMJBXXB', 'XMMC', 'required']]));
    const pulled = rowsOf(await pullAll(Date.parse('2026-10-31T00:00:00Z')), 'app-sync-7');
    expect(counts(pulled)).toEqual({});
    expect((await exchangeLog(fixture.db.pool, { limit: 5, key: 'app-sync-7/applicant' })).items.map((e) => e.reason)).toEqual([heldBackReason('XMJBXXB')]);
    await setProjectName('app-sync-7', '浏阳市第一中学扩建工程');
    const fixed = await syncApplication(fixture.db.pool, 'app-sync-7', { regionCode: REGION, clock: at('2026-11-02T00:00:00Z') });
    expect(fixed).toMatchObject({ findings: [], refused: 0 });
    expect(counts(rowsOf(await pullAll(Date.parse('2026-11-01T12:00:00Z')), 'app-sync-7'))).toMatchObject({ XMJBXXB: 1, XMDWXXB: 1 });
  });
});
