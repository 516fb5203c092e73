import { spawn, type ChildProcess } from 'node:child_process';
import { logger, type Logger } from '../api/log';

/**
 * `npm start`'s supervisor: keeps the worker and the API running. A program that exits, for
 * whatever reason, is started again after a delay that doubles with each quick exit and goes
 * back to the first after a long enough run; SIGINT/SIGTERM stops them all. In production
 * systemd does this job (deploy/systemd).
 *
 *   node dist/scripts/supervise.js "worker=node dist/worker/main.js" "api=node dist/api/main.js"
 *
 * Each argument is `name=command arg…`, split on spaces (no shell, no quoting).
 */

export interface Program {
  name: string;
  command: string;
  args: string[];
}

export interface Backoff {
  /** The delay after the first exit, and again after a run of `stableMs` or more. */
  firstMs: number;
  maxMs: number;
  stableMs: number;
}

export const BACKOFF: Backoff = { firstMs: 1_000, maxMs: 30_000, stableMs: 60_000 };

/** Above the worker's drain bound (20 s, worker/main.ts): a program still running then is killed. */
export const STOP_TIMEOUT_MS = 25_000;

/** The wait before the next start of a program that ran `upMs` and last waited `lastMs`. */
export function restartDelay(lastMs: number | undefined, upMs: number, backoff: Backoff): number {
  if (lastMs === undefined || upMs >= backoff.stableMs) return backoff.firstMs;
  return Math.min(lastMs * 2, backoff.maxMs);
}

export interface SuperviseOptions {
  backoff?: Backoff;
  stopTimeoutMs?: number;
  log?: Logger;
  /** Called with each child as it starts (tests watch the children through it). */
  onStart?: (name: string, child: ChildProcess) => void;
}

export interface Supervisor {
  /** No more restarts; SIGTERM to every running program, SIGKILL to those still running after the stop timeout. */
  stop(): Promise<void>;
}

interface Slot {
  program: Program;
  child?: ChildProcess;
  restart?: NodeJS.Timeout;
  delayMs?: number;
  exited: Promise<void>;
}

export function supervise(programs: Program[], options: SuperviseOptions = {}): Supervisor {
  const backoff = options.backoff ?? BACKOFF;
  const log = options.log ?? logger.child({ name: 'supervisor' });
  let stopped: Promise<void> | undefined;

  const start = (slot: Slot): void => {
    const { name, command, args } = slot.program;
    slot.restart = undefined;
    const startedAt = performance.now();
    const child = spawn(command, args, { stdio: 'inherit' });
    slot.child = child;
    slot.exited = new Promise((resolve) => {
      let ended = false;
      const end = (code: number | null, signal: NodeJS.Signals | null, err?: Error) => {
        if (ended) return;
        ended = true;
        slot.child = undefined;
        resolve();
        const upMs = Math.round(performance.now() - startedAt);
        const how = err ? `could not start (${err.message})` : `exited (${signal ?? `code ${code}`}) after ${(upMs / 1000).toFixed(1)} s`;
        if (stopped) {
          log.info({ program: name, childPid: child.pid, code, signal, upMs }, `${name} ${how}`);
          return;
        }
        slot.delayMs = restartDelay(slot.delayMs, upMs, backoff);
        log.warn({ program: name, childPid: child.pid, code, signal, upMs, restartInMs: slot.delayMs }, `${name} ${how}; restarting in ${slot.delayMs / 1000} s`);
        slot.restart = setTimeout(() => start(slot), slot.delayMs);
      };
      child.once('exit', (code, signal) => end(code, signal));
      // Only a failed spawn ends a program here; a failed kill leaves it running.
      child.once('error', (err) => {
        if (child.pid === undefined) end(null, null, err);
      });
    });
    log.debug({ program: name, childPid: child.pid }, `${name} started`);
    options.onStart?.(name, child);
  };

  const slots: Slot[] = programs.map((program) => ({ program, exited: Promise.resolve() }));
  for (const slot of slots) start(slot);

  return {
    stop() {
      stopped ??= (async () => {
        const running = slots.filter((s) => s.child);
        for (const slot of slots) clearTimeout(slot.restart);
        log.info({ programs: running.map((s) => s.program.name) }, `stopping: SIGTERM to ${running.map((s) => s.program.name).join(', ') || 'nothing running'}`);
        for (const slot of running) slot.child!.kill('SIGTERM');
        const stopTimeoutMs = options.stopTimeoutMs ?? STOP_TIMEOUT_MS;
        const deadline = setTimeout(() => {
          for (const slot of slots.filter((s) => s.child)) {
            log.error({ program: slot.program.name, childPid: slot.child!.pid }, `${slot.program.name} did not stop within ${stopTimeoutMs / 1000} s; SIGKILL`);
            slot.child!.kill('SIGKILL');
          }
        }, stopTimeoutMs);
        await Promise.all(slots.map((s) => s.exited));
        clearTimeout(deadline);
      })();
      return stopped;
    },
  };
}

export function parsePrograms(argv: string[]): Program[] {
  return argv.map((arg) => {
    const match = /^([\w.-]+)=\s*(\S.*)$/.exec(arg);
    if (!match) throw new Error(`not name=command: ${JSON.stringify(arg)}`);
    const [command, ...args] = match[2]!.trim().split(/\s+/) as [string, ...string[]];
    return { name: match[1]!, command, args };
  });
}

if (require.main === module) {
  const log = logger.child({ name: 'supervisor' });
  const programs = parsePrograms(process.argv.slice(2));
  if (!programs.length) {
    console.error('usage: supervise "name=command arg…" …');
    process.exit(2);
  }
  const supervisor = supervise(programs, { log });
  const onSignal = () => {
    void supervisor.stop().then(() => {
      log.info('stopped');
      process.exit(0);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}
