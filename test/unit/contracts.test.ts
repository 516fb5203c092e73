import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { createApi } from '../../api/app';
import type { viewFor } from '../../api/authz';
import { CatalogueHolder } from '../../api/catalogue-holder';
import { openApiDocument } from '../../api/openapi';
import type { CalendarBroadcast, CalendarPublished, DefinitionsPublished } from '../../api/routes/admin';
import type { AlertsPage } from '../../api/routes/readmodel';
import type { Department, CalendarYear, Zone } from '../../catalogue/schema';
import type { ResolvedMatter } from '../../catalogue/snapshot';
import * as responses from '../../contracts/responses';
import { applicationViewSchema, departmentViewSchema, matterAnswerSchema, providerViewSchema } from '../../contracts/views';
import type { MatterAnswer } from '../../domain/application/commands';
import type { EventRow } from '../../domain/projection';
import type { Actor } from '../../domain/types';
import type { ApplicationView } from '../../domain/view';
import type { actorSchema } from '../../contracts/roles';
import type { ProviderStats } from '../../readmodel/provider-stats';
import type { AlertCount, ApplicationSummary, InboxItem, Page, ScorecardRow } from '../../readmodel/queries';
import type { CreatedSubscription, Subscription } from '../../readmodel/webhooks';
import { principals } from '../helpers/api';
import { catalogue } from '../helpers/temporal';

/**
 * The response schemas of contracts/ and the types the server really builds are kept in step at
 * compile time: each `fits` below stops `tsc` when a field is renamed, dropped or changes type on
 * one side only. (A field the server adds without declaring it is caught at run time: the
 * schemas are strict, and test/e2e/contract.test.ts checks real answers against them.)
 */
type Fits<A, B> = [A] extends [B] ? true : false;
const fits = <A, B>(ok: Fits<A, B>) => ok;
/** The start event's `data` is untyped, so the view's `zone` is `unknown` in TypeScript: compared without it. */
type NoZone<T> = T extends unknown ? Omit<T, 'zone'> : never;
type Out<S extends z.ZodType> = z.output<S>;

describe('response schemas match the types the server builds', () => {
  it('the application view, the shares of it the policy cuts, and a matter answer', () => {
    expect(fits<NoZone<ApplicationView>, NoZone<Out<typeof applicationViewSchema>>>(true)).toBe(true);
    expect(fits<NoZone<ReturnType<typeof viewFor>>, NoZone<Out<typeof applicationViewSchema | typeof departmentViewSchema | typeof providerViewSchema>>>(true)).toBe(true);
    expect(fits<MatterAnswer, Out<typeof matterAnswerSchema>>(true)).toBe(true);
    // The actor an action carries is the domain's, both ways.
    expect(fits<Actor, Out<typeof actorSchema>>(true) && fits<Out<typeof actorSchema>, Actor>(true)).toBe(true);
  });

  it('the read model lists, scorecards and provider statistics', () => {
    expect(fits<Page<InboxItem & { warning: boolean; overdue: boolean; workingDaysLeft: number | null }>, Out<typeof responses.inboxPageSchema>>(true)).toBe(true);
    expect(fits<AlertsPage, Out<typeof responses.alertsPageSchema>>(true)).toBe(true);
    expect(fits<{ counts: AlertCount[] }, Out<typeof responses.alertsSummarySchema>>(true)).toBe(true);
    expect(fits<ScorecardRow, Out<typeof responses.scorecardRowSchema>>(true)).toBe(true);
    expect(fits<ProviderStats, Out<typeof responses.providerStatsSchema>>(true)).toBe(true);
    expect(fits<Page<ApplicationSummary>, Out<ReturnType<typeof responses.pageOf<typeof responses.applicationSummarySchema>>>>(true)).toBe(true);
    expect(fits<EventRow, Out<typeof responses.eventRowSchema>>(true)).toBe(true);
  });

  it('the catalogue, webhooks and admin answers', () => {
    expect(fits<ResolvedMatter, Out<typeof responses.resolvedMatterSchema>>(true)).toBe(true);
    expect(fits<{ departments: Department[] }, Out<typeof responses.departmentsSchema>>(true)).toBe(true);
    expect(fits<{ zones: Zone[] }, Out<typeof responses.zonesSchema>>(true)).toBe(true);
    expect(fits<{ calendars: CalendarYear[] }, Out<typeof responses.calendarsSchema>>(true)).toBe(true);
    expect(fits<Subscription, Out<typeof responses.subscriptionSchema>>(true)).toBe(true);
    expect(fits<CreatedSubscription, Out<typeof responses.createdSubscriptionSchema>>(true)).toBe(true);
    expect(fits<DefinitionsPublished, Out<typeof responses.definitionsPublishedSchema>>(true)).toBe(true);
    expect(fits<CalendarPublished, Out<typeof responses.calendarPublishedSchema>>(true)).toBe(true);
    expect(fits<CalendarBroadcast, Out<typeof responses.calendarBroadcastSchema>>(true)).toBe(true);
  });
});

describe('every operation declares its answer', () => {
  const app = createApi({ client: {} as never, pool: {} as never, catalogue: new CatalogueHolder(catalogue), taskQueue: 'x', principals, webDir: null });

  it('has a response schema, carried into /openapi.json', () => {
    expect(app.operations.filter((op) => !op.response).map((op) => `${op.method} ${op.path}`)).toEqual([]);
    const doc = openApiDocument(app.operations);
    const empty: string[] = [];
    for (const [p, methods] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(methods) as [string, { responses: Record<string, { content: Record<string, { schema: object }> }> }][]) {
        const success = Object.entries(op.responses).find(([status]) => Number(status) < 300)!;
        if (Object.values(success[1].content).some((c) => Object.keys(c.schema).length === 0)) empty.push(`${m} ${p}`);
      }
    }
    expect(empty).toEqual([]);
    expect(doc.components.schemas.Problem).toMatchObject({ type: 'object', required: expect.arrayContaining(['title', 'status', 'detail', 'code']) });
  });
});
