import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import { toShanghaiIso } from '../workflows/domain/time';

/**
 * Webhooks for integrators. The projection writes one outbox row per (new event, active
 * subscription to its kind) in the transaction that stores the event; the dispatcher here
 * delivers them at least once, signed, with retries on a fixed exponential schedule, and gives
 * up after `maxAttempts`. Receivers drop repeats by `X-Event-Id` and check `X-Signature` with
 * `verifySignature`. Delivery order is not guaranteed; each body carries the event's `seq`.
 */

/** A subscription the caller described wrongly (URL, event types, client); the API maps it to 400. */
export class InvalidSubscriptionError extends Error {
  override readonly name = 'InvalidSubscriptionError';
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`${field}: ${reason}`);
  }
}

export interface Subscription {
  id: string;
  clientId: string;
  url: string;
  /** Event kinds to deliver (`urged`, `matterDecided`…); `*` means every kind. */
  eventTypes: string[];
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
  /** Generated when absent (32 random bytes). */
  secret?: string;
}

interface SubscriptionDbRow {
  id: string;
  client_id: string;
  url: string;
  event_types: string[];
  active: boolean;
  created_at: Date;
  secret?: string;
}

function subscriptionOf(r: SubscriptionDbRow): Subscription {
  return {
    id: r.id,
    clientId: r.client_id,
    url: r.url,
    eventTypes: r.event_types,
    active: r.active,
    createdAt: toShanghaiIso(r.created_at.getTime()),
  };
}

/** Only absolute http(s) URLs without credentials: the secret signs the body, the URL carries nothing secret. */
function checkUrl(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InvalidSubscriptionError('url', 'not an absolute URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new InvalidSubscriptionError('url', 'must be http or https');
  if (parsed.username || parsed.password) throw new InvalidSubscriptionError('url', 'must not carry credentials');
}

export async function createSubscription(pool: Pool, input: NewSubscription): Promise<CreatedSubscription> {
  if (!input.clientId) throw new InvalidSubscriptionError('clientId', 'required');
  checkUrl(input.url);
  if (input.eventTypes.length === 0 || input.eventTypes.some((t) => typeof t !== 'string' || t.length === 0)) {
    throw new InvalidSubscriptionError('eventTypes', 'a non-empty list of event kinds');
  }
  if (input.secret !== undefined && input.secret.length < 16) throw new InvalidSubscriptionError('secret', 'at least 16 characters');
  const secret = input.secret ?? `whsec_${randomBytes(32).toString('base64url')}`;
  const { rows } = await pool.query<SubscriptionDbRow>(
    `INSERT INTO webhook_subscriptions (client_id, url, event_types, secret)
     VALUES ($1, $2, $3, $4)
     RETURNING id, client_id, url, event_types, active, created_at`,
    [input.clientId, input.url, [...new Set(input.eventTypes)], secret],
  );
  return { ...subscriptionOf(rows[0]!), secret };
}

/** Subscriptions, of one integrator when `clientId` is given, oldest first; secrets are not returned. */
export async function listSubscriptions(pool: Pool, clientId?: string): Promise<Subscription[]> {
  const { rows } = await pool.query<SubscriptionDbRow>(
    `SELECT id, client_id, url, event_types, active, created_at
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
  /** Defaults to Node's global fetch. */
  fetch?: typeof fetch;
  /** Epoch ms; defaults to Date.now. Used for due times, the signature timestamp and the log. */
  now?: () => number;
  /** Attempts before a row is marked dead. */
  maxAttempts: number;
  /** Delay after the first failure; doubles after each further one. */
  baseDelayMs: number;
  /** Cap on the delay (default 1 h). */
  maxDelayMs?: number;
  /** Per request (default 5 s): a slow endpoint costs one slot for this long at most. */
  timeoutMs?: number;
  /** Rows claimed per `deliverDue` (default 50). */
  batchSize?: number;
  /** Due rows of one subscription claimed at once (default 5), so one backlog cannot take every slot. */
  perSubscription?: number;
  /** Requests in flight at once under `start` (default 50). */
  maxInFlight?: number;
  /** Failures of the dispatcher itself (database unavailable…); deliveries' failures are recorded, not reported here. */
  onError?: (err: unknown) => void;
}

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

export function createWebhookDispatcher(pool: Pool, options: WebhookDispatcherOptions): WebhookDispatcher {
  const fetchImpl = options.fetch ?? fetch;
  const now = options.now ?? Date.now;
  const maxDelayMs = options.maxDelayMs ?? 3_600_000;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const batchSize = options.batchSize ?? 50;
  const perSubscription = options.perSubscription ?? 5;
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

  async function post(row: ClaimedRow): Promise<Outcome> {
    try {
      const res = await fetchImpl(row.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'approvals-webhooks/1',
          'x-event-id': row.event_key,
          'x-signature': signatureHeader(row.secret, row.body, Math.floor(now() / 1000)),
        },
        body: row.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      // The body is not needed; cancelling frees the connection at once.
      await res.body?.cancel().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status };
      return { ok: false, status: res.status, error: `HTTP ${res.status}` };
    } catch (err) {
      return { ok: false, status: null, error: describeFetchError(err, timeoutMs) };
    }
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

  async function poll(): Promise<void> {
    const free = maxInFlight - inFlight.size;
    if (free <= 0) return;
    for (const row of await claim(Math.min(free, batchSize))) launch(row);
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
      const tick = () => {
        polling = poll()
          .catch(onError)
          .finally(() => {
            polling = null;
            if (!stopped) timer = setTimeout(tick, intervalMs);
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
    },
  };
}

/** A short reason for the log: timeout, refused connection, DNS failure… rather than undici's generic "fetch failed". */
function describeFetchError(err: unknown, timeoutMs: number): string {
  if (err instanceof Error) {
    if (err.name === 'TimeoutError' || err.name === 'AbortError') return `timeout after ${timeoutMs} ms`;
    const cause = (err as Error & { cause?: unknown }).cause;
    if (cause instanceof Error) {
      const code = (cause as Error & { code?: unknown }).code;
      return typeof code === 'string' ? `${code}: ${cause.message}` : cause.message;
    }
    return err.message;
  }
  return String(err);
}
