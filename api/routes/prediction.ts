import type { Pool } from 'pg';
import { buildCalendar } from '../../domain/calendar';
import type { Application } from '../../domain/application/core';
import { predict, type History, type Prediction } from '../../domain/prediction';
import { readHistory } from '../../readmodel/history-stats';
import type { Access } from '../authz';
import type { CatalogueHolder } from '../catalogue-holder';

/** How long the history read for predictions is reused: the application's own progress is read afresh every time. */
const HISTORY_TTL_MS = 60_000;
/** The most recent decided matters per code (and contracts per service type) a prediction learns from. */
const HISTORY_PER_CODE = 500;

/**
 * GET /applications/:id/prediction's reader: the application as it is now (recomputed on every read,
 * so it follows every change) laid over the history, which is read at most once a minute.
 */
export function predictionReader(pool: Pool, catalogue: CatalogueHolder) {
  let cached: { at: number; history: Promise<History> } | null = null;
  const history = (now: number) => {
    if (!cached || now - cached.at > HISTORY_TTL_MS) {
      const read = readHistory(pool, buildCalendar(catalogue.current.calendars), { perCode: HISTORY_PER_CODE });
      cached = { at: now, history: read };
      read.catch(() => (cached = null));
    }
    return cached.history;
  };
  return async (app: Application, now: number): Promise<Prediction> => predict(app, await history(Date.now()), now);
}

/**
 * The prediction as the caller may see it (api/authz.ts): whole; a utility's officer its own
 * department's matters and their stages; a provider the completion alone, nothing of the
 * government's steps.
 */
export function predictionFor(p: Prediction, access: Exclude<Access, { scope: 'none' }>): Prediction {
  switch (access.scope) {
    case 'whole':
      return p;
    case 'matters': {
      const matters = p.matters.filter((m) => m.department === access.department);
      const stages = new Set(matters.map((m) => m.stage));
      return { ...p, matters, stages: p.stages.filter((s) => stages.has(s.stage)) };
    }
    case 'contracts':
      return { ...p, matters: [], stages: [] };
  }
}
