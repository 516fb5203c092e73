import { Router } from 'express';
import { z } from 'zod';
import type { Catalogue } from '../../definitions/loader';
import { isoDate } from '../../definitions/schema';
import { buildCalendar, dueDate } from '../../workflows/domain/calendar';
import { shanghaiDate } from '../../workflows/domain/time';
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

  /** The intermediary supermarket (中介服务超市): providers, what each is qualified for, until when, and its committed days. */
  r.get('/catalogue/providers', (req, res) => {
    const q = parse(z.object({ serviceType: z.string().optional(), on: isoDate.optional() }), req.query, 'query');
    const on = q.on ?? shanghaiDate(Date.now());
    res.json({
      on,
      serviceTypes: catalogue.serviceTypes,
      providers: catalogue.providers
        .filter((p) => !q.serviceType || p.qualifications.some((x) => x.serviceType === q.serviceType))
        .map((p) => ({
          ...p,
          qualifications: p.qualifications
            .filter((x) => !q.serviceType || x.serviceType === q.serviceType)
            .map((x) => ({ ...x, valid: x.validUntil >= on })),
        })),
    });
  });

  r.get('/catalogue/zones', (_req, res) => {
    res.json({ zones: catalogue.zones });
  });

  return r;
}
