import { describe, expect, it } from 'vitest';
import { chooseProviderUpdate, rejectUpdate, withdrawUpdate } from '../../workflows/messages';
import type { ApplicationView } from '../../domain/view';
import { recordHistory } from '../helpers/history';
import { timeSkippingSuite } from '../helpers/suite';
import { allMaterials, applicant, officer } from '../helpers/temporal';
import { sleepUntil, status, viewAfter } from '../helpers/drive';

const without = (...codes: string[]) => allMaterials('GOV_INVESTMENT').filter((m) => !codes.includes(m));
const soil = (v: ApplicationView) => v.services.find((s) => s.serviceType === 'SOIL_WATER_PLAN')!;

describe('an ending application closes its open contracts (time-skipping, March–June 2026)', () => {
  const suite = timeSkippingSuite('2026-03-02T09:00:00+08:00', 'contract-closing');

  /** Starts without the soil-and-water plan and contracts P_HENGYUAN_WATER for it: 20 calendar days. */
  async function contracted() {
    const h = await suite.start('GOV_INVESTMENT', { materials: without('M_SOIL_WATER_PLAN') });
    await h.executeUpdate(chooseProviderUpdate, { args: [{ actor: applicant, serviceType: 'SOIL_WATER_PLAN', selection: { method: 'direct', provider: 'P_HENGYUAN_WATER' } }] });
    return h;
  }

  it('closes the open contract at the withdrawal’s instant with its reason and an event; weeks later it has neither escalated nor counted a day', async () => {
    const h = await contracted();
    // Contracted 2 Mar, due 22 Mar: warned from 20 Mar; overdue, regulator and supervision office would follow on 23, 24 and 28 Mar.
    await sleepUntil(suite.env, '2026-03-21T10:00:00+08:00');
    expect(soil(await status(h, suite.env)).contracts[0]).toMatchObject({ status: 'open', level: 'warning', dueOn: '2026-03-22' });

    const v = await viewAfter(h, h.executeUpdate(withdrawUpdate, { args: [{ actor: applicant, reason: '项目终止' }] }));
    const closedAt = v.outcome!.at!;
    expect(closedAt).toMatch(/^2026-03-21T10:00/);
    expect(soil(v)).toMatchObject({ status: 'cancelled', calendarDays: 19 });
    expect(soil(v).contracts[0]).toMatchObject({ status: 'cancelled', level: 'warning', closedAt, closeReason: 'application withdrawn: 项目终止', dueOn: null });
    const closed = v.events.find((e) => e.kind === 'contractClosed')!;
    expect(closed).toMatchObject({
      at: closedAt,
      reason: 'application withdrawn: 项目终止',
      data: { serviceType: 'SOIL_WATER_PLAN', contractId: 'SOIL_WATER_PLAN', provider: 'P_HENGYUAN_WATER', status: 'cancelled', level: 'warning' },
    });
    expect(v.events.slice(-2).map((e) => e.kind)).toEqual(['contractClosed', 'withdrawn']);

    await sleepUntil(suite.env, '2026-04-20T10:00:00+08:00');
    const later = await status(h, suite.env);
    // Not h.result(): on the time-skipping server, waiting for a result lets the clock run free.
    expect((await h.describe()).status.name).toBe('COMPLETED');
    expect(later.events.slice(closed.seq).map((e) => e.kind)).toEqual(['withdrawn']);
    expect(later.events.filter((e) => e.kind === 'serviceLevelChanged').map((e) => e.data!.to)).toEqual(['warning']);
    expect(soil(later)).toMatchObject({ status: 'cancelled', calendarDays: 19, workingDays: soil(v).workingDays });
    expect(soil(later).contracts[0]).toMatchObject({ level: 'warning', calendarDays: 19 });
    expect(later.accounting.intermediary).toEqual(v.accounting.intermediary);
    await recordHistory(h, 'contract-closed-withdrawn');
  });

  it('closes the open contract when a rejected milestone ends the application, and nothing moves after', async () => {
    const h = await contracted();
    // Contracted 20 Apr: due 10 May, warned from 8 May.
    await sleepUntil(suite.env, '2026-05-08T15:00:00+08:00');
    const v = await h.executeUpdate(rejectUpdate, { args: [{ actor: officer('NRP'), matter: 'LY04', reason: '选址位于永久基本农田保护区内' }] });
    const rejected = await status(h, suite.env);
    expect(rejected.status).toBe('rejected');
    const closedAt = rejected.outcome!.at!;
    expect(closedAt).toMatch(/^2026-05-08T15:00/);
    expect(v.decision).toMatchObject({ kind: 'rejected' });
    expect(soil(rejected).contracts[0]).toMatchObject({ status: 'cancelled', level: 'warning', closedAt, closeReason: 'application rejected on matter LY04' });
    expect(rejected.events.slice(-2).map((e) => [e.kind, e.at, e.reason])).toEqual([
      ['contractClosed', closedAt, 'application rejected on matter LY04'],
      ['applicationRejected', closedAt, '选址位于永久基本农田保护区内'],
    ]);

    await sleepUntil(suite.env, '2026-06-15T10:00:00+08:00');
    const later = await status(h, suite.env);
    expect((await h.describe()).status.name).toBe('COMPLETED');
    expect(later.events.length).toBe(rejected.events.length);
    expect(soil(later)).toEqual(soil(rejected));
    expect(later.accounting.intermediary).toEqual(rejected.accounting.intermediary);
    await recordHistory(h, 'contract-closed-rejected');
  });
});
