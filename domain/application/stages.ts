import type { WithdrawInput } from '../../contracts/actions';
import { SYSTEM, type MatterState, type Outcome } from '../types';
import { actorLabel, OPEN, requireApplicant, requireRunning, requireText } from './checks';
import type { Application } from './core';
import { receive } from './intake';
import { decide } from './matter-clock';
import { startVerification } from './commitment';
import { closeContracts } from './services';

// The four stages in order, each received at one window and issued together (一窗出件), and how
// the application ends: completed, rejected on a milestone matter, or withdrawn by the applicant.

export function startStage(app: Application, index: number, now: number) {
  const stage = app.state.stages[index]!;
  const def = app.snapshot.stages[index]!;
  stage.status = 'inProgress';
  stage.startedAt = now;
  app.record(now, 'stageStarted', SYSTEM, { stage: stage.code, data: { leadDepartment: def.leadDepartment } });
  receive(app, def.matters.map((m) => m.code), stage.code, def.leadDepartment, now);
}

const failed = (m: MatterState) => m.status === 'rejected' || m.status === 'terminated' || m.status === 'cancelled' || m.status === 'withdrawn';

/** Stage completion and one-window output (一窗出件), or the application's rejection. */
export function settleStage(app: Application, index: number, now: number): boolean {
  const stage = app.state.stages[index]!;
  const def = app.snapshot.stages[index]!;
  const milestones = def.matters.filter((m) => m.milestone).map((m) => app.state.matters[m.code]!);
  const failure = milestones.find(failed);
  if (failure && def.completion === 'all') {
    rejectApplication(app, failure, now);
    return false;
  }
  const done = (m: MatterState) => m.status === 'approved' && m.resultIssuedAt !== null;
  const complete = def.completion === 'all' ? milestones.every(done) : milestones.some(done);
  if (!complete) {
    if (def.completion === 'any' && milestones.every(failed)) rejectApplication(app, failure ?? milestones[0]!, now);
    return false;
  }
  stage.status = 'completed';
  stage.completedAt = now;
  stage.outputs = def.matters
    .map((x) => app.state.matters[x.code]!)
    .filter(done)
    .map((m) => ({ matter: m.code, ...m.decision!.result! }));
  app.record(now, 'stageCompleted', SYSTEM, { stage: stage.code, data: { outputs: stage.outputs } });
  return true;
}

export function issueResult(app: Application, m: MatterState, now: number) {
  m.resultIssuedAt = now;
  app.record(now, 'resultIssued', SYSTEM, { matter: m.code, data: { result: m.decision?.result } });
  startVerification(app, m, now);
}

function rejectApplication(app: Application, m: MatterState, now: number) {
  if (m.status === 'withdrawn') return deemWithdrawn(app, m, now);
  for (const x of Object.values(app.state.matters)) {
    if (OPEN.has(x.status)) decide(app, x, now, { kind: 'cancelled', at: now, by: actorLabel(SYSTEM), reason: `application rejected on matter ${m.code}` });
  }
  for (const s of app.state.stages) if (s.status !== 'completed') s.status = 'cancelled';
  closeContracts(app, Object.values(app.state.services), now, `application rejected on matter ${m.code}`);
  const reason = m.decision!.reason;
  app.record(now, 'applicationRejected', SYSTEM, { matter: m.code, reason });
  end(app, { status: 'rejected', at: now, matter: m.code, by: m.decision!.by, reason, results: results(app) });
}

/** A milestone matter deemed withdrawn (视为撤回): the application ends withdrawn, by no one's action. */
function deemWithdrawn(app: Application, m: MatterState, timerAt: number) {
  // At the rule's instant (the end of the last day for the materials), not when the timer fired.
  const now = Math.min(timerAt, m.decision!.at);
  const reason = `matter ${m.code} was deemed withdrawn: ${m.decision!.reason}`;
  for (const x of Object.values(app.state.matters)) {
    if (OPEN.has(x.status)) decide(app, x, now, { kind: 'cancelled', at: now, by: actorLabel(SYSTEM), reason });
  }
  for (const s of app.state.stages) if (s.status !== 'completed') s.status = 'cancelled';
  closeContracts(app, Object.values(app.state.services), now, reason);
  app.record(now, 'withdrawn', SYSTEM, { matter: m.code, reason });
  end(app, { status: 'withdrawn', at: now, matter: m.code, by: actorLabel(SYSTEM), reason, results: results(app) });
}

export function checkWithdraw(app: Application, a: WithdrawInput) {
  requireRunning(app);
  requireApplicant(app, a.actor, 'withdraw the application');
  requireText(a.reason, 'a withdrawal needs its reason');
}

export function withdraw(app: Application, a: WithdrawInput, now: number) {
  checkWithdraw(app, a);
  for (const m of Object.values(app.state.matters)) {
    if (OPEN.has(m.status)) decide(app, m, now, { kind: 'cancelled', at: now, by: actorLabel(a.actor), reason: `application withdrawn: ${a.reason}` });
  }
  for (const s of app.state.stages) if (s.status !== 'completed') s.status = 'cancelled';
  closeContracts(app, Object.values(app.state.services), now, `application withdrawn: ${a.reason}`);
  app.record(now, 'withdrawn', a.actor, { reason: a.reason });
  end(app, { status: 'withdrawn', at: now, reason: a.reason, by: actorLabel(a.actor), results: results(app) });
}

export function end(app: Application, outcome: Outcome) {
  app.state.status = outcome.status;
  app.state.outcome = outcome;
}

/** Every result issued: the stages' outputs, then those of matters beside the stages. */
export function results(app: Application) {
  return app.state.stages.flatMap((s) => s.outputs).concat(
    Object.values(app.state.matters)
      .filter((m) => m.stage === null && m.decision?.kind === 'approved' && m.resultIssuedAt !== null)
      .map((m) => ({ matter: m.code, ...m.decision!.result! })),
  );
}
