import { QueryNotRegisteredError, ServiceError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import type { ErrorRequestHandler, Request, Response } from 'express';
import { z } from 'zod';
import { CalendarRangeError } from '../domain/calendar';
import { InvalidQueryError } from '../readmodel/queries';
import { InvalidSubscriptionError } from '../readmodel/webhooks';
import { DefinitionError } from '../catalogue/loader';
import { isRefusalCode, REFUSAL_HTTP_STATUS } from '../domain/errors';
import { boundedText, TEXT_LIMITS } from '../domain/text';
import { InvalidDateError } from '../domain/time';

/** One field at fault and the rule it broke. */
export interface FieldIssue {
  field: string;
  message: string;
}

/** How many field issues one answer lists: enough to fix a form, never a body as large as the request. */
export const MAX_ISSUES = 20;
const MAX_DETAIL = 1000;

/**
 * An error a caller caused, answered once at the edge as application/problem+json (RFC 9457).
 * `code` names the rule (INVALID_REQUEST, NOT_FOUND, a refusal code…); `errors` the fields at fault.
 */
export class HttpProblem extends Error {
  readonly extra: Record<string, unknown>;
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    extra: Record<string, unknown> & { code?: string; errors?: FieldIssue[] } = {},
  ) {
    super(detail);
    this.extra = { code: extra.code ?? defaultCode(status), ...extra };
  }
}

/** A 400 for one field: `field` in dotted form (body.materials.0), `message` the rule it broke. */
export function fieldProblem(field: string, message: string, status = 400): HttpProblem {
  return new HttpProblem(status, 'Invalid request', `${field}: ${message}`, { code: 'INVALID_REQUEST', errors: [{ field, message }] });
}

function defaultCode(status: number): string {
  return (
    {
      400: 'INVALID_REQUEST',
      401: 'UNAUTHORIZED',
      403: 'FORBIDDEN',
      404: 'NOT_FOUND',
      405: 'METHOD_NOT_ALLOWED',
      409: 'CONFLICT',
      413: 'PAYLOAD_TOO_LARGE',
      414: 'URI_TOO_LONG',
      415: 'UNSUPPORTED_MEDIA_TYPE',
      422: 'UNPROCESSABLE',
      429: 'RATE_LIMITED',
      431: 'HEADERS_TOO_LARGE',
      503: 'UNAVAILABLE',
    } as Record<number, string>
  )[status] ?? (status >= 500 ? 'INTERNAL' : 'INVALID_REQUEST');
}

/** Text of ours that may carry a caller's value: well-formed, one line, bounded. */
const clean = (s: unknown, max: number) => boundedText(s, max, 'line');

export function sendProblem(res: Response, status: number, title: string, detail: string, extra: Record<string, unknown> = {}) {
  const errors = Array.isArray(extra.errors) ? (extra.errors as FieldIssue[]) : undefined;
  const body: Record<string, unknown> = {
    type: 'about:blank',
    title,
    status,
    detail: clean(detail, MAX_DETAIL),
    ...extra,
    code: typeof extra.code === 'string' ? extra.code : defaultCode(status),
  };
  if (errors) {
    body.errors = errors.slice(0, MAX_ISSUES).map((e) => ({ field: clean(e.field, 200), message: clean(e.message, 300) }));
    if (errors.length > MAX_ISSUES) body.moreErrors = errors.length - MAX_ISSUES;
  }
  res.status(status).type('application/problem+json').json(body);
}

/** Zod issues as `field: rule` lines, the field path in dotted form; at most MAX_ISSUES of them. */
export function zodProblem(error: z.ZodError, where: 'body' | 'query' | 'path' | 'header'): HttpProblem {
  const errors = error.issues.map((i) => ({ field: [where, ...i.path.map((p) => clean(String(p), 40))].slice(0, 12).join('.'), message: i.message }));
  const shown = errors.slice(0, 3).map((e) => `${e.field}: ${e.message}`);
  const more = errors.length > 3 ? ` (and ${errors.length - 3} more)` : '';
  return new HttpProblem(400, 'Invalid request', `${shown.join('; ')}${more}`, { code: 'INVALID_REQUEST', errors });
}

/** Errors that Express, body-parser and the router raise for a request they could not read. */
interface HttpError {
  status?: number;
  statusCode?: number;
  type?: string;
  expose?: boolean;
}

const BODY_ERRORS: Record<string, [number, string, string]> = {
  'entity.parse.failed': [400, 'INVALID_JSON', 'the request body is not valid JSON'],
  'entity.too.large': [413, 'PAYLOAD_TOO_LARGE', 'the request body is larger than this API accepts'],
  'encoding.unsupported': [415, 'UNSUPPORTED_CONTENT_ENCODING', 'the Content-Encoding is not one this API accepts (identity, gzip, deflate, br)'],
  'charset.unsupported': [415, 'UNSUPPORTED_CHARSET', 'the Content-Type charset must be utf-8'],
  'request.aborted': [400, 'REQUEST_ABORTED', 'the request was aborted before its body arrived'],
  'request.size.invalid': [400, 'INVALID_CONTENT_LENGTH', 'the body does not match its Content-Length'],
  'stream.encoding.set': [400, 'INVALID_REQUEST', 'the request body could not be read'],
  'stream.not.readable': [400, 'INVALID_REQUEST', 'the request body could not be read'],
  'parameters.too.many': [413, 'TOO_MANY_PARAMETERS', 'the request has too many parameters'],
};

function clientError(err: unknown): HttpProblem | null {
  if (!err || typeof err !== 'object') return null;
  const e = err as HttpError;
  const known = e.type ? BODY_ERRORS[e.type] : undefined;
  if (known) return new HttpProblem(known[0], known[0] === 413 ? 'Payload too large' : known[0] === 415 ? 'Unsupported media type' : 'Invalid request', known[2], { code: known[1] });
  const status = e.status ?? e.statusCode;
  // The router's own 4xx (a path segment that is not valid percent-encoding), a gzip body that is not gzip…
  if (typeof status === 'number' && status >= 400 && status < 500) {
    if (err instanceof URIError || /decode/i.test((err as Error).message ?? '')) {
      return new HttpProblem(400, 'Invalid request', 'path: a segment is not valid percent-encoding', { code: 'INVALID_PATH', errors: [{ field: 'path', message: 'must be valid percent-encoding' }] });
    }
    return new HttpProblem(status, status === 415 ? 'Unsupported media type' : 'Invalid request', 'the request could not be read', { code: defaultCode(status) });
  }
  if (err instanceof URIError) return new HttpProblem(400, 'Invalid request', 'path: a segment is not valid percent-encoding', { code: 'INVALID_PATH' });
  return null;
}

export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  if (res.headersSent) return;
  if (err instanceof HttpProblem) return sendProblem(res, err.status, err.title, err.message, err.extra);
  if (err instanceof z.ZodError) {
    const p = zodProblem(err, 'body');
    return sendProblem(res, p.status, p.title, p.message, p.extra);
  }
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const code = err.cause.type;
    const status = isRefusalCode(code) ? REFUSAL_HTTP_STATUS[code] : 409;
    return sendProblem(res, status, 'Action refused', clean(err.cause.message, TEXT_LIMITS.message), { code: isRefusalCode(code) ? code : 'REFUSED' });
  }
  if (err instanceof WorkflowNotFoundError) return sendProblem(res, 404, 'Not found', 'no application with this id', { code: 'NOT_FOUND' });
  if (err instanceof QueryNotRegisteredError) {
    res.set('Retry-After', '1');
    return sendProblem(res, 503, 'Unavailable', 'the application is starting; try again shortly', { code: 'STARTING' });
  }
  if (err instanceof WorkflowExecutionAlreadyStartedError) return sendProblem(res, 409, 'Conflict', 'an application with this id already exists', { code: 'CONFLICT' });
  if (err instanceof InvalidQueryError) {
    return sendProblem(res, 400, 'Invalid request', `query.${err.message}`, { code: 'INVALID_REQUEST', errors: [{ field: `query.${err.field}`, message: err.reason }] });
  }
  if (err instanceof InvalidSubscriptionError) {
    const e = err as InvalidSubscriptionError & { status?: number; code?: string };
    return sendProblem(res, e.status ?? 400, 'Invalid request', err.message, { code: e.code ?? 'INVALID_SUBSCRIPTION', errors: [{ field: `body.${err.field}`, message: err.message }] });
  }
  if (err instanceof DefinitionError) return sendProblem(res, 422, 'Invalid definitions', err.message, { code: 'INVALID_DEFINITIONS', file: err.file, at: err.at, rule: err.rule });
  if (err instanceof CalendarRangeError || err instanceof InvalidDateError) return sendProblem(res, 422, 'Outside the calendar', err.message, { code: 'OUTSIDE_CALENDAR' });
  const client = clientError(err);
  if (client) return sendProblem(res, client.status, client.title, client.message, client.extra);
  const grpc = grpcCode(err);
  // Temporal caps in-flight Updates per application: a burst at one application waits its turn.
  if (grpc === GRPC.RESOURCE_EXHAUSTED) {
    res.set('Retry-After', '1');
    return sendProblem(res, 429, 'Too many requests', 'this application is busy with other requests; try again shortly', { code: 'APPLICATION_BUSY' });
  }
  // A dependency that is down is the service's state, not the caller's fault and not a bug.
  if (err instanceof ServiceError || grpc === GRPC.UNAVAILABLE) {
    return sendProblem(res, 503, 'Unavailable', 'Temporal is not reachable; try again shortly', { code: 'UNAVAILABLE' });
  }
  if (isDatabaseDown(err)) return sendProblem(res, 503, 'Unavailable', 'the read model (PostgreSQL) is not reachable; try again shortly', { code: 'UNAVAILABLE' });
  logUnexpected(req, err);
  return sendProblem(res, 500, 'Internal error', 'the request could not be completed; it has been logged', { code: 'INTERNAL' });
};

const GRPC = { INVALID_ARGUMENT: 3, RESOURCE_EXHAUSTED: 8, UNAVAILABLE: 14 } as const;

/** The gRPC status of a Temporal client error, on the error or its cause. */
function grpcCode(err: unknown): number | undefined {
  const e = err as { code?: unknown; cause?: { code?: unknown } } | null;
  const code = typeof e?.code === 'number' ? e.code : e?.cause?.code;
  return typeof code === 'number' ? code : undefined;
}

function logUnexpected(req: Request, err: unknown) {
  const log = (req as Request & { log?: { error(o: object, msg: string): void } }).log;
  if (log) log.error({ err }, 'unexpected error');
  else console.error('api: unexpected error', err);
}

/** PostgreSQL is unreachable or going away: the service's state, not the caller's fault. */
export function isDatabaseDown(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return !!e && (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03'].includes(e.code ?? '') || /timeout exceeded when trying to connect|Connection terminated/.test(e.message ?? ''));
}
