/**
 * Polls `probe` until it answers something other than `undefined` (a probe that throws counts as
 * not yet), and returns that answer; fails with `timed out waiting for <what>` after `timeoutMs`.
 * For what happens elsewhere on its own time: the read model catching up with a workflow.
 */
export async function until<T>(what: string, probe: () => Promise<T | undefined>, { timeoutMs = 60_000, everyMs = 250 } = {}): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
