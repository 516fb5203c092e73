import { ChaosClient } from './client';
import { sleep, type ChaosSystem } from './system';

export const FAULT_KINDS = ['workerKill', 'temporalRestart', 'postgresStop', 'apiKill'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSchedule {
  /** Seconds of service between two kill -9 of the worker (from the previous kill's recovery); 0: never. */
  workerKillEvery: number;
  /** At most this many worker kills (Infinity: while applications are driven). */
  workerKills: number;
  /** Seconds after the drive started; null: never. */
  temporalRestartAt: number | null;
  postgresStopAt: number | null;
  postgresStopFor: number;
  apiKillAt: number | null;
}

export interface FaultRecord {
  kind: FaultKind;
  /** Seconds after the drive started. */
  atS: number;
  /** Injected after every application had ended (the drive was shorter than the schedule). */
  afterDrive: boolean;
  detail: string;
  /** From the injection to the end of the fault the harness made: the kill itself, or PostgreSQL started again. */
  faultMs: number;
  /** From the end of the fault until an Update is served again (null: not within the bound). */
  recoveryMs: number | null;
  /** From the end of the fault until /ready answers 200 (null: not within the bound). */
  readyMs: number | null;
  /** PostgreSQL stop only: whether an Update was served halfway through the outage. */
  servedDuringFault?: boolean;
}

/** How long a fault may take to recover before the run calls it unrecovered. */
const RECOVERY_BOUND_MS = 5 * 60_000;

/**
 * Whether the system serves an Update end to end — API, read model (the authorization reads it),
 * Temporal and a worker running the workflow's validator: an officer approves the probe
 * application's already approved LY01, which only the workflow can refuse (409 ALREADY_DECIDED).
 */
export class Probe {
  readonly client: ChaosClient;
  attempts = 0;

  constructor(
    baseUrl: string,
    private readonly applicationId: string,
    private readonly officerToken: string,
  ) {
    this.client = new ChaosClient(baseUrl);
  }

  async served(): Promise<boolean> {
    this.attempts++;
    try {
      const res = await this.client.call('POST', `/applications/${this.applicationId}/matters/LY01/decision`, this.officerToken, { decision: 'approve', result: { number: 'probe' } }, { once: true, timeoutMs: 10_000 });
      return res.status === 409 && ['ALREADY_DECIDED', 'INVALID_STATE'].includes(res.body?.code);
    } catch {
      return false;
    }
  }

  async ready(): Promise<boolean> {
    try {
      const res = await this.client.call('GET', '/ready', undefined, undefined, { once: true, timeoutMs: 5_000 });
      return res.status === 200;
    } catch {
      return false;
    }
  }

  /** Milliseconds from `since` until `check` holds, polled every 250 ms; null past the bound. */
  async until(check: () => Promise<boolean>, since: number): Promise<number | null> {
    while (Date.now() - since < RECOVERY_BOUND_MS) {
      if (await check()) return Date.now() - since;
      await sleep(250);
    }
    return null;
  }
}

export interface FaultRunner {
  /** Runs the schedule until `driveDone()` and every scheduled fault has fired and recovered. */
  run(driveDone: () => boolean): Promise<void>;
  readonly records: FaultRecord[];
  stop(): void;
}

export function faultRunner(system: ChaosSystem, probe: Probe, schedule: FaultSchedule, driveStartedAt: number, onFault: (r: FaultRecord) => void): FaultRunner {
  const records: FaultRecord[] = [];
  let stopped = false;

  async function inject(kind: FaultKind, afterDrive: boolean): Promise<void> {
    const atS = Math.round((Date.now() - driveStartedAt) / 100) / 10;
    const injectedAt = Date.now();
    let detail = '';
    let servedDuringFault: boolean | undefined;
    switch (kind) {
      case 'workerKill': {
        const pid = system.killProgram('worker');
        if (!pid) return;
        detail = `kill -9 worker pid ${pid}`;
        break;
      }
      case 'apiKill': {
        const pid = system.killProgram('api');
        if (!pid) return;
        detail = `kill -9 API pid ${pid}`;
        break;
      }
      case 'temporalRestart':
        await system.killTemporal();
        detail = 'kill -9 the Temporal dev server, started again on the same port and SQLite file';
        await system.startTemporal();
        break;
      case 'postgresStop':
        await system.stopPostgres();
        detail = `PostgreSQL stopped for ${schedule.postgresStopFor} s`;
        await sleep((schedule.postgresStopFor * 1000) / 2);
        servedDuringFault = await probe.served();
        await sleep(Math.max(0, schedule.postgresStopFor * 1000 - (Date.now() - injectedAt)));
        await system.startPostgres();
        break;
    }
    // For the Temporal restart the harness's own start-up counts as recovery: it is measured from the kill.
    const faultEnd = kind === 'postgresStop' ? Date.now() : injectedAt;
    const [recoveryMs, readyMs] = await Promise.all([probe.until(() => probe.served(), faultEnd), probe.until(() => probe.ready(), faultEnd)]);
    const record: FaultRecord = { kind, atS, afterDrive, detail, faultMs: faultEnd - injectedAt, recoveryMs, readyMs, ...(servedDuringFault === undefined ? {} : { servedDuringFault }) };
    records.push(record);
    onFault(record);
  }

  return {
    records,
    stop() {
      stopped = true;
    },
    async run(driveDone) {
      const scheduled = (
        [
          ['temporalRestart', schedule.temporalRestartAt],
          ['postgresStop', schedule.postgresStopAt],
          ['apiKill', schedule.apiKillAt],
        ] as [FaultKind, number | null][]
      )
        .filter((x): x is [FaultKind, number] => x[1] !== null)
        .sort((a, b) => a[1] - b[1]);
      let workerKills = 0;
      let lastRecovered = Date.now();
      while (!stopped) {
        const elapsedS = (Date.now() - driveStartedAt) / 1000;
        const done = driveDone();
        const next = scheduled[0];
        if (next && (next[1] <= elapsedS || done)) {
          scheduled.shift();
          await inject(next[0], done);
          lastRecovered = Date.now();
          continue;
        }
        if (done) {
          // Each kind of fault at least once, even when the applications were quicker than the schedule.
          if (schedule.workerKillEvery > 0 && schedule.workerKills > 0 && workerKills === 0) {
            await inject('workerKill', true);
            workerKills++;
            continue;
          }
          return;
        }
        if (schedule.workerKillEvery > 0 && workerKills < schedule.workerKills && Date.now() - lastRecovered >= schedule.workerKillEvery * 1000) {
          const before = records.length;
          await inject('workerKill', false);
          if (records.length > before) workerKills++;
          lastRecovered = Date.now();
          continue;
        }
        await sleep(200);
      }
    },
  };
}
