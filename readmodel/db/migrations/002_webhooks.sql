-- Webhooks for integrators: subscriptions, a transactional outbox filled in the same transaction
-- as the projection (so an event is announced if and only if it was recorded), and a log of every
-- delivery attempt.

CREATE TABLE webhook_subscriptions (
  id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  client_id    text NOT NULL,
  url          text NOT NULL,
  -- Event kinds (events.kind) to deliver; '*' means every kind.
  event_types  text[] NOT NULL CHECK (cardinality(event_types) > 0),
  -- HMAC key for the X-Signature header; shown to the integrator once, on creation.
  secret       text NOT NULL,
  active       boolean NOT NULL DEFAULT true,
  created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX webhook_subscriptions_by_client ON webhook_subscriptions (client_id, created_at);

CREATE TABLE webhook_outbox (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  subscription_id  uuid NOT NULL REFERENCES webhook_subscriptions ON DELETE CASCADE,
  -- "<applicationId>:<seq>", sent as X-Event-Id so receivers can drop duplicates.
  event_key        text NOT NULL,
  body             jsonb NOT NULL,
  attempts         integer NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL DEFAULT now(),
  delivered_at     timestamptz,
  -- Set when the dispatcher gave up after its last attempt.
  dead_at          timestamptz,
  last_error       text,
  created_at       timestamptz NOT NULL DEFAULT now(),
  UNIQUE (subscription_id, event_key)
);

-- The dispatcher's claim takes the next few due rows of each subscription, so one endpoint's
-- backlog cannot fill every delivery slot; delivered and dead rows leave the index.
CREATE INDEX webhook_outbox_due ON webhook_outbox (subscription_id, next_attempt_at, id)
  WHERE delivered_at IS NULL AND dead_at IS NULL;

CREATE TABLE webhook_deliveries (
  id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  outbox_id    bigint NOT NULL REFERENCES webhook_outbox ON DELETE CASCADE,
  attempt      integer NOT NULL,
  -- HTTP status of the response, or null when there was none (refused, timed out…).
  status_code  integer,
  error        text,
  duration_ms  integer NOT NULL,
  at           timestamptz NOT NULL
);

CREATE INDEX webhook_deliveries_by_outbox ON webhook_deliveries (outbox_id, attempt);
