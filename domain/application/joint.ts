import type { GiveOpinionInput, MoveSessionInput, ScheduleSessionInput, SubmitRectificationInput } from '../../contracts/actions';
import { knownOrNull } from '../calendar';
import { clockDueOn } from '../clock';
import { ActionRefused } from '../errors';
import { endOfDay, shanghaiDate } from '../time';
import { SYSTEM, type Actor, type JointParticipant, type MatterState } from '../types';
import { actorLabel, describeStatus, matterFor, officerMatter, requireApplicant, requireRunning, requireStatus, requireText } from './checks';
import type { Application } from './core';
import { nextSideMilestone, restart, sideDueOn, startSideClock, stop, updateSideLevel } from './matter-clock';

// Joint matters (联合审图, 联合验收, 多测合一): the matter's department leads and schedules one
// session inside the limit (movable once, with a reason); each participating department gives its
// opinion by its own limit, or is deemed to consent (逾期视为同意) or escalates; failures become
// one consolidated rectification list (整改) on the applicant's clock, then one re-inspection; the
// lead approves once every opinion is in and none fails.

/** A joint matter accepted: each participant's opinion clock starts. */
export function openJoint(app: Application, m: MatterState, at: number) {
  const policy = app.def(m.code).joint;
  if (!policy || !app.state.reformInstruments) return;
  m.joint = {
    session: null,
    round: 1,
    participants: policy.participants.map((p) => ({ department: p.department, opinionDays: p.opinionDays, due: startSideClock(at, p.opinionDays), opinion: null, earlier: [] })),
    rectification: null,
    completedRound: null,
  };
}

/** Participants whose opinion this round is still to come. */
export function waiting(m: MatterState): JointParticipant[] {
  return (m.joint?.participants ?? []).filter((p) => p.due !== null && p.opinion === null);
}

function jointMatter(app: Application, actor: Actor, code: string, action: string): MatterState {
  const m = officerMatter(app, actor, code, action);
  if (!m.joint) throw new ActionRefused('NOT_JOINT', `matter ${code} is not a joint matter; it has no session or participants`);
  return m;
}

function checkSessionDate(app: Application, m: MatterState, on: string, now: number) {
  const today = shanghaiDate(now);
  if (on < today) throw new ActionRefused('INVALID_INPUT', `the session date ${on} has passed (today is ${today})`);
  const dueOn = m.clock?.runStart ? knownOrNull(() => clockDueOn(app.cal, m.clock!)) : null;
  if (dueOn && on > dueOn) throw new ActionRefused('INVALID_INPUT', `the session must be held within matter ${m.code}'s limit, by ${dueOn}; ${on} is later`);
}

export function checkScheduleSession(app: Application, a: ScheduleSessionInput, now: number) {
  const m = jointMatter(app, a.actor, a.matter, 'schedule the session of');
  requireStatus(m, ['inProgress'], 'schedule the session of');
  if (m.joint!.session) throw new ActionRefused('INVALID_STATE', `the session of matter ${m.code} is already scheduled for ${m.joint!.session.on}; move it instead`);
  checkSessionDate(app, m, a.on, now);
}

export function scheduleSession(app: Application, a: ScheduleSessionInput, now: number) {
  checkScheduleSession(app, a, now);
  const m = app.state.matters[a.matter]!;
  m.joint!.session = { on: a.on, time: a.time, place: a.place, by: actorLabel(a.actor), at: now, moved: null };
  app.record(now, 'sessionScheduled', a.actor, { matter: m.code, data: { on: a.on, time: a.time, place: a.place, participants: m.joint!.participants.map((p) => p.department) } });
}

export function checkMoveSession(app: Application, a: MoveSessionInput, now: number) {
  const m = jointMatter(app, a.actor, a.matter, 'move the session of');
  requireStatus(m, ['inProgress'], 'move the session of');
  const s = m.joint!.session;
  if (!s) throw new ActionRefused('INVALID_STATE', `the session of matter ${m.code} is not scheduled yet`);
  if (s.moved) throw new ActionRefused('INVALID_STATE', `the session of matter ${m.code} was already moved once, on ${shanghaiDate(s.moved.at)}`);
  requireText(a.reason, 'moving a session needs its reason');
  checkSessionDate(app, m, a.on, now);
}

export function moveSession(app: Application, a: MoveSessionInput, now: number) {
  checkMoveSession(app, a, now);
  const m = app.state.matters[a.matter]!;
  const s = m.joint!.session!;
  const from = { on: s.on, time: s.time, place: s.place };
  s.moved = { ...from, reason: a.reason, by: actorLabel(a.actor), at: now };
  Object.assign(s, { on: a.on, time: a.time, place: a.place });
  app.record(now, 'sessionMoved', a.actor, { matter: m.code, reason: a.reason, data: { from, to: { on: a.on, time: a.time, place: a.place } } });
}

export function checkGiveOpinion(app: Application, a: GiveOpinionInput) {
  requireRunning(app);
  const m = matterFor(app, a.matter);
  if (!m.joint) throw new ActionRefused('NOT_JOINT', `matter ${m.code} is not a joint matter; it takes no opinions`);
  if (a.actor.role !== 'officer') throw new ActionRefused('NOT_PERMITTED', `only a participating department's officer gives an opinion; the caller's role is ${a.actor.role}`);
  const p = m.joint.participants.find((x) => x.department === a.actor.department);
  if (!p) {
    throw new ActionRefused('WRONG_DEPARTMENT', `department ${a.actor.department ?? 'none'} does not take part in matter ${m.code}; its participants are ${m.joint.participants.map((x) => x.department).join(', ')}`);
  }
  requireStatus(m, ['inProgress'], 'give an opinion on');
  if (p.opinion) throw new ActionRefused('INVALID_STATE', `department ${p.department} already gave its opinion (${p.opinion.kind}) on matter ${m.code} in round ${p.opinion.round}`);
  if (!p.due) throw new ActionRefused('INVALID_STATE', `department ${p.department} has no opinion to give on matter ${m.code} this round`);
  if ((a.opinion === 'fail' || a.opinion === 'conditions') && a.items.length === 0) {
    throw new ActionRefused('INVALID_INPUT', 'a failing opinion lists its items, a conditional one its conditions');
  }
}

export function giveOpinion(app: Application, a: GiveOpinionInput, now: number) {
  checkGiveOpinion(app, a);
  const m = app.state.matters[a.matter]!;
  const p = m.joint!.participants.find((x) => x.department === a.actor.department)!;
  updateOpinionLevel(app, m, p, now);
  p.opinion = { kind: a.opinion, items: a.items, note: a.note, at: now, by: actorLabel(a.actor), round: m.joint!.round };
  app.record(now, 'opinionGiven', a.actor, {
    matter: m.code,
    reason: a.note || undefined,
    data: { department: p.department, opinion: a.opinion, items: a.items, round: m.joint!.round, onTime: onTime(app, p, now) },
  });
  app.advance(now);
}

function onTime(app: Application, p: JointParticipant, at: number): boolean | null {
  const due = p.due && sideDueOn(app, p.due);
  return due ? at < endOfDay(due) : null;
}

function updateOpinionLevel(app: Application, m: MatterState, p: JointParticipant, now: number) {
  if (!p.due) return;
  const runStart = m.joint!.rectification?.submittedAt ?? m.acceptedAt ?? now;
  updateSideLevel(app, p.due, app.since(runStart), now, (at, from, to) =>
    app.record(at, 'opinionLevelChanged', SYSTEM, { matter: m.code, data: { department: p.department, from, to } }),
  );
}

export function checkSubmitRectification(app: Application, a: SubmitRectificationInput) {
  requireRunning(app);
  requireApplicant(app, a.actor, 'submit a rectification');
  const m = matterFor(app, a.matter);
  const open = m.stops.at(-1);
  if (m.status !== 'suspended' || open?.kind !== 'rectification' || open.to !== null) {
    throw new ActionRefused('INVALID_STATE', `matter ${m.code} has no rectification (整改) outstanding (it is ${describeStatus(m)})`);
  }
  requireText(a.note, 'say what was rectified');
}

/** The applicant rectified: the matter's clock runs again and the failing participants re-inspect. */
export function submitRectification(app: Application, a: SubmitRectificationInput, now: number) {
  checkSubmitRectification(app, a);
  const m = app.state.matters[a.matter]!;
  const j = m.joint!;
  j.rectification!.submittedAt = now;
  j.rectification!.note = a.note;
  j.round += 1;
  const again: string[] = [];
  for (const p of j.participants) {
    if (p.opinion?.kind === 'fail') {
      p.earlier.push(p.opinion);
      p.opinion = null;
      p.due = startSideClock(now, p.opinionDays);
      again.push(p.department);
    } else {
      p.due = null;
    }
  }
  app.record(now, 'rectificationSubmitted', a.actor, { matter: m.code, reason: a.note, data: { round: j.round, reinspectedBy: again } });
  restart(app, m, now, a.actor, 'rectification submitted: re-inspection');
  app.advance(now);
}

/**
 * Time's rules for joint matters: a silent participant is deemed to consent at the end of its due
 * day where the catalogue says so, or climbs the ladder; once every opinion of a round is in,
 * failures become the rectification list (first round) or the opinions are complete.
 */
export function stepJoint(app: Application, now: number): boolean {
  let changed = false;
  for (const m of Object.values(app.state.matters)) {
    if (!m.joint || m.status !== 'inProgress') continue;
    const policy = app.def(m.code).joint!;
    for (const p of waiting(m)) {
      const dueOn = sideDueOn(app, p.due!);
      if (policy.silenceIsConsent && dueOn !== null && now >= endOfDay(dueOn)) {
        const at = endOfDay(dueOn);
        // The warning it reached before its due day ended, even when nothing woke the application then.
        updateOpinionLevel(app, m, p, at - 1);
        p.opinion = { kind: 'deemedConsent', items: [], note: '逾期视为同意', at, by: actorLabel(SYSTEM), round: m.joint.round };
        app.record(at, 'opinionDeemedConsent', SYSTEM, { matter: m.code, reason: `no opinion by ${dueOn}: deemed to consent (逾期视为同意)`, data: { department: p.department, round: m.joint.round } });
        changed = true;
      } else {
        updateOpinionLevel(app, m, p, now);
      }
    }
    changed = settleRound(app, m, now) || changed;
  }
  return changed;
}

function settleRound(app: Application, m: MatterState, now: number): boolean {
  const j = m.joint!;
  if (waiting(m).length || j.completedRound === j.round) return false;
  j.completedRound = j.round;
  const failing = j.participants.filter((p) => p.opinion?.kind === 'fail');
  if (failing.length && j.round === 1) {
    const items = failing.flatMap((p) => p.opinion!.items.map((item) => ({ department: p.department, item })));
    j.rectification = { items, requestedAt: now, submittedAt: null, note: '' };
    app.record(now, 'rectificationRequested', SYSTEM, { matter: m.code, data: { items, departments: failing.map((p) => p.department) } });
    stop(app, m, now, { kind: 'rectification', from: now, to: null, reason: `整改: ${items.length} item(s) from ${failing.map((p) => p.department).join(', ')}`, by: actorLabel(SYSTEM) });
    return true;
  }
  app.record(now, 'opinionsComplete', SYSTEM, {
    matter: m.code,
    data: {
      round: j.round,
      failed: failing.map((p) => p.department),
      conditions: j.participants.filter((p) => p.opinion?.kind === 'conditions').flatMap((p) => p.opinion!.items.map((item) => ({ department: p.department, item }))),
    },
  });
  return true;
}

/** The lead's approval of a joint matter waits for every opinion, none failing. */
export function checkJointApproval(m: MatterState) {
  if (!m.joint) return;
  const out = waiting(m);
  if (out.length) throw new ActionRefused('OPINIONS_OUTSTANDING', `matter ${m.code} waits for the opinions of ${out.map((p) => p.department).join(', ')}`);
  const failing = m.joint.participants.filter((p) => p.opinion?.kind === 'fail');
  if (failing.length) throw new ActionRefused('OPINION_FAILED', `matter ${m.code} failed the re-inspection of ${failing.map((p) => p.department).join(', ')}; it can only be rejected`);
}

/**
 * The next instants at which a participant's opinion changes level or it is deemed to consent (at
 * the end of its due day, the instant its clock would turn overdue): a silent participant is
 * warned first either way.
 */
export function jointWakes(app: Application, now: number): number[] {
  const out: number[] = [];
  for (const m of Object.values(app.state.matters)) {
    if (!m.joint || m.status !== 'inProgress') continue;
    for (const p of waiting(m)) {
      const next = nextSideMilestone(app, p.due!, now);
      if (next !== null) out.push(next);
    }
  }
  return out;
}
