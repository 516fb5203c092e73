import { describe, expect, it } from 'vitest';
import { Application } from '../../domain/application/core';
import { accounting } from '../../domain/view';
import { allMaterials, applicant, applicationInput, officer } from '../helpers/temporal';

const at = (iso: string) => Date.parse(iso);

describe('rule engine without a server', () => {
  it('ends the applicant’s part of intake when the materials are complete, not when a prerequisite finally lets the clock start', () => {
    const input = applicationInput('GOV_INVESTMENT', { materials: allMaterials('GOV_INVESTMENT').filter((m) => m !== 'M_LAND_CONTRACT') });
    const app = new Application(input, at('2026-03-02T09:00:00+08:00'));
    app.advance(at('2026-03-02T09:00:00+08:00'));
    app.act('issueMissingNotice', { actor: officer('DRC'), stage: 'S1', note: '' }, at('2026-03-02T10:00:00+08:00'));
    app.act('supplyMaterials', { actor: applicant, items: ['M_LAND_CONTRACT'] }, at('2026-03-03T10:00:00+08:00'));
    // LY05 now waits for LY02 (not yet started): that wait is government time, not the applicant's.
    expect(app.state.matters.LY05!.status).toBe('waitingPrerequisites');
    const acc = accounting(app, at('2026-03-27T10:00:00+08:00'));
    expect(acc.applicant.calendarDays).toBe(1);
  });

  it("completes an 'any' stage on its first issued result, waiting for a held one rather than rejecting", () => {
    const input = applicationInput('GOV_INVESTMENT', { materials: allMaterials('GOV_INVESTMENT').filter((m) => m !== 'M_PUBLIC_PARTICIPATION') });
    input.snapshot = { ...input.snapshot, stages: input.snapshot.stages.map((s, i) => (i === 0 ? { ...s, completion: 'any' as const } : s)) };
    const t = at('2026-03-02T09:00:00+08:00');
    const app = new Application(input, t);
    app.advance(t);
    // LY07 is approved but its result waits for a 容缺 item; every other milestone is rejected.
    app.act('approve', { actor: officer('EEB'), matter: 'LY07', result: { number: '浏环评〔2026〕7号' }, reason: '' }, t);
    for (const [code, dept] of [['LY01', 'DRC'], ['LY04', 'NRP'], ['LY06', 'DRC'], ['LY08', 'WRB']] as const) {
      app.act('reject', { actor: officer(dept), matter: code, reason: '不予许可' }, t);
    }
    expect(app.state.matters.LY02!.status).toBe('cancelled'); // its prerequisites failed
    expect(app.state.status).toBe('running');
    app.act('supplyMaterials', { actor: applicant, items: ['M_PUBLIC_PARTICIPATION'] }, at('2026-03-03T09:00:00+08:00'));
    expect(app.state.stages[0]!.status).toBe('completed');
    expect(app.state.stages[0]!.outputs.map((o) => o.matter)).toEqual(['LY07']);
  });
});
