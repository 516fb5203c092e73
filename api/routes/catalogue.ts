import { Router } from 'express';
import { z } from 'zod';
import type { Catalogue } from '../../definitions/loader';
import { isoDate } from '../../definitions/schema';
import { buildCalendar, dueDate } from '../../workflows/domain/calendar';
import { parse } from '../validate';

export const dueQuerySchema = z.object({
  acceptedOn: isoDate,
  workingDays: z.coerce.number().int('must be a whole number').min(0, 'must be 0 or more').max(365, 'must be at most 365'),
});

/** Public lists: the published catalogue and the legal due-date calculator. */
export function catalogueRouter(catalogue: Catalogue): Router {
  const r = Router();
  const calendar = buildCalendar(catalogue.calendars);

  r.get('/calendar/due', (req, res) => {
    const q = parse(dueQuerySchema, req.query, 'query');
    res.json({ acceptedOn: q.acceptedOn, workingDays: q.workingDays, dueOn: dueDate(calendar, q.acceptedOn, q.workingDays) });
  });

  r.get('/catalogue/processes', (_req, res) => {
    res.json({
      definitionHash: catalogue.hash,
      processes: catalogue.processes.map((p) => ({
        code: p.code,
        name: p.name,
        nameEn: p.nameEn,
        targetTotalDays: p.targetTotalDays,
        stages: p.stages.map((s) => ({
          code: s.code,
          name: s.name,
          nameEn: s.nameEn,
          leadDepartment: s.leadDepartment,
          timeLimitDays: s.timeLimitDays,
          matters: s.matters.map((m) => m.code),
        })),
        alongside: p.alongside.map((m) => m.code),
      })),
    });
  });

  return r;
}
