import { randomUUID } from 'node:crypto';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { snapshotFor } from '../../catalogue/loader';
import { allMatters } from '../../catalogue/snapshot';
import { createPool } from '../../readmodel/db/pool';
import { CatalogueHolder } from '../../api/catalogue-holder';
import { officerToken, startApi, TOKENS } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { catalogue } from '../helpers/temporal';

/**
 * Live updates on the real stack (README "Live updates"): GET /live streams, fed by the
 * projection writer's NOTIFY, filtered by the same policy as the reads.
 */

interface Frame {
  event: string;
  data: any;
  at: number;
}

interface LiveStream {
  status: number;
  headers: Headers;
  /** The problem body of a refused stream. */
  problem?: any;
  frames: Frame[];
  retry?: number;
  pings: number;
  /** Resolves when the server ends the stream (never on an abort by the client). */
  ended: Promise<void>;
  /** The first frame (already received or still to come) that matches, or a rejection after `timeoutMs`. */
  next(match: (f: Frame) => boolean, timeoutMs?: number): Promise<Frame>;
  abort(): void;
}

/**
 * GET /live read the way a browser client would: fetch with the bearer token in a header, the
 * body read as it arrives and cut into frames at blank lines.
 */
async function openLive(base: string, token?: string): Promise<LiveStream> {
  const controller = new AbortController();
  const res = await fetch(`${base}/live`, {
    headers: { accept: 'text/event-stream', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    signal: controller.signal,
  });
  const waiters: { match: (f: Frame) => boolean; resolve: (f: Frame) => void }[] = [];
  const stream: LiveStream = {
    status: res.status,
    headers: res.headers,
    frames: [],
    pings: 0,
    ended: Promise.resolve(),
    next(match, timeoutMs = 5000) {
      const seen = stream.frames.find(match);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const waiter = { match, resolve: (f: Frame) => (clearTimeout(timer), resolve(f)) };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(stream.frames.map((f) => [f.event, f.data]))}`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    abort: () => controller.abort(),
  };
  if (!res.headers.get('content-type')?.startsWith('text/event-stream')) {
    stream.problem = await res.json();
    return stream;
  }
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  stream.ended = (async () => {
    let buffer = '';
    for (;;) {
      const chunk = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (chunk.done) return;
      buffer += decoder.decode(chunk.value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        let event = 'message';
        const data: string[] = [];
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) stream.pings += line === ': ping' ? 1 : 0;
          else if (line.startsWith('retry: ')) stream.retry = Number(line.slice(7));
          else if (line.startsWith('event: ')) event = line.slice(7);
          else if (line.startsWith('data: ')) data.push(line.slice(6));
        }
        if (data.length === 0) continue;
        const frame = { event, data: JSON.parse(data.join('\n')), at: Date.now() };
        stream.frames.push(frame);
        for (const w of waiters.filter((w) => w.match(frame))) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(frame);
        }
      }
    }
  })();
  return stream;
}

const changeOf = (id: string, minSeq = 0) => (f: Frame) => f.event === 'application' && f.data.applicationId === id && f.data.seq >= minSeq;
const isReady = (f: Frame) => f.event === 'ready';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Government investment cut to its first stage: DRC, NRP, EEB and WRB hold matters, MET holds none. */
function firstStageSnapshot() {
  const full = snapshotFor(catalogue, 'GOV_INVESTMENT')!;
  return { ...full, stages: [full.stages[0]!], alongside: [] };
}

describe('live updates: Server-Sent Events of the applications the caller may read', () => {
  const suite = apiSuite('e2e-live');
  const open: LiveStream[] = [];
  const live = async (token?: string) => {
    const s = await openLive(suite.baseUrl, token);
    open.push(s);
    return s;
  };
  afterEach(() => {
    for (const s of open.splice(0)) s.abort();
  });

  const start = async (applicantId: string) => {
    const snapshot = firstStageSnapshot();
    const materials = [...new Set(allMatters(snapshot).flatMap((m) => m.materials.map((x) => x.code)))];
    const applicant = applicantId === 'ent-001' ? { id: 'ent-001', name: '浏阳市教育投资有限公司' } : { id: applicantId, name: '另一家企业' };
    return (await suite.start('GOV_INVESTMENT', { applicationId: `app-${randomUUID()}`, applicant, snapshot, materials })).workflowId;
  };

  beforeAll(async () => {
    // The dev server and the worker are warm before any stream is timed.
    expect((await suite.call('GET', '/health')).status).toBe(200);
  });

  it('pushes a decision to the applicant within 2 s with the seq the read returns, to the supervisor too, and to no one who may not read it', async () => {
    const applicant = await live(TOKENS.applicant);
    expect(applicant.status).toBe(200);
    expect(applicant.headers.get('content-type')).toBe('text/event-stream');
    expect(applicant.headers.get('cache-control')).toBe('no-store');
    expect(applicant.headers.get('x-accel-buffering')).toBe('no');
    const otherApplicant = await live(TOKENS.otherApplicant);
    const uninvolvedOfficer = await live(officerToken('MET'));
    const supervisor = await live(TOKENS.supervisor);
    for (const s of [applicant, otherApplicant, uninvolvedOfficer, supervisor]) await s.next(isReady);
    expect(applicant.retry).toBe(3000);
    expect(applicant.frames[0]).toMatchObject({ event: 'ready', data: {} });

    const own = await start('ent-001');
    const others = await start('ent-002');
    // The first projection of each reaches its own applicant: the read model holds it now.
    await applicant.next(changeOf(own), 30_000);
    await otherApplicant.next(changeOf(others), 30_000);

    const decided = await suite.call('POST', `/applications/${own}/matters/LY01/decision`, officerToken('DRC'), { decision: 'approve', result: { number: '浏发改〔2026〕1号' } });
    expect(decided.status).toBe(200);
    const decidedAt = Date.now();
    const seq: number = decided.body.applicationSeq;
    const pushed = await applicant.next(changeOf(own, seq), 2000);
    expect(pushed.at - decidedAt).toBeLessThanOrEqual(2000);
    expect(Object.keys(pushed.data).sort()).toEqual(['applicationId', 'seq']);
    const read = await suite.call('GET', `/applications/${own}`, TOKENS.applicant);
    expect(read.body.projection).toMatchObject({ source: 'readModel', seq: pushed.data.seq });
    expect(read.body.stages[0].matters.find((m: any) => m.code === 'LY01')).toMatchObject({ status: 'approved' });
    expect((await supervisor.next(changeOf(own, seq), 2000)).data.seq).toBe(pushed.data.seq);

    // Every stream is written in the same pass: a moment later, the others still hold nothing of it.
    await sleep(300);
    expect(otherApplicant.frames.filter(changeOf(own))).toEqual([]);
    expect(uninvolvedOfficer.frames.filter((f) => f.event === 'application')).toEqual([]);
    expect(applicant.frames.filter(changeOf(others))).toEqual([]);
    expect(supervisor.frames.some(changeOf(others))).toBe(true);
  });

  it('refuses a stream without a valid token with a 401 problem', async () => {
    for (const token of [undefined, 'not-a-valid-token-at-all']) {
      const s = await live(token);
      expect(s.status).toBe(401);
      expect(s.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(s.problem).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    }
  });

  it('holds at most 8 open streams per principal: the 9th is a 429 problem, and a slot frees when a stream closes', async () => {
    const streams = await Promise.all(Array.from({ length: 8 }, () => live(TOKENS.integrator)));
    expect(streams.map((s) => s.status)).toEqual(Array(8).fill(200));
    const ninth = await live(TOKENS.integrator);
    expect(ninth).toMatchObject({ status: 429, problem: { status: 429, code: 'TOO_MANY_STREAMS' } });
    expect(ninth.headers.get('retry-after')).toBe('3');
    // Another principal is not counted against this one.
    expect((await live(TOKENS.agent)).status).toBe(200);
    streams[0]!.abort();
    let again = 429;
    for (let i = 0; i < 20 && again !== 200; i++) {
      await sleep(50);
      const s = await live(TOKENS.integrator);
      again = s.status;
    }
    expect(again).toBe(200);
  });

  it('ends a stream cleanly when its client aborts: the slot is released and the next change still reaches the others', async () => {
    const streams = await Promise.all(Array.from({ length: 8 }, () => live(officerToken('DRC'))));
    for (const s of streams) await s.next(isReady);
    for (const s of streams) s.abort();
    // All eight slots come back: the server dropped each stream on its 'close'.
    const deadline = Date.now() + 2000;
    let reopened: LiveStream[] = [];
    do {
      for (const s of reopened) s.abort();
      await sleep(50);
      reopened = await Promise.all(Array.from({ length: 8 }, () => live(officerToken('DRC'))));
    } while (reopened.some((s) => s.status !== 200) && Date.now() < deadline);
    expect(reopened.map((s) => s.status)).toEqual(Array(8).fill(200));
    const id = await start('ent-001');
    await reopened[0]!.next(changeOf(id), 30_000);
  });

  it('listens again after its PostgreSQL connection is cut, says ready again, and pushes the next change', async () => {
    const supervisor = await live(TOKENS.supervisor);
    await supervisor.next(isReady);
    const { rows } = await suite.db.pool.query(
      `SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'approvals-api-live'`,
    );
    expect(rows).toEqual([{ cut: true }]);
    // The stream stays open; the hub reconnects with backoff (1 s at first) and says ready again.
    await supervisor.next((f) => f.event === 'ready' && f !== supervisor.frames[0], 10_000);
    const id = await start('ent-002');
    await supervisor.next(changeOf(id), 30_000);
  });

  it('answers with an open stream while PostgreSQL is down, carrying no events, and still closes at once', async () => {
    const down = createPool('postgres://postgres@127.0.0.1:1/approvals', { applicationName: 'approvals-test-down' });
    const api = await startApi(suite.env, 'e2e-live', { pool: down, catalogue: new CatalogueHolder(catalogue) });
    try {
      const stream = await openLive(api.url, TOKENS.applicant);
      expect(stream.status).toBe(200);
      await sleep(1500);
      expect(stream.retry).toBe(3000);
      // No `ready` until the hub listens: the page keeps polling.
      expect(stream.frames).toEqual([]);
      const closing = Date.now();
      await api.close();
      expect(Date.now() - closing).toBeLessThan(3000);
      await stream.ended;
    } finally {
      await down.end();
    }
  });

  it('ends open streams and releases its LISTEN connection when the API closes', async () => {
    const api = await startApi(suite.env, 'e2e-live', { pool: suite.db.pool, catalogue: new CatalogueHolder(catalogue) });
    const listeners = async () =>
      Number((await suite.db.pool.query(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'approvals-api-live'`)).rows[0].n);
    const before = await listeners();
    const stream = await openLive(api.url, TOKENS.applicant);
    await stream.next(isReady);
    expect(await listeners()).toBe(before + 1);
    const closing = Date.now();
    await api.close();
    expect(Date.now() - closing).toBeLessThan(3000);
    await stream.ended;
    // The backend goes a moment after the socket: wait for PostgreSQL to show it gone.
    for (let i = 0; i < 40 && (await listeners()) !== before; i++) await sleep(50);
    expect(await listeners()).toBe(before);
  });
});
