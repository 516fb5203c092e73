-- Issue 12 (the reform instruments): work assigned to named officers, the side clocks a matter
-- owes beside its own (a commitment's verification 核查, a joint participant's opinion), the
-- applicants' false-commitment records (失信) and officers' out-of-office delegations.

-- The officer a matter is assigned to within its department; null: in the department's pool.
ALTER TABLE matters ADD COLUMN assignee text;

-- "My" inbox: open matters assigned to one officer, by due instant (the predicate of matters_inbox).
CREATE INDEX matters_mine ON matters (assignee, due_sort, application_id, code)
  WHERE assignee IS NOT NULL AND status IN ('inProgress', 'suspended', 'intake', 'waitingPrerequisites');

-- Officer figures: a department's matters by assignee.
CREATE INDEX matters_by_assignee ON matters (department, assignee) WHERE assignee IS NOT NULL;

-- Work a department owes on a matter beside the matter's own clock: the verification of a
-- commitment (the matter's department) and each participant's opinion of a joint matter's current
-- round (the participant's department). Rebuilt from the matter's state like the matter row.
CREATE TABLE tasks (
  application_id  text NOT NULL REFERENCES applications ON DELETE CASCADE,
  matter          text NOT NULL,
  kind            text NOT NULL CHECK (kind IN ('verification', 'opinion')),
  department      text NOT NULL,
  matter_name     text NOT NULL,
  stage           text,
  process_code    text NOT NULL,
  -- The matter's assignee for a verification; null for an opinion (owed by another department).
  assignee        text,
  -- The joint round an opinion belongs to; null for a verification.
  round           integer,
  started_at      timestamptz NOT NULL,
  working_days    integer NOT NULL,
  due_on          date,
  due_at          timestamptz,
  level           text NOT NULL,
  status          text NOT NULL CHECK (status IN ('open', 'done')),
  overdue_since   timestamptz,
  done_at         timestamptz,
  -- confirmed | false (verification); pass | conditions | fail | deemedConsent (opinion).
  outcome         text,
  on_time         boolean,
  due_sort        timestamptz GENERATED ALWAYS AS (COALESCE(due_at, 'infinity'::timestamptz)) STORED,
  severity        smallint GENERATED ALWAYS AS (
    CASE level
      WHEN 'leadership' THEN 1
      WHEN 'supervisionOffice' THEN 2
      WHEN 'departmentHead' THEN 3
      WHEN 'overdue' THEN 4
      WHEN 'warning' THEN 5
      ELSE 9
    END) STORED,
  alert_at        timestamptz GENERATED ALWAYS AS (COALESCE(overdue_since, due_at, 'infinity'::timestamptz)) STORED,
  -- Sorts a task after its matter (whose key is '') in lists that interleave both.
  item_key        text GENERATED ALWAYS AS (kind || ':' || department) STORED,
  PRIMARY KEY (application_id, matter, kind, department)
);

-- The department's inbox and "my" inbox of open tasks, by due instant, in the matters' sort order.
CREATE INDEX tasks_inbox ON tasks (department, due_sort, application_id, matter, item_key) WHERE status = 'open';
CREATE INDEX tasks_mine ON tasks (assignee, due_sort, application_id, matter, item_key) WHERE assignee IS NOT NULL AND status = 'open';
-- Late tasks in the supervision list, worst and oldest first.
CREATE INDEX tasks_alerts ON tasks (severity, alert_at, application_id, matter, item_key)
  WHERE status = 'open' AND level IN ('warning', 'overdue', 'departmentHead', 'supervisionOffice', 'leadership');
-- Scorecards: verifications concluded in a period.
CREATE INDEX tasks_done ON tasks (done_at, department) WHERE done_at IS NOT NULL;

-- An applicant's false commitments (失信), one per creditRecorded event; never deleted by a rebuild.
CREATE TABLE credit_records (
  application_id  text NOT NULL,
  seq             integer NOT NULL,
  applicant_id    text NOT NULL,
  applicant_name  text NOT NULL,
  kind            text NOT NULL,
  matter          text,
  department      text,
  reason          text,
  at              timestamptz NOT NULL,
  PRIMARY KEY (application_id, seq)
);
CREATE INDEX credit_records_by_applicant ON credit_records (applicant_id, at DESC, application_id, seq);
-- Revocations per department in a period (scorecards).
CREATE INDEX events_revoked ON events (at) INCLUDE (department) WHERE kind = 'resultRevoked';

-- An officer's out-of-office delegation (代岗) to a colleague of the same department for a span of
-- dates (Asia/Shanghai, inclusive). Never deleted: a revoked one keeps its row, the audit.
CREATE TABLE delegations (
  id          bigserial PRIMARY KEY,
  officer     text NOT NULL,
  delegate    text NOT NULL,
  department  text NOT NULL,
  from_on     date NOT NULL,
  until_on    date NOT NULL,
  reason      text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz,
  CHECK (from_on <= until_on),
  CHECK (officer <> delegate)
);
CREATE INDEX delegations_received ON delegations (delegate, from_on, until_on) WHERE revoked_at IS NULL;
CREATE INDEX delegations_given ON delegations (officer, created_at DESC);
CREATE INDEX delegations_received_all ON delegations (delegate, created_at DESC);
