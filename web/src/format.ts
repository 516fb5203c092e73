/**
 * Dates as the pages show them: YYYY-MM-DD (and HH:mm) in Asia/Shanghai, whatever the
 * browser's own zone, the way the deadlines are computed.
 */
const dateParts = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' });
const timeParts = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Shanghai', hour: '2-digit', minute: '2-digit', hour12: false });

/** An instant (ISO string or epoch ms) as its Shanghai date. A bare YYYY-MM-DD passes through. */
export function shDate(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) return value;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '—' : dateParts.format(d);
}

/** An instant as "YYYY-MM-DD HH:mm" in Shanghai. */
export function shDateTime(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? '—' : `${dateParts.format(d)} ${timeParts.format(d)}`;
}

/** A fresh Idempotency-Key for one intended action (a wizard's submit, kept across its retries). */
export function newIdempotencyKey(): string {
  return `web-${crypto.randomUUID()}`;
}
