import { beforeAll, describe, expect, it } from 'vitest';
import { timeSkippingSuite } from '../helpers/suite';
import { driveLongApplication, fetchWholeHistory, historyFigures, HISTORY_LIMITS, LONG_START, type DriveResult, type HistoryFigures } from '../../scripts/bench-long';

const TASK_QUEUE = 'long-application';

describe('the longest realistic application (time-skipping, June 2026 – June 2027)', () => {
  const suite = timeSkippingSuite(LONG_START, TASK_QUEUE);
  let drive: DriveResult;
  let history: HistoryFigures;

  // One drive (scripts/bench-long.ts, the same as `npm run bench:long`), asserted from several sides.
  beforeAll(async () => {
    drive = await driveLongApplication(suite.env, TASK_QUEUE);
    history = historyFigures(await fetchWholeHistory(suite.env, drive.applicationId));
  }, 120_000);

  it('completes all four stages, with every action each party took accepted', () => {
    expect(drive.refusals).toEqual([]);
    expect(drive.outcome).toMatchObject({ status: 'completed', reason: 'all four stages completed' });
    // Every matter's result, the utilities' included: 27.
    const codes = [...drive.view.stages.flatMap((s) => s.matters), ...drive.view.alongside].map((m) => m.code);
    expect(drive.outcome.results.map((r) => r.matter).sort()).toEqual(codes.sort());
    // It is the long one: months of stops, contracts, late providers and supervision.
    const kinds = (kind: string) => drive.view.events.filter((e) => e.kind === kind);
    expect(drive.days).toBeGreaterThan(300);
    expect(kinds('missingNotice')).toHaveLength(5);
    expect(kinds('supplementRequested').length).toBeGreaterThanOrEqual(20);
    expect(kinds('specialProcedureStarted').length).toBeGreaterThanOrEqual(20);
    expect(kinds('extended')).toHaveLength(2);
    expect(kinds('contracted')).toHaveLength(10);
    expect(kinds('providerReplaced')).toHaveLength(2);
    expect(kinds('deliverableReturned')).toHaveLength(4);
    expect(kinds('urged').length).toBeGreaterThanOrEqual(20);
    expect(kinds('escalated')).toHaveLength(4);
    expect(kinds('levelChanged').map((e) => e.data!.to)).toContain('leadership');
    expect(kinds('serviceLevelChanged').map((e) => e.data!.to)).toContain('regulator');
    expect(kinds('calendarPublished').map((e) => e.data!.year)).toEqual([2027]);
  });

  it('keeps its history at least four times below the size at which Temporal warns (ten times in bytes), so no application comes near termination', () => {
    // Measured: ≈1,560 events and ≈410 KiB, 6.6× and 25× below the warn limits (33× and 124× below
    // termination). Far enough that the workflow does not continue-as-new; a change that makes
    // histories grow past these bounds fails here.
    expect(history.events).toBeLessThan(HISTORY_LIMITS.warn.events / 4);
    expect(history.bytes).toBeLessThan(HISTORY_LIMITS.warn.bytes / 10);
  });
});
