import { WorkflowUpdateFailedError } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { recordHistory } from '../helpers/history';
import { timeSkippingSuite } from '../helpers/suite';
import { applicant, officer } from '../helpers/temporal';
import { matter, sleepUntil, status } from '../helpers/drive';
import { chooseProviderUpdate, requestSupplementUpdate, supplyMaterialsUpdate, urgeUpdate, withdrawUpdate } from '../../workflows/messages';
import { isWellFormed, TEXT_LIMITS } from '../../domain/text';

const TASK_QUEUE = 'hygiene';

/**
 * Defense in depth: whatever reaches the workflow past the API (another client, an older API),
 * the text it keeps is bounded and well-formed, and its refusals quote nothing unbounded.
 */
describe('text entering an application is bounded and well-formed (time-skipping, March 2026)', () => {
  const suite = timeSkippingSuite('2026-03-02T09:00:00+08:00', TASK_QUEUE);

  it('keeps a supplement reason with NUL, a lone surrogate and twenty thousand characters as clean, bounded text, and the clock still stops and restarts', async () => {
    const h = await suite.start('GOV_INVESTMENT', { projectName: `新校区\u0000建设\ud800项目${'长'.repeat(5000)}` });
    const eeb = officer('EEB');
    const stopped = await h.executeUpdate(requestSupplementUpdate, {
      args: [{ actor: eeb, matter: 'LY07', items: ['M_EIA_DOCUMENT'], reason: `缺少\u0000章节\ud800${'x'.repeat(20_000)}` }],
    });
    expect(stopped).toMatchObject({ status: 'suspended', clockRunning: false });
    const reason = stopped.stops[0]!.reason;
    expect(reason.startsWith('缺少章节\ufffd')).toBe(true);
    expect(Array.from(reason)).toHaveLength(TEXT_LIMITS.text);

    // A urge note with a bidi override and an over-long list of materials are cut down too.
    await h.executeUpdate(urgeUpdate, { args: [{ actor: { id: 'sup-01', role: 'supervisor', department: 'SUP' }, matter: 'LY07', note: '请\u202E尽快办理' }] });
    const refused = await h
      .executeUpdate(supplyMaterialsUpdate, { args: [{ actor: applicant, items: Array.from({ length: 5000 }, (_, i) => `M_UNKNOWN_${i}\ud800`) }] })
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    const message = ((refused as WorkflowUpdateFailedError).cause as Error).message;
    expect(isWellFormed(message)).toBe(true);
    expect(message.length).toBeLessThanOrEqual(TEXT_LIMITS.message);

    await sleepUntil(suite.env, '2026-03-09T10:00:00+08:00');
    await h.executeUpdate(supplyMaterialsUpdate, { args: [{ actor: applicant, items: ['M_EIA_DOCUMENT'] }] });
    const v = await status(h, suite.env);
    expect(v.projectName).toMatch(/^新校区建设\ufffd项目长+…$/);
    expect(Array.from(v.projectName)).toHaveLength(TEXT_LIMITS.name);
    expect(matter(v, 'LY07')).toMatchObject({ status: 'inProgress', clockRunning: true });
    expect(matter(v, 'LY07').urges[0]!.note).toBe('请尽快办理');
    expect(v.events.every((e) => isWellFormed(JSON.stringify(e)) && !JSON.stringify(e).includes('\\u0000'))).toBe(true);

    const provider = await h
      .executeUpdate(chooseProviderUpdate, { args: [{ actor: applicant, serviceType: 'EIA_REPORT', selection: { method: 'direct', provider: `P\ud800${'Z'.repeat(5_000)}` } }] })
      .catch((e: unknown) => e);
    // EIA materials were all handed in, so the service is not needed: either way the refusal is clean and short.
    expect(provider).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(((provider as WorkflowUpdateFailedError).cause as Error).message.length).toBeLessThanOrEqual(TEXT_LIMITS.message);

    await h.executeUpdate(withdrawUpdate, { args: [{ actor: applicant, reason: '项目\u0007取消' }] });
    const done = await status(h, suite.env);
    expect(done.status).toBe('withdrawn');
    expect(done.outcome!.reason).toBe('项目取消');
    await recordHistory(h, 'hostile-input-v3');
  });
});
