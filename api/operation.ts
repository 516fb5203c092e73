import type { NextFunction, Request, Response, Router } from 'express';
import { z } from 'zod';
import { authenticate, type Principal, type PrincipalRegistry } from './auth';
import { HttpProblem } from './problem';
import { parse } from './validate';

import { ROLES, type Role } from '../contracts/roles';

export { ROLES, type Role };

/**
 * One HTTP operation, declared once: the route, who may call it, and the zod schemas of its
 * path, query and body. The same declaration registers the Express handler, checks the role,
 * validates input, and becomes the operation in /openapi.json.
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

export class OperationRegistry {
  readonly operations: Operation[] = [];
  private readonly auth: ReturnType<typeof authenticate>;

  constructor(
    private readonly router: Router,
    principals: PrincipalRegistry,
  ) {
    this.auth = authenticate(principals);
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
    const middleware = op.roles === 'public' ? [] : [this.auth];
    this.router[op.method](op.path, ...middleware, (req: Request, res: Response, next: NextFunction) => {
      run(req, res).catch(next);
    });
  }
}
