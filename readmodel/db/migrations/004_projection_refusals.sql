-- Batches PostgreSQL refused for their content (a data exception, a constraint, a limit). The
-- writer records each here instead of retrying it for ever; the application keeps projecting
-- (its next batch carries every row again) and `npm run rebuild-projection` repairs the gap.
CREATE TABLE projection_refusals (
  id             bigserial PRIMARY KEY,
  application_id text        NOT NULL,
  seq            integer     NOT NULL,
  sqlstate       text        NOT NULL,
  message        text        NOT NULL,
  refused_at     timestamptz NOT NULL DEFAULT now(),
  repaired_at    timestamptz
);
CREATE INDEX projection_refusals_open ON projection_refusals (application_id) WHERE repaired_at IS NULL;
