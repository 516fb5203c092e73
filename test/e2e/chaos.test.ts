import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
const reportDir = mkdtempSync(path.join(tmpdir(), 'chaos-report-'));
let running: ChildProcess | undefined;

afterAll(async () => {
  // A run cut short by the test's timeout still stops what it started (its SIGTERM handler does).
  if (running && running.exitCode === null && running.signalCode === null) {
    const closed = new Promise((r) => running!.once('close', r));
    running.kill('SIGTERM');
    await closed;
  }
  rmSync(reportDir, { recursive: true, force: true });
});

/** The CLI as `npm run chaos` runs it (build, then dist/scripts/chaos.js), in a process of its own. */
function runChaos(args: string[]): Promise<{ code: number | null; output: string }> {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed:\n${build.stdout}${build.stderr}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'dist', 'scripts', 'chaos.js'), ...args], { cwd: ROOT, env: { ...process.env, VITEST: undefined }, stdio: ['ignore', 'pipe', 'pipe'] });
    running = child;
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-50_000)));
    child.stderr!.on('data', (c: Buffer) => (output = (output + c.toString()).slice(-50_000)));
    child.once('close', (code) => resolve({ code, output }));
  });
}

describe('npm run chaos, the short version CI runs', () => {
  it(
    'drives 30 applications through a worker kill, a Temporal restart, a 15 s PostgreSQL stop and an API kill: none lost or stuck, the read model equals every workflow, no webhook event missing, every fault recovered',
    async () => {
      const report = path.join(reportDir, 'report.json');
      const { code, output } = await runChaos([
        '--applications', '30',
        '--concurrency', '6',
        '--worker-kill-every', '10',
        '--worker-kills', '1',
        '--temporal-restart-at', '25',
        '--postgres-stop-at', '45',
        '--postgres-stop-for', '15',
        '--api-kill-at', '75',
        '--settle', '180',
        '--webhook-settle', '60',
        '--report', report,
      ]);
      // The CLI's summary table, for the CI log.
      console.log(output.slice(output.lastIndexOf('\n+-', output.indexOf('| applications')) + 1));
      const r = JSON.parse(readFileSync(report, 'utf8'));
      const context = `${output.slice(-4_000)}\n${JSON.stringify(r.details, null, 1).slice(0, 4_000)}`;
      expect(r.failure, context).toBeNull();
      expect(r.figures, context).toMatchObject({ lost: 0, stuck: 0, mismatched: 0, gaps: 0, undelivered: 0, badSignatures: 0 });
      expect(r.applications.planned).toBe(30);
      expect(r.applications.outcomes, context).toEqual({ completed: 24, rejected: 3, withdrawn: 4 });
      for (const kind of ['workerKill', 'temporalRestart', 'postgresStop', 'apiKill']) {
        expect(r.faults.byKind[kind], `${kind}\n${context}`).toMatchObject({ injected: 1, recovered: 1 });
      }
      // Each program was killed once; restarts beyond that are exits of their own, listed in the report.
      const unplanned = (program: string) => r.unplannedExits.filter((e: { program: string }) => e.program === program).length;
      expect(r.supervisorRestarts.worker - unplanned('worker'), context).toBe(1);
      expect(r.supervisorRestarts.api - unplanned('api'), context).toBe(1);
      expect(r.passed, context).toBe(true);
      expect(code, context).toBe(0);
    },
    10 * 60_000,
  );
});
