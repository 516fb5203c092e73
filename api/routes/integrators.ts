import type { Pool } from 'pg';
import { z } from 'zod';
import { createSubscription, deleteSubscription, EVENT_TYPE_RULE, hasAuthority, InvalidSubscriptionError, listSubscriptions, MAX_EVENT_TYPES, URL_AUTHORITY_RULE, type SubscriptionPolicy } from '../../readmodel/webhooks';
import { NO_ALLOWLIST } from '../../readmodel/destinations';
import { httpUrl, list } from '../../contracts/fields';
import { createdSubscriptionSchema, deletedSubscriptionSchema, subscriptionsSchema } from '../../contracts/responses';
import { EVENT_KINDS } from '../../domain/events';
import type { OperationRegistry } from '../operation';
import { HttpProblem } from '../problem';

/** `*` or one of the event kinds; the message lists a few kinds, never the value sent. */
const eventType = z.enum(['*', ...EVENT_KINDS], { error: EVENT_TYPE_RULE });

export const subscriptionSchema = z.object({
  url: httpUrl.refine(hasAuthority, { message: URL_AUTHORITY_RULE }),
  eventTypes: list(eventType, MAX_EVENT_TYPES, 1, 'subscribe to at least one event type (or "*")').transform((types) => [...new Set(types)]),
});

const subscriptionParams = z.object({ sid: z.guid({ error: 'must be a subscription id (a UUID)' }) });

/**
 * Event webhooks for integrators: each client id manages its own subscriptions, and each
 * subscription receives the events of the applications its client may see (an admin: all).
 * Where a subscription may point and how many one client holds is `policy`'s to say.
 */
export function registerIntegrators(api: OperationRegistry, pool: Pool, policy: SubscriptionPolicy = { allowlist: NO_ALLOWLIST }): void {
  api.add(
    { method: 'post', path: '/webhooks/subscriptions', tag: 'integrators', summary: 'Subscribe to events', roles: ['integrator', 'admin'], body: subscriptionSchema, success: { status: 201, description: 'created; the signing secret is shown once' }, response: createdSubscriptionSchema },
    async ({ principal, body }) => {
      try {
        return await createSubscription(
          pool,
          { clientId: principal.id, url: body.url, eventTypes: body.eventTypes, scopeAll: principal.role === 'admin', applicants: principal.role === 'admin' ? [] : principal.applicants },
          policy,
        );
      } catch (err) {
        // The limit is the caller's state, not a field it sent wrongly.
        if (err instanceof InvalidSubscriptionError && err.code === 'SUBSCRIPTION_LIMIT') throw new HttpProblem(409, 'Conflict', err.message.replace(/^clientId: /, ''), { code: err.code });
        throw err;
      }
    },
  );
  api.add({ method: 'get', path: '/webhooks/subscriptions', tag: 'integrators', summary: 'List own subscriptions', roles: ['integrator', 'admin'], response: subscriptionsSchema }, async ({ principal }) => ({
    subscriptions: await listSubscriptions(pool, principal.role === 'admin' ? undefined : principal.id),
  }));
  api.add(
    { method: 'delete', path: '/webhooks/subscriptions/:sid', tag: 'integrators', summary: 'Delete a subscription', roles: ['integrator', 'admin'], params: subscriptionParams, response: deletedSubscriptionSchema },
    async ({ principal, params }) => {
      const deleted = await deleteSubscription(pool, params.sid, principal.role === 'admin' ? undefined : principal.id);
      if (!deleted) throw new HttpProblem(404, 'Not found', `no subscription ${params.sid} of ${principal.id}`);
      return { deleted: params.sid };
    },
  );
}
