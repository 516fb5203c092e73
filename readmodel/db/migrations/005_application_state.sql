-- What the read model needs to answer an application's status without its workflow: the state
-- the workflow's own view is computed from (the application-level part here, each matter's in
-- its row) and the process snapshot it runs on, stored once per definition and process. The
-- application-level state is json, not jsonb: the order of its keys (services, intakes) is the
-- order the view lists them in, and jsonb would sort them.
ALTER TABLE applications ADD COLUMN state json;
ALTER TABLE matters ADD COLUMN state jsonb;
CREATE TABLE process_snapshots (
  definition_hash text NOT NULL,
  process_code    text NOT NULL,
  snapshot        jsonb NOT NULL,
  PRIMARY KEY (definition_hash, process_code)
);
