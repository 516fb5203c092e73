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

  it('stays below the history size at which Temporal warns', () => {
    expect(history.events).toBeLessThan(HISTORY_LIMITS.warn.events);
    expect(history.bytes).toBeLessThan(HISTORY_LIMITS.warn.bytes);
  });

  it('stays below a tenth of the history bytes at which Temporal warns', () => {
    expect(history.bytes).toBeLessThan(HISTORY_LIMITS.warn.bytes / 10);
  });

  // Not yet (issue 14): ≈1,800 events, 5.7× below the warn limit. Per stage ≈720, 350, 430 and 300,
  // so a continue-as-new at each stage boundary would bring every run under. Then drop `.fails`.
  it.fails('stays below a tenth of the history events at which Temporal warns, so a county’s longest application is never near termination', () => {
    expect(history.events).toBeLessThan(HISTORY_LIMITS.warn.events / 10);
  });
});
