import { Presets, SingleBar } from 'cli-progress';

/**
 * A progress bar for a long command, drawn on stderr and only when stderr is a terminal; otherwise
 * every call does nothing. stderr, so stdout carries the results alone: `npm run migrate > out.log`
 * or `| tee` captures exactly the summary line while the terminal still shows the bar, and a
 * command run by CI, a test or a service manager (stderr a pipe or a file) draws nothing.
 */
export interface Progress {
  start(total: number, payload?: Record<string, unknown>): void;
  update(value: number, payload?: Record<string, unknown>): void;
  increment(payload?: Record<string, unknown>): void;
  setTotal(total: number): void;
  /** Ends the bar (leaving its last state on the terminal unless `clear`). */
  stop(): void;
}

export function progressBar(format: string, options: { clear?: boolean } = {}): Progress {
  if (process.stderr.isTTY !== true) return { start() {}, update() {}, increment() {}, setTotal() {}, stop() {} };
  const bar = new SingleBar({ format, stream: process.stderr, hideCursor: true, clearOnComplete: options.clear ?? false, etaBuffer: 20 }, Presets.shades_classic);
  return {
    start: (total, payload) => bar.start(total, 0, payload),
    update: (value, payload) => bar.update(value, payload ?? {}),
    increment: (payload) => bar.increment(1, payload ?? {}),
    setTotal: (total) => bar.setTotal(total),
    stop: () => {
      if (bar.isActive) bar.stop();
    },
  };
}

/** Seconds since `startedMs` for a summary line: `12.4 s`. */
export function seconds(startedMs: number): string {
  return `${((Date.now() - startedMs) / 1000).toFixed(1)} s`;
}

/** `1 application`, `3 applications`. */
export function count(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
