import type { NextFunction, Request, Response, Router } from 'express';
import { z } from 'zod';
import { authenticate, type Principal, type PrincipalRegistry } from './auth';
import { problemSchema } from '../contracts/responses';
import { HttpProblem } from './problem';
import { parse } from './validate';

import { ROLES, type Role } from '../contracts/roles';

export { ROLES, type Role };

/**
 * One HTTP operation, declared once: the route, who may call it, and the zod schemas of its
 * path, query, body and answer. The same declaration registers the Express handler, checks the
 * role, validates input, becomes the operation in /openapi.json, and, in tests, checks what the
 * operation really answers against what it declares.
 */
export interface Operation<P = unknown, Q = unknown, B = unknown> {
  method: 'get' | 'post' | 'delete';
  path: string;
  tag: 'applicants' | 'officers' | 'supervision' | 'intermediaries' | 'integrators' | 'catalogue' | 'admin' | 'system';
  summary: string;
  /** Roles allowed; 'public' needs no token. */
  roles: readonly Role[] | 'public';
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: z.ZodType<B>;
  /** Status of a successful answer and what it carries. */
  success?: { status: number; description: string; contentType?: string };
  /**
   * The schema of a successful answer (contracts/responses.ts): a JSON body, or the text of a
   * CSV, HTML or event-stream answer. Errors are problem+json (`problemSchema`) and need none.
   */
  response: z.ZodType;
  /** Answers other than the success and the problems, by status: /ready's 503 saying which dependency is down. */
  otherAnswers?: { status: number; description: string; schema: z.ZodType }[];
  headers?: { name: string; description: string }[];
}

export interface Context<P, Q, B> {
  req: Request;
  res: Response;
  /** The caller; undefined only on public operations. */
  principal: Principal;
  params: P;
  query: Q;
  body: B;
}

/** Whether the request carries a body at all (a POST without one validates `{}`). */
function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

/** One JSON answer checked against its operation's declared schema (only when checking is on); `issues` is empty when it matches. */
export interface ResponseCheck {
  operation: string;
  status: number;
  issues: string[];
}

/**
 * What is wrong with an answer, as `path: message` lines (none when it matches). Of a union, the
 * alternative that came closest: zod reports only one, often one the answer was never meant to be.
 */
export function answerIssues(schema: z.ZodType, body: unknown): string[] {
  const r = schema.safeParse(body);
  if (r.success) return [];
  if (schema instanceof z.ZodUnion) {
    // An alternative missing a dozen fields is further off than one with a field of the wrong type.
    const distance = (s: z.ZodType) => {
      const e = s.safeParse(body).error?.issues ?? [];
      return e.reduce((n, x) => n + (x.code === 'unrecognized_keys' ? x.keys.length : 1), 0);
    };
    const closest = (schema.options as z.ZodType[]).reduce((a, b) => (distance(b) < distance(a) ? b : a));
    return answerIssues(closest, body);
  }
  return r.error.issues.slice(0, 5).map((i) => `${i.path.map(String).join('.') || '(body)'}: ${i.message}`);
}

/** The schema an answer of this status must match: the declared one, or a problem for an error. */
export function answerSchema(op: Operation, status: number): z.ZodType {
  const other = op.otherAnswers?.find((a) => a.status === status);
  if (other) return other.schema;
  return status >= 400 ? problemSchema : op.response;
}

export class OperationRegistry {
  readonly operations: Operation[] = [];
  private readonly auth: ReturnType<typeof authenticate>;

  /**
   * `onChecked`, when given, checks every JSON answer of every operation against its declared
   * schema and reports the result (tests turn it on; production does not pay for it).
   */
  constructor(
    private readonly router: Router,
    principals: PrincipalRegistry,
    private readonly onChecked?: (c: ResponseCheck) => void,
  ) {
    this.auth = authenticate(principals);
  }

  /** Wraps `res.json` of one request so its answer is checked against the operation's schema. */
  private checking(op: Operation) {
    const report = this.onChecked!;
    return (_req: Request, res: Response, next: NextFunction) => {
      const json = res.json.bind(res);
      res.json = (body: unknown) => {
        report({ operation: `${op.method} ${op.path}`, status: res.statusCode, issues: answerIssues(answerSchema(op, res.statusCode), body) });
        return json(body);
      };
      next();
    };
  }

  /** Registers an operation; a handler's return value is sent as JSON with the success status. */
  add<P, Q, B>(op: Operation<P, Q, B>, handler: (c: Context<P, Q, B>) => Promise<unknown> | unknown): void {
    this.operations.push(op as Operation);
    const run = async (req: Request, res: Response) => {
      const principal = res.locals.principal as Principal;
      if (op.roles !== 'public' && !op.roles.includes(principal.role)) {
        throw new HttpProblem(403, 'Forbidden', `a ${principal.role} may not ${op.summary.toLowerCase()}; allowed: ${op.roles.join(', ')}`, { code: 'ROLE_NOT_ALLOWED' });
      }
      if (op.body && hasBody(req) && !req.is('application/json')) {
        throw new HttpProblem(415, 'Unsupported media type', 'send the body as Content-Type: application/json', {
          code: 'UNSUPPORTED_MEDIA_TYPE',
          errors: [{ field: 'header.Content-Type', message: 'must be application/json' }],
        });
      }
      const params = (op.params ? parse(op.params, req.params, 'path') : {}) as P;
      const query = (op.query ? parse(op.query, req.query, 'query') : {}) as Q;
      const body = (op.body ? parse(op.body, req.body ?? {}, 'body') : {}) as B;
      const result = await handler({ req, res, principal, params, query, body });
      if (!res.headersSent) res.status(op.success?.status ?? 200).json(result ?? null);
    };
    const middleware = [...(this.onChecked ? [this.checking(op as Operation)] : []), ...(op.roles === 'public' ? [] : [this.auth])];
    this.router[op.method](op.path, ...middleware, (req: Request, res: Response, next: NextFunction) => {
      run(req, res).catch(next);
    });
  }
}
