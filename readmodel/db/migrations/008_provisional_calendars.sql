-- Issue 13, provisional calendar years (暂定): a due date counted through a year published before
-- the State Council's notice is flagged in the inbox and alerts, and each deadline the official
-- year moved is listed for the supervision office.

-- Whether the row's due date is counted through a provisional year; null in rows projected before.
ALTER TABLE matters ADD COLUMN provisional boolean;
ALTER TABLE tasks ADD COLUMN provisional boolean;

-- One row per deadlineMoved event: which clock of which matter (or contract), old → new due date.
CREATE TABLE moved_deadlines (
  application_id  text NOT NULL REFERENCES applications ON DELETE CASCADE,
  seq             integer NOT NULL,
  at              timestamptz NOT NULL,
  -- matter | deferred | notice | contract | verification | opinion | withdrawal
  clock           text NOT NULL,
  matter          text,
  -- The matter's department (a contract: none); an opinion's: the participant's.
  department      text,
  -- The material, participant, service type or stage the clock is of, where the matter alone does not say.
  of              text,
  contract_id     text,
  from_on         date NOT NULL,
  to_on           date NOT NULL,
  year            integer NOT NULL,
  notice          text NOT NULL,
  PRIMARY KEY (application_id, seq)
);
-- The board's list, newest first, and a department's.
CREATE INDEX moved_deadlines_recent ON moved_deadlines (at, application_id, seq);
CREATE INDEX moved_deadlines_by_department ON moved_deadlines (department, at, application_id, seq);
