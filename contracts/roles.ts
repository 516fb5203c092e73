import { z } from 'zod';
import { code, identifier } from './fields';

/** The roles a bearer token can carry: who calls the API (DESIGN §3). */
export const ROLES = ['applicant', 'agent', 'officer', 'supervisor', 'integrator', 'admin', 'provider'] as const;
export type Role = (typeof ROLES)[number];
export const roleSchema = z.enum(ROLES);

/** The roles an actor on an application can have: a caller's, or the workflow's own (`system`: timers, deemed acceptance). */
export const ACTOR_ROLES = [...ROLES, 'system'] as const;
export type ActorRole = (typeof ACTOR_ROLES)[number];
export const actorRoleSchema = z.enum(ACTOR_ROLES);

/** Who did something: the API derives it from the caller's token, the workflow checks it again. */
export const actorSchema = z.object({
  id: identifier('principal id'),
  role: actorRoleSchema,
  department: code('department', 'DRC').optional(),
  onBehalfOf: identifier('applicant id').optional(),
  head: z.boolean().optional(),
  delegateFor: identifier('officer id').optional(),
});
