import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { RequestHandler } from 'express';
import { z } from 'zod';
import { code, identifier, list, name } from '../contracts/fields';
import { roleSchema } from '../contracts/roles';
import type { Actor } from '../domain/types';
import { HttpProblem, sendProblem } from './problem';

/**
 * Bearer-token principals. Tokens live outside the repo (API_TOKENS_FILE) and are kept in
 * memory only as sha256 digests, so a heap dump or log line never shows a usable token.
 */
export const principalSchema = z.object({
  /** Printable ASCII without spaces, as a `Bearer` header carries it. */
  token: z
    .string()
    .min(16, 'tokens must be at least 16 characters')
    .max(512, 'tokens must be at most 512 characters')
    .regex(/^[\x21-\x7E]+$/, 'tokens must be printable ASCII without spaces'),
  /** Recorded as the actor of what the principal does, so an actor's identifier. */
  id: identifier('principal id'),
  name: name().optional(),
  role: roleSchema,
  /** Officers: their department code. */
  department: code('department', 'DRC').optional(),
  /** Officers: the head of the department (科室负责人), who assigns and reassigns its matters and sees per-officer figures. */
  head: z.boolean().optional(),
  /**
   * Agents (帮代办): the applicant ids that delegated to them; integrators: the applicant ids that
   * authorised them. What each may see and do with it is decided in api/authz.ts.
   */
  applicants: list(identifier('applicant id'), 10_000).default([]),
});
export const principalsFileSchema = z.array(principalSchema).min(1);

export type Principal = Omit<z.infer<typeof principalSchema>, 'token'>;

export interface PrincipalRegistry {
  find(token: string): Principal | undefined;
  /** The officers of a department (to assign a matter to, or to name as an out-of-office delegate). */
  officersOf(department: string): Principal[];
}

const digest = (token: string) => createHash('sha256').update(token).digest();

export function principalRegistry(entries: z.input<typeof principalsFileSchema>): PrincipalRegistry {
  const parsed = principalsFileSchema.parse(entries);
  const byDigest = parsed.map(({ token, ...p }) => ({ digest: digest(token), principal: p }));
  return {
    find(token) {
      const d = digest(token);
      return byDigest.find((x) => timingSafeEqual(x.digest, d))?.principal;
    },
    officersOf(department) {
      return byDigest.map((x) => x.principal).filter((p) => p.role === 'officer' && p.department === department);
    },
  };
}

export function loadPrincipals(file: string): PrincipalRegistry {
  const raw = JSON.parse(readFileSync(file, 'utf8'));
  const parsed = principalsFileSchema.safeParse(raw);
  if (!parsed.success) {
    const i = parsed.error.issues[0]!;
    throw new Error(`${file}: [${i.path.join('.')}] ${i.message}`);
  }
  return principalRegistry(parsed.data);
}

export const authenticate =
  (registry: PrincipalRegistry): RequestHandler =>
  (req, res, next) => {
    const header = req.get('authorization') ?? '';
    const m = /^Bearer\s+(\S+)$/i.exec(header);
    if (!m) return sendProblem(res, 401, 'Unauthorized', 'send Authorization: Bearer <token>');
    const principal = registry.find(m[1]!);
    if (!principal) return sendProblem(res, 401, 'Unauthorized', 'the bearer token is not valid');
    res.locals.principal = principal;
    next();
  };

export function principalOf(res: { locals: Record<string, unknown> }): Principal {
  return res.locals.principal as Principal;
}

export function requireRole(p: Principal, roles: Principal['role'][], what: string) {
  if (!roles.includes(p.role)) throw new HttpProblem(403, 'Forbidden', `a ${p.role} may not ${what}; allowed: ${roles.join(', ')}`);
}

/** The actor recorded on the application; an agent acts for one applicant it holds a delegation from. */
export function actorOf(p: Principal, onBehalfOf?: string): Actor {
  if (p.role === 'agent') return { id: p.id, role: 'agent', onBehalfOf };
  return { id: p.id, role: p.role, ...(p.department ? { department: p.department } : {}), ...(p.head ? { head: true } : {}) };
}
