import { describe, expect, it } from 'vitest';
import { Application } from '../../domain/application/core';
import { EVENT_KINDS, isEventKind } from '../../domain/events';
import type { ApplicationInput } from '../../domain/types';
import { allMaterials, applicationInput, catalogue, officer } from '../helpers/temporal';
import { DAY, walk } from '../helpers/walk';

/** Every running matter approved as soon as it runs, until the application completes. */
function completed(): Application {
  let now = Date.parse('2026-03-02T09:00:00+08:00');
  const app = new Application(applicationInput('GOV_INVESTMENT'), now);
  app.advance(now);
  for (let day = 0; day < 200 && !app.ended; day++) {
    for (const m of Object.values(app.state.matters).filter((x) => x.status === 'inProgress')) {
      app.act('approve', { actor: officer(m.department), matter: m.code, result: { number: `浏审〔2026〕${m.code}号` }, reason: '' }, now);
    }
    now += DAY;
    app.advance(now);
  }
  expect(app.state.status).toBe('completed');
  return app;
}

/** A matter held at intake for a flagged item, accepted by the officer who saw it handed in. */
function acceptedAtTheWindow(): Application {
  const now = Date.parse('2026-03-02T09:00:00+08:00');
  const app = new Application(applicationInput('GOV_INVESTMENT', { materials: without('GOV_INVESTMENT', 'M_LAND_CONTRACT') }), now);
  app.advance(now);
  const held = Object.values(app.state.matters).find((m) => m.status === 'intake')!;
  app.act('accept', { actor: officer(held.department), matter: held.code, reason: '原件已核验' }, now);
  return app;
}

const without = (processCode: string, ...codes: string[]) => allMaterials(processCode).filter((m) => !codes.includes(m));

/** Complete and incomplete applications of every process, with and without intermediary services or commitments. */
const STARTS: { name: string; input: () => ApplicationInput; seeds?: number; steps?: number }[] = [
  { name: 'complete government investment', input: () => applicationInput('GOV_INVESTMENT') },
  { name: 'complete social investment', input: () => applicationInput('SOCIAL_APPROVAL') },
  { name: 'missing materials and reports', input: () => applicationInput('GOV_INVESTMENT', { materials: without('GOV_INVESTMENT', 'M_LAND_CONTRACT', 'M_PUBLIC_PARTICIPATION', 'M_EIA_DOCUMENT', 'M_SOIL_WATER_PLAN') }) },
  { name: 'a zone that waives services', input: () => applicationInput('GOV_INVESTMENT', { materials: without('GOV_INVESTMENT', 'M_ENERGY_REPORT', 'M_EIA_DOCUMENT'), zone: catalogue.zones[0] ?? null }) },
  {
    name: 'social investment reform: commitments, joint matters, remedies',
    input: () => applicationInput('SOCIAL_REFORM', { commitments: ['LY06', 'LY08', 'GC03', 'SG06'].map((matter) => ({ matter, statement: '本单位承诺符合审批条件' })) }),
    // Joint matters lie in the last two stages and a verification runs for weeks: longer walks, more of them.
    seeds: 8,
    steps: 500,
  },
  {
    name: 'government investment on commitment: LY06 (its dependents held) and GC03 (flagged)',
    input: () => applicationInput('GOV_INVESTMENT', { commitments: ['LY06', 'GC03'].map((matter) => ({ matter, statement: '本单位承诺符合审批条件' })) }),
    seeds: 8,
    steps: 500,
  },
  {
    name: "a first stage complete on 'any' milestone",
    input: () => {
      const input = applicationInput('GOV_INVESTMENT', { materials: without('GOV_INVESTMENT', 'M_PUBLIC_PARTICIPATION') });
      return { ...input, snapshot: { ...input.snapshot, stages: input.snapshot.stages.map((s, i) => (i === 0 ? { ...s, completion: 'any' as const } : s)) } };
    },
  },
];

describe('event kinds', () => {
  it('lists each event kind once', () => {
    expect(new Set(EVENT_KINDS).size).toBe(EVENT_KINDS.length);
  });

  it('records only kinds in EVENT_KINDS, whatever users and time do to an application', () => {
    const seen = new Set<string>();
    for (const app of [completed(), acceptedAtTheWindow()]) for (const e of app.state.events) seen.add(e.kind);
    for (const kind of seen) expect(EVENT_KINDS).toContain(kind);
    for (const start of STARTS) {
      for (let seed = 1; seed <= (start.seeds ?? 4); seed++) {
        const app = walk(start.input(), seed, start.steps ?? 300);
        for (const e of app.state.events) {
          if (!isEventKind(e.kind)) throw new Error(`${start.name}, seed ${seed}: the engine recorded "${e.kind}", which EVENT_KINDS lacks`);
          seen.add(e.kind);
        }
      }
    }
    // The walks must reach most of the engine, or the check above proves little.
    expect(seen.size, `never seen: ${EVENT_KINDS.filter((k) => !seen.has(k)).join(', ')}`).toBeGreaterThanOrEqual(Math.floor(EVENT_KINDS.length * 0.9));
  });
});
