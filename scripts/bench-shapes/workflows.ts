import { condition, defineUpdate, executeChild, setHandler, workflowInfo } from '@temporalio/workflow';

/**
 * The alternative mapping, for measurement only: one child workflow per matter, started by the
 * application workflow when its prerequisites are done. It carries none of the rules (no
 * intake, calendar, levels or projection): just the shape — a child with its deadline timer and
 * a decision Update — so its history and throughput are a floor for that design.
 */
export const decideUpdate = defineUpdate<void, []>('decide');

export async function matterChild(limitMs: number): Promise<void> {
  let decided = false;
  setHandler(decideUpdate, () => {
    decided = true;
  });
  // The deadline timer a real matter would keep (and re-arm on every level change).
  await condition(() => decided, limitMs);
  await condition(() => decided);
}

export interface ShapeMatter {
  code: string;
  stage: number;
  prerequisites: string[];
}

export async function applicationWithChildren(matters: ShapeMatter[]): Promise<number> {
  const done = new Set<string>();
  const stages = [...new Set(matters.map((m) => m.stage))].sort((a, b) => a - b);
  for (const stage of stages) {
    const inStage = matters.filter((m) => m.stage === stage);
    const started = new Set<string>();
    const running: Promise<void>[] = [];
    const startReady = () => {
      for (const m of inStage) {
        if (started.has(m.code) || !m.prerequisites.every((p) => done.has(p))) continue;
        started.add(m.code);
        running.push(
          executeChild(matterChild, { workflowId: `${workflowInfo().workflowId}-${m.code}`, args: [10 * 24 * 3600 * 1000] }).then(() => {
            done.add(m.code);
            startReady();
          }),
        );
      }
    };
    startReady();
    await condition(() => inStage.every((m) => done.has(m.code)));
    await Promise.all(running);
  }
  return done.size;
}
