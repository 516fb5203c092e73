import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { approveUpdate, statusQuery } from '../../workflows/messages';
import type { ApplicationView, MatterView } from '../../domain/view';
import { officer } from './temporal';

export function mattersOf(view: ApplicationView): MatterView[] {
  return [...view.stages.flatMap((s) => s.matters), ...view.alongside];
}

export function matter(view: ApplicationView, code: string): MatterView {
  const m = mattersOf(view).find((x) => x.code === code);
  if (!m) throw new Error(`no matter ${code}`);
  return m;
}

/** The status as of the server's current time (a query alone sees the last activation's time). */
export async function status(handle: WorkflowHandle, env?: TestWorkflowEnvironment): Promise<ApplicationView> {
  return handle.query(statusQuery, { asOf: env ? await env.currentTimeMs() : Date.now() });
}

export async function approve(handle: WorkflowHandle, code: string, department: string): Promise<MatterView> {
  return handle.executeUpdate(approveUpdate, {
    args: [{ actor: officer(department), matter: code, result: { number: `浏审〔2026〕${code}号` }, reason: '' }],
  });
}

/** Approves every matter whose clock is running; returns their codes. */
export async function approveRunning(handle: WorkflowHandle, only?: (m: MatterView) => boolean): Promise<string[]> {
  const running = mattersOf(await status(handle)).filter((m) => m.status === 'inProgress' && (!only || only(m)));
  for (const m of running) await approve(handle, m.code, m.department);
  return running.map((m) => m.code);
}

/** Moves the test server's clock to an instant (ISO-8601 with offset). */
export async function sleepUntil(env: TestWorkflowEnvironment, isoInstant: string): Promise<void> {
  const ms = Date.parse(isoInstant) - (await env.currentTimeMs());
  if (ms < 0) throw new Error(`the test clock is already past ${isoInstant}`);
  await env.sleep(ms);
}

/**
 * An application action and then the application, as the API answers it: the workflow answers
 * with its seq only, and the view is read after it (never older than the action).
 */
export async function viewAfter(h: WorkflowHandle, action: Promise<{ applicationSeq: number }>): Promise<ApplicationView> {
  const { applicationSeq } = await action;
  const view = await h.query(statusQuery, {});
  if (view.seq < applicationSeq) throw new Error(`the status read (seq ${view.seq}) is older than the action's answer (seq ${applicationSeq})`);
  return view;
}

/** The refusal an Update validator gave: its code (failure type) and message. */
export async function refusal(p: Promise<unknown>): Promise<{ code: string | undefined | null; message: string }> {
  try {
    await p;
  } catch (e) {
    if (e instanceof WorkflowUpdateFailedError && e.cause instanceof ApplicationFailure) return { code: e.cause.type, message: e.cause.message };
    throw e;
  }
  throw new Error('expected the action to be refused, but it was accepted');
}
