import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar, Presets } from 'cli-progress';
import { ChaosClient, type Answer, type CallOptions } from './chaos/client';
import { driveApplication, materialsOf, plans, type AppRecord } from './chaos/drive';
import { FAULT_KINDS, faultRunner, Probe, type FaultRecord, type FaultSchedule } from './chaos/faults';
import { WebhookReceiver } from './chaos/receiver';
import { ChaosSystem, ExternalSystem, ROOT } from './chaos/system';
import { verify, type Started, type Verdict } from './chaos/verify';

const USAGE = `npm run chaos [-- options]

Starts the whole system in a fresh temporary data dir on free loopback ports, drives N
applications to their end through the HTTP API while faults are injected, then checks that
nothing was lost or stuck, that the read model equals each workflow's own projection and that
the webhook receiver got every event. Exit code 1 if any of these fails.

  --applications N          applications to drive (default 200)
  --concurrency N           applications driven at once (default 8)
  --seed N                  plan seed (default 1)
  --worker-kill-every S     seconds of service between two kill -9 of the worker; 0: never (default 10)
  --worker-kills N          at most N worker kills (default: no limit while applications run)
  --temporal-restart-at S   kill -9 and restart the Temporal dev server S seconds in; 'off' (default 60)
  --postgres-stop-at S      stop PostgreSQL S seconds in; 'off' (default 150)
  --postgres-stop-for S     for S seconds (default 60)
  --api-kill-at S           kill -9 the API S seconds in; 'off' (default 270)
  --settle S                at most S seconds at the end for every application to close and the
                            read model to catch up (default 300)
  --webhook-settle S        then at most S seconds for the webhook receiver to get every event
                            (default 120); an event still queued then fails the run (undelivered)
  --report FILE             JSON report (default .data/chaos/report-<timestamp>.json)
  --keep                    keep the data dir (logs, SQLite, PostgreSQL) even when the run passes
  --external FILE           drive an already running system instead (the system file of
                            npm run topology -- up): its APIs in turn, its Temporal and PostgreSQL
                            left alone; the only fault is a kill -9 of one worker (the first
                            running), --worker-kills defaults to 1, and the Temporal, PostgreSQL and
                            API faults are off
  --worker-down-for S       with --external: the killed worker is started again S seconds after
                            the kill (default 30)
`;

interface Options {
  applications: number;
  concurrency: number;
  seed: number;
  schedule: FaultSchedule;
  settleS: number;
  webhookSettleS: number;
  report: string;
  keep: boolean;
  external?: string;
  /** With `external` only. */
  workerDownForS?: number;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      applications: { type: 'string', default: '200' },
      concurrency: { type: 'string', default: '8' },
      seed: { type: 'string', default: '1' },
      'worker-kill-every': { type: 'string', default: '10' },
      'worker-kills': { type: 'string' },
      'temporal-restart-at': { type: 'string', default: '60' },
      'postgres-stop-at': { type: 'string', default: '150' },
      'postgres-stop-for': { type: 'string', default: '60' },
      'api-kill-at': { type: 'string', default: '270' },
      settle: { type: 'string', default: '300' },
      'webhook-settle': { type: 'string', default: '120' },
      report: { type: 'string' },
      keep: { type: 'boolean', default: false },
      external: { type: 'string' },
      'worker-down-for': { type: 'string', default: '30' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const num = (name: string, v: string | undefined, min = 0): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n < min) throw new Error(`--${name} must be a number ≥ ${min}, not ${JSON.stringify(v)}`);
    return n;
  };
  const at = (name: string, v: string): number | null => (v === 'off' ? null : num(name, v));
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  if (values.external !== undefined) {
    const refused = ['temporal-restart-at', 'postgres-stop-at', 'api-kill-at'].filter((name) => {
      const v = values[name as 'temporal-restart-at'];
      return argv.some((a) => a === `--${name}` || a.startsWith(`--${name}=`)) && v !== 'off';
    });
    if (refused.length) throw new Error(`with --external only worker kills are injected: ${refused.map((n) => `--${n}`).join(', ')} must be off`);
    values['temporal-restart-at'] = values['postgres-stop-at'] = values['api-kill-at'] = 'off';
    values['worker-kills'] ??= '1';
  }
  return {
    applications: num('applications', values.applications, 1),
    concurrency: num('concurrency', values.concurrency, 1),
    seed: num('seed', values.seed),
    schedule: {
      workerKillEvery: num('worker-kill-every', values['worker-kill-every']),
      workerKills: values['worker-kills'] === undefined ? Infinity : num('worker-kills', values['worker-kills']),
      temporalRestartAt: at('temporal-restart-at', values['temporal-restart-at']!),
      postgresStopAt: at('postgres-stop-at', values['postgres-stop-at']!),
      postgresStopFor: num('postgres-stop-for', values['postgres-stop-for']),
      apiKillAt: at('api-kill-at', values['api-kill-at']!),
    },
    settleS: num('settle', values.settle),
    webhookSettleS: num('webhook-settle', values['webhook-settle']),
    report: path.resolve(values.report ?? path.join(ROOT, '.data', 'chaos', `report-${stamp}.json`)),
    keep: values.keep!,
    external: values.external === undefined ? undefined : path.resolve(values.external),
    workerDownForS: values.external === undefined ? undefined : num('worker-down-for', values['worker-down-for']),
  };
}

/** Sends each request to the next of an external system's APIs in turn, as a proxy in front of them would. */
class AlternatingClient extends ChaosClient {
  private turn = 0;

  constructor(private readonly apiUrls: string[]) {
    super('');
  }

  override call<T = any>(method: string, path: string, token: string | undefined, body?: unknown, options?: CallOptions): Promise<Answer<T>> {
    const base = this.apiUrls[this.turn++ % this.apiUrls.length]!;
    return super.call<T>(method, `${base}${path}`, token, body, options);
  }
}

const median = (xs: number[]) => {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
};

function faultSummary(records: FaultRecord[]) {
  return Object.fromEntries(
    FAULT_KINDS.map((kind) => {
      const of = records.filter((r) => r.kind === kind);
      const recovered = of.flatMap((r) => (r.recoveryMs === null ? [] : [r.recoveryMs]));
      const ready = of.flatMap((r) => (r.readyMs === null ? [] : [r.readyMs]));
      return [kind, { injected: of.length, recovered: recovered.length, recoveryMedianMs: median(recovered), recoveryMaxMs: recovered.length ? Math.max(...recovered) : null, readyMedianMs: median(ready), readyMaxMs: ready.length ? Math.max(...ready) : null }];
    }),
  );
}

function table(rows: [string, string][]): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  const v = Math.max(...rows.map(([, x]) => x.length));
  const line = `+${'-'.repeat(w + 2)}+${'-'.repeat(v + 2)}+`;
  return [line, ...rows.map(([k, x]) => `| ${k.padEnd(w)} | ${x.padEnd(v)} |`), line].join('\n');
}

const secs = (ms: number | null) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);

async function main() {
  const options = parseOptions(process.argv.slice(2));
  const t0 = Date.now();
  const runId = `${t0.toString(36)}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'approvals-chaos-'));
  const tty = process.stdout.isTTY === true;
  const say = (text: string) => (tty && bar.isActive ? bar.update({ phase: text.slice(0, 60) }) : console.log(`[chaos ${((Date.now() - t0) / 1000).toFixed(0).padStart(4)} s] ${text}`));
  const bar = new SingleBar(
    { format: '{bar} {value}/{total} applications | {phase} | retries {retries} | faults {faults}', hideCursor: true, clearOnComplete: false, etaBuffer: 20 },
    Presets.shades_classic,
  );

  const supervisorRestarts: Record<string, number> = {};
  /** Exits the run did not cause (anything but its kill -9), from the supervisor's lines. */
  const unplannedExits: { program: string; code: number | null; signal: string | null; upMs: number; at: string }[] = [];
  const systemOptions: ConstructorParameters<typeof ChaosSystem>[0] = {
    dataDir,
    applicants: 5,
    onSupervisedLine: (line) => {
      // The supervisor's own lines: "<program> exited (…); restarting in N s".
      if (!line.includes('restarting in')) return;
      try {
        const entry = JSON.parse(line) as { program?: string; code?: number | null; signal?: string | null; upMs?: number; time?: string };
        if (!entry.program) return;
        supervisorRestarts[entry.program] = (supervisorRestarts[entry.program] ?? 0) + 1;
        if (entry.signal !== 'SIGKILL') unplannedExits.push({ program: entry.program, code: entry.code ?? null, signal: entry.signal ?? null, upMs: entry.upMs ?? 0, at: entry.time ?? '' });
      } catch {
        // Not JSON: not the supervisor's.
      }
    },
  };
  const system = options.external ? new ExternalSystem({ ...systemOptions, systemFile: options.external, workerDownForS: options.workerDownForS! }) : new ChaosSystem(systemOptions);
  const receiver = new WebhookReceiver();
  let aborted = false;
  let stopped = false;
  const cleanup = async () => {
    if (stopped) return;
    stopped = true;
    if (bar.isActive) bar.stop();
    await system.stop().catch((err) => console.error(`chaos: stopping the system: ${(err as Error).message}`));
    await receiver.stop().catch(() => undefined);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (aborted) return;
    aborted = true;
    console.error(`\nchaos: ${signal}: stopping everything…`);
    void cleanup().finally(() => {
      console.error(`chaos: data dir kept: ${dataDir}`);
      process.exit(130);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Whatever way this process ends, nothing it started keeps running.
  process.on('exit', () => {
    if (!stopped) system.stopNow();
  });

  let verdict: Verdict | undefined;
  let faults: FaultRecord[] = [];
  const records: AppRecord[] = [];
  let client: ChaosClient | undefined;
  let probe: Probe | undefined;
  let failure: string | undefined;
  let driveMs = 0;
  let subscriptionId = '';
  try {
    say(`data dir ${dataDir}`);
    const receiverUrl = await receiver.start();
    await system.start('127.0.0.1/32');
    say(`Temporal ${system.temporalAddress}, PostgreSQL 127.0.0.1:${system.pgPort}, API ${system.apiUrl}, webhooks ${receiverUrl}`);
    client = system instanceof ExternalSystem ? new AlternatingClient(system.apiUrls) : new ChaosClient(system.apiUrl);
    const ready = new Probe(system.apiUrl, '', '');
    if ((await ready.until(() => ready.ready(), Date.now())) === null) throw new Error('the system did not become ready');
    const subscription = await client.call('POST', '/webhooks/subscriptions', system.principals.admin.token, { url: receiverUrl, eventTypes: ['*'] });
    if (subscription.status !== 201) throw new Error(`webhook subscription: HTTP ${subscription.status} ${JSON.stringify(subscription.body)}`);
    receiver.secret = subscription.body.secret;
    subscriptionId = subscription.body.id;

    // The probe application: its LY01 is approved once; approving it again is what the recovery probe asks.
    const applicant = system.principals.applicants[0]!;
    const probeStart = await client.call('POST', '/applications', applicant.token, { processCode: 'GOV_INVESTMENT', projectName: '混沌测试探针项目', materials: materialsOf('GOV_INVESTMENT') }, { headers: { 'idempotency-key': `chaos-${runId}-probe` } });
    const probeId = probeStart.body.applicationId as string;
    const drc = system.principals.officers.DRC!.token;
    const first = await client.call('POST', `/applications/${probeId}/matters/LY01/decision`, drc, { decision: 'approve', result: { number: 'probe' } });
    if (first.status !== 200) throw new Error(`probe application: HTTP ${first.status} ${JSON.stringify(first.body)}`);
    probe = new Probe(system.apiUrl, probeId, drc);
    const started: Started[] = [{ applicationId: probeId, expected: 'withdrawn' }];

    const all = plans(options.applications, options.seed, system.principals.applicants);
    const driveStartedAt = Date.now();
    let ended = 0;
    let next = 0;
    const runner = faultRunner(system, probe, options.schedule, driveStartedAt, (r) => {
      say(`${r.kind} at ${r.atS} s: served again after ${secs(r.recoveryMs)}, /ready after ${secs(r.readyMs)}`);
      bar.update({ faults: runner.records.length });
    });
    if (tty) bar.start(all.length, 0, { phase: 'driving', retries: 0, faults: 0 });
    const ticker = setInterval(() => {
      const retries = client!.stats.retries;
      if (tty) bar.update(ended, { retries });
      else say(`${ended}/${all.length} applications ended, ${started.length - 1 - ended} in progress, ${retries} retries, ${runner.records.length} faults`);
    }, tty ? 1_000 : 15_000);
    const ctx = {
      client,
      principals: system.principals,
      runId,
      aborted: () => aborted,
      onStarted: (r: AppRecord) => started.push({ applicationId: r.applicationId!, expected: r.plan.outcome }),
      onEnded: () => {
        ended++;
        if (tty) bar.update(ended);
      },
    };
    const drivers = Array.from({ length: Math.min(options.concurrency, all.length) }, async () => {
      while (next < all.length && !aborted) records.push(await driveApplication(ctx, all[next++]!));
    });
    const faultsDone = runner.run(() => ended === all.length || aborted);
    await Promise.all(drivers);
    driveMs = Date.now() - driveStartedAt;
    say(`all ${all.length} applications driven in ${secs(driveMs)}; remaining faults…`);
    await faultsDone;
    faults = runner.records;
    clearInterval(ticker);
    if (tty) bar.stop();
    if (aborted) throw new Error('interrupted');

    const withdrawn = await client.call('POST', `/applications/${probeId}/withdraw`, applicant.token, { reason: '探针结束' });
    if (withdrawn.status !== 200) say(`probe withdrawal: HTTP ${withdrawn.status}`);
    say('verifying: lost, stuck, read model against each workflow, webhook deliveries');
    verdict = await verify(started, { temporalAddress: system.temporalAddress, databaseUrl: system.databaseUrl, receiver, subscriptionId, settleMs: options.settleS * 1000, webhookSettleMs: options.webhookSettleS * 1000, onStatus: say });
  } catch (err) {
    failure = (err as Error).stack ?? String(err);
    console.error(`chaos: ${failure}`);
  } finally {
    if (system instanceof ExternalSystem && client && subscriptionId) {
      // The system goes on without this run's receiver: its subscription must not keep the dispatcher retrying.
      await client.call('DELETE', `/webhooks/subscriptions/${subscriptionId}`, system.principals.admin.token, undefined, { deadlineMs: 30_000 }).catch(() => undefined);
    }
    say('stopping the system');
    await cleanup();
    if (system instanceof ExternalSystem) {
      for (const [program, n] of Object.entries(system.restarts)) supervisorRestarts[program] = (supervisorRestarts[program] ?? 0) + n;
      for (const program of system.notRunning) unplannedExits.push({ program, code: null, signal: null, upMs: 0, at: new Date().toISOString() });
    }
  }

  const summary = faultSummary(faults);
  const figures = verdict && {
    lost: verdict.lost.length,
    stuck: verdict.stuck.length,
    mismatched: verdict.mismatched.length,
    gaps: verdict.gaps.length,
    duplicates: verdict.duplicates,
    badSignatures: verdict.badSignatures,
    undelivered: verdict.backlog.events,
  };
  const everyFaultRecovered = faults.every((f) => f.recoveryMs !== null);
  const passed = !failure && !!figures && figures.lost === 0 && figures.stuck === 0 && figures.mismatched === 0 && figures.gaps === 0 && figures.undelivered === 0 && figures.badSignatures === 0 && everyFaultRecovered;
  const driverErrors = records.filter((r) => r.errors.length).map((r) => ({ applicationId: r.applicationId ?? null, index: r.index, errors: r.errors }));
  const report = {
    passed,
    failure: failure ?? null,
    startedAt: new Date(t0).toISOString(),
    durationMs: Date.now() - t0,
    driveMs,
    options: { ...options, schedule: { ...options.schedule, workerKills: Number.isFinite(options.schedule.workerKills) ? options.schedule.workerKills : null } },
    system: { dataDir, kept: options.keep || !passed, temporalPort: system.temporalPort, apiPort: system.apiPort, pgPort: system.pgPort, ...(system instanceof ExternalSystem ? { external: options.external, apiUrls: system.apiUrls } : {}) },
    applications: {
      planned: records.length,
      byPlan: countBy(records, (r) => `${r.plan.processCode} ${r.plan.outcome}${r.plan.viaProvider ? ' via provider' : ''}${r.plan.supplement ? ' with supplement' : ''}`),
      actions: records.reduce((n, r) => n + r.actions, 0),
      appliedBeforeRetry: records.reduce((n, r) => n + r.appliedBeforeRetry, 0),
      outcomes: verdict?.outcomes ?? null,
    },
    figures: figures ?? null,
    webhooks: verdict && { deliveries: verdict.deliveries, duplicates: verdict.duplicates, badSignatures: verdict.badSignatures, backlog: verdict.backlog },
    faults: { byKind: summary, all: faults },
    requests: client && { retried: client.stats.retriedRequests, retries: client.stats.retries, byReason: client.stats.byReason, gaveUp: client.stats.gaveUp, internalErrors: client.stats.internalErrors },
    probe: probe && { attempts: probe.attempts },
    supervisorRestarts,
    unplannedExits,
    settleMs: verdict?.settleMs ?? null,
    details: {
      lost: verdict?.lost ?? [],
      stuck: verdict?.stuck ?? [],
      mismatches: verdict?.mismatches.slice(0, 200) ?? [],
      gaps: verdict?.gaps.slice(0, 100) ?? [],
      driverErrors: driverErrors.slice(0, 100),
    },
  };
  mkdirSync(path.dirname(options.report), { recursive: true });
  writeFileSync(options.report, `${JSON.stringify(report, null, 2)}\n`);

  const rows: [string, string][] = [
    ['applications', `${records.length} driven (+1 probe), ${options.concurrency} at a time`],
    ['outcomes', verdict ? Object.entries(verdict.outcomes).map(([k, v]) => `${k} ${v}`).join(', ') : '—'],
    ['lost', String(figures?.lost ?? '—')],
    ['stuck', String(figures?.stuck ?? '—')],
    ['read model ≠ workflow', String(figures?.mismatched ?? '—')],
    ['webhook gaps', String(figures?.gaps ?? '—')],
    ['webhook duplicates', String(figures?.duplicates ?? '—')],
    ['webhook undelivered', verdict ? `${verdict.backlog.events} events of ${verdict.backlog.applications} applications still queued; ${verdict.deliveries} deliveries` : '—'],
    ...FAULT_KINDS.map((k): [string, string] => {
      const s = summary[k]!;
      return [`fault ${k}`, `${s.injected}× recovered ${s.recovered}, median ${secs(s.recoveryMedianMs)}, max ${secs(s.recoveryMaxMs)}`];
    }),
    ['requests retried', client ? `${client.stats.retriedRequests} (${client.stats.retries} retries; ${Object.entries(client.stats.byReason).map(([k, v]) => `${k}: ${v}`).join(', ') || 'none'})` : '—'],
    ['HTTP 500s', String(client?.stats.internalErrors.length ?? '—')],
    ['restarts (supervisor)', `${Object.entries(supervisorRestarts).map(([k, v]) => `${k} ${v}`).join(', ') || 'none'}; not caused by a kill: ${unplannedExits.length ? `${unplannedExits.length}: ` + unplannedExits.slice(0, 3).map((e) => `${e.program} (${e.signal ?? `code ${e.code}`} after ${secs(e.upMs)})`).join(', ') + (unplannedExits.length > 3 ? ', …' : '') : 'none'}`],
    ['driver errors', String(driverErrors.length)],
    ['duration', `${secs(Date.now() - t0)} (drive ${secs(driveMs)}, settle ${secs(verdict?.settleMs ?? null)})`],
    ['result', passed ? 'PASSED' : 'FAILED'],
  ];
  console.log(`\n${table(rows)}\nreport: ${options.report}`);
  if (passed && !options.keep) rmSync(dataDir, { recursive: true, force: true });
  else console.log(`data dir kept: ${dataDir}`);
  process.exit(passed ? 0 : 1);
}

function countBy<T>(xs: T[], key: (x: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[key(x)] = (out[key(x)] ?? 0) + 1;
  return out;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
