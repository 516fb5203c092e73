import type { Client } from '@temporalio/client';
import type { Pool } from 'pg';
import { projectionQuery } from '../workflows/messages';
import { writeProjection } from './writer';

/** One application dealt with by a rebuild, or (`id` null, `done` 0) the list of them known. */
export interface RebuildProgress {
  id: string | null;
  outcome: 'rebuilt' | 'unchanged' | 'failed' | null;
  done: number;
  total: number;
}

/**
 * Rebuilds the read model from the workflows, the source of truth: each application's full
 * projection (every event from the first) is asked of its workflow and written as one batch.
 * Without ids, every application the Temporal visibility store lists; with `refused`, those with a
 * batch PostgreSQL refused (projection_refusals), which are then marked repaired. With `force`,
 * the stored rows are deleted first, so even rows with the current seq are rewritten.
 * `onProgress` hears once the applications are listed, then after each one (for a command's
 * progress bar).
 */
export async function rebuildProjection(
  client: Client,
  pool: Pool,
  options: { ids?: string[]; force?: boolean; refused?: boolean; onProgress?: (p: RebuildProgress) => void } = {},
): Promise<{ rebuilt: number; unchanged: number; failed: { id: string; error: string }[] }> {
  const ids = options.ids ?? [];
  if (options.refused) {
    // Only the applications with a batch PostgreSQL refused and nobody has repaired yet.
    const { rows } = await pool.query<{ application_id: string }>('SELECT DISTINCT application_id FROM projection_refusals WHERE repaired_at IS NULL ORDER BY 1');
    ids.push(...rows.map((r) => r.application_id));
  } else if (!options.ids) {
    for await (const wf of client.workflow.list({ query: `WorkflowType = 'applicationWorkflow'` })) ids.push(wf.workflowId);
  }
  const result = { rebuilt: 0, unchanged: 0, failed: [] as { id: string; error: string }[] };
  options.onProgress?.({ id: null, outcome: null, done: 0, total: ids.length });
  for (const [i, id] of ids.entries()) {
    let outcome: RebuildProgress['outcome'];
    try {
      const batch = await client.workflow.getHandle(id).query(projectionQuery);
      if (options.force) await pool.query('DELETE FROM applications WHERE application_id = $1', [id]);
      const { applied } = await writeProjection(pool, batch);
      if (applied) result.rebuilt++;
      else result.unchanged++;
      await pool.query('UPDATE projection_refusals SET repaired_at = now() WHERE application_id = $1 AND repaired_at IS NULL', [id]);
      outcome = applied ? 'rebuilt' : 'unchanged';
    } catch (e) {
      result.failed.push({ id, error: (e as Error).message });
      outcome = 'failed';
    }
    options.onProgress?.({ id, outcome, done: i + 1, total: ids.length });
  }
  return result;
}
