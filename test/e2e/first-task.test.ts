import { WithStartWorkflowOperation } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { applicationWorkflow } from '../../workflows';
import { approveUpdate } from '../../workflows/messages';
import { apiSuite } from '../helpers/suite';
import { applicationInput, officer } from '../helpers/temporal';

/**
 * An action that reaches the application together with its start (Update-with-start: both in
 * the first workflow task, the way a fast integrator's start-then-act can arrive) is judged on
 * the application as started, its first stage open, not on the state before anything happened.
 */
describe('an action in the same workflow task as the start (dev server)', () => {
  const suite = apiSuite('first-task');

  it('accepts a decision on a matter the start opens, and refuses one on a matter it does not', async () => {
    const input = applicationInput('GOV_INVESTMENT');
    const startWorkflowOperation = new WithStartWorkflowOperation(applicationWorkflow, { workflowId: input.applicationId, taskQueue: 'first-task', args: [input], workflowIdConflictPolicy: 'FAIL' });
    const decided = await suite.env.client.workflow.executeUpdateWithStart(approveUpdate, {
      args: [{ actor: officer('DRC'), matter: 'LY01', result: { number: '浏发改〔2026〕1号' }, reason: '' }],
      startWorkflowOperation,
    });
    expect(decided).toMatchObject({ code: 'LY01', status: 'approved' });

    const other = applicationInput('GOV_INVESTMENT');
    const second = new WithStartWorkflowOperation(applicationWorkflow, { workflowId: other.applicationId, taskQueue: 'first-task', args: [other], workflowIdConflictPolicy: 'FAIL' });
    // LY02 waits for LY01 and LY06: refused for that reason, as it would be a moment later.
    await expect(
      suite.env.client.workflow.executeUpdateWithStart(approveUpdate, { args: [{ actor: officer('DRC'), matter: 'LY02', result: { number: 'x' }, reason: '' }], startWorkflowOperation: second }),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/LY02/) } });
  });
});
