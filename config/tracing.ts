import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { Resource } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

/**
 * Tracing with OpenTelemetry, off unless OTEL_EXPORTER_OTLP_TRACES_ENDPOINT names a collector
 * (or a test hands its own span processor). When on, this registers the process's tracer
 * provider, the async-local context (so a request's span is current through its awaits) and the
 * W3C trace-context propagator; Temporal's client and activity interceptors and the API's
 * request spans then report into it. Off, every tracer is OpenTelemetry's no-op one.
 */
export function startTracing(serviceName: string, options: { endpoint?: string; processor?: SpanProcessor }): NodeTracerProvider | null {
  const processor = options.processor ?? (options.endpoint ? new BatchSpanProcessor(new OTLPTraceExporter({ url: options.endpoint })) : null);
  if (!processor) return null;
  const provider = new NodeTracerProvider({ resource: new Resource({ 'service.name': serviceName }), spanProcessors: [processor] });
  provider.register();
  return provider;
}
