import { fetchEventSource } from '@microsoft/fetch-event-source';
import { onBeforeUnmount, reactive } from 'vue';
import { session } from './session';

/**
 * Live updates: one Server-Sent Events stream per tab (GET /live, with the bearer token in a
 * header), carrying `{applicationId, seq}` of every change the principal may see. While the
 * stream is down the pages poll every 5 s instead, and the stream is retried.
 */
export interface Change {
  applicationId: string;
  seq: number;
}
type Listener = (change: Change | null) => void;

export const live = reactive({ mode: 'off' as 'off' | 'connecting' | 'live' | 'polling' });

const listeners = new Set<Listener>();
let controller: AbortController | null = null;
let poller: ReturnType<typeof setInterval> | null = null;
const POLL_MS = 5000;

function startPolling(): void {
  live.mode = 'polling';
  poller ??= setInterval(() => listeners.forEach((l) => l(null)), POLL_MS);
}
function stopPolling(): void {
  if (poller) clearInterval(poller);
  poller = null;
}

class RetriableError extends Error {}

function connect(): void {
  if (controller || !session.token) return;
  controller = new AbortController();
  live.mode = 'connecting';
  const token = session.token;
  void fetchEventSource('/live', {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
    openWhenHidden: true,
    async onopen(res) {
      if (res.ok && res.headers.get('content-type')?.startsWith('text/event-stream')) {
        stopPolling();
        live.mode = 'live';
        // Whatever changed while the stream was down: every page reloads once.
        listeners.forEach((l) => l(null));
        return;
      }
      throw new RetriableError(`live stream refused: ${res.status}`);
    },
    onmessage(msg) {
      if (msg.event !== 'application') return;
      try {
        const change = JSON.parse(msg.data) as Change;
        listeners.forEach((l) => l(change));
      } catch {
        // A malformed line is dropped; the next change reloads the page anyway.
      }
    },
    onclose() {
      startPolling();
      throw new RetriableError('live stream closed');
    },
    onerror() {
      startPolling();
      return 3000;
    },
  }).catch(() => startPolling());
}

function disconnect(): void {
  controller?.abort();
  controller = null;
  stopPolling();
  live.mode = 'off';
}

/**
 * Calls `listener` on each change the signed-in principal may see (with the change), and on
 * each poll tick while the stream is down (with null), for as long as the calling component
 * lives. The caller decides whether a change concerns it and reloads.
 */
export function onChange(listener: Listener): void {
  listeners.add(listener);
  connect();
  onBeforeUnmount(() => {
    listeners.delete(listener);
    if (listeners.size === 0) disconnect();
  });
}

/**
 * onChange for a page that reloads whatever changed: a burst of changes (a timer firing on many
 * applications) calls `reload` once, `ms` after the last of them.
 */
export function onChangeSettled(reload: () => void, ms = 300): void {
  let pending: ReturnType<typeof setTimeout> | undefined;
  onChange(() => {
    clearTimeout(pending);
    pending = setTimeout(reload, ms);
  });
  onBeforeUnmount(() => clearTimeout(pending));
}

/** On sign-out the stream ends. */
export function endLive(): void {
  listeners.clear();
  disconnect();
}
