import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import { isEventKind } from '../domain/events';
import { boundedText, forbiddenCharacter, isWellFormed, TEXT_LIMITS } from '../domain/text';
import { toShanghaiIso } from '../domain/time';
import {
  checkAddress,
  checkDestination,
  ForbiddenDestinationError,
  guardedLookup,
  hostRule,
  normalHost,
  UnresolvedDestinationError,
  type DestinationAllowlist,
  type Resolver,
} from './destinations';

/**
 * Webhooks for integrators. The projection writes one outbox row per (new event, active
 * subscription to its kind that may see the application) in the transaction that stores the
 * event; the dispatcher here delivers them at least once, signed, with retries on a fixed
 * exponential schedule, and gives up after `maxAttempts`. Receivers drop repeats by `X-Event-Id`
 * and check `X-Signature` with `verifySignature`. Delivery order is not guaranteed; each body
 * carries the event's `seq`. Destinations are checked (./destinations) when a subscription is
 * made and again, on the address connected to, at every delivery.
 */

export type SubscriptionErrorCode = 'INVALID_SUBSCRIPTION' | 'FORBIDDEN_DESTINATION' | 'SUBSCRIPTION_LIMIT';

/**
 * A subscription the caller may not make: `field` is the input field at fault (`url`,
 * `eventTypes.3`), `status` the HTTP status the API answers with, `code` the rule.
 */
export class InvalidSubscriptionError extends Error {
  override readonly name = 'InvalidSubscriptionError';
  constructor(
    readonly field: string,
    reason: string,
    readonly status: 400 | 409 | 422 = 400,
    readonly code: SubscriptionErrorCode = 'INVALID_SUBSCRIPTION',
  ) {
    super(`${field}: ${reason}`);
  }
}

/** Subscriptions one integrator may hold at once, unless configured otherwise (WEBHOOK_MAX_SUBSCRIPTIONS). */
export const DEFAULT_MAX_SUBSCRIPTIONS = 20;
/** Event types one subscription may name. */
export const MAX_EVENT_TYPES = 50;

export interface Subscription {
  id: string;
  clientId: string;
  url: string;
  /** Event kinds to deliver (`urged`, `approved`…, domain/events.ts); `*` means every kind. */
  eventTypes: string[];
  /** Events of every application (an admin's subscription); otherwise see `applicants`. */
  scopeAll: boolean;
  /** Applicants whose applications it receives, besides those its client started. */
  applicants: string[];
  active: boolean;
  createdAt: string;
}

/** Returned once, on creation: the only time the secret is shown. */
export interface CreatedSubscription extends Subscription {
  secret: string;
}

export interface NewSubscription {
  clientId: string;
  url: string;
  eventTypes: string[];
  /** Every application's events: for an admin. */
  scopeAll?: boolean;
  /** Applicants that authorised the client (the principal's `applicants`). */
  applicants?: readonly string[];
  /** Generated when absent (32 random bytes). */
  secret?: string;
}

/** What a subscription may point at and how many one client may hold; passed in, never global. */
export interface SubscriptionPolicy {
  allowlist: DestinationAllowlist;
  /** Name resolution for the destination check (default: the system resolver). */
  resolve?: Resolver;
  /** Active subscriptions per client (default DEFAULT_MAX_SUBSCRIPTIONS). */
  maxSubscriptions?: number;
}

interface SubscriptionDbRow {
  id: string;
  client_id: string;
  url: string;
  event_types: string[];
  scope_all: boolean;
  applicants: string[];
  active: boolean;
  created_at: Date;
  secret?: string;
}

const SUBSCRIPTION_COLUMNS = 'id, client_id, url, event_types, scope_all, applicants, active, created_at';

function subscriptionOf(r: SubscriptionDbRow): Subscription {
  return {
    id: r.id,
    clientId: r.client_id,
    url: r.url,
    eventTypes: r.event_types,
    scopeAll: r.scope_all,
    applicants: r.applicants,
    active: r.active,
    createdAt: toShanghaiIso(r.created_at.getTime()),
  };
}

/**
 * Whether the URL names its host right after `scheme://`. The WHATWG parser reads `http:///x`
 * and `http:\\x` as host `x`; a receiver's address is not something to guess.
 */
export function hasAuthority(url: string): boolean {
  return /^https?:\/\/[^/\\]/i.test(url);
}

export const URL_AUTHORITY_RULE = 'must be an absolute http(s) URL with its host after "//", such as https://hooks.example.com/approvals';

/**
 * Only absolute http(s) URLs of at most 2,048 clean characters, without credentials: the secret
 * signs the body, the URL carries nothing secret. The API checks the same with `httpUrl`.
 */
function parseUrl(url: string): URL {
  if (typeof url !== 'string' || url.length > 2048) throw new InvalidSubscriptionError('url', 'must be at most 2048 characters');
  if (!isWellFormed(url) || forbiddenCharacter(url, 'line') !== null) throw new InvalidSubscriptionError('url', 'must not contain control characters');
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidSubscriptionError('url', 'must be an absolute http(s) URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new InvalidSubscriptionError('url', 'must be an absolute http(s) URL');
  if (parsed.username || parsed.password) throw new InvalidSubscriptionError('url', 'must not carry credentials');
  if (parsed.hostname === '' || !hasAuthority(url)) throw new InvalidSubscriptionError('url', URL_AUTHORITY_RULE);
  return parsed;
}

/** The event types, each `*` or a kind of EVENT_KINDS, without repeats. */
function eventTypesOf(types: readonly string[]): string[] {
  if (!Array.isArray(types) || types.length === 0) throw new InvalidSubscriptionError('eventTypes', 'subscribe to at least one event type (or "*")');
  if (types.length > MAX_EVENT_TYPES) throw new InvalidSubscriptionError('eventTypes', `must list at most ${MAX_EVENT_TYPES} items`);
  types.forEach((t, i) => {
    if (t !== '*' && !(typeof t === 'string' && isEventKind(t))) throw new InvalidSubscriptionError(`eventTypes.${i}`, EVENT_TYPE_RULE);
  });
  return [...new Set(types)];
}

/** The rule an unknown event type breaks: a few kinds as examples, never the caller's value. */
export const EVENT_TYPE_RULE = 'must be "*" or an event kind such as approved, rejected, resultIssued, urged, applicationCompleted (the README lists them all)';

/**
 * Why the destination is refused, as the API's 422: the rule, and the host bounded. Resolved
 * addresses are not echoed (they would map the internal network for the caller).
 */
async function checkSubscriptionDestination(url: URL, policy: SubscriptionPolicy): Promise<void> {
  try {
    await checkDestination(url, { allowlist: policy.allowlist, resolve: policy.resolve });
  } catch (err) {
    const host = boundedText(normalHost(url.hostname), 64);
    if (err instanceof ForbiddenDestinationError) {
      throw new InvalidSubscriptionError('url', `the host ${JSON.stringify(host)} is not allowed (${err.rule}): webhooks go only to public addresses`, 422, 'FORBIDDEN_DESTINATION');
    }
    if (err instanceof UnresolvedDestinationError) throw new InvalidSubscriptionError('url', `the host ${JSON.stringify(host)} does not resolve`, 422, 'FORBIDDEN_DESTINATION');
    throw err;
  }
}

/**
 * Creates a subscription after checking every input again (the API checked the shapes): the URL,
 * its destination (422 FORBIDDEN_DESTINATION), the event types, and the client's limit of
 * active subscriptions (409 SUBSCRIPTION_LIMIT, counted under a per-client lock so two
 * concurrent requests cannot both take the last place).
 */
export async function createSubscription(pool: Pool, input: NewSubscription, policy: SubscriptionPolicy): Promise<CreatedSubscription> {
  if (typeof input.clientId !== 'string' || input.clientId.length === 0 || input.clientId.length > TEXT_LIMITS.id) {
    throw new InvalidSubscriptionError('clientId', `required, at most ${TEXT_LIMITS.id} characters`);
  }
  const url = parseUrl(input.url);
  const eventTypes = eventTypesOf(input.eventTypes);
  if (input.secret !== undefined && input.secret.length < 16) throw new InvalidSubscriptionError('secret', 'at least 16 characters');
  await checkSubscriptionDestination(url, policy);
  const max = policy.maxSubscriptions ?? DEFAULT_MAX_SUBSCRIPTIONS;
  const secret = input.secret ?? `whsec_${randomBytes(32).toString('base64url')}`;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query(`SELECT pg_advisory_xact_lock(hashtext('webhook_subscriptions:' || $1))`, [input.clientId]);
    const { rows: counted } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM webhook_subscriptions WHERE client_id = $1 AND active', [input.clientId]);
    if (counted[0]!.n >= max) {
      throw new InvalidSubscriptionError('clientId', `at most ${max} active subscriptions per integrator; delete one first`, 409, 'SUBSCRIPTION_LIMIT');
    }
    const { rows } = await client.query<SubscriptionDbRow>(
      `INSERT INTO webhook_subscriptions (client_id, url, event_types, secret, scope_all, applicants)
       VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING ${SUBSCRIPTION_COLUMNS}`,
      [input.clientId, url.href, eventTypes, secret, input.scopeAll === true, [...new Set(input.applicants ?? [])]],
    );
    await client.query('COMMIT');
    return { ...subscriptionOf(rows[0]!), secret };
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}

/** Subscriptions, of one integrator when `clientId` is given, oldest first; secrets are not returned. */
export async function listSubscriptions(pool: Pool, clientId?: string): Promise<Subscription[]> {
  const { rows } = await pool.query<SubscriptionDbRow>(
    `SELECT ${SUBSCRIPTION_COLUMNS}
     FROM webhook_subscriptions
     WHERE $1::text IS NULL OR client_id = $1
     ORDER BY created_at, id`,
    [clientId ?? null],
  );
  return rows.map(subscriptionOf);
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Deletes a subscription with its undelivered outbox rows and delivery log. With `clientId`,
 * only that integrator's own subscription. Returns whether one was deleted.
 */
export async function deleteSubscription(pool: Pool, id: string, clientId?: string): Promise<boolean> {
  if (!UUID_RE.test(id)) return false;
  const { rowCount } = await pool.query(
    'DELETE FROM webhook_subscriptions WHERE id = $1 AND ($2::text IS NULL OR client_id = $2)',
    [id, clientId ?? null],
  );
  return rowCount === 1;
}

function hmacHex(secret: string, timestampSec: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${timestampSec}.`).update(body).digest('hex');
}

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the timestamp is signed with the
 * body so a captured request cannot be replayed after the receiver's tolerance.
 */
export function signatureHeader(secret: string, body: string | Buffer, timestampSec: number): string {
  return `t=${timestampSec},v1=${hmacHex(secret, timestampSec, body)}`;
}

/**
 * For receivers: whether `header` (X-Signature) signs exactly `body` (the raw request bytes)
 * with `secret`, at a time within `toleranceSec` of `nowSec`. Several v1 values are accepted
 * (one may be signed with a rotated secret). Compares in constant time.
 */
export function verifySignature(secret: string, header: string, body: string | Buffer, toleranceSec: number, nowSec: number): boolean {
  let t: number | null = null;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) return false;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (!/^\d{1,12}$/.test(value)) return false;
      t = Number(value);
    } else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) {
      signatures.push(value.toLowerCase());
    }
  }
  if (t === null || signatures.length === 0) return false;
  if (Math.abs(nowSec - t) > toleranceSec) return false;
  const expected = Buffer.from(hmacHex(secret, t, body), 'hex');
  return signatures.some((s) => timingSafeEqual(Buffer.from(s, 'hex'), expected));
}

/** Delay before attempt n + 1 after n failed attempts: base · 2^(n−1), capped. No jitter, so schedules are testable. */
export function retryDelayMs(failedAttempts: number, baseDelayMs: number, maxDelayMs: number): number {
  return Math.min(maxDelayMs, baseDelayMs * 2 ** Math.max(0, failedAttempts - 1));
}

export interface WebhookDispatcherOptions {
  /** Destinations let through although not public (WEBHOOK_ALLOWED_DESTINATIONS). */
  allowlist: DestinationAllowlist;
  /** Name resolution at delivery (default: the system resolver); every address is checked before connecting. */
  resolve?: Resolver;
  /** Epoch ms; defaults to Date.now. Used for due times, the signature timestamp and the log. */
  now?: () => number;
  /** Attempts before a row is marked dead. */
  maxAttempts: number;
  /** Delay after the first failure; doubles after each further one. */
  baseDelayMs: number;
  /** Cap on the delay (default 1 h). */
  maxDelayMs?: number;
  /** Per request, connection and response body included (default 5 s): a slow endpoint costs one slot for this long at most. */
  timeoutMs?: number;
  /** Rows claimed per `deliverDue` (default 50). */
  batchSize?: number;
  /** Due rows of one subscription claimed at once (default 25), so one backlog cannot take every slot. */
  perSubscription?: number;
  /** Requests in flight at once under `start` (default 50). */
  maxInFlight?: number;
  /** Failures of the dispatcher itself (database unavailable…); deliveries' failures are recorded, not reported here. */
  onError?: (err: unknown) => void;
  /** Each attempt's outcome once recorded: delivered, failed (retried later) or dead (the last attempt failed); for metrics. */
  onDelivery?: (result: 'delivered' | 'failed' | 'dead') => void;
}

/** Pause between claims while the outbox has a backlog. */
const BACKLOG_PAUSE_MS = 20;

export interface WebhookDispatcher {
  /** Claims the due rows, delivers them concurrently and records each outcome; returns how many were attempted. */
  deliverDue(): Promise<number>;
  /** Polls every `intervalMs`, keeping up to `maxInFlight` requests going without waiting for slow ones. */
  start(intervalMs: number): void;
  /** Stops polling and waits for the requests in flight. */
  stop(): Promise<void>;
}

interface ClaimedRow {
  id: string;
  event_key: string;
  body: string;
  attempts: number;
  url: string;
  secret: string;
}

type Outcome = { ok: true; status: number } | { ok: false; status: number | null; error: string };

/** How long a claim keeps a row from other dispatchers; if this one dies mid-request the row comes back after it. */
const CLAIM_LEASE_MARGIN_MS = 60_000;

/** Bytes of a response read before the connection is dropped: only the status matters. */
export const MAX_RESPONSE_BYTES = 64 * 1024;

export function createWebhookDispatcher(pool: Pool, options: WebhookDispatcherOptions): WebhookDispatcher {
  const allowlist = options.allowlist;
  const lookup = guardedLookup(allowlist, options.resolve);
  // Own agents, so keep-alive sockets (each connected to a checked address) end with the dispatcher.
  const agents = { 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) };
  const now = options.now ?? Date.now;
  const maxDelayMs = options.maxDelayMs ?? 3_600_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const batchSize = options.batchSize ?? 50;
  const perSubscription = options.perSubscription ?? 25;
  const maxInFlight = options.maxInFlight ?? 50;
  const onError = options.onError ?? ((err: unknown) => console.error('webhooks:', err));
  if (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1) throw new RangeError('maxAttempts must be a positive integer');

  /**
   * Takes up to `limit` due rows, at most `perSubscription` of each active subscription, skipping
   * rows another dispatcher holds, and leases them: attempts + 1, next attempt after the lease.
   */
  async function claim(limit: number): Promise<ClaimedRow[]> {
    const at = now();
    const { rows } = await pool.query<ClaimedRow>(
      `WITH claimed AS (
         SELECT c.id
         FROM webhook_subscriptions s
         CROSS JOIN LATERAL (
           SELECT o.id, o.next_attempt_at
           FROM webhook_outbox o
           WHERE o.subscription_id = s.id AND o.delivered_at IS NULL AND o.dead_at IS NULL
             AND o.next_attempt_at <= $1::timestamptz
           ORDER BY o.next_attempt_at, o.id
           LIMIT $3
           FOR UPDATE SKIP LOCKED
         ) c
         WHERE s.active
         ORDER BY c.next_attempt_at, c.id
         LIMIT $2
       )
       UPDATE webhook_outbox o
       SET attempts = o.attempts + 1, next_attempt_at = $4::timestamptz
       FROM webhook_subscriptions s
       WHERE o.id IN (SELECT id FROM claimed) AND s.id = o.subscription_id
       RETURNING o.id::text AS id, o.event_key, o.body::text AS body, o.attempts, s.url, s.secret`,
      [new Date(at).toISOString(), limit, perSubscription, new Date(at + timeoutMs + CLAIM_LEASE_MARGIN_MS).toISOString()],
    );
    return rows;
  }

  /**
   * One POST over node:http(s): a literal address is checked here, a name by the guarded lookup
   * on the address the socket then connects to. Redirects are not followed (a 3xx is a failure);
   * at most MAX_RESPONSE_BYTES of the answer are read; the timeout covers it all.
   */
  function post(row: ClaimedRow): Promise<Outcome> {
    return new Promise<Outcome>((settle) => {
      const fail = (err: unknown) => settle({ ok: false, status: null, error: describeError(err, timeoutMs) });
      let url: URL;
      try {
        url = new URL(row.url);
        if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ForbiddenDestinationError(url.protocol, 'not http(s)');
        const host = normalHost(url.hostname);
        const nameRule = hostRule(host, allowlist);
        if (nameRule) throw new ForbiddenDestinationError(boundedText(host, 64), nameRule);
        if (isIP(host)) checkAddress(host, host, allowlist);
      } catch (err) {
        return fail(err);
      }
      const body = Buffer.from(row.body, 'utf8');
      const req = (url.protocol === 'https:' ? https : http).request(
        url,
        {
          method: 'POST',
          agent: agents[url.protocol as 'http:' | 'https:'],
          lookup,
          headers: {
            'content-type': 'application/json',
            'content-length': body.length,
            'user-agent': 'approvals-webhooks/1',
            'x-event-id': row.event_key,
            'x-signature': signatureHeader(row.secret, row.body, Math.floor(now() / 1000)),
          },
          signal: AbortSignal.timeout(timeoutMs),
        },
        (res) => {
          const status = res.statusCode ?? 0;
          const outcome: Outcome =
            status >= 200 && status < 300
              ? { ok: true, status }
              : { ok: false, status, error: status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}` };
          // The receiver has answered: whatever happens to the rest of its body, the status counts.
          let read = 0;
          res.on('data', (chunk: Buffer) => {
            read += chunk.length;
            if (read > MAX_RESPONSE_BYTES) res.destroy();
          });
          res.on('error', () => undefined);
          res.on('close', () => settle(outcome));
        },
      );
      req.on('error', fail);
      req.end(body);
    });
  }

  /** One attempt: POST, then record it in the log and move the row to delivered, its next try, or dead. */
  async function deliverOne(row: ClaimedRow): Promise<void> {
    const attemptAt = now();
    const started = performance.now();
    const outcome = await post(row);
    const durationMs = Math.round(performance.now() - started);
    const finishedAt = now();
    let update: { text: string; values: unknown[] };
    if (outcome.ok) {
      update = { text: 'delivered_at = $2::timestamptz, last_error = NULL', values: [new Date(finishedAt).toISOString()] };
    } else if (row.attempts >= options.maxAttempts) {
      update = { text: 'dead_at = $2::timestamptz, last_error = $3', values: [new Date(finishedAt).toISOString(), outcome.error] };
    } else {
      const retryAt = finishedAt + retryDelayMs(row.attempts, options.baseDelayMs, maxDelayMs);
      update = { text: 'next_attempt_at = $2::timestamptz, last_error = $3', values: [new Date(retryAt).toISOString(), outcome.error] };
    }
    const logValues = [row.attempts, outcome.status, outcome.ok ? null : outcome.error, durationMs, new Date(attemptAt).toISOString()];
    const n = update.values.length;
    await pool.query(
      `WITH o AS (UPDATE webhook_outbox SET ${update.text} WHERE id = $1 RETURNING id)
       INSERT INTO webhook_deliveries (outbox_id, attempt, status_code, error, duration_ms, at)
       SELECT id, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6}::timestamptz FROM o`,
      [row.id, ...update.values, ...logValues],
    );
    options.onDelivery?.(outcome.ok ? 'delivered' : row.attempts >= options.maxAttempts ? 'dead' : 'failed');
  }

  let timer: NodeJS.Timeout | null = null;
  let polling: Promise<void> | null = null;
  let stopped = true;
  const inFlight = new Set<Promise<void>>();

  function launch(row: ClaimedRow): void {
    const p: Promise<void> = deliverOne(row)
      .catch(onError)
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  }

  /** Claims what the free slots can take; true when there may be more due right now (a backlog). */
  async function poll(): Promise<boolean> {
    const free = maxInFlight - inFlight.size;
    if (free <= 0) return true;
    const rows = await claim(Math.min(free, batchSize));
    for (const row of rows) launch(row);
    return rows.length > 0;
  }

  return {
    async deliverDue() {
      const rows = await claim(batchSize);
      await Promise.all(rows.map((row) => deliverOne(row).catch(onError)));
      return rows.length;
    },
    start(intervalMs) {
      if (!stopped) return;
      stopped = false;
      // A backlog is drained at once (a short pause between claims), an empty outbox polled every intervalMs.
      const tick = () => {
        polling = poll()
          .catch((err: unknown) => {
            onError(err);
            return false;
          })
          .then((more) => {
            polling = null;
            if (!stopped) timer = setTimeout(tick, more ? BACKLOG_PAUSE_MS : intervalMs);
          });
      };
      tick();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await polling;
      await Promise.all([...inFlight]);
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

/** A short reason for the log: a refused destination, timeout, refused connection, DNS failure… */
function describeError(err: unknown, timeoutMs: number): string {
  if (err instanceof ForbiddenDestinationError || err instanceof UnresolvedDestinationError) return boundedText(err.message, 300);
  if (err instanceof Error) {
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return `timeout after ${timeoutMs} ms`;
    const code = (err as NodeJS.ErrnoException).code;
    return boundedText(typeof code === 'string' && !err.message.includes(code) ? `${code}: ${err.message}` : err.message, 300);
  }
  return boundedText(String(err), 300);
}
