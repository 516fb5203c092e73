import type { Pool } from 'pg';
import { z } from 'zod';
import { code as codeOf, freeText, identifier } from '../../contracts/fields';
import { isoDate } from '../../catalogue/schema';
import {
  alertsPageSchema,
  alertsSummarySchema,
  applicationSummarySchema,
  auditTrailSchema,
  creditRecordsPageSchema,
  csvSchema,
  movedDeadlinesPageSchema,
  delegationSchema,
  delegationsSchema,
  figuresSchema,
  inboxPageSchema,
  noContentSchema,
  pageOf,
  providerStatsListSchema,
  scorecardsSchema,
  criticalPathScorecardsSchema,
} from '../../contracts/responses';
import { criticalPathCsv, criticalPathScorecards } from '../../readmodel/attribution';
import { creditRecords } from '../../readmodel/credit';
import { movedDeadlines } from '../../readmodel/moved-deadlines';
import { createDelegation, delegatingTo, delegationsOf, revokeDelegation } from '../../readmodel/delegations';
import { officerFigures } from '../../readmodel/figures';
import type { Principal, PrincipalRegistry } from '../auth';
import { providerStats } from '../../readmodel/provider-stats';
import { ALERT_LEVELS, alerts, alertsSummary, applicationsOf, auditTrail, inbox, projectedParties, scorecards, scorecardsCsv, type AlertItem, type Page } from '../../readmodel/queries';
import { knownOrNull, workingDaysAfter } from '../../domain/calendar';
import { shanghaiDate, toShanghaiIso } from '../../domain/time';
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

const newDelegation = z
  .object({
    delegate: identifier('officer id'),
    from: isoDate,
    until: isoDate,
    reason: freeText().optional(),
  })
  .refine((d) => d.from <= d.until, { message: 'the delegation ends before it starts', path: ['until'] });

const delegationParams = z.object({ id: z.string().max(18, 'must be a delegation id').regex(/^\d{1,18}$/, 'must be a delegation id') });

/**
 * Lists across applications, served by the PostgreSQL read model. `principals` (the registry of
 * api/auth.ts) names a department's officers: a head's figures list them, a delegation must name one.
 */
export function registerReadModel(api: OperationRegistry, pool: Pool, catalogue: CatalogueHolder, clock: () => number = Date.now, principals?: PrincipalRegistry): void {
  const departmentOf = (principal: Principal): string => {
    if (!principal.department) throw new HttpProblem(403, 'Forbidden', `officer ${principal.id} belongs to no department`);
    return principal.department;
  };
  const officersOf = (department: string): Principal[] => {
    if (!principals) throw new HttpProblem(503, 'Unavailable', 'this server was started without its principal registry', { code: 'UNAVAILABLE' });
    return principals.officersOf(department);
  };

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
      summary: "List own department's open work (or own assigned work) by due time",
      roles: ['officer'],
      query: page.extend({ view: z.enum(['department', 'mine'], 'must be department or mine').default('department') }),
      response: inboxPageSchema,
    },
    async ({ principal, query }) => {
      const department = departmentOf(principal);
      // One "today" for the whole page, as the alerts' asOf; also the day delegations are judged on.
      const today = shanghaiDate(clock());
      const officers = query.view === 'mine' ? [principal.id, ...(await delegatingTo(pool, principal.id, today))] : undefined;
      const result = await inbox(pool, { department, view: query.view, officers, limit: query.limit, after: query.after });
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

  const pathQuery = period.and(z.object({ department: codeOf('department', 'EEB').optional(), provider: codeOf('provider', 'P_GREEN_ENV').optional() }));
  /** Where the days went in a period: each department's and provider's days on the applications' critical paths (readmodel/attribution.ts). */
  const criticalPath = async (query: z.infer<typeof pathQuery>) => {
    known(query, 'department');
    known(query, 'provider');
    const asOf = clock();
    return { asOf, cards: await criticalPathScorecards(pool, catalogue.calendar, { ...query, asOf }) };
  };

  api.add(
    {
      method: 'get',
      path: '/supervision/scorecards/critical-path',
      tag: 'supervision',
      summary: 'Days on the critical path and days over the limit caused, per department and provider, for a period',
      roles: ['supervisor', 'admin'],
      query: pathQuery,
      response: criticalPathScorecardsSchema,
    },
    async ({ query }) => {
      const { asOf, cards } = await criticalPath(query);
      // Typed by its schema, so a field renamed on either side stops tsc.
      const answer: z.output<typeof criticalPathScorecardsSchema> = { from: query.from, to: query.to, asOf: toShanghaiIso(asOf), ...cards };
      return answer;
    },
  );

  api.add(
    {
      method: 'get',
      path: '/supervision/scorecards/critical-path.csv',
      tag: 'supervision',
      summary: 'Days on the critical path per department and provider for a period as CSV',
      roles: ['supervisor', 'admin'],
      query: pathQuery,
      success: { status: 200, description: 'CSV with a header row', contentType: 'text/csv' },
      response: csvSchema,
    },
    async ({ query, res }) => {
      const { cards } = await criticalPath(query);
      res.status(200).type('text/csv').attachment(`critical-path-${query.from}-${query.to}.csv`).send(criticalPathCsv(cards));
    },
  );

  api.add(
    {
      method: 'get',
      path: '/officers/figures',
      tag: 'officers',
      summary: "Figures of each officer of the head's department for a period",
      roles: ['officer'],
      query: period,
      response: figuresSchema,
    },
    async ({ principal, query }) => {
      const department = departmentOf(principal);
      if (!principal.head) throw new HttpProblem(403, 'Forbidden', `only the head of department ${department} sees its officers' figures`, { code: 'NOT_PERMITTED' });
      const officers = officersOf(department).map((o) => ({ id: o.id, name: o.name }));
      return { department, from: query.from, to: query.to, officers: await officerFigures(pool, { department, officers, from: query.from, to: query.to }) };
    },
  );

  api.add(
    {
      method: 'post',
      path: '/officers/delegations',
      tag: 'officers',
      summary: 'Name a colleague to act on own assigned matters while out of office',
      roles: ['officer'],
      body: newDelegation,
      success: { status: 201, description: 'the delegation recorded' },
      response: delegationSchema,
    },
    async ({ principal, body }) => {
      const department = departmentOf(principal);
      if (body.delegate === principal.id) throw fieldProblem('body.delegate', 'must be another officer than yourself');
      if (!officersOf(department).some((o) => o.id === body.delegate)) throw fieldProblem('body.delegate', `is not an officer of department ${department}`);
      return createDelegation(pool, { officer: principal.id, delegate: body.delegate, department, from: body.from, until: body.until, reason: body.reason, at: clock() });
    },
  );

  api.add(
    { method: 'get', path: '/officers/delegations', tag: 'officers', summary: 'List own delegations given and received', roles: ['officer'], response: delegationsSchema },
    async ({ principal }) => delegationsOf(pool, principal.id),
  );

  api.add(
    {
      method: 'delete',
      path: '/officers/delegations/:id',
      tag: 'officers',
      summary: 'Revoke own delegation (its row stays, with the instant revoked)',
      roles: ['officer'],
      params: delegationParams,
      success: { status: 204, description: 'revoked (or revoked before)', contentType: 'text/plain' },
      response: noContentSchema,
    },
    async ({ principal, params, res }) => {
      const outcome = await revokeDelegation(pool, principal.id, params.id, clock());
      if (outcome === 'notFound') throw new HttpProblem(404, 'Not found', `no delegation ${params.id}`);
      if (outcome === 'notOwn') throw new HttpProblem(403, 'Forbidden', `delegation ${params.id} is another officer's; only the officer who gave it revokes it`, { code: 'NOT_PERMITTED' });
      res.status(204).end();
    },
  );

  api.add(
    {
      method: 'get',
      path: '/supervision/credit-records',
      tag: 'supervision',
      summary: "List applicants' false-commitment records",
      roles: ['supervisor', 'admin'],
      query: page.extend({ applicant: identifier('applicant id').optional() }),
      response: creditRecordsPageSchema,
    },
    async ({ query }) => creditRecords(pool, query),
  );

  api.add(
    {
      method: 'get',
      path: '/supervision/moved-deadlines',
      tag: 'supervision',
      summary: 'List the deadlines the official calendar year moved (暂定 → 正式)',
      roles: ['supervisor', 'admin'],
      query: page.extend({
        department: codeOf('department', 'DRC').optional(),
        year: z.string().regex(/^\d{4}$/, 'must be a year such as 2027').transform(Number).optional(),
      }),
      response: movedDeadlinesPageSchema,
    },
    async ({ query }) => {
      known(query, 'department');
      return movedDeadlines(pool, query);
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
