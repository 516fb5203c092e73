import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { processRunning, readSystemFile, ROOT, sleep, snapshotBuild, spawnDetached, writePrincipals, writeSystemFile, type ProcessEntry, type SystemFile } from '../chaos/system';
import { CLI_BIN, ensureServerBinaries, schemaDir, SERVER_BIN, SQL_TOOL_BIN } from './binaries';
import { serverConfigYaml, type ServerPorts } from './server-config';

const execFileAsync = promisify(execFile);
const POSTGRES_SH = path.join(ROOT, 'scripts', 'postgres.sh');

/**
 * cluster: the Temporal server release on PostgreSQL, the production shape;
 * dev: the CLI's dev server on its SQLite file, as npm start runs it, for the comparison.
 * Both with the same PostgreSQL read model, two workers and two APIs.
 */
export type Variant = 'cluster' | 'dev';
export const VARIANTS: Variant[] = ['cluster', 'dev'];

export const TOPOLOGY_DIR = path.join(ROOT, '.data', 'topology');
const WORKERS = 2;
const APIS = 2;
const NUM_HISTORY_SHARDS = 4;
/** Closed applications' histories are kept this long, then deleted by Temporal. */
const RETENTION = '7d';
const NAMESPACE = 'default';

/** The system file with what only the topology needs: its ports, kept across down and up. */
export interface TopologyFile extends SystemFile {
  ports: { temporal: ServerPorts; apis: number[] };
}

export const dataDirOf = (variant: Variant) => path.join(TOPOLOGY_DIR, variant);
export const systemFileOf = (variant: Variant) => path.join(dataDirOf(variant), 'system.json');

export function readTopology(variant: Variant): TopologyFile | undefined {
  return existsSync(systemFileOf(variant)) ? (readSystemFile(systemFileOf(variant)) as TopologyFile) : undefined;
}

/** Whether every program of the variant runs (PostgreSQL is asked by `up`, which is idempotent). */
export function isUp(variant: Variant): boolean {
  const t = readTopology(variant);
  return !!t && t.processes.length > 0 && t.processes.every(processRunning);
}

export function anyRunning(variant: Variant): boolean {
  return !!readTopology(variant)?.processes.some(processRunning);
}

/**
 * A free loopback port below 32768: Temporal keeps a member's port in a smallint column
 * (cluster_membership.rpc_port, SQL schema), and a port from the kernel's ephemeral range
 * (32768–60999) stops the server at start ("value out of range for type smallint").
 */
async function freeSmallPort(avoid: Set<number>): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_768);
    if (avoid.has(port) || [3000, 7233, 8233, 5433].includes(port)) continue;
    const free = await new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
    if (free) {
      avoid.add(port);
      return port;
    }
  }
}

async function newPorts(avoid: Set<number>): Promise<TopologyFile['ports']> {
  const next = () => freeSmallPort(avoid);
  const temporal: ServerPorts = {
    frontend: await next(),
    frontendMembership: await next(),
    history: await next(),
    historyMembership: await next(),
    matching: await next(),
    matchingMembership: await next(),
    worker: await next(),
    workerMembership: await next(),
  };
  const apis: number[] = [];
  for (let i = 0; i < APIS; i++) apis.push(await next());
  return { temporal, apis };
}

async function cli(args: string[], timeoutMs = 15_000): Promise<string> {
  const { stdout } = await execFileAsync(CLI_BIN, args, { timeout: timeoutMs });
  return stdout;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, alive: () => boolean = () => true, log?: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!alive()) throw new Error(`${what}: the process exited${log ? `; see ${log}` : ''}`);
    if (await check().catch(() => false)) return;
    await sleep(500);
  }
  throw new Error(`${what}: not within ${timeoutMs / 1000} s${log ? `; see ${log}` : ''}`);
}

/**
 * Temporal's two databases, set up by Temporal's own SQL tool as its docker auto-setup does:
 * create-database when missing, setup-schema (version 0.0, the versioning tables) when the
 * database has none, then update-schema to the release's newest versioned directory (a no-op
 * when it is there already).
 */
async function setupTemporalSchema(pgPort: number, say: (text: string) => void): Promise<void> {
  const schema = schemaDir();
  const tool = (database: string, ...args: string[]) => execFileAsync(SQL_TOOL_BIN, ['--plugin', 'postgres12', '--ep', '127.0.0.1', '-p', String(pgPort), '-u', 'postgres', '--db', database, ...args], { timeout: 120_000 });
  const query = async <T>(database: string, sql: string, params: unknown[] = []): Promise<T[]> => {
    const client = new Client({ connectionString: `postgres://postgres@127.0.0.1:${pgPort}/${database}` });
    await client.connect();
    try {
      return (await client.query(sql, params)).rows as T[];
    } finally {
      await client.end();
    }
  };
  for (const [database, dir] of [['temporal', 'temporal'], ['temporal_visibility', 'visibility']] as const) {
    if (!(await query('postgres', 'SELECT 1 FROM pg_database WHERE datname = $1', [database])).length) {
      say(`temporal-sql-tool: create-database ${database}`);
      await tool(database, 'create-database');
    }
    const [versioning] = await query<{ name: string | null }>(database, "SELECT to_regclass('schema_version')::text AS name");
    if (!versioning?.name) {
      say(`temporal-sql-tool: setup-schema ${database}`);
      await tool(database, 'setup-schema', '-v', '0.0');
    }
    await tool(database, 'update-schema', '-d', path.join(schema, dir, 'versioned'));
    const [current] = await query<{ version: string }>(database, 'SELECT curr_version AS version FROM schema_version');
    say(`${database}: schema ${current?.version}`);
  }
}

export interface UpOptions {
  /** Remove the variant's data (Temporal, read model, logs) first; refused while any of it runs. */
  fresh?: boolean;
  say: (text: string) => void;
}

/**
 * Brings the variant up on loopback under .data/topology/<variant>/, starting only what is not
 * running: PostgreSQL (Temporal's two databases and the read model's `approvals`, one
 * instance), Temporal (with its schema and the namespace), two workers and two APIs. Returns
 * the system file.
 */
export async function up(variant: Variant, { fresh = false, say }: UpOptions): Promise<TopologyFile> {
  const dataDir = dataDirOf(variant);
  if (fresh) {
    if (anyRunning(variant)) throw new Error(`${variant} is running: npm run topology -- down${variant === 'dev' ? ' --dev' : ''} first`);
    await execFileAsync('bash', [POSTGRES_SH, 'stop', path.join(dataDir, 'pg')]).catch(() => undefined);
    rmSync(dataDir, { recursive: true, force: true });
  }
  mkdirSync(path.join(dataDir, 'logs'), { recursive: true });
  // PostgreSQL runs as the postgres OS user, which must reach its data dir.
  for (const dir of [path.join(ROOT, '.data'), TOPOLOGY_DIR, dataDir]) chmodSync(dir, 0o755);
  if (variant === 'cluster') ensureServerBinaries(say);

  const previous = readTopology(variant);
  const avoid = new Set<number>();
  const ports = previous?.ports ?? (await newPorts(avoid));
  const pgPort = previous?.pgPort ?? (await freeSmallPort(avoid));
  const { stdout } = await execFileAsync('bash', [POSTGRES_SH, path.join(dataDir, 'pg')], { env: { ...process.env, PGPORT: String(pgPort) }, timeout: 120_000 });
  const databaseUrl = stdout.trim().split('\n').at(-1)!;
  say(`PostgreSQL ${databaseUrl}`);

  const logs = path.join(dataDir, 'logs');
  const temporalAddress = `127.0.0.1:${ports.temporal.frontend}`;
  const known = new Map((previous?.processes ?? []).map((p) => [p.name, p]));
  const system: TopologyFile = {
    variant,
    dataDir,
    temporalAddress,
    databaseUrl,
    pgPort,
    apiUrls: ports.apis.map((p) => `http://127.0.0.1:${p}`),
    principalsFile: path.join(dataDir, 'principals.json'),
    processes: [],
    ports,
  };
  const file = systemFileOf(variant);
  const launch = (entry: Omit<ProcessEntry, 'pid'>): ProcessEntry => {
    const was = known.get(entry.name);
    const running = was && processRunning(was) ? was : undefined;
    const started = running ?? { ...entry, pid: spawnDetached({ ...entry, pid: 0 }) };
    if (!running) say(`started ${entry.name} (pid ${started.pid}), log ${path.relative(ROOT, entry.log)}`);
    system.processes.push(started);
    writeSystemFile(file, system);
    return started;
  };

  let temporal: ProcessEntry;
  if (variant === 'cluster') {
    await setupTemporalSchema(pgPort, say);
    const config = path.join(dataDir, 'temporal.yaml');
    writeFileSync(config, serverConfigYaml({ ports: ports.temporal, pgPort, numHistoryShards: NUM_HISTORY_SHARDS }));
    temporal = launch({ name: 'temporal', role: 'temporal', command: SERVER_BIN, args: ['--config-file', config, '--allow-no-auth', 'start'], cwd: dataDir, env: {}, log: path.join(logs, 'temporal.log') });
  } else {
    temporal = launch({
      name: 'temporal',
      role: 'temporal',
      command: CLI_BIN,
      args: ['server', 'start-dev', '--ip', '127.0.0.1', '--port', String(ports.temporal.frontend), '--headless', '--db-filename', path.join(dataDir, 'temporal.db'), '--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=NORMAL', '--log-level', 'warn'],
      cwd: dataDir,
      env: {},
      log: path.join(logs, 'temporal.log'),
    });
  }
  await waitFor('Temporal health', async () => (await cli(['operator', 'cluster', 'health', '--address', temporalAddress])).includes('SERVING'), 120_000, () => processRunning(temporal), temporal.log);
  if (variant === 'cluster') {
    const exists = await cli(['operator', 'namespace', 'describe', '--namespace', NAMESPACE, '--address', temporalAddress]).then(() => true, () => false);
    if (!exists) {
      await cli(['operator', 'namespace', 'create', '--namespace', NAMESPACE, '--retention', RETENTION, '--address', temporalAddress]);
      say(`namespace ${NAMESPACE} registered (retention ${RETENTION})`);
    }
  }
  // Every service knows the namespace (their caches refresh every few seconds) and visibility answers.
  await waitFor(`namespace ${NAMESPACE}`, async () => (await cli(['workflow', 'list', '--namespace', NAMESPACE, '--limit', '1', '--address', temporalAddress]), true), 120_000, () => processRunning(temporal), temporal.log);
  say(`Temporal ${temporalAddress} (${variant === 'cluster' ? `temporal-server, ${NUM_HISTORY_SHARDS} history shards, PostgreSQL persistence and visibility` : 'dev server, SQLite'})`);

  const app = path.join(dataDir, 'app');
  const programs = (role: 'worker' | 'api') => [...known.values()].filter((p) => p.role === role);
  // A build of its own, copied when no program runs from it: a rebuild of dist/ meanwhile changes nothing here.
  if (![...programs('worker'), ...programs('api')].some(processRunning)) {
    rmSync(app, { recursive: true, force: true });
    snapshotBuild(app);
  }
  if (!existsSync(system.principalsFile)) writePrincipals(system.principalsFile, 5);
  const env = (extra: Record<string, string>): Record<string, string> => ({
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_NAMESPACE: NAMESPACE,
    TASK_QUEUE: 'approvals',
    DATABASE_URL: databaseUrl,
    API_TOKENS_FILE: system.principalsFile,
    // The chaos run's webhook receiver listens on loopback.
    WEBHOOK_ALLOWED_DESTINATIONS: '127.0.0.1/32',
    // One applicant and one officer per department speak for hundreds of applications here.
    RATE_LIMIT_PER_MINUTE: '1000000',
    RATE_LIMIT_ANONYMOUS_PER_MINUTE: '1000000',
    ...extra,
  });
  for (let i = 1; i <= WORKERS; i++) {
    launch({ name: `worker-${i}`, role: 'worker', command: process.execPath, args: [path.join(app, 'dist', 'worker', 'main.js')], cwd: app, env: env({}), log: path.join(logs, `worker-${i}.log`) });
  }
  ports.apis.forEach((port, i) => {
    launch({ name: `api-${i + 1}`, role: 'api', command: process.execPath, args: [path.join(app, 'dist', 'api', 'main.js')], cwd: app, env: env({ HOST: '127.0.0.1', PORT: String(port) }), log: path.join(logs, `api-${i + 1}.log`) });
  });
  for (const url of system.apiUrls) {
    const api = system.processes.find((p) => p.env.PORT === new URL(url).port)!;
    await waitFor(`${url}/ready`, async () => (await fetch(`${url}/ready`, { signal: AbortSignal.timeout(5_000) })).status === 200, 120_000, () => processRunning(api), api.log);
  }
  say(`up: APIs ${system.apiUrls.join(', ')}; ${WORKERS} workers; system file ${path.relative(ROOT, file)}`);
  return system;
}

/** Stops the variant: APIs and workers first (the workers drain while Temporal is up), then Temporal, then PostgreSQL. */
export async function down(variant: Variant, say: (text: string) => void): Promise<void> {
  const system = readTopology(variant);
  if (!system) {
    say(`${variant}: nothing to stop`);
    return;
  }
  const file = systemFileOf(variant);
  const stop = async (entry: ProcessEntry, waitMs: number) => {
    if (!processRunning(entry)) {
      entry.pid = 0;
      return;
    }
    const pid = entry.pid;
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + waitMs;
    while (processRunning(entry) && Date.now() < deadline) await sleep(200);
    if (processRunning(entry)) {
      say(`${entry.name} (pid ${pid}) did not stop within ${waitMs / 1000} s: SIGKILL`);
      process.kill(pid, 'SIGKILL');
    }
    // Whatever it left in its session.
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // Nothing left.
    }
    entry.pid = 0;
    say(`stopped ${entry.name}`);
  };
  // Above the worker's drain bound (20 s, worker/main.ts).
  await Promise.all(system.processes.filter((p) => p.role !== 'temporal').map((p) => stop(p, 25_000)));
  for (const p of system.processes.filter((p) => p.role === 'temporal')) await stop(p, 15_000);
  writeSystemFile(file, system);
  await execFileAsync('bash', [POSTGRES_SH, 'stop', path.join(system.dataDir, 'pg')], { timeout: 120_000 });
  say(`${variant}: down`);
}
