import type { Pool } from 'pg';
import { z } from 'zod';
import { createSubscription, deleteSubscription, listSubscriptions } from '../../activities/webhooks';
import type { OperationRegistry } from '../operation';
import { HttpProblem } from '../problem';

export const subscriptionSchema = z.object({
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  eventTypes: z.array(z.string().min(1)).min(1, 'subscribe to at least one event type (or "*")'),
});

/** Event webhooks for integrators: each client id manages its own subscriptions. */
export function registerIntegrators(api: OperationRegistry, pool: Pool): void {
  api.add(
    { method: 'post', path: '/webhooks/subscriptions', tag: 'integrators', summary: 'Subscribe to events', roles: ['integrator', 'admin'], body: subscriptionSchema, success: { status: 201, description: 'created; the signing secret is shown once' } },
    ({ principal, body }) => createSubscription(pool, { clientId: principal.id, url: body.url, eventTypes: body.eventTypes }),
  );
  api.add({ method: 'get', path: '/webhooks/subscriptions', tag: 'integrators', summary: 'List own subscriptions', roles: ['integrator', 'admin'] }, async ({ principal }) => ({
    subscriptions: await listSubscriptions(pool, principal.role === 'admin' ? undefined : principal.id),
  }));
  api.add(
    { method: 'delete', path: '/webhooks/subscriptions/:sid', tag: 'integrators', summary: 'Delete a subscription', roles: ['integrator', 'admin'], params: z.object({ sid: z.string().min(1) }) },
    async ({ principal, params }) => {
      const deleted = await deleteSubscription(pool, params.sid, principal.role === 'admin' ? undefined : principal.id);
      if (!deleted) throw new HttpProblem(404, 'Not found', `no subscription ${params.sid} of ${principal.id}`);
      return { deleted: params.sid };
    },
  );
}
