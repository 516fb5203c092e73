import { ServiceError, WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import type { ErrorRequestHandler, Response } from 'express';
import { z } from 'zod';
import { CalendarRangeError } from '../workflows/domain/calendar';
import { InvalidQueryError } from '../activities/readmodel';
import { InvalidSubscriptionError } from '../activities/webhooks';
import { DefinitionError } from '../definitions/loader';
import { isRefusalCode, REFUSAL_HTTP_STATUS } from '../workflows/domain/errors';
import { InvalidDateError } from '../workflows/domain/time';

/** An error a caller caused, answered once at the edge as application/problem+json (RFC 9457). */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

export function sendProblem(res: Response, status: number, title: string, detail: string, extra: Record<string, unknown> = {}) {
  res.status(status).type('application/problem+json').json({ type: 'about:blank', title, status, detail, ...extra });
}

/** Zod issues as `field: rule` lines, the field path in dotted form. */
export function zodProblem(error: z.ZodError, where: 'body' | 'query' | 'path' | 'header'): HttpProblem {
  const errors = error.issues.map((i) => ({ field: [where, ...i.path.map(String)].join('.'), message: i.message }));
  return new HttpProblem(400, 'Invalid request', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
}

export const errorHandler: ErrorRequestHandler = (err, _req, res, _next) => {
  if (err instanceof HttpProblem) return sendProblem(res, err.status, err.title, err.message, err.extra);
  if (err instanceof z.ZodError) {
    const p = zodProblem(err, 'body');
    return sendProblem(res, p.status, p.title, p.message, p.extra);
  }
  if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
    const code = err.cause.type;
    const status = isRefusalCode(code) ? REFUSAL_HTTP_STATUS[code] : 409;
    return sendProblem(res, status, 'Action refused', err.cause.message, { code });
  }
  if (err instanceof WorkflowNotFoundError) return sendProblem(res, 404, 'Not found', 'no application with this id');
  if (err instanceof WorkflowExecutionAlreadyStartedError) return sendProblem(res, 409, 'Conflict', 'an application with this id already exists');
  if (err instanceof InvalidQueryError || err instanceof InvalidSubscriptionError) {
    return sendProblem(res, 400, 'Invalid request', err.message);
  }
  if (err instanceof DefinitionError) return sendProblem(res, 422, 'Invalid definitions', err.message, { file: err.file, at: err.at, rule: err.rule });
  if (err instanceof CalendarRangeError || err instanceof InvalidDateError) return sendProblem(res, 422, 'Outside the calendar', err.message);
  if (err && typeof err === 'object' && 'type' in err && (err as { type: unknown }).type === 'entity.parse.failed') {
    return sendProblem(res, 400, 'Invalid JSON', 'the request body is not valid JSON');
  }
  // A dependency that is down is the service's state, not the caller's fault and not a bug.
  if (err instanceof ServiceError || (err as { code?: number })?.code === 14) {
    return sendProblem(res, 503, 'Unavailable', 'Temporal is not reachable; try again shortly');
  }
  if (isDatabaseDown(err)) return sendProblem(res, 503, 'Unavailable', 'the read model (PostgreSQL) is not reachable; try again shortly');
  console.error('api: unexpected error', err);
  return sendProblem(res, 500, 'Internal error', 'the request could not be completed; it has been logged');
};

function isDatabaseDown(err: unknown): boolean {
  const e = err as { code?: string; message?: string } | null;
  return !!e && (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '57P01', '57P03'].includes(e.code ?? '') || /timeout exceeded when trying to connect|Connection terminated/.test(e.message ?? ''));
}
