import type { Payload } from '@temporalio/common';
import type { WorkflowInterceptors } from '@temporalio/workflow';

/**
 * Carries the caller's trace context from the message that changed the application to the
 * activities it leads to, so one trace runs API → workflow (the client's Update or start span)
 * → activity (the projection's write). The header is the one Temporal's OpenTelemetry
 * interceptors write and read (`_tracer-data`).
 *
 * Only the header is forwarded, synchronously: no span is made inside the workflow and no await
 * is added, so histories recorded without this interceptor replay unchanged. (The library's own
 * workflow interceptors add yields to Update handlers: with them, histories recorded before fail
 * to replay.)
 */
export const TRACE_HEADER = '_tracer-data';

export const interceptors = (): WorkflowInterceptors => {
  /** The trace context of the latest message that carried one. */
  let context: Payload | undefined;
  const remember = (headers: Record<string, Payload>) => {
    const carried = headers[TRACE_HEADER];
    if (carried) context = carried;
  };
  const withContext = <I extends { headers: Record<string, Payload> }>(input: I): I =>
    context && !input.headers[TRACE_HEADER] ? { ...input, headers: { ...input.headers, [TRACE_HEADER]: context } } : input;
  return {
    inbound: [
      {
        execute(input, next) {
          remember(input.headers);
          return next(input);
        },
        handleUpdate(input, next) {
          remember(input.headers);
          return next(input);
        },
        handleSignal(input, next) {
          remember(input.headers);
          return next(input);
        },
      },
    ],
    outbound: [
      {
        scheduleActivity(input, next) {
          return next(withContext(input));
        },
        scheduleLocalActivity(input, next) {
          return next(withContext(input));
        },
      },
    ],
  };
};
