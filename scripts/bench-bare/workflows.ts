import { condition, defineQuery, defineUpdate, proxyActivities, setHandler } from '@temporalio/workflow';

/**
 * The reference for `npm run bench` (scripts/bench-compare.ts): a BARE workflow of the same shape
 * as the application workflow, so its throughput and history are what Temporal itself costs for
 * this scenario, and the ratio ours ÷ bare is what our rules and payloads cost on top.
 *
 * Same shape: the government-investment process's matters (four stages in order, prerequisites,
 * the alongside matters), one `approve` Update per matter with the application workflow's input
 * (actor, matter, result, reason), a `status` query the bench polls between bursts (the same
 * round trips: stages → matters with code, department, status), one timer re-armed after every
 * change (as the application re-arms its next-instant timer), and one projection activity call per
 * burst of changes (to a no-op sink in the bench).
 *
 * None of the rules: no intake, no working-day calendar, no levels or warnings, no refusals
 * beyond "not in progress"; the Update answers only the decided matter and the seq. The start
 * input is the application workflow's own (with its catalogue snapshot), so both histories
 * begin with the same payload.
 *
 * Kept as the reference: change it only to keep the shape equal to the application workflow's.
 */
interface BareMatter {
  code: string;
  department: string;
  /** Stage index; the alongside matters run with every stage (index -1). */
  stage: number;
  prerequisites: string[];
}

type SnapshotMatter = { code: string; department: string; prerequisites: string[] };

/**
 * The application workflow's start input, as far as the bare one reads it: the bench hands both
 * the same object (project, applicant, materials and the catalogue snapshot), so both histories
 * start with the same payload.
 */
export interface BareInput {
  applicationId: string;
  snapshot: { stages: { matters: SnapshotMatter[] }[]; alongside: SnapshotMatter[] };
}

export interface BareApproveInput {
  actor: { id: string; role: string; department?: string };
  matter: string;
  result: { number: string };
  reason: string;
}

export interface BareView {
  status: 'running' | 'completed';
  stages: { matters: BareMatterView[] }[];
  alongside: BareMatterView[];
}

interface BareMatterView {
  code: string;
  department: string;
  status: 'waiting' | 'inProgress' | 'approved';
}

export interface BareBatch {
  applicationId: string;
  seq: number;
  changed: string[];
}

export const bareApproveUpdate = defineUpdate<{ matter: string; seq: number }, [BareApproveInput]>('approve');
export const bareStatusQuery = defineQuery<BareView, [{ asOf?: number }?]>('status');

const { projectApplication } = proxyActivities<{ projectApplication(batch: BareBatch): Promise<{ applied: boolean }> }>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

/** The application workflow's far-off deadline, re-armed after every change. */
const DEADLINE_MS = 10 * 24 * 3600 * 1000;

export async function bareApplicationWorkflow(start: BareInput): Promise<{ status: 'completed'; approved: number }> {
  const pick = (stage: number) => (m: SnapshotMatter): BareMatter => ({ code: m.code, department: m.department, stage, prerequisites: m.prerequisites });
  const input = {
    applicationId: start.applicationId,
    stages: start.snapshot.stages.length,
    matters: [...start.snapshot.stages.flatMap((s, i) => s.matters.map(pick(i))), ...start.snapshot.alongside.map(pick(-1))],
  };
  const approved = new Set<string>();
  const changes: string[] = [];
  let currentStage = 0;
  let dirty = false;

  const inProgress = (m: BareMatter) =>
    !approved.has(m.code) && (m.stage === -1 || m.stage === currentStage) && m.prerequisites.every((p) => approved.has(p));
  const status = (m: BareMatter): BareMatterView['status'] => (approved.has(m.code) ? 'approved' : inProgress(m) ? 'inProgress' : 'waiting');
  const ended = () => approved.size === input.matters.length;
  const settle = () => {
    while (currentStage < input.stages && input.matters.every((m) => m.stage !== currentStage || approved.has(m.code))) currentStage++;
  };

  setHandler(
    bareApproveUpdate,
    (a) => {
      approved.add(a.matter);
      changes.push(a.matter);
      settle();
      dirty = true;
      return { matter: a.matter, seq: changes.length };
    },
    {
      validator: (a) => {
        const m = input.matters.find((x) => x.code === a.matter);
        if (!m || !inProgress(m)) throw new Error(`${a.matter} is not in progress`);
      },
    },
  );
  setHandler(bareStatusQuery, () => ({
    status: ended() ? 'completed' : 'running',
    stages: Array.from({ length: input.stages }, (_, i) => ({
      matters: input.matters.filter((m) => m.stage === i).map((m) => ({ code: m.code, department: m.department, status: status(m) })),
    })),
    alongside: input.matters.filter((m) => m.stage === -1).map((m) => ({ code: m.code, department: m.department, status: status(m) })),
  }));

  // One projection call per burst of changes, as projectChanges does.
  const projection = (async () => {
    let projected = 0;
    for (;;) {
      await condition(() => changes.length > projected || ended());
      if (changes.length === projected) return;
      const seq = changes.length;
      await projectApplication({ applicationId: input.applicationId, seq, changed: changes.slice(projected, seq) });
      projected = seq;
    }
  })();

  settle();
  while (!ended()) {
    dirty = false;
    await condition(() => dirty, DEADLINE_MS);
  }
  await projection;
  return { status: 'completed', approved: approved.size };
}
