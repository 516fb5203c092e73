-- The read model: a projection of each application workflow's state (workflows/domain/projection.ts),
-- for inboxes, supervision lists and scorecards across applications. Workflows stay the source of
-- truth; every row here can be rebuilt from them.

CREATE TABLE applications (
  application_id          text PRIMARY KEY,
  -- Number of audit events the row reflects; a write with a seq not above it is ignored.
  seq                     integer NOT NULL CHECK (seq >= 0),
  process_code            text NOT NULL,
  definition_hash         text NOT NULL,
  project_name            text NOT NULL,
  applicant_id            text NOT NULL,
  applicant_name          text NOT NULL,
  status                  text NOT NULL,
  current_stage           text,
  started_at              timestamptz NOT NULL,
  ended_at                timestamptz,
  outcome_reason          text,
  government_working_days integer NOT NULL,
  applicant_days          integer NOT NULL,
  special_procedure_days  integer NOT NULL,
  calendar_days           integer NOT NULL,
  target_total_days       integer NOT NULL,
  projected_at            timestamptz NOT NULL DEFAULT now()
);

-- An applicant's applications, newest first.
CREATE INDEX applications_by_applicant ON applications (applicant_id, started_at DESC, application_id DESC);

CREATE TABLE matters (
  application_id          text NOT NULL REFERENCES applications ON DELETE CASCADE,
  code                    text NOT NULL,
  name                    text NOT NULL,
  stage                   text,
  department              text NOT NULL,
  -- Copied from the application so supervision can filter by process without a join.
  process_code            text NOT NULL,
  milestone               boolean NOT NULL,
  status                  text NOT NULL,
  level                   text NOT NULL,
  received_at             timestamptz,
  accepted_at             timestamptz,
  due_on                  date,
  due_at                  timestamptz,
  time_limit_days         integer NOT NULL,
  working_days_used       integer,
  decided_at              timestamptz,
  decision                text,
  on_time                 boolean,
  supplement_count        integer NOT NULL,
  special_procedure_count integer NOT NULL,
  urge_count              integer NOT NULL,
  extended                boolean NOT NULL,
  overdue_since           timestamptz,
  -- Sort keys, stored so that keyset pagination is one row comparison on one index:
  -- no due instant sorts last (the clock is stopped or not started).
  due_sort                timestamptz GENERATED ALWAYS AS (COALESCE(due_at, 'infinity'::timestamptz)) STORED,
  -- 1 = most severe; ascending order lists the worst first.
  severity                smallint GENERATED ALWAYS AS (
    CASE level
      WHEN 'leadership' THEN 1
      WHEN 'supervisionOffice' THEN 2
      WHEN 'departmentHead' THEN 3
      WHEN 'overdue' THEN 4
      WHEN 'warning' THEN 5
      ELSE 9
    END) STORED,
  -- When the matter became a concern: overdue since, else (a warning) its due instant.
  alert_at                timestamptz GENERATED ALWAYS AS (COALESCE(overdue_since, due_at, 'infinity'::timestamptz)) STORED,
  PRIMARY KEY (application_id, code)
);

-- Officer inbox: one department's open matters by due instant. Partial: decided matters, the bulk
-- of the table over time, are not in it. The predicate is repeated literally in activities/readmodel.ts.
CREATE INDEX matters_inbox ON matters (department, due_sort, application_id, code)
  WHERE status IN ('inProgress', 'suspended', 'intake', 'waitingPrerequisites');

-- Supervision list of open matters at warning or above, worst and oldest first; the second index
-- serves the list of one department.
CREATE INDEX matters_alerts ON matters (severity, alert_at, application_id, code)
  WHERE level IN ('warning', 'overdue', 'departmentHead', 'supervisionOffice', 'leadership')
    AND status IN ('inProgress', 'suspended', 'intake', 'waitingPrerequisites');
CREATE INDEX matters_alerts_by_department ON matters (department, severity, alert_at, application_id, code)
  WHERE level IN ('warning', 'overdue', 'departmentHead', 'supervisionOffice', 'leadership')
    AND status IN ('inProgress', 'suspended', 'intake', 'waitingPrerequisites');

-- Scorecards: matters decided, and matters turned overdue, in a period.
CREATE INDEX matters_decided ON matters (decided_at, department) WHERE decided_at IS NOT NULL;
CREATE INDEX matters_overdue_since ON matters (overdue_since, department) WHERE overdue_since IS NOT NULL;

CREATE TABLE services (
  application_id   text NOT NULL REFERENCES applications ON DELETE CASCADE,
  contract_id      text NOT NULL,
  service_type     text NOT NULL,
  matters          text[] NOT NULL,
  provider_code    text,
  regulator        text,
  commissioned_by  text NOT NULL CHECK (commissioned_by IN ('government', 'owner')),
  selection        text NOT NULL CHECK (selection IN ('direct', 'randomDraw', 'bidding', 'waived')),
  status           text NOT NULL,
  level            text NOT NULL,
  contracted_at    timestamptz,
  committed_days   integer,
  day_kind         text CHECK (day_kind IN ('working', 'calendar')),
  due_on           date,
  delivered_at     timestamptz,
  accepted_at      timestamptz,
  closed_at        timestamptz,
  rework_count     integer NOT NULL,
  calendar_days    integer,
  on_time          boolean,
  PRIMARY KEY (application_id, contract_id)
);

-- The audit trail: append-only, one row per event of the workflow.
CREATE TABLE events (
  application_id  text NOT NULL REFERENCES applications ON DELETE CASCADE,
  seq             integer NOT NULL,
  at              timestamptz NOT NULL,
  kind            text NOT NULL,
  actor           text NOT NULL,
  matter          text,
  stage           text,
  reason          text,
  data            jsonb,
  -- The department of the event's matter, copied by the writer so scorecards count urges per
  -- department from this table's index alone.
  department      text,
  PRIMARY KEY (application_id, seq)
);

-- Scorecards count urges per department in a period.
CREATE INDEX events_urged ON events (at) INCLUDE (department) WHERE kind = 'urged';
