import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { RequestHandler } from 'express';

const tracer = trace.getTracer('approvals-api');

/**
 * One server span per request, current while the request is handled, so the Temporal client's
 * OpenTelemetry interceptor makes the call into the workflow its child. A caller's W3C
 * `traceparent` is continued. Named after the declared route, never the raw URL; the request id
 * (X-Request-Id, also on the request's log line) is an attribute. A no-op while tracing is off.
 */
export function traceRequests(): RequestHandler {
  return (req, res, next) => {
    const parent = propagation.extract(context.active(), req.headers);
    const span = tracer.startSpan(req.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method } }, parent);
    res.on('finish', () => {
      const routePath: unknown = req.route?.path;
      if (typeof routePath === 'string') {
        span.updateName(`${req.method} ${routePath}`);
        span.setAttribute('http.route', routePath);
      }
      span.setAttribute('http.response.status_code', res.statusCode);
      const id = res.getHeader('X-Request-Id');
      if (typeof id === 'string') span.setAttribute('approvals.request_id', id);
      if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    });
    context.with(trace.setSpan(parent, span), next);
  };
}
