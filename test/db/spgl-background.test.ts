import { Client } from 'pg';
import { describe, expect, it } from 'vitest';
import { createPool } from '../../readmodel/db/pool';
import { ROUND_LOCK, spglSyncRound, startSpglSync, type SpglSyncOptions } from '../../readmodel/spgl/background';
import { changesSince } from '../../readmodel/spgl/store';
import { writerDatabase } from '../helpers/postgres';
import { scripted, STEPS } from './spgl-scenario';

const fixture = writerDatabase();
const REGION = '430181';

/** A logger that keeps what it was told. */
function recordingLogger() {
  const lines: { level: string; fields: Record<string, unknown>; message: string }[] = [];
  const at = (level: string) => (fields: Record<string, unknown>, message: string) => void lines.push({ level, fields, message });
  return { lines, logger: { info: at('info'), warn: at('warn'), debug: at('debug') } as unknown as SpglSyncOptions['logger'] };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, deadlineMs = 15_000): Promise<T> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    const found = await probe();
    if (found !== undefined) return found;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the SPGL export in the background', () => {
  it('exports an application that moved without any pull, and again after it moves on', async () => {
    const run = await scripted(fixture, 'app-bg-1', STEPS.supplementRequested);
    const { lines, logger } = recordingLogger();
    const loop = startSpglSync(fixture.db.pool, { intervalMs: 100, regionCode: REGION, logger });
    try {
      const seqOf = async () => (await fixture.db.pool.query<{ seq: string }>('SELECT seq FROM applications WHERE application_id = $1', ['app-bg-1'])).rows[0]!.seq;
      const syncedAt = async (seq: string) =>
        (await fixture.db.pool.query<{ seq: string }>('SELECT seq FROM spgl_synced WHERE application_id = $1', ['app-bg-1'])).rows.find((r) => r.seq === seq) ? true : undefined;
      await until('the first export', async () => syncedAt(await seqOf()));
      // Stored and offered with no pull having run: the platform's pull only reads.
      const matters = await changesSince(fixture.db.pool, 'XMSPSXBLXXB', { limit: 100 }, { kind: 'all' });
      expect(matters.items.filter((r) => String(r.DFSJZJ).startsWith('app-bg-1/')).length).toBeGreaterThan(0);
      expect(lines.find((l) => l.message === 'SPGL rows exported')?.fields).toMatchObject({ applications: 1, refused: 0 });

      await run.resume();
      await until('the export after the application moved', async () => syncedAt(await seqOf()));
      const stops = await changesSince(fixture.db.pool, 'XMSPSXBLTBCXXXB', { limit: 100 }, { kind: 'all' });
      expect(stops.items.some((r) => String(r.DFSJZJ).startsWith('app-bg-1/LY07/'))).toBe(true);
    } finally {
      await loop.stop();
    }
    expect(loop.rounds.failed).toBe(0);
    expect(loop.rounds.ran).toBeGreaterThanOrEqual(2);
  });

  it('skips a round while another process runs one', async () => {
    await scripted(fixture, 'app-bg-2', STEPS.supplementRequested);
    const other = new Client({ connectionString: fixture.db.url });
    await other.connect();
    try {
      await other.query('SELECT pg_advisory_lock($1)', [ROUND_LOCK]);
      expect(await spglSyncRound(fixture.db.pool, { regionCode: REGION })).toBeNull();
      await other.query('SELECT pg_advisory_unlock($1)', [ROUND_LOCK]);
      const results = await spglSyncRound(fixture.db.pool, { regionCode: REGION });
      expect(results?.map((r) => r.applicationId)).toContain('app-bg-2');
    } finally {
      await other.end();
    }
  });

  it('logs a failing round, goes on trying, and stops cleanly', async () => {
    const missing = new URL(fixture.db.url);
    missing.pathname = '/no_such_database';
    const broken = createPool(missing.toString(), { max: 1, applicationName: 'approvals-test-broken' });
    const { lines, logger } = recordingLogger();
    const loop = startSpglSync(broken, { intervalMs: 50, regionCode: REGION, logger });
    try {
      await until('two failed rounds', async () => (loop.rounds.failed >= 2 ? true : undefined));
    } finally {
      await loop.stop();
      await broken.end();
    }
    expect(lines.filter((l) => l.level === 'warn').map((l) => l.message)).toContain('SPGL background export failed; the next round tries again');
    const after = loop.rounds.failed;
    await new Promise((r) => setTimeout(r, 200));
    expect(loop.rounds.failed).toBe(after);
  });
});
