import path from 'node:path';
import { OpenTelemetryActivityInboundInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/**
 * The worker's side of tracing: each activity (the projection's write included) runs in a span
 * continuing the trace its workflow was handed (Temporal's OpenTelemetry activity interceptor);
 * the workflow forwards the trace header to it (workflows/tracing-interceptors.ts). Registered
 * whether or not tracing is on, so every history is recorded with the same workflow interceptors.
 */
export const tracingActivityInterceptors: ActivityInterceptorsFactory[] = [(ctx) => ({ inbound: new OpenTelemetryActivityInboundInterceptor(ctx) })];

/** The workflow interceptor module bundled with the workflows (the built file beside them under dist/). */
export const TRACING_WORKFLOW_MODULE = path.resolve(__dirname, '..', 'workflows', 'tracing-interceptors');
