import { z } from 'zod';
import { code } from '../../contracts/fields';
import { calendarsSchema, departmentsSchema, dueDateSchema, processMattersSchema, providersOnSchema, publishedProcessesSchema, zonesSchema } from '../../contracts/responses';
import { isoDate } from '../../catalogue/schema';
import { fieldProblem, HttpProblem } from '../problem';
import { describeGap, dueDate, isProvisionalBetween, reckon } from '../../domain/calendar';
import { shanghaiDate } from '../../domain/time';
import type { CatalogueHolder } from '../catalogue-holder';
import type { OperationRegistry } from '../operation';

export const dueQuerySchema = z.object({
  acceptedOn: isoDate,
  workingDays: z
    .string()
    .regex(/^\d{1,3}$/, 'must be a whole number 0–365')
    .transform(Number)
    .pipe(z.number().max(365, 'must be at most 365')),
});

/** Public lists (流程清单, 前置条件清单, 材料清单, 收费清单) served from definitions/, and the due-date calculator. */
export function registerCatalogue(api: OperationRegistry, catalogue: CatalogueHolder, clock: () => number = Date.now): void {
  api.add(
    { method: 'get', path: '/calendar/due', tag: 'catalogue', summary: 'Compute a legal due date', roles: 'public', query: dueQuerySchema, response: dueDateSchema },
    ({ query }) => {
      const due = reckon(() => dueDate(catalogue.calendar, query.acceptedOn, query.workingDays));
      if (!due.ok) throw new HttpProblem(422, 'Outside the calendar', describeGap(due.gap), { code: 'OUTSIDE_CALENDAR' });
      // 暂定: counted through a provisional year, the date may move with the official notice.
      return { acceptedOn: query.acceptedOn, workingDays: query.workingDays, dueOn: due.value, provisional: isProvisionalBetween(catalogue.calendar, query.acceptedOn, due.value) };
    },
  );

  api.add({ method: 'get', path: '/catalogue/processes', tag: 'catalogue', summary: 'List processes and stages (流程清单)', roles: 'public', response: publishedProcessesSchema }, () => {
    const c = catalogue.current;
    return {
      definitionHash: c.hash,
      processes: c.processes.map((p) => ({
        code: p.code,
        name: p.name,
        nameEn: p.nameEn,
        targetTotalDays: p.targetTotalDays,
        warning: p.warning,
        escalation: p.escalation,
        stages: p.stages.map((s) => ({ code: s.code, name: s.name, nameEn: s.nameEn, leadDepartment: s.leadDepartment, timeLimitDays: s.timeLimitDays, completion: s.completion, matters: s.matters.map((m) => m.code) })),
        alongside: p.alongside.map((m) => m.code),
      })),
    };
  });

  api.add(
    {
      method: 'get',
      path: '/catalogue/processes/:code/matters',
      tag: 'catalogue',
      summary: 'List matters with materials, prerequisites, limits and fees (材料清单, 前置条件清单, 收费清单)',
      roles: 'public',
      params: z.object({ code: code('process', 'GOV_INVESTMENT') }),
      response: processMattersSchema,
    },
    ({ params }) => {
      const p = catalogue.current.processes.find((x) => x.code === params.code);
      if (!p) throw new HttpProblem(404, 'Not found', `no published process ${params.code}`, { code: 'NOT_FOUND', errors: [{ field: 'path.code', message: 'is not a published process' }] });
      return { process: p.code, definitionHash: p.definitionHash, matters: [...p.stages.flatMap((s) => s.matters), ...p.alongside] };
    },
  );

  api.add({ method: 'get', path: '/catalogue/departments', tag: 'catalogue', summary: 'List departments', roles: 'public', response: departmentsSchema }, () => ({ departments: catalogue.current.departments }));

  api.add(
    {
      method: 'get',
      path: '/catalogue/providers',
      tag: 'catalogue',
      summary: 'List intermediary providers (中介服务超市)',
      roles: 'public',
      query: z.object({ serviceType: code('service type', 'EIA_REPORT').optional(), on: isoDate.optional() }),
      response: providersOnSchema,
    },
    ({ query }) => {
      if (query.serviceType && !catalogue.current.serviceTypes.some((t) => t.code === query.serviceType)) {
        throw fieldProblem('query.serviceType', `is not a published service type; published: ${catalogue.current.serviceTypes.map((t) => t.code).join(', ')}`);
      }
      const on = query.on ?? shanghaiDate(clock());
      const c = catalogue.current;
      return {
        on,
        serviceTypes: c.serviceTypes,
        providers: c.providers
          .filter((p) => !query.serviceType || p.qualifications.some((x) => x.serviceType === query.serviceType))
          .map((p) => ({ ...p, qualifications: p.qualifications.filter((x) => !query.serviceType || x.serviceType === query.serviceType).map((x) => ({ ...x, valid: x.validUntil >= on })) })),
      };
    },
  );

  api.add({ method: 'get', path: '/catalogue/zones', tag: 'catalogue', summary: 'List zones with regional assessments (区域评估)', roles: 'public', response: zonesSchema }, () => ({ zones: catalogue.current.zones }));

  api.add({ method: 'get', path: '/catalogue/calendars', tag: 'catalogue', summary: 'List working-day calendars', roles: 'public', response: calendarsSchema }, () => ({ calendars: catalogue.current.calendars }));
}
