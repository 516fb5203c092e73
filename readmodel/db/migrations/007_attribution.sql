-- Issue 13 (where the days went): each application's critical path as stretches, each held by one
-- holder (domain/attribution.ts). Rebuilt from the workflow with every batch of the application;
-- the stretch still held when the batch was made has no end (to_at null) and runs on to "now".
-- Scorecards cut the stretches to a period (readmodel/attribution.ts).
CREATE TABLE attribution_segments (
  application_id  text NOT NULL REFERENCES applications ON DELETE CASCADE,
  position        integer NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('department', 'provider', 'applicant', 'specialProcedure', 'stageBoundary')),
  -- The department, the provider, the special procedure's kind or the stage; null for the applicant.
  holder          text,
  reason          text NOT NULL,
  matter          text,
  stage           text,
  service_type    text,
  contract_id     text,
  from_at         timestamptz NOT NULL,
  to_at           timestamptz,
  -- The last day within the limit running in this stretch (a matter's due date, a provider's
  -- committed or rework date): days after it are over the limit.
  over_after      date,
  PRIMARY KEY (application_id, position),
  CHECK (to_at IS NULL OR to_at >= from_at)
);

-- A period's stretches: those ending after its start (still held: never ended), begun before its end.
CREATE INDEX attribution_segments_period ON attribution_segments ((COALESCE(to_at, 'infinity'::timestamptz)), from_at);
