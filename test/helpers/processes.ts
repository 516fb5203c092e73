import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '..', '..');
const TS_REGISTER = path.join(__dirname, 'ts-register.cjs');

export interface LogLine {
  level?: number;
  msg?: string;
  name?: string;
  [k: string]: unknown;
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** performance.now() when it exited (and its output was read). */
  at: number;
}

export interface RunningProcess {
  child: ChildProcess;
  /** Every line written to stdout, parsed when it is JSON (pino), else `{ msg: line }`. */
  lines: LogLine[];
  /** stderr, for the failure message of a test. */
  stderr(): string;
  exited: Promise<Exit>;
  /** Resolves with the first line (seen or to come) that matches; rejects after `timeoutMs` or if the process exits first. */
  waitForLine(match: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** SIGKILLs it if it is still running. */
  kill(): Promise<void>;
}

/**
 * Starts a TypeScript entry point of this repository as a real Node process (transpiled on
 * load, no build needed), its stdout read as JSON log lines.
 */
export function startTs(entry: string, env: NodeJS.ProcessEnv = {}, args: string[] = []): RunningProcess {
  return startProcess(process.execPath, ['-r', TS_REGISTER, path.resolve(ROOT, entry), ...args], env);
}

export function startProcess(command: string, args: string[], env: NodeJS.ProcessEnv = {}): RunningProcess {
  const child = spawn(command, args, { cwd: ROOT, env: { ...process.env, VITEST: undefined, NODE_ENV: 'production', LOG_LEVEL: 'info', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: LogLine[] = [];
  const waiters = new Set<() => void>();
  let stderr = '';
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    for (const text of parts.filter(Boolean)) {
      try {
        lines.push(JSON.parse(text) as LogLine);
      } catch {
        lines.push({ msg: text });
      }
    }
    for (const w of waiters) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-20_000);
  });
  let done: Exit | undefined;
  const exited = new Promise<Exit>((resolve) => {
    // 'close', not 'exit': every line it wrote has been read by then.
    child.once('close', (code, signal) => {
      done = { code, signal, at: performance.now() };
      for (const w of waiters) w();
      resolve(done);
    });
  });
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    waitForLine(match, timeoutMs = 60_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = lines.find(match);
          if (found) finish(() => resolve(found));
          else if (done) finish(() => reject(new Error(`exited (${done!.code ?? done!.signal}) before the line came; stderr: ${stderr.slice(-2_000)}`)));
        };
        const timer = setTimeout(() => finish(() => reject(new Error(`no such line within ${timeoutMs} ms; last lines: ${JSON.stringify(lines.slice(-5))}`))), timeoutMs);
        const finish = (f: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          f();
        };
        waiters.add(check);
        check();
      });
    },
    async kill() {
      if (!done) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

/** Whether a process of this id is still alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
