import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { Principal } from './auth';
import type { Logger } from './log';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** The path is the caller's text and may be junk: a log line carries at most this much of it. */
const MAX_LOGGED_PATH = 200;

/** The caller's X-Request-Id when it is a short plain token, so a trace can cross services; otherwise a fresh one. */
export function requestId(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

/** The URL without its query string (which may carry anything), cut to a bounded length. */
export function loggedPath(url: string | undefined): string {
  const path = (url ?? '').split('?', 1)[0]!;
  return path.length > MAX_LOGGED_PATH ? `${path.slice(0, MAX_LOGGED_PATH)}…` : path;
}

/**
 * One JSON line per request (method, path, route, status, duration, principal, request id),
 * and `req.log` for handlers: a child logger whose lines carry the same request id. The id is
 * echoed in X-Request-Id on every answer. A caller's mistake (4xx) is `info`, throttling `warn`,
 * only a server failure (5xx) `error`. Bodies and headers are never logged.
 */
export function requestLog(logger: Logger) {
  const outcome = (req: IncomingMessage, res: ServerResponse) => {
    const route = (req as Request).route?.path as string | undefined;
    const principal = (res as Response).locals?.principal as Principal | undefined;
    return { ...(route ? { route } : {}), ...(principal ? { principal: { id: principal.id, role: principal.role } } : {}) };
  };
  return pinoHttp({
    logger,
    genReqId: (req, res) => {
      const id = requestId(req.headers['x-request-id']);
      res.setHeader('X-Request-Id', id);
      return id;
    },
    wrapSerializers: false,
    serializers: {
      req: (req: IncomingMessage) => ({ id: req.id, method: req.method, path: loggedPath(req.url) }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode === 429 ? 'warn' : 'info'),
    customSuccessObject: (req, res, val) => ({ ...val, ...outcome(req, res) }),
    // pino-http invents an Error (with its own stack) for any 5xx; the handler's real error is logged where it is caught.
    customErrorObject: (req, res, err, val) => {
      const { err: _synthetic, ...rest } = val as { err?: Error };
      return { ...rest, ...outcome(req, res), ...(/^failed with status code \d+$/.test(err.message) ? {} : { err }) };
    },
  });
}
