import { readFileSync } from 'node:fs';
import { temporal } from '@temporalio/proto';

/**
 * Where a workflow history's bytes go: the encoded size summed by event type, and for the
 * read-model projection's scheduled activities, by field of the batch they carry.
 *
 *   node dist/scripts/history-bytes.js .data/bench/ours.history [more.history ...]
 *
 * `npm run bench:compare` keeps one history of each kind under .data/bench/ for this.
 */
type History = temporal.api.history.v1.IHistory;

const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;

export function historyBytes(history: History): { total: number; byType: Map<string, { count: number; bytes: number }>; projection: Map<string, number> } {
  const HistoryEvent = temporal.api.history.v1.HistoryEvent;
  const byType = new Map<string, { count: number; bytes: number }>();
  const projection = new Map<string, number>();
  let total = 0;
  for (const e of history.events ?? []) {
    const bytes = HistoryEvent.encode(e).finish().length;
    total += bytes;
    const type = temporal.api.enums.v1.EventType[e.eventType ?? 0] ?? String(e.eventType);
    const t = byType.get(type) ?? { count: 0, bytes: 0 };
    byType.set(type, { count: t.count + 1, bytes: t.bytes + bytes });
    const scheduled = e.activityTaskScheduledEventAttributes;
    if (scheduled?.activityType?.name !== 'projectApplication') continue;
    for (const payload of scheduled.input?.payloads ?? []) {
      const batch = JSON.parse(Buffer.from(payload.data ?? new Uint8Array()).toString('utf8')) as Record<string, unknown>;
      for (const [field, value] of Object.entries(batch)) projection.set(field, (projection.get(field) ?? 0) + JSON.stringify(value).length);
      projection.set('(batches)', (projection.get('(batches)') ?? 0) + 1);
    }
  }
  return { total, byType, projection };
}

function main() {
  for (const file of process.argv.slice(2)) {
    const { total, byType, projection } = historyBytes(temporal.api.history.v1.History.decode(readFileSync(file)));
    console.log(`${file}: ${kib(total)}`);
    for (const [type, t] of [...byType].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, 8)) {
      console.log(`  ${type.replace(/^EVENT_TYPE_/, '').padEnd(40)} ${String(t.count).padStart(4)} × ${kib(t.bytes).padStart(10)}  (${((100 * t.bytes) / total).toFixed(0)} %)`);
    }
    if (projection.size) {
      console.log(`  projection batches (${projection.get('(batches)')}), JSON bytes by field:`);
      for (const [field, bytes] of [...projection].filter(([f]) => f !== '(batches)').sort((a, b) => b[1] - a[1])) console.log(`    ${field.padEnd(12)} ${kib(bytes).padStart(10)}`);
    }
  }
}

if (require.main === module) main();
