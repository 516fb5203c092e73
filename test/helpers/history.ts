import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';

export const HISTORIES_DIR = path.resolve(__dirname, '..', 'histories');

/**
 * With RECORD_HISTORIES=1, keeps the finished scenario's history as a replay fixture
 * (test/histories/<name>.history, the protobuf encoding of the
 * History; @temporalio/common's JSON converter trips over a second protobufjs copy in this tree); test/replay.test.ts replays every fixture on each run, so a
 * workflow change that would break running applications fails CI until it is patched.
 */
export async function recordHistory(handle: WorkflowHandle, name: string): Promise<void> {
  if (process.env.RECORD_HISTORIES !== '1') return;
  const file = path.join(HISTORIES_DIR, `${name}.history`);
  // Fixtures are kept, never overwritten: an old one proves that old histories still replay.
  if (existsSync(file)) return;
  mkdirSync(HISTORIES_DIR, { recursive: true });
  const history = await handle.fetchHistory();
  writeFileSync(file, temporal.api.history.v1.History.encode(history).finish());
}

export function readHistory(file: string): temporal.api.history.v1.History {
  return temporal.api.history.v1.History.decode(readFileSync(path.join(HISTORIES_DIR, file)));
}
