import type { Pool } from 'pg';
import { z } from 'zod';
import { isoDate } from '../../definitions/schema';
import { providerStats } from '../../activities/provider-stats';
import { ALERT_LEVELS, alerts, applicationsOf, auditTrail, inbox, scorecards, scorecardsCsv } from '../../activities/readmodel';
import { buildCalendar, CalendarRangeError, workingDaysAfter } from '../../workflows/domain/calendar';
import { shanghaiDate } from '../../workflows/domain/time';
import { canSee } from '../auth';
import type { CatalogueHolder } from '../catalogue-holder';
import type { OperationRegistry } from '../operation';
import { HttpProblem } from '../problem';
import { idParams } from './applications';

const page = z.object({
  limit: z.coerce.number().int('must be a whole number').min(1, 'must be 1–500').max(500, 'must be 1–500').default(50),
  after: z.string().min(1).optional(),
});
const code = z.string().regex(/^[A-Z][A-Z0-9_]{1,31}$/, 'must be an upper-case code');
const period = z.object({ from: isoDate, to: isoDate }).refine((p) => p.from <= p.to, { message: 'the period ends before it starts', path: ['to'] });

/** Lists across applications, served by the PostgreSQL read model. */
export function registerReadModel(api: OperationRegistry, pool: Pool, catalogue: CatalogueHolder): void {
  /** Working days left to a due date, counted on the official calendar as of today. */
  const workingDaysLeft = (dueOn: string | null): number | null => {
    if (!dueOn) return null;
    const today = shanghaiDate(Date.now());
    try {
      const cal = buildCalendar(catalogue.current.calendars);
      return dueOn >= today ? workingDaysAfter(cal, today, dueOn) : -workingDaysAfter(cal, dueOn, today);
    } catch (e) {
      if (e instanceof CalendarRangeError) return null;
      throw e;
    }
  };

  api.add(
    {
      method: 'get',
      path: '/officers/inbox',
      tag: 'officers',
      summary: "List own department's open matters by due time",
      roles: ['officer'],
      query: page,
    },
    async ({ principal, query }) => {
      if (!principal.department) throw new HttpProblem(403, 'Forbidden', `officer ${principal.id} belongs to no department`);
      const result = await inbox(pool, { department: principal.department, limit: query.limit, after: query.after });
      return {
        ...result,
        items: result.items.map((m) => ({ ...m, warning: m.level === 'warning', overdue: m.level !== 'normal' && m.level !== 'warning', workingDaysLeft: workingDaysLeft(m.dueOn) })),
      };
    },
  );

  api.add(
    {
      method: 'get',
      path: '/supervision/alerts',
      tag: 'supervision',
      summary: 'List warnings and overdue matters',
      roles: ['supervisor', 'admin'],
      query: page.extend({
        department: code.optional(),
        stage: code.optional(),
        level: z.enum(ALERT_LEVELS).optional(),
        processCode: code.optional(),
        from: isoDate.optional(),
        to: isoDate.optional(),
      }),
    },
    ({ query }) => alerts(pool, query),
  );

  api.add(
    { method: 'get', path: '/supervision/scorecards', tag: 'supervision', summary: 'Department scorecards for a period', roles: ['supervisor', 'admin'], query: period.and(z.object({ department: code.optional() })) },
    async ({ query }) => ({ from: query.from, to: query.to, departments: await scorecards(pool, query) }),
  );

  api.add(
    {
      method: 'get',
      path: '/supervision/scorecards.csv',
      tag: 'supervision',
      summary: 'Department scorecards for a period as CSV',
      roles: ['supervisor', 'admin'],
      query: period.and(z.object({ department: code.optional() })),
      success: { status: 200, description: 'CSV with a header row', contentType: 'text/csv' },
    },
    async ({ query, res }) => {
      const csv = scorecardsCsv(await scorecards(pool, query));
      res.status(200).type('text/csv').attachment(`scorecards-${query.from}-${query.to}.csv`).send(csv);
    },
  );

  api.add(
    { method: 'get', path: '/supervision/providers', tag: 'supervision', summary: 'Intermediary provider statistics', roles: ['supervisor', 'admin', 'applicant', 'agent'], query: z.object({ from: isoDate.optional(), to: isoDate.optional(), provider: code.optional() }) },
    async ({ query }) => ({ providers: await providerStats(pool, query) }),
  );

  api.add(
    { method: 'get', path: '/applications', tag: 'applicants', summary: 'List own applications', roles: ['applicant', 'agent'], query: page.extend({ applicantId: z.string().min(1).optional() }) },
    async ({ principal, query }) => {
      const applicantId = principal.role === 'applicant' ? principal.id : query.applicantId;
      if (!applicantId) throw new HttpProblem(400, 'Invalid request', 'query.applicantId: an agent names the applicant whose applications to list');
      if (principal.role === 'agent' && !principal.applicants.includes(applicantId)) {
        throw new HttpProblem(403, 'Forbidden', `agent ${principal.id} holds no delegation from applicant ${applicantId}`);
      }
      if (principal.role === 'applicant' && query.applicantId && query.applicantId !== principal.id) {
        throw new HttpProblem(403, 'Forbidden', `an applicant lists only its own applications (${principal.id})`);
      }
      return applicationsOf(pool, applicantId, { limit: query.limit, after: query.after });
    },
  );

  api.add(
    { method: 'get', path: '/applications/:id/audit', tag: 'applicants', summary: 'Read the audit trail', roles: ['applicant', 'agent', 'officer', 'supervisor', 'integrator', 'admin'], params: idParams },
    async ({ principal, params }) => {
      const { rows } = await pool.query('SELECT applicant_id FROM applications WHERE application_id = $1', [params.id]);
      if (!rows.length) throw new HttpProblem(404, 'Not found', `no application ${params.id} in the read model`);
      if (!canSee(principal, { applicant: { id: rows[0].applicant_id }, services: [] })) {
        throw new HttpProblem(403, 'Forbidden', `application ${params.id} is not one of ${principal.role} ${principal.id}'s`);
      }
      return { applicationId: params.id, events: await auditTrail(pool, params.id) };
    },
  );
}
