import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { HISTORIES_DIR, readHistory } from './helpers/history';
import { quietRuntime, workflowBundle } from './helpers/temporal';

describe('recorded histories replay on the current workflow code', () => {
  const files = readdirSync(HISTORIES_DIR).filter((f) => f.endsWith('.history')).sort();

  it('has the recorded scenarios', () => {
    expect(files).toEqual(
      expect.arrayContaining(['full-government-investment.history', 'clock-stops.history', 'escalation.history', 'intake-terminated.history', 'rejected.history', 'withdrawn.history', 'calendar-published.history', 'intermediary.history', 'intake-terminated-v2.history', 'full-government-investment-v2.history', 'intermediary-v2.history', 'hostile-input-v3.history', 'contract-closed-withdrawn.history', 'contract-closed-rejected.history', 'level-instants.history', 'full-government-investment-v3.history', 'intermediary-v3.history', 'reform-v1.history', 'provisional-calendars.history']),
    );
  });

  it('replays every recorded history without a determinism error', async () => {
    quietRuntime();
    const histories = files.map((f) => ({ workflowId: f.replace(/\.history$/, ''), history: readHistory(f) }));
    const failures: string[] = [];
    let replayed = 0;
    for await (const r of Worker.runReplayHistories({ workflowBundle: await workflowBundle() }, histories)) {
      replayed++;
      if (r.error) failures.push(`${r.workflowId}: ${r.error.message}`);
    }
    expect(failures).toEqual([]);
    expect(replayed).toBe(files.length);
  });
});
