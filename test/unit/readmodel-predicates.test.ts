import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALERT_SQL, OPEN_SQL, URGED_SQL } from '../../readmodel/queries';

const migration = readFileSync(path.join(__dirname, '../../readmodel/db/migrations/001_read_model.sql'), 'utf8');

// PostgreSQL uses a partial index only when the query repeats its predicate: the literals the
// queries write from the domain's lists must be the migration's, word for word.
describe('read-model predicates', () => {
  it('spells the open statuses as the inbox and alert indexes do', () => {
    expect(migration).toContain(OPEN_SQL.replace('m.status', 'status'));
  });

  it('spells the alert levels as the alert indexes do', () => {
    expect(migration).toContain(ALERT_SQL.replace('m.level', 'level'));
  });

  it('counts urges with the urge index predicate', () => {
    expect(migration).toContain(`WHERE ${URGED_SQL};`);
  });
});
