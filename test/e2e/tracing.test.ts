import { Client } from '@temporalio/client';
import { OpenTelemetryWorkflowClientInterceptor } from '@temporalio/interceptors-opentelemetry';
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { SpanKind } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { startTracing } from '../../config/tracing';
import { CatalogueHolder } from '../../api/catalogue-holder';
import { loadCatalogue } from '../../catalogue/loader';
import { http, officerToken, startApi, TOKENS } from '../helpers/api';
import { apiSuite } from '../helpers/suite';
import { allMaterials } from '../helpers/temporal';

/**
 * One request's trace, end to end on the real stack: the API's server span, the Temporal
 * client's call into the workflow (its Update), and the activity the workflow ran for it (the
 * projection's write), one trace, each the child of the one before; collected in memory.
 */
const exporter = new InMemorySpanExporter();
startTracing('approvals-test', { processor: new SimpleSpanProcessor(exporter) });

describe('tracing (dev server, PostgreSQL, OpenTelemetry in memory)', () => {
  const suite = apiSuite('e2e-tracing');

  it("follows one officer's decision from the HTTP request through the workflow's Update into the projection activity", async () => {
    // The API as api/main.ts builds it: its Temporal client carries the OpenTelemetry interceptor.
    const client = new Client({ connection: suite.env.client.connection, namespace: 'default', interceptors: { workflow: [new OpenTelemetryWorkflowClientInterceptor()] } });
    const api = await startApi({ client }, 'e2e-tracing', { pool: suite.db.pool, catalogue: new CatalogueHolder(loadCatalogue(suite.definitionsDir), suite.definitionsDir) });
    try {
      const started = await http(api.url, 'POST', '/applications', TOKENS.applicant, { processCode: 'GOV_INVESTMENT', projectName: '追踪测试项目', materials: allMaterials('GOV_INVESTMENT') });
      expect(started.status).toBe(201);
      const id = started.body.applicationId as string;
      const decided = await http(api.url, 'POST', `/applications/${id}/matters/LY01/decision`, officerToken('DRC'), { decision: 'approve', result: { number: '浏发改〔2026〕1号' } }, { 'x-request-id': 'trace-decision' });
      expect(decided.status).toBe(200);

      const spans = () => exporter.getFinishedSpans();
      const byId = (s: ReadableSpan) => s.spanContext().spanId;
      let request: ReadableSpan | undefined;
      let activity: ReadableSpan | undefined;
      for (let i = 0; i < 50 && !activity; i++) {
        request = spans().find((s) => s.kind === SpanKind.SERVER && s.attributes['approvals.request_id'] === 'trace-decision');
        activity = request && spans().find((s) => s.spanContext().traceId === request!.spanContext().traceId && s.name === 'RunActivity:projectApplication');
        if (!activity) await new Promise((r) => setTimeout(r, 100));
      }
      expect(request).toMatchObject({ name: 'POST /applications/:id/matters/:code/decision', attributes: { 'http.route': '/applications/:id/matters/:code/decision', 'http.response.status_code': 200 } });
      expect(activity).toBeDefined();
      // The chain: request → the client's Update into the workflow → the activity the workflow ran for it.
      const trace = spans().filter((s) => s.spanContext().traceId === request!.spanContext().traceId);
      const update = trace.find((s) => s.name === 'StartWorkflowUpdate:approve');
      expect(update?.parentSpanId).toBe(byId(request!));
      expect(activity!.parentSpanId).toBe(byId(update!));
      expect(activity!.attributes).toMatchObject({ temporalWorkflowId: id });
      // The start was its own trace, with the application's first projection in it.
      const start = spans().find((s) => s.kind === SpanKind.SERVER && s.name === 'POST /applications');
      expect(spans().some((s) => s.spanContext().traceId === start!.spanContext().traceId && s.name === 'RunActivity:projectApplication')).toBe(true);
      expect(start!.spanContext().traceId).not.toBe(request!.spanContext().traceId);
    } finally {
      await api.close();
    }
  });
});
