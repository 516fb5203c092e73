import { describe, expect, it } from 'vitest';
import { projectedApplication } from '../../readmodel/queries';
import { Application } from '../../domain/application/core';
import { applicationFromStore, ProjectionDelta, projectionBatch } from '../../domain/projection';
import { viewApplication } from '../../domain/view';
import { writerDatabase } from '../helpers/postgres';
import { allMaterials, applicationInput } from '../helpers/temporal';
import { DAY, walk } from '../helpers/walk';

const fixture = writerDatabase();

/** The view as JSON carries it: what a caller of either read receives. */
const asSent = (view: unknown) => JSON.parse(JSON.stringify(view));

/**
 * The read model answers an application's status without its workflow: it stores the state and
 * computes the view with the workflow's own function, so at any instant the two agree exactly.
 */
describe('the view computed from the read model', () => {
  const walks = [
    { name: 'government investment, everything handed in', input: () => applicationInput('GOV_INVESTMENT'), seed: 11 },
    { name: 'government investment needing intermediaries', input: () => applicationInput('GOV_INVESTMENT', { materials: allMaterials('GOV_INVESTMENT').filter((m) => m !== 'M_EIA_DOCUMENT' && m !== 'M_SOIL_WATER_PLAN') }), seed: 23 },
    { name: 'social investment with missing materials', input: () => applicationInput('SOCIAL_APPROVAL', { materials: allMaterials('SOCIAL_APPROVAL').slice(0, 4) }), seed: 37 },
    { name: 'government investment that may end early', input: () => applicationInput('GOV_INVESTMENT'), seed: 42 },
  ];

  it.each(walks)('equals the workflow’s view at every step and any later instant: $name', async ({ input, seed }) => {
    const delta = new ProjectionDelta();
    let projected = 0;
    // In order: the batches the workflow would hand over, and every 15th step a copy of the application.
    const timeline: ({ batch: unknown } | { app: Application; now: number })[] = [];
    let step = 0;
    const app = walk(input(), seed, 120, (a, now) => {
      if (a.state.events.length === projected) return;
      const batch = delta.next(projectionBatch(a, now, projected));
      projected = batch.application.seq;
      timeline.push({ batch: JSON.parse(JSON.stringify(batch)) });
      if (++step % 15 === 0) timeline.push({ app: Application.fromState(a.snapshot, structuredClone(a.state)), now });
    });
    const id = app.state.input.applicationId;
    const agreeAt = async (expected: Application, instants: number[]) => {
      const stored = await projectedApplication(fixture.db.pool, id);
      expect(stored!.seq).toBe(expected.state.events.length);
      const rebuilt = applicationFromStore(stored!.stored);
      for (const t of instants) expect(asSent(viewApplication(rebuilt, t))).toEqual(asSent(viewApplication(expected, t)));
    };
    let compared = 0;
    for (const item of timeline) {
      if ('batch' in item) await fixture.project(item.batch as never);
      else {
        await agreeAt(item.app, [item.now, item.now + 1_000, item.now + 3 * DAY]);
        compared++;
      }
    }
    const last = app.state.events.at(-1)!.at;
    await agreeAt(app, [last, last + 1_000, last + 3 * DAY, last + 45 * DAY]);
    expect(compared).toBeGreaterThan(0);
  });
});
