import type { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * `run_journal`: one INSERT per journal write carries the step rows (new or changed, whole) and
 * the timeline events of that write, as JSON arrays; the database writes them into `steps`
 * (upsert by run and step key) and `run_events` (in order) in the same statement. The view holds
 * no rows: it is only a statement's target. Rows are arrays, in the order of STEP_VALUES and
 * EVENT_VALUES below; JSON columns travel as strings (their text kept as written).
 */
const STEP_VALUES = [
  'id',
  'position',
  'stepKey',
  'stepId',
  'action',
  'connectionTarget',
  'status',
  'attempts',
  'input',
  'output',
  'error',
  'startedAt',
  'endedAt',
];
const EVENT_VALUES = ['at', 'type', 'stepKey', 'detail'];
const INTEGER = new Set(['position', 'attempts']);
const KEPT = new Set(['id', 'position', 'stepKey']);

const quoted = (columns: string[]) => columns.map((c) => `"${c}"`).join(', ');
const updates = STEP_VALUES.filter((c) => !KEPT.has(c))
  .map((c) => `"${c}" = excluded."${c}"`)
  .join(', ');

function sqliteTrigger(): string {
  const step = STEP_VALUES.map((c, i) => `json_extract(s.value, '$[${i}]')`);
  const event = EVENT_VALUES.map((c, i) => `json_extract(e.value, '$[${i}]')`);
  return `CREATE TRIGGER run_journal_write INSTEAD OF INSERT ON run_journal BEGIN
  INSERT INTO steps ("runId", ${quoted(STEP_VALUES)})
    SELECT NEW."runId", ${step.join(', ')} FROM json_each(NEW."steps") AS s WHERE true
    ON CONFLICT ("runId", "stepKey") DO UPDATE SET ${updates};
  INSERT INTO run_events ("runId", ${quoted(EVENT_VALUES)})
    SELECT NEW."runId", ${event.join(', ')} FROM json_each(NEW."events") AS e ORDER BY e.key;
END`;
}

function postgresFunction(): string {
  const step = STEP_VALUES.map((c, i) => (INTEGER.has(c) ? `(s ->> ${i})::integer` : `s ->> ${i}`));
  const event = EVENT_VALUES.map((c, i) => `e ->> ${i}`);
  return `CREATE FUNCTION run_journal_write() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  INSERT INTO steps ("runId", ${quoted(STEP_VALUES)})
    SELECT NEW."runId", ${step.join(', ')} FROM json_array_elements(NEW."steps"::json) AS s
    ON CONFLICT ("runId", "stepKey") DO UPDATE SET ${updates};
  INSERT INTO run_events ("runId", ${quoted(EVENT_VALUES)})
    SELECT NEW."runId", ${event.join(', ')} FROM json_array_elements(NEW."events"::json) WITH ORDINALITY AS x(e, n)
    ORDER BY n;
  RETURN NEW;
END
$body$`;
}

export class RunJournal1765010000000 implements MigrationInterface {
  name = 'RunJournal1765010000000';

  async up(q: QueryRunner): Promise<void> {
    if (q.connection.options.type === 'postgres') {
      await q.query(
        `CREATE VIEW run_journal AS SELECT NULL::varchar(36) AS "runId", NULL::text AS "steps", NULL::text AS "events" WHERE false`,
      );
      await q.query(postgresFunction());
      await q.query(
        'CREATE TRIGGER run_journal_write INSTEAD OF INSERT ON run_journal FOR EACH ROW EXECUTE FUNCTION run_journal_write()',
      );
      return;
    }
    await q.query(`CREATE VIEW run_journal AS SELECT NULL AS "runId", NULL AS "steps", NULL AS "events" WHERE 0`);
    await q.query(sqliteTrigger());
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP VIEW run_journal');
    if (q.connection.options.type === 'postgres') await q.query('DROP FUNCTION run_journal_write()');
  }
}
