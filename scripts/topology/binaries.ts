import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../chaos/system';

/**
 * The Temporal server release the topology runs: the newest whose go.mod this machine's Go
 * builds, with no replace directive, so `go install pkg@version` works outside a module.
 */
export const TEMPORAL_SERVER_VERSION = 'v1.32.1';
const MODULE = 'go.temporal.io/server';

const BIN = path.join(ROOT, '.tools', 'bin');
export const SERVER_BIN = path.join(BIN, 'temporal-server');
export const SQL_TOOL_BIN = path.join(BIN, 'temporal-sql-tool');
/** The CLI scripts/provision.sh installs: namespaces and health checks. */
export const CLI_BIN = path.join(BIN, 'temporal');

/** Whether `binary --version` names the release (both print "… version 1.32.1"). */
function isRelease(binary: string): boolean {
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8', timeout: 30_000 }).includes(TEMPORAL_SERVER_VERSION.slice(1));
  } catch {
    return false;
  }
}

/**
 * `go install` of one command of the server module into a scratch GOBIN, then renamed into
 * .tools/bin: `go install` names the binary after its package directory (server, sql), which
 * says nothing next to the CLI's `temporal`.
 */
function goInstall(pkg: string, target: string, say: (text: string) => void): void {
  mkdirSync(BIN, { recursive: true });
  const gobin = mkdtempSync(path.join(BIN, '.gobin-'));
  try {
    say(`building ${path.basename(target)}: go install ${MODULE}/${pkg}@${TEMPORAL_SERVER_VERSION} (about 10 min the first time)`);
    execFileSync('go', ['install', `${MODULE}/${pkg}@${TEMPORAL_SERVER_VERSION}`], { env: { ...process.env, GOBIN: gobin }, stdio: ['ignore', 'inherit', 'inherit'] });
    renameSync(path.join(gobin, path.basename(pkg)), target);
  } finally {
    rmSync(gobin, { recursive: true, force: true });
  }
}

/** The server and Temporal's SQL tool at TEMPORAL_SERVER_VERSION, built when missing or of another release. */
export function ensureServerBinaries(say: (text: string) => void): void {
  if (!existsSync(CLI_BIN)) throw new Error(`${CLI_BIN} is missing: run npm run provision first`);
  if (!isRelease(SERVER_BIN)) goInstall('cmd/server', SERVER_BIN, say);
  if (!isRelease(SQL_TOOL_BIN)) goInstall('cmd/tools/sql', SQL_TOOL_BIN, say);
}

/**
 * The release's PostgreSQL schema (postgresql/v12/{temporal,visibility}), from the Go module
 * cache that `go install` filled; downloaded into it when the binaries came from elsewhere.
 */
export function schemaDir(): string {
  const cache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  const dir = path.join(cache, `${MODULE}@${TEMPORAL_SERVER_VERSION}`, 'schema', 'postgresql', 'v12');
  if (!existsSync(dir)) execFileSync('go', ['mod', 'download', `${MODULE}@${TEMPORAL_SERVER_VERSION}`], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (!existsSync(path.join(dir, 'temporal', 'versioned'))) throw new Error(`no PostgreSQL schema at ${dir}`);
  return dir;
}
