import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, cpSync, createWriteStream, existsSync, mkdirSync, openSync, readdirSync, readFileSync, symlinkSync, writeFileSync, type WriteStream } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { loadCatalogue } from '../../catalogue/loader';

const execFileAsync = promisify(execFile);

/** The repository root, from dist/scripts/chaos or scripts/chaos. */
export const ROOT = existsSync(path.resolve(__dirname, '..', '..', 'package.json')) ? path.resolve(__dirname, '..', '..') : path.resolve(__dirname, '..', '..', '..');
const TEMPORAL_BIN = path.join(ROOT, '.tools', 'bin', 'temporal');
const POSTGRES_SH = path.join(ROOT, 'scripts', 'postgres.sh');

/** A free TCP port on 127.0.0.1 (the kernel's choice: never the embedded run's 3000, 7233 or 5433 unless by chance, which is refused). */
export async function freePort(avoid: Set<number> = new Set()): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createNetServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const { port } = server.address() as { port: number };
        server.close(() => resolve(port));
      });
    });
    if (![3000, 7233, 8233, 5433].includes(port) && !avoid.has(port)) {
      avoid.add(port);
      return port;
    }
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export interface Principal {
  token: string;
  id: string;
  name?: string;
  role: string;
  department?: string;
  applicants?: string[];
}

/** The principals this run acts as: a few applicants, an officer per department, every provider, an admin. */
export interface Principals {
  applicants: Principal[];
  officers: Record<string, Principal>;
  providers: Record<string, Principal>;
  admin: Principal;
}

export function writePrincipals(file: string, applicantCount: number): Principals {
  const token = () => randomBytes(24).toString('base64url');
  const cat = loadCatalogue();
  const applicants = Array.from({ length: applicantCount }, (_, i) => ({ token: token(), id: `ent-chaos-${String(i + 1).padStart(2, '0')}`, name: `混沌测试企业${i + 1}`, role: 'applicant' }));
  const officers = Object.fromEntries(
    cat.departments.filter((d) => d.code !== 'SUP').map((d) => [d.code, { token: token(), id: `officer-${d.code.toLowerCase()}`, name: d.name, role: 'officer', department: d.code }]),
  );
  const providers = Object.fromEntries(cat.providers.map((p) => [p.code, { token: token(), id: p.code, name: p.name, role: 'provider' }]));
  const admin = { token: token(), id: 'chaos-admin', role: 'admin' };
  const supervisor = { token: token(), id: 'chaos-sup', role: 'supervisor', department: 'SUP' };
  writeFileSync(file, JSON.stringify([...applicants, ...Object.values(officers), ...Object.values(providers), admin, supervisor], null, 2), { mode: 0o600 });
  return { applicants, officers, providers, admin };
}

/** A process started by this run in a process group of its own, its output appended to a log file. */
export class Managed {
  child?: ChildProcess;
  private exit?: Promise<void>;
  private log: WriteStream;

  constructor(
    readonly name: string,
    private readonly command: string,
    private readonly args: string[],
    private readonly env: NodeJS.ProcessEnv,
    logFile: string,
    private readonly onLine?: (line: string) => void,
    private readonly cwd: string = ROOT,
  ) {
    this.log = createWriteStream(logFile, { flags: 'a' });
  }

  start(): void {
    const child = spawn(this.command, this.args, { cwd: this.cwd, env: this.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let partial = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      this.log.write(chunk);
      if (!this.onLine) return;
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop()!;
      for (const line of parts) if (line) this.onLine(line);
    });
    child.stderr!.on('data', (chunk: Buffer) => this.log.write(chunk));
    this.exit = new Promise((resolve) => child.once('close', () => resolve()));
  }

  get running(): boolean {
    return !!this.child && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Signals the whole group; waits up to `waitMs` for the leader to exit, then SIGKILLs the group. */
  async stop(signal: NodeJS.Signals = 'SIGTERM', waitMs = 30_000): Promise<void> {
    const child = this.child;
    if (!child?.pid) return;
    // The leader first (a supervisor stops its programs in order), then whatever is left of the group.
    try {
      process.kill(child.pid, signal);
    } catch {
      // Already gone.
    }
    const exited = await Promise.race([this.exit!.then(() => true), sleep(waitMs).then(() => false)]);
    if (!exited) {
      killGroup(child.pid, 'SIGKILL');
      await this.exit;
    }
    // Whatever outlived its leader.
    killGroup(child.pid, 'SIGKILL');
  }

  /** Last resort on exit: synchronous, no waiting. */
  killNow(): void {
    if (this.child?.pid) killGroup(this.child.pid, 'SIGKILL');
  }

  close(): void {
    this.log.end();
  }
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** Children of `parentPid` whose command line contains `needle` (from /proc). */
export function childPids(parentPid: number, needle: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // The command name may hold spaces and parentheses: fields resume after the last ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== parentPid) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmdline.includes(needle)) found.push(Number(entry));
    } catch {
      // It exited meanwhile.
    }
  }
  return found;
}

/** A copy of dist/ with the catalogue and the migrations, and node_modules linked, in `app` (see ChaosSystem.snapshotBuild). */
export function snapshotBuild(app: string): string {
  mkdirSync(path.join(app, 'readmodel', 'db'), { recursive: true });
  mkdirSync(path.join(app, 'definitions'), { recursive: true });
  cpSync(path.join(ROOT, 'dist'), path.join(app, 'dist'), { recursive: true });
  cpSync(path.join(ROOT, 'definitions', 'data'), path.join(app, 'definitions', 'data'), { recursive: true });
  cpSync(path.join(ROOT, 'readmodel', 'db', 'migrations'), path.join(app, 'readmodel', 'db', 'migrations'), { recursive: true });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(app, 'node_modules'));
  return app;
}

export interface SystemOptions {
  dataDir: string;
  applicants: number;
  /** Called with each JSON line the supervisor, the worker or the API writes. */
  onSupervisedLine?: (line: string) => void;
}

/**
 * The whole system in one data dir, on free loopback ports: the Temporal dev server on its SQLite
 * file, PostgreSQL (scripts/postgres.sh), and the worker and the API under scripts/supervise.ts,
 * as `npm start` runs them, with a principals file of this run's own.
 */
export class ChaosSystem {
  temporalPort = 0;
  apiPort = 0;
  pgPort = 0;
  databaseUrl = '';
  principals!: Principals;
  temporal?: Managed;
  supervisor?: Managed;
  private pgStarted = false;
  readonly pgDir: string;
  readonly temporalDb: string;
  private readonly ports = new Set<number>();

  constructor(private readonly options: SystemOptions) {
    this.pgDir = path.join(options.dataDir, 'pg');
    this.temporalDb = path.join(options.dataDir, 'temporal.db');
  }

  get temporalAddress(): string {
    return `127.0.0.1:${this.temporalPort}`;
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.apiPort}`;
  }

  /**
   * The build this run supervises, copied into the data dir: a run lasts long, and a rebuild of
   * the shared dist/ meanwhile (another `npm run build`) must not change the programs the
   * supervisor starts again after each kill. The copy finds node_modules, the catalogue and the
   * migrations where the compiled code looks for them.
   */
  private snapshotBuild(): string {
    return snapshotBuild(path.join(this.options.dataDir, 'app'));
  }

  async start(webhookReceiverHost: string): Promise<void> {
    const { dataDir } = this.options;
    // PostgreSQL runs as the postgres OS user, which must reach its data dir.
    chmodSync(dataDir, 0o755);
    const app = this.snapshotBuild();
    this.temporalPort = await freePort(this.ports);
    this.apiPort = await freePort(this.ports);
    this.pgPort = await freePort(this.ports);
    this.principals = writePrincipals(path.join(dataDir, 'principals.json'), this.options.applicants);
    await Promise.all([this.startTemporal(), this.startPostgres()]);
    this.supervisor = new Managed(
      'supervisor',
      process.execPath,
      [path.join(app, 'dist', 'scripts', 'supervise.js'), `worker=${process.execPath} dist/worker/main.js`, `api=${process.execPath} dist/api/main.js`],
      {
        ...process.env,
        NODE_ENV: 'production',
        LOG_LEVEL: 'info',
        HOST: '127.0.0.1',
        PORT: String(this.apiPort),
        TEMPORAL_ADDRESS: this.temporalAddress,
        TEMPORAL_NAMESPACE: 'default',
        TASK_QUEUE: 'approvals',
        DATABASE_URL: this.databaseUrl,
        API_TOKENS_FILE: path.join(dataDir, 'principals.json'),
        WEBHOOK_ALLOWED_DESTINATIONS: webhookReceiverHost,
        // One applicant and one officer per department speak for hundreds of applications here.
        RATE_LIMIT_PER_MINUTE: '1000000',
        RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000000',
      },
      path.join(dataDir, 'supervised.log'),
      this.options.onSupervisedLine,
      app,
    );
    this.supervisor.start();
  }

  async startTemporal(): Promise<void> {
    this.temporal ??= new Managed(
      'temporal',
      TEMPORAL_BIN,
      [
        'server', 'start-dev', '--ip', '127.0.0.1', '--port', String(this.temporalPort), '--headless',
        '--db-filename', this.temporalDb, '--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL', '--log-level', 'warn',
      ],
      { ...process.env },
      path.join(this.options.dataDir, 'temporal.log'),
    );
    this.temporal.start();
    await this.waitForTemporal(90_000);
  }

  async waitForTemporal(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.temporal?.running) throw new Error(`the Temporal dev server exited; see ${path.join(this.options.dataDir, 'temporal.log')}`);
      try {
        await execFileAsync(TEMPORAL_BIN, ['operator', 'cluster', 'health', '--address', this.temporalAddress], { timeout: 5_000 });
        return;
      } catch {
        await sleep(500);
      }
    }
    throw new Error(`the Temporal dev server did not answer within ${timeoutMs / 1000} s`);
  }

  /** kill -9 of the dev server; the SQLite file stays. */
  async killTemporal(): Promise<void> {
    await this.temporal?.stop('SIGKILL', 10_000);
  }

  async startPostgres(): Promise<void> {
    const { stdout } = await execFileAsync('bash', [POSTGRES_SH, this.pgDir], { env: { ...process.env, PGPORT: String(this.pgPort) }, timeout: 120_000 });
    this.pgStarted = true;
    this.databaseUrl = stdout.trim().split('\n').at(-1)!;
  }

  async stopPostgres(): Promise<void> {
    await execFileAsync('bash', [POSTGRES_SH, 'stop', this.pgDir], { timeout: 120_000 });
  }

  /** The supervised program's process id, if one is running. */
  programPid(program: 'worker' | 'api'): number | undefined {
    const pid = this.supervisor?.child?.pid;
    if (!pid) return undefined;
    return childPids(pid, program === 'worker' ? 'dist/worker/main.js' : 'dist/api/main.js')[0];
  }

  /** kill -9 of the worker or the API: the supervisor is to start it again. Returns the pid killed. */
  killProgram(program: 'worker' | 'api'): number | undefined {
    const pid = this.programPid(program);
    if (pid) process.kill(pid, 'SIGKILL');
    return pid;
  }

  /** Everything down, in order: the supervisor (the worker drains while Temporal is up), Temporal, PostgreSQL. */
  async stop(): Promise<void> {
    await this.supervisor?.stop('SIGTERM', 30_000);
    await this.temporal?.stop('SIGTERM', 15_000);
    if (this.pgStarted) {
      await this.stopPostgres().catch(() => undefined);
      this.pgStarted = false;
    }
    this.supervisor?.close();
    this.temporal?.close();
  }

  /** On a hard exit: kill what is left without waiting; PostgreSQL is stopped synchronously. */
  stopNow(): void {
    this.supervisor?.killNow();
    this.temporal?.killNow();
    if (this.pgStarted) {
      spawnSync('bash', [POSTGRES_SH, 'stop', this.pgDir], { stdio: 'ignore', timeout: 60_000 });
      this.pgStarted = false;
    }
  }
}

/** One long-running program of an external system, as `npm run topology -- up` started it. */
export interface ProcessEntry {
  /** worker-1, api-2, temporal… */
  name: string;
  role: 'temporal' | 'worker' | 'api';
  /** 0 when it is not running. */
  pid: number;
  command: string;
  args: string[];
  cwd: string;
  /** The variables set for it, on top of the starting process's environment. */
  env: Record<string, string>;
  log: string;
}

/** What a system started by another process is made of: written by the topology, read by chaos and bench runs. */
export interface SystemFile {
  variant: string;
  dataDir: string;
  temporalAddress: string;
  databaseUrl: string;
  pgPort: number;
  apiUrls: string[];
  principalsFile: string;
  processes: ProcessEntry[];
}

export function readSystemFile(file: string): SystemFile {
  return JSON.parse(readFileSync(file, 'utf8')) as SystemFile;
}

export function writeSystemFile(file: string, system: SystemFile): void {
  writeFileSync(file, `${JSON.stringify(system, null, 2)}\n`);
}

/** Whether the entry's pid is alive and still its program (a pid may be reused), not a zombie. */
export function processRunning(entry: ProcessEntry): boolean {
  if (!entry.pid) return false;
  try {
    const stat = readFileSync(`/proc/${entry.pid}/stat`, 'utf8');
    if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    return readFileSync(`/proc/${entry.pid}/cmdline`, 'utf8').replace(/\0/g, ' ').includes(entry.args.join(' '));
  } catch {
    return false;
  }
}

/** Starts the entry's program in a session of its own, its output appended to its log; it outlives the caller. Returns its pid. */
export function spawnDetached(entry: ProcessEntry): number {
  const fd = openSync(entry.log, 'a');
  try {
    const child = spawn(entry.command, entry.args, { cwd: entry.cwd, env: { ...process.env, ...entry.env }, detached: true, stdio: ['ignore', fd, fd] });
    child.unref();
    if (!child.pid) throw new Error(`could not start ${entry.name} (${entry.command})`);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/** The run's principals, from a principals file written by writePrincipals. */
export function readPrincipals(file: string): Principals {
  const all = JSON.parse(readFileSync(file, 'utf8')) as Principal[];
  const admin = all.find((p) => p.role === 'admin');
  if (!admin) throw new Error(`${file}: no admin principal`);
  return {
    applicants: all.filter((p) => p.role === 'applicant'),
    officers: Object.fromEntries(all.filter((p) => p.role === 'officer').map((p) => [p.department!, p])),
    providers: Object.fromEntries(all.filter((p) => p.role === 'provider').map((p) => [p.id, p])),
    admin,
  };
}

export interface ExternalSystemOptions extends SystemOptions {
  /** The system file of an already running system (`npm run topology -- up`). */
  systemFile: string;
  /** How long a killed worker stays down before this run starts it again. */
  workerDownForS: number;
}

/**
 * A system this run did not start and does not stop: its APIs, workers, Temporal and PostgreSQL
 * as a system file describes them. The only fault it takes is a worker's kill -9: the first of
 * its running workers is killed and started again, as it was, `workerDownForS` later, while
 * the others carry the load.
 */
export class ExternalSystem extends ChaosSystem {
  private system!: SystemFile;
  private pending = new Map<ProcessEntry, NodeJS.Timeout>();
  /** Restarts this run made, by program. */
  readonly restarts: Record<string, number> = {};
  /** Programs found not running when the run ended, which the run did not kill. */
  readonly notRunning: string[] = [];

  constructor(private readonly external: ExternalSystemOptions) {
    super(external);
  }

  override get temporalAddress(): string {
    return this.system.temporalAddress;
  }

  override get apiUrl(): string {
    return this.system.apiUrls[0]!;
  }

  get apiUrls(): string[] {
    return this.system?.apiUrls ?? [];
  }

  override async start(): Promise<void> {
    this.system = readSystemFile(this.external.systemFile);
    const down = this.system.processes.filter((p) => !processRunning(p)).map((p) => p.name);
    if (down.length) throw new Error(`${this.external.systemFile}: not running: ${down.join(', ')} (npm run topology -- up)`);
    this.principals = readPrincipals(this.system.principalsFile);
    this.databaseUrl = this.system.databaseUrl;
    this.pgPort = this.system.pgPort;
    this.temporalPort = Number(this.system.temporalAddress.split(':').at(-1));
    this.apiPort = Number(new URL(this.apiUrl).port);
  }

  override programPid(program: 'worker' | 'api'): number | undefined {
    return this.system.processes.find((p) => p.role === program && processRunning(p))?.pid;
  }

  override killProgram(program: 'worker' | 'api'): number | undefined {
    if (program !== 'worker') throw new Error(`an external system takes worker kills only, not ${program} kills`);
    const entry = this.system.processes.find((p) => p.role === 'worker' && processRunning(p));
    if (!entry) return undefined;
    const pid = entry.pid;
    process.kill(pid, 'SIGKILL');
    entry.pid = 0;
    writeSystemFile(this.external.systemFile, this.system);
    this.pending.set(entry, setTimeout(() => this.restart(entry), this.external.workerDownForS * 1000));
    return pid;
  }

  private restart(entry: ProcessEntry): void {
    clearTimeout(this.pending.get(entry));
    this.pending.delete(entry);
    entry.pid = spawnDetached(entry);
    this.restarts[entry.name] = (this.restarts[entry.name] ?? 0) + 1;
    writeSystemFile(this.external.systemFile, this.system);
  }

  override async killTemporal(): Promise<void> {
    throw new Error("an external system's Temporal is not this run's to restart");
  }

  override async startTemporal(): Promise<void> {
    throw new Error("an external system's Temporal is not this run's to start");
  }

  override async stopPostgres(): Promise<void> {
    throw new Error("an external system's PostgreSQL is not this run's to stop");
  }

  override async startPostgres(): Promise<void> {
    throw new Error("an external system's PostgreSQL is not this run's to start");
  }

  /** Nothing is stopped: a worker still down is started again now, and whatever else is not running is listed. */
  override async stop(): Promise<void> {
    for (const entry of [...this.pending.keys()]) this.restart(entry);
    this.notRunning.push(...this.system.processes.filter((p) => !processRunning(p)).map((p) => p.name));
  }

  override stopNow(): void {
    for (const entry of [...this.pending.keys()]) this.restart(entry);
  }
}
