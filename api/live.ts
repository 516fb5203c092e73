import type { Request, Response } from 'express';
import { Client, type Pool } from 'pg';
import { z } from 'zod';
import { PROJECTION_CHANNEL, type ProjectionNotice } from '../readmodel/writer';
import { projectedParties } from '../readmodel/queries';
import { identifier } from '../contracts/fields';
import type { Principal } from './auth';
import { accessTo, type DepartmentKinds } from './authz';
import type { Logger } from './log';
import { eventStreamSchema } from '../contracts/responses';
import { ROLES, type OperationRegistry } from './operation';
import { HttpProblem } from './problem';

/**
 * Live updates (issue 10): Server-Sent Events at GET /live, fed by PostgreSQL LISTEN/NOTIFY from
 * the projection writer. One hub per API process holds ONE connection listening on
 * PROJECTION_CHANNEL and fans each change out to the open streams whose principal may read the
 * application (api/authz.ts, the same policy as the reads). A stream carries only which
 * application changed and its seq, never its content: the page reads it again as usual.
 */

export interface LiveLimits {
  /** Open streams of one principal (its tabs and devices); one more is a 429. */
  perPrincipal: number;
  /** Open streams of this API process; one more is a 503. */
  total: number;
}

export const DEFAULT_LIVE_LIMITS: LiveLimits = { perPrincipal: 8, total: 1000 };

/** How long a client waits before reconnecting to a stream that ended (the SSE `retry:` field). */
export const RECONNECT_MS = 3000;
const PING_MS = 15_000;
/** Bytes a slow reader may leave unread before its stream is ended (it reconnects and reads afresh). */
const MAX_BUFFERED = 64 * 1024;
const BACKOFF_MIN_MS = 1000;
const BACKOFF_MAX_MS = 30_000;
/** Applications looked up in one query when changes arrive in a burst. */
const LOOKUP_BATCH = 100;

const noticeSchema = z.object({ applicationId: identifier('application id'), seq: z.number().int().min(0) });

const frame = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

interface Stream {
  principal: Principal;
  key: string;
  res: Response;
}

export interface LiveHubOptions {
  /** The read model: where the parties are looked up, and whose settings the LISTEN connection copies. */
  pool: Pool;
  /** The catalogue's departments as of now (a utility's officer sees only its own matters, but is told of the application). */
  departments: () => DepartmentKinds;
  logger: Logger;
  limits?: LiveLimits;
}

export class LiveHub {
  private readonly streams = new Set<Stream>();
  private readonly perPrincipal = new Map<string, number>();
  /** Changes waiting for their parties' lookup: application id → highest seq announced. */
  private readonly pending = new Map<string, number>();
  private readonly limits: LiveLimits;
  private readonly log: Logger;
  private connection: Client | null = null;
  private listening = false;
  private attempt = 0;
  private draining = false;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private pingTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: LiveHubOptions) {
    this.limits = options.limits ?? DEFAULT_LIVE_LIMITS;
    this.log = options.logger;
  }

  /**
   * Answers the request with an event stream for this principal, or throws the problem that
   * refuses it (too many streams). The stream stays open until the client goes or `close()`.
   */
  open(principal: Principal, req: Request, res: Response): void {
    const key = keyOf(principal);
    if (this.closed) throw new HttpProblem(503, 'Unavailable', 'the API is shutting down; reconnect shortly', { code: 'UNAVAILABLE' });
    if ((this.perPrincipal.get(key) ?? 0) >= this.limits.perPrincipal) {
      res.set('Retry-After', String(RECONNECT_MS / 1000));
      throw new HttpProblem(429, 'Too many requests', `at most ${this.limits.perPrincipal} open live streams per principal; close one first`, { code: 'TOO_MANY_STREAMS' });
    }
    if (this.streams.size >= this.limits.total) {
      res.set('Retry-After', '30');
      throw new HttpProblem(503, 'Unavailable', 'this API process holds as many live streams as it serves; poll, or reconnect later', { code: 'TOO_MANY_STREAMS' });
    }
    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream');
    res.setHeader('Cache-Control', 'no-store');
    // nginx and similar proxies would otherwise buffer the stream and deliver events in lumps.
    res.setHeader('X-Accel-Buffering', 'no');
    // Once a stream ends its connection goes too, so no idle keep-alive socket holds `server.close()` back.
    res.setHeader('Connection', 'close');
    // A HEAD carries no body: nothing to hold open.
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const stream: Stream = { principal, key, res };
    this.streams.add(stream);
    this.perPrincipal.set(key, (this.perPrincipal.get(key) ?? 0) + 1);
    res.on('close', () => this.remove(stream));
    req.socket.setNoDelay(true);
    res.flushHeaders();
    this.write(stream, `retry: ${RECONNECT_MS}\n\n`);
    if (this.listening) this.write(stream, frame('ready', {}));
    this.start();
  }

  /** Ends every stream and releases the LISTEN connection; the server can then close. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pingTimer);
    clearTimeout(this.reconnectTimer);
    for (const s of [...this.streams]) s.res.end();
    this.streams.clear();
    this.perPrincipal.clear();
    this.pending.clear();
    const connection = this.connection;
    this.connection = null;
    this.listening = false;
    if (connection) await endWithin(connection, 2000);
  }

  private remove(stream: Stream): void {
    if (!this.streams.delete(stream)) return;
    const left = (this.perPrincipal.get(stream.key) ?? 1) - 1;
    if (left > 0) this.perPrincipal.set(stream.key, left);
    else this.perPrincipal.delete(stream.key);
  }

  /** Writes one frame now; a reader too slow to keep up is let go rather than buffered without bound. */
  private write(stream: Stream, chunk: string): void {
    const { res } = stream;
    if (res.writableEnded || res.destroyed) return;
    if (res.writableLength > MAX_BUFFERED) {
      this.log.info({ principal: { id: stream.principal.id, role: stream.principal.role } }, 'live updates: a stream fell behind and was ended');
      res.end();
      return;
    }
    res.write(chunk);
    // A compression middleware, if one is ever put in front, would hold small writes back until flushed.
    (res as Response & { flush?: () => void }).flush?.();
  }

  /** The first stream starts the listener and the pings; both then run until `close()`. */
  private start(): void {
    if (this.closed) return;
    this.pingTimer ??= setInterval(() => this.ping(), PING_MS).unref();
    if (!this.connection && !this.reconnectTimer) void this.connect();
  }

  private ping(): void {
    for (const s of [...this.streams]) this.write(s, ': ping\n\n');
    // The same tick asks the LISTEN connection for a sign of life: a dead peer is found in seconds, not at TCP's leisure.
    const connection = this.connection;
    if (this.listening && connection) connection.query('SELECT 1').catch((err: unknown) => this.lost(connection, err));
  }

  private async connect(): Promise<void> {
    this.reconnectTimer = undefined;
    if (this.closed || this.connection) return;
    const connection = new Client({ ...this.options.pool.options, application_name: 'approvals-api-live', keepAlive: true, query_timeout: 10_000 });
    this.connection = connection;
    connection.on('error', (err) => this.lost(connection, err));
    connection.on('end', () => this.lost(connection));
    connection.on('notification', (n) => {
      if (n.channel === PROJECTION_CHANNEL) this.notice(n.payload);
    });
    try {
      await connection.connect();
      await connection.query(`LISTEN ${PROJECTION_CHANNEL}`);
    } catch (err) {
      this.lost(connection, err);
      return;
    }
    if (this.connection !== connection) return;
    this.listening = true;
    if (this.attempt > 0) this.log.info({ attempts: this.attempt }, 'live updates: listening to PostgreSQL again');
    this.attempt = 0;
    // Changes made while nobody listened were not pushed: `ready` tells every page to read afresh.
    for (const s of [...this.streams]) this.write(s, frame('ready', {}));
  }

  /** The LISTEN connection failed or ended: streams stay open (pings only) while it is opened again with backoff. */
  private lost(connection: Client, err?: unknown): void {
    if (this.connection !== connection) return;
    this.connection = null;
    this.listening = false;
    void endWithin(connection, 2000);
    if (this.closed) return;
    const delay = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt += 1;
    this.log.warn({ err, attempt: this.attempt, retryInMs: Math.round(delay) }, 'live updates: no LISTEN connection to PostgreSQL; retrying');
    this.reconnectTimer = setTimeout(() => void this.connect(), delay).unref();
  }

  private notice(payload: string | undefined): void {
    // Nobody to tell: no lookup.
    if (this.streams.size === 0) return;
    let parsed: ProjectionNotice;
    try {
      parsed = noticeSchema.parse(JSON.parse(payload ?? ''));
    } catch {
      this.log.warn({ bytes: payload?.length ?? 0 }, 'live updates: ignored a notification that is not a projection notice');
      return;
    }
    this.pending.set(parsed.applicationId, Math.max(parsed.seq, this.pending.get(parsed.applicationId) ?? 0));
    if (!this.draining) void this.drain();
  }

  /**
   * Looks up the parties of the changed applications (one query per burst, each application
   * once) and sends each change to the streams that may read it. One drain at a time keeps each
   * application's changes in order and the read model's load to one query.
   */
  private async drain(): Promise<void> {
    this.draining = true;
    try {
      while (this.pending.size > 0 && !this.closed) {
        const batch = [...this.pending].slice(0, LOOKUP_BATCH);
        for (const [id] of batch) this.pending.delete(id);
        if (this.streams.size === 0) continue;
        let parties: Awaited<ReturnType<typeof projectedParties>>;
        try {
          parties = await projectedParties(this.options.pool, batch.map(([id]) => id));
        } catch (err) {
          this.log.warn({ err, applications: batch.length }, 'live updates: could not look up who may see a change; not pushed (pages poll)');
          continue;
        }
        const departments = this.options.departments();
        for (const [applicationId, seq] of batch) {
          const app = parties.get(applicationId);
          if (!app) continue;
          const chunk = frame('application', { applicationId, seq } satisfies ProjectionNotice);
          for (const s of [...this.streams]) if (accessTo(s.principal, app, departments).scope !== 'none') this.write(s, chunk);
        }
      }
    } finally {
      this.draining = false;
    }
  }
}

const keyOf = (p: Principal) => `${p.role}:${p.id}`;

/** Ends a pg client, giving up after `ms` (a connection still opening may never answer). */
async function endWithin(connection: Client, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([connection.end().catch(() => undefined), new Promise<void>((r) => (timer = setTimeout(r, ms)))]);
  clearTimeout(timer);
}

/** GET /live: the event stream of the applications the caller may read. */
export function registerLive(api: OperationRegistry, hub: LiveHub): void {
  api.add(
    {
      method: 'get',
      path: '/live',
      tag: 'system',
      summary: 'Stream changes of the applications the caller may read (Server-Sent Events)',
      roles: ROLES,
      success: {
        status: 200,
        description:
          'text/event-stream: `retry: 3000`, then `event: ready` (`{}`) once changes are pushed (again after the server lost and regained them: read afresh), ' +
          '`event: application` with `{"applicationId","seq"}` for each change of an application the caller may read, and a `: ping` comment every 15 s. ' +
          `At most ${DEFAULT_LIVE_LIMITS.perPrincipal} open streams per principal (429 TOO_MANY_STREAMS) and ${DEFAULT_LIVE_LIMITS.total} per API process (503).`,
        contentType: 'text/event-stream',
      },
      response: eventStreamSchema,
    },
    ({ req, res, principal }) => hub.open(principal, req, res),
  );
}
