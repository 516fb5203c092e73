import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, Response } from 'express';
import { pinoHttp } from 'pino-http';
import type { Principal } from './auth';
import type { Logger } from './log';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,64}$/;
/** An application id as a route names it (also its workflow id); anything else in that place is not logged as one. */
const APPLICATION_ID = /^[A-Za-z0-9._:-]{1,100}$/;
/** The path is the caller's text and may be junk: a log line carries at most this much of it. */
const MAX_LOGGED_PATH = 200;

/** The caller's X-Request-Id when it is a short plain token, so a trace can cross services; otherwise a fresh one. */
export function requestId(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

/** The n-th segment of a URL's path, decoded; undefined when absent or not decodable (Express has reset `req.params` by the time the line is written). */
function pathSegment(url: string | undefined, n: number): string | undefined {
  const segment = (url ?? '').split('?', 1)[0]!.split('/')[n];
  if (segment === undefined) return undefined;
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** The URL without its query string (which may carry anything), cut to a bounded length. */
export function loggedPath(url: string | undefined): string {
  const path = (url ?? '').split('?', 1)[0]!;
  return path.length > MAX_LOGGED_PATH ? `${path.slice(0, MAX_LOGGED_PATH)}…` : path;
}

/**
 * One JSON line per request (method, path, route, status, duration, principal, request id, and
 * the application and its workflow id when the request was about one),
 * and `req.log` for handlers: a child logger whose lines carry the same request id. The id is
 * echoed in X-Request-Id on every answer. A caller's mistake (4xx) is `info`, throttling `warn`,
 * only a server failure (5xx) `error`. Bodies and headers are never logged.
 */
export function requestLog(logger: Logger) {
  const outcome = (req: IncomingMessage, res: ServerResponse) => {
    // A route's path is a string, or a RegExp for a pattern route (the web pages under /ui/).
    const routePath: unknown = (req as Request).route?.path;
    const route = typeof routePath === 'string' ? routePath : undefined;
    const principal = (res as Response).locals?.principal as Principal | undefined;
    // The application the request was about (a route's :id, or the one a start created): a log
    // search for it finds its requests as well as the worker's lines, which carry its workflowId.
    const named = ((res as Response).locals?.applicationId ?? (route?.startsWith('/applications/:id') ? pathSegment((req as Request).originalUrl ?? req.url, 2) : undefined)) as unknown;
    const applicationId = typeof named === 'string' && APPLICATION_ID.test(named) ? named : undefined;
    return {
      ...(route ? { route } : {}),
      ...(principal ? { principal: { id: principal.id, role: principal.role } } : {}),
      ...(applicationId ? { applicationId, workflowId: applicationId } : {}),
    };
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
