import { sleep } from './system';

export interface Answer<T = any> {
  status: number;
  body: T;
  /** Attempts this answer took (1 when the first one was answered). */
  attempts: number;
}

/** Why a request was sent again: an HTTP status (5xx, 429) or a connection error or timeout. */
export type RetryReason = string;

export interface RetryStats {
  /** Requests answered only after one retry or more. */
  retriedRequests: number;
  /** Attempts sent again, in all. */
  retries: number;
  byReason: Record<RetryReason, number>;
  /** 500s, each with its route: a 500 is a bug, not an outage. */
  internalErrors: { method: string; path: string; status: number; at: string }[];
  /** Requests given up on after the retry deadline. */
  gaveUp: number;
}

export class GaveUpError extends Error {
  override readonly name = 'GaveUpError';
}

export interface CallOptions {
  /** Per attempt (default 30 s): an Update waiting on a dead worker is abandoned and sent again. */
  timeoutMs?: number;
  /** Total time the call keeps retrying (default 15 min). */
  deadlineMs?: number;
  /** No retry at all: the recovery probe counts its own attempts. */
  once?: boolean;
  headers?: Record<string, string>;
}

/**
 * The simulated users' HTTP client: every 5xx, 429, connection error and timeout is retried
 * with exponential backoff and jitter (250 ms doubling to 5 s) — a fault is expected — and
 * counted. A retried action may have been applied before its answer was lost; callers read
 * the application again after a refusal that follows a retry.
 */
export class ChaosClient {
  readonly stats: RetryStats = { retriedRequests: 0, retries: 0, byReason: {}, internalErrors: [], gaveUp: 0 };

  constructor(readonly baseUrl: string) {}

  async call<T = any>(method: string, path: string, token: string | undefined, body?: unknown, options: CallOptions = {}): Promise<Answer<T>> {
    const deadline = Date.now() + (options.deadlineMs ?? 15 * 60_000);
    const timeoutMs = options.timeoutMs ?? 30_000;
    let attempt = 0;
    for (;;) {
      attempt++;
      let reason: RetryReason;
      try {
        const res = await fetch(`${this.baseUrl}${path}`, {
          method,
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...options.headers,
          },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
        const text = await res.text();
        const parsed = text && /json/.test(res.headers.get('content-type') ?? '') ? JSON.parse(text) : text;
        if (res.status === 500) this.stats.internalErrors.push({ method, path: path.replace(/\?.*$/, ''), status: res.status, at: new Date().toISOString() });
        if (res.status < 500 && res.status !== 429) return this.answered({ status: res.status, body: parsed as T, attempts: attempt });
        if (options.once) return { status: res.status, body: parsed as T, attempts: attempt };
        reason = `HTTP ${res.status}${typeof parsed === 'object' && parsed?.code ? ` ${parsed.code}` : ''}`;
      } catch (err) {
        if (options.once) throw err;
        reason = describe(err);
      }
      if (Date.now() >= deadline) {
        this.stats.gaveUp++;
        throw new GaveUpError(`${method} ${path}: gave up after ${attempt} attempts (last: ${reason})`);
      }
      this.stats.retries++;
      this.stats.byReason[reason] = (this.stats.byReason[reason] ?? 0) + 1;
      const backoff = Math.min(5_000, 250 * 2 ** Math.min(attempt - 1, 5));
      await sleep(backoff / 2 + Math.random() * (backoff / 2));
    }
  }

  private answered<T>(a: Answer<T>): Answer<T> {
    if (a.attempts > 1) this.stats.retriedRequests++;
    return a;
  }
}

function describe(err: unknown): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return 'timeout';
  return e?.cause?.code ?? e?.code ?? e?.name ?? 'error';
}
