import { knownOrNull } from '../calendar';
import { nextMilestone } from '../clock';
import { contractMilestones } from '../intermediary';
import { endOfDay } from '../time';
import { SYSTEM } from '../types';
import { actorLabel, DECIDED, OPEN } from './checks';
import type { Application } from './core';
import { batchMatters, batchOf, missingFor, passIntake, prerequisitesMet, receive, startMatter } from './intake';
import { decide, milestones, updateLevel } from './matter-clock';
import { closeContracts, closeUnneededContracts, currentContract, updateServiceLevel } from './services';
import { verificationWakes } from './commitment';
import { jointWakes, stepJoint } from './joint';
import { remedyWakes, stepRemedies } from './remedies';
import { end, issueResult, results, settleStage, startStage } from './stages';

// What time alone decides: deemed acceptance, starts, warnings, escalation, terminations, stage
// output, the application's completion; and the next instant at which any of it happens.

/** One pass of time's rules at `now`; true while a pass changed something another may build on. */
export function step(app: Application, now: number): boolean {
  let changed = false;
  const stageIndex = app.state.stages.findIndex((s) => s.status !== 'completed');
  const stage = stageIndex >= 0 ? app.state.stages[stageIndex]! : null;
  if (stage && stage.status === 'pending') {
    startStage(app, stageIndex, now);
    return true;
  }
  // Matters beside the stages are received when their prerequisites' outputs exist.
  for (const m of Object.values(app.state.matters)) {
    if (m.stage === null && m.status === 'pending' && prerequisitesMet(app, m)) {
      receive(app, [m.code], m.code, m.department, now);
      changed = true;
    }
  }
  for (const intake of Object.values(app.state.intakes)) {
    if (intake.notice === null && intake.deemedAcceptedAt === null && intake.noticeDueOn !== null && now >= endOfDay(intake.noticeDueOn)) {
      const waiting = batchMatters(app, intake.batch).filter((m) => m.status === 'intake');
      if (waiting.length) {
        intake.deemedAcceptedAt = now;
        app.record(now, 'intakeDeemedAccepted', SYSTEM, {
          stage: intake.batch,
          reason: `no missing-materials notice by ${intake.noticeDueOn} (Administrative Licensing Law Art. 32): accepted from receipt`,
        });
        for (const m of waiting) passIntake(app, m, intake.receivedAt, 'deemed');
        changed = true;
      }
    }
  }
  for (const m of Object.values(app.state.matters)) {
    if (m.status === 'intake' && missingFor(app, m.code, 'blocking').length === 0) {
      passIntake(app, m, now, app.state.intakes[batchOf(m)]?.notice ? 'afterNotice' : 'unconditional');
      changed = true;
    }
    const failedPre = app.def(m.code).prerequisites.find((p) => ['rejected', 'terminated', 'cancelled', 'withdrawn'].includes(app.state.matters[p]!.status));
    if (failedPre && (m.status === 'pending' || m.status === 'intake' || m.status === 'waitingPrerequisites')) {
      const reason = `prerequisite ${failedPre} was ${app.state.matters[failedPre]!.status}; this matter cannot start`;
      decide(app, m, now, { kind: 'cancelled', at: now, by: actorLabel(SYSTEM), reason });
      app.record(now, 'cancelled', SYSTEM, { matter: m.code, reason });
      changed = true;
      continue;
    }
    if (m.status === 'waitingPrerequisites' && prerequisitesMet(app, m)) {
      startMatter(app, m, now, m.acceptance ?? 'unconditional');
      changed = true;
    }
    if (m.status === 'approved' && m.resultIssuedAt === null && m.deferred.every((d) => d.suppliedAt !== null)) {
      issueResult(app, m, now);
      changed = true;
    }
    const lateItem = m.deferred.find((d) => d.suppliedAt === null && d.dueOn !== null && now >= endOfDay(d.dueOn));
    if (lateItem && (m.status === 'inProgress' || m.status === 'suspended' || m.status === 'approved') && m.resultIssuedAt === null) {
      const reason = `容缺 item ${lateItem.material} (${lateItem.name}) was not supplied by ${lateItem.dueOn}`;
      decide(app, m, now, { kind: 'terminated', at: now, by: actorLabel(SYSTEM), reason });
      app.record(now, 'terminated', SYSTEM, { matter: m.code, reason });
      changed = true;
    }
    if (m.status === 'inProgress' || m.status === 'suspended') updateLevel(app, m, now);
  }
  for (const service of Object.values(app.state.services)) updateServiceLevel(app, service, now);
  if (app.state.reformInstruments) {
    changed = stepJoint(app, now) || changed;
    changed = stepRemedies(app, now) || changed;
  }
  if (stage && stage.status === 'inProgress') changed = settleStage(app, stageIndex, now) || changed;
  if (app.state.status === 'running') closeUnneededContracts(app, now);
  if (stageIndex < 0 && Object.values(app.state.matters).every((m) => DECIDED.has(m.status))) {
    closeContracts(app, Object.values(app.state.services), now, 'application completed');
    app.record(now, 'applicationCompleted', SYSTEM);
    end(app, { status: 'completed', at: now, reason: 'all four stages completed', results: results(app) });
    return false;
  }
  return changed;
}

/** The next instant at which time alone changes something, or null. */
export function nextWakeAt(app: Application, now: number): number | null {
  const candidates: number[] = [];
  for (const intake of Object.values(app.state.intakes)) {
    if (intake.notice === null && intake.deemedAcceptedAt === null && intake.noticeDueOn !== null && batchMatters(app, intake.batch).some((m) => m.status === 'intake')) {
      candidates.push(endOfDay(intake.noticeDueOn));
    }
  }
  for (const m of Object.values(app.state.matters)) {
    if (m.status === 'inProgress') {
      const ms = milestones(app, m);
      const next = ms && nextMilestone(ms, now);
      if (next !== null && next !== undefined) candidates.push(next);
    }
    if ((OPEN.has(m.status) || m.status === 'approved') && m.resultIssuedAt === null) {
      for (const d of m.deferred) if (d.suppliedAt === null && d.dueOn !== null) candidates.push(endOfDay(d.dueOn));
    }
  }
  for (const service of Object.values(app.state.services)) {
    const c = currentContract(service);
    if (!c || c.status !== 'open') continue;
    const next = knownOrNull(() => contractMilestones(app.cal, c, app.snapshot.intermediary).find((x) => x.at > now));
    if (next) candidates.push(next.at);
  }
  if (app.state.reformInstruments) candidates.push(...verificationWakes(app, now));
  if (app.state.reformInstruments && !app.ended) candidates.push(...jointWakes(app, now), ...remedyWakes(app));
  const future = candidates.filter((c) => c > now);
  return future.length ? Math.min(...future) : null;
}
