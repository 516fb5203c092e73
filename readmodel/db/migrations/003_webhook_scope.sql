-- Webhooks see only what their integrator may see (api/authz.ts): an admin's subscription every
-- application, an integrator's the applications it started for an applicant and those of the
-- applicants that authorised it (the principals file's `applicants`). The scope is recorded when
-- the subscription is made; the projection queues an event only for subscriptions in scope.
--
-- Subscriptions made before this migration get scope_all = false and no applicants: the role of
-- their client cannot be known here, so they receive only the applications their client started
-- (none started before started_by existed). An admin or integrator re-creates them to get its scope.

ALTER TABLE webhook_subscriptions
  ADD COLUMN scope_all  boolean NOT NULL DEFAULT false,
  ADD COLUMN applicants text[]  NOT NULL DEFAULT '{}';

-- The principal that started the application for its applicant (an agent, integrator or admin);
-- null when the applicant did, and on rows projected before this column existed until their
-- next batch.
ALTER TABLE applications ADD COLUMN started_by text;
