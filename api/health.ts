import type { Logger } from './log';

/** Resolves when the dependency answers; rejects (with its reason) when it does not. */
export type Check = () => Promise<unknown>;
export type DependencyState = 'up' | 'down';

/**
 * Runs each check at once and reports only up or down: the answers are public, so the
 * reason (which names addresses) goes to the log, never into the body.
 */
export async function dependencyStates<K extends string>(checks: Record<K, Check>, log: Logger): Promise<{ ok: boolean; states: Record<K, DependencyState> }> {
  const names = Object.keys(checks) as K[];
  const results = await Promise.allSettled(names.map((name) => checks[name]()));
  const states = {} as Record<K, DependencyState>;
  results.forEach((r, i) => {
    const name = names[i]!;
    states[name] = r.status === 'fulfilled' ? 'up' : 'down';
    if (r.status === 'rejected') log.warn({ dependency: name, err: r.reason }, `${name} is down`);
  });
  return { ok: results.every((r) => r.status === 'fulfilled'), states };
}
