import { reactive, ref } from 'vue';
import { session, signOut } from '../session';

/** A refusal of the API: its problem+json body (api/problem.ts), always with a code. */
export class ApiProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly code: string,
    readonly errors: { field: string; message: string }[] = [],
  ) {
    super(detail || title);
  }
  /** The field messages, or the detail, for a form to show. */
  get reason(): string {
    return this.errors.length ? this.errors.map((e) => `${e.field}: ${e.message}`).join('; ') : this.detail || this.title;
  }
}

/** What a page says about a call that failed: the API's reason, or the error's own message. */
export function reasonOf(e: unknown): string {
  return e instanceof ApiProblem ? e.reason : e instanceof Error ? e.message : String(e);
}

/**
 * One form's submission: `busy` while `run` goes (a second submit meanwhile does nothing), and
 * the API's refusal in `refusal` for the form to show, cleared when the form is sent again.
 */
export function useSubmit() {
  const busy = ref(false);
  const refusal = ref('');
  async function submit(run: () => Promise<unknown>): Promise<void> {
    if (busy.value) return;
    busy.value = true;
    refusal.value = '';
    try {
      await run();
    } catch (e) {
      refusal.value = reasonOf(e);
    } finally {
      busy.value = false;
    }
  }
  return { busy, refusal, submit };
}

/** Shown by the shell: the service answered 503 (or not at all) and the call is being retried. */
export const service = reactive({ unavailable: false });

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined | null>;
  /** Sent as Idempotency-Key: a repeated click or retry starts nothing twice. */
  idempotencyKey?: string;
  /** Answer as text (CSV) instead of JSON. */
  text?: boolean;
}

const RETRIES = 3;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function withQuery(path: string, query: RequestOptions['query']): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `${path}?${s}` : path;
}

/**
 * One call to the API on this origin with the session's bearer token. A 503 (the service
 * briefly unavailable) or a network failure is retried after Retry-After (at most 5 s), three
 * times, while the shell says so; a 401 ends the session.
 */
export async function request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: options.text ? 'text/csv' : 'application/json' };
  if (session.token) headers.authorization = `Bearer ${session.token}`;
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  for (let attempt = 0; ; attempt++) {
    let res: Response;
    try {
      res = await fetch(withQuery(path, options.query), { method, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
    } catch (err) {
      if (attempt >= RETRIES) {
        service.unavailable = false;
        throw new ApiProblem(0, 'Network error', String((err as Error).message ?? err), 'NETWORK');
      }
      service.unavailable = true;
      await sleep(1000 * 2 ** attempt);
      continue;
    }
    if (res.status === 503 && attempt < RETRIES) {
      service.unavailable = true;
      const after = Number(res.headers.get('retry-after'));
      await sleep(Math.min(Number.isFinite(after) && after > 0 ? after * 1000 : 1000 * 2 ** attempt, 5000));
      continue;
    }
    service.unavailable = false;
    if (res.ok) return (options.text ? await res.text() : res.status === 204 ? null : await res.json()) as T;
    const body = (await res.json().catch(() => ({}))) as Partial<{ title: string; detail: string; code: string; errors: { field: string; message: string }[] }>;
    if (res.status === 401 && session.token) signOut();
    throw new ApiProblem(res.status, body.title ?? res.statusText, body.detail ?? '', body.code ?? `HTTP_${res.status}`, body.errors ?? []);
  }
}

export const get = <T>(path: string, query?: RequestOptions['query']) => request<T>('GET', path, { query });
export const post = <T>(path: string, body: unknown = {}, options: Omit<RequestOptions, 'body'> = {}) => request<T>('POST', path, { ...options, body });
