import type { Pool } from 'pg';
import { z } from 'zod';
import { code as codeOf, identifier } from '../../contracts/fields';
import { isoDate } from '../../catalogue/schema';
import { alertsPageSchema, alertsSummarySchema, applicationSummarySchema, auditTrailSchema, csvSchema, inboxPageSchema, pageOf, providerStatsListSchema, scorecardsSchema } from '../../contracts/responses';
import { providerStats } from '../../readmodel/provider-stats';
import { ALERT_LEVELS, alerts, alertsSummary, applicationsOf, auditTrail, inbox, projectedParties, scorecards, scorecardsCsv, type AlertItem, type Page } from '../../readmodel/queries';
import { knownOrNull, workingDaysAfter } from '../../domain/calendar';
import { shanghaiDate } from '../../domain/time';
import { accessTo, auditFor, notVisible } from '../authz';
import type { CatalogueHolder } from '../catalogue-holder';
import type { OperationRegistry } from '../operation';
import { fieldProblem, HttpProblem } from '../problem';
import { idParams } from './applications';

const page = z.object({
  limit: z
    .string()
    .regex(/^\d{1,3}$/, 'must be a whole number 1–500')
    .transform(Number)
    .pipe(z.number().min(1, 'must be 1–500').max(500, 'must be 1–500'))
    .default(50),
  after: z.string().max(512, 'not a cursor returned by this list').regex(/^[A-Za-z0-9_-]+$/, 'not a cursor returned by this list').optional(),
});
/** A row of GET /supervision/alerts: the read model's row with the working days it has run over, as of `asOf`. */
export type AlertRow = AlertItem & { workingDaysOver: number | null };
/** GET /supervision/alerts: a page of alerts and the date (Asia/Shanghai) the working days over are counted to. */
export type AlertsPage = Page<AlertRow> & { asOf: string };

/** What the alert list and its summary filter by (readmodel/queries.ts `alertFilters`). */
const alertFilter = z.object({
  department: codeOf('department', 'EEB').optional(),
  stage: codeOf('stage', 'S1').optional(),
  processCode: codeOf('process', 'GOV_INVESTMENT').optional(),
  from: isoDate.optional(),
  to: isoDate.optional(),
});

const period = z.object({ from: isoDate, to: isoDate }).refine((p) => p.from <= p.to, { message: 'the period ends before it starts', path: ['to'] });

/** Lists across applications, served by the PostgreSQL read model. */
export function registerReadModel(api: OperationRegistry, pool: Pool, catalogue: CatalogueHolder, clock: () => number = Date.now): void {
  /** Working days left to a due date, counted on the official calendar as of today. */
  const workingDaysLeft = (dueOn: string | null, today: string): number | null => {
    if (!dueOn) return null;
    const cal = catalogue.calendar;
    return knownOrNull(() => (dueOn >= today ? workingDaysAfter(cal, today, dueOn) : -workingDaysAfter(cal, dueOn, today)));
  };

  /** Working days a matter past its due date has run over as of `today` (the due day's end is the deadline); null for a warning or without a due date. */
  const workingDaysOver = (m: AlertItem, today: string): number | null => {
    if (m.level === 'warning') return null;
    const left = workingDaysLeft(m.dueOn, today);
    return left === null ? null : Math.max(0, -left);
  };

  /** A filter naming a code the catalogue does not have is the caller's mistake, not an empty list. */
  const known = (query: { department?: string; stage?: string; processCode?: string; provider?: string }, field: 'department' | 'stage' | 'processCode' | 'provider'): void => {
    const value = query[field];
    if (value === undefined) return;
    const c = catalogue.current;
    const codes =
      field === 'department'
        ? c.departments.map((d) => d.code)
        : field === 'processCode'
          ? c.processes.map((p) => p.code)
          : field === 'provider'
            ? c.providers.map((p) => p.code)
            : [...new Set(c.processes.flatMap((p) => p.stages.map((s) => s.code)))];
    if (!codes.includes(value)) throw fieldProblem(`query.${field}`, `is not a published ${field === 'processCode' ? 'process' : field} code; published: ${codes.slice(0, 30).join(', ')}`);
  };
  const knownAlertFilter = (query: z.infer<typeof alertFilter>): void => {
    known(query, 'department');
    known(query, 'stage');
    known(query, 'processCode');
  };

  api.add(
    {
      method: 'get',
      path: '/officers/inbox',
      tag: 'officers',
      summary: "List own department's open matters by due time",
      roles: ['officer'],
      query: page,
      response: inboxPageSchema,
    },
    async ({ principal, query }) => {
      if (!principal.department) throw new HttpProblem(403, 'Forbidden', `officer ${principal.id} belongs to no department`);
      const result = await inbox(pool, { department: principal.department, limit: query.limit, after: query.after });
      // One "today" for the whole page, as the alerts' asOf.
      const today = shanghaiDate(clock());
      return {
        ...result,
        items: result.items.map((m) => ({ ...m, warning: m.level === 'warning', overdue: m.level !== 'normal' && m.level !== 'warning', workingDaysLeft: workingDaysLeft(m.dueOn, today) })),
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
      query: page.extend({ ...alertFilter.shape, level: z.enum(ALERT_LEVELS).optional() }),
      response: alertsPageSchema,
    },
    async ({ query }): Promise<AlertsPage> => {
      knownAlertFilter(query);
      const asOf = shanghaiDate(clock());
      const page = await alerts(pool, query);
      return { ...page, asOf, items: page.items.map((m) => ({ ...m, workingDaysOver: workingDaysOver(m, asOf) })) };
    },
  );

  api.add(
    {
      method: 'get',
      path: '/supervision/alerts/summary',
      tag: 'supervision',
      summary: 'Count open warnings and overdue matters by department, stage and level',
      roles: ['supervisor', 'admin'],
      query: alertFilter,
      response: alertsSummarySchema,
    },
    async ({ query }) => {
      knownAlertFilter(query);
      return { counts: await alertsSummary(pool, query) };
    },
  );

  api.add(
    { method: 'get', path: '/supervision/scorecards', tag: 'supervision', summary: 'Department scorecards for a period', roles: ['supervisor', 'admin'], query: period.and(z.object({ department: codeOf('department', 'EEB').optional() })), response: scorecardsSchema },
    async ({ query }) => {
      known(query, 'department');
      return { from: query.from, to: query.to, departments: await scorecards(pool, query) };
    },
  );

  api.add(
    {
      method: 'get',
      path: '/supervision/scorecards.csv',
      tag: 'supervision',
      summary: 'Department scorecards for a period as CSV',
      roles: ['supervisor', 'admin'],
      query: period.and(z.object({ department: codeOf('department', 'EEB').optional() })),
      success: { status: 200, description: 'CSV with a header row', contentType: 'text/csv' },
      response: csvSchema,
    },
    async ({ query, res }) => {
      known(query, 'department');
      const csv = scorecardsCsv(await scorecards(pool, query));
      res.status(200).type('text/csv').attachment(`scorecards-${query.from}-${query.to}.csv`).send(csv);
    },
  );

  api.add(
    { method: 'get', path: '/supervision/providers', tag: 'supervision', summary: 'Intermediary provider statistics', roles: ['supervisor', 'admin', 'applicant', 'agent'], query: z.object({ from: isoDate.optional(), to: isoDate.optional(), provider: codeOf('provider', 'P_GREEN_ENV').optional() }), response: providerStatsListSchema },
    async ({ query }) => {
      known(query, 'provider');
      return { providers: await providerStats(pool, query) };
    },
  );

  api.add(
    { method: 'get', path: '/applications', tag: 'applicants', summary: 'List own applications', roles: ['applicant', 'agent'], query: page.extend({ applicantId: identifier('applicant id').optional() }), response: pageOf(applicationSummarySchema) },
    async ({ principal, query }) => {
      const applicantId = principal.role === 'applicant' ? principal.id : query.applicantId;
      if (!applicantId) throw fieldProblem('query.applicantId', 'an agent names the applicant whose applications to list');
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
    { method: 'get', path: '/applications/:id/audit', tag: 'applicants', summary: 'Read the audit trail', roles: ['applicant', 'agent', 'officer', 'supervisor', 'integrator', 'admin'], params: idParams, response: auditTrailSchema },
    async ({ principal, params }) => {
      const parties = (await projectedParties(pool, [params.id])).get(params.id);
      if (!parties) throw new HttpProblem(404, 'Not found', `no application ${params.id} in the read model`);
      const access = accessTo(principal, parties, catalogue.current.departments);
      if (access.scope === 'none') throw notVisible(params.id);
      return { applicationId: params.id, events: auditFor(await auditTrail(pool, params.id), access, parties.departmentOf) };
    },
  );
}
