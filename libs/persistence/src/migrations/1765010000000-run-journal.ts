import type { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * `runs.journal`: the fenced write of a run carries what the journal has to add since its last
 * write — the step rows (new or changed, whole) and the timeline events — as one JSON text,
 * `[[step row, …], [event, …]]`; a trigger writes them into `steps` (upsert by run and step key)
 * and `run_events` (in order) within the same statement, and clears the column. A write the fence
 * refuses matches no row, so the trigger does not fire. Rows are arrays in the order of
 * STEP_VALUES and EVENT_VALUES below; JSON columns travel as strings (their text kept as written).
 */
export const STEP_VALUES = [
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
export const EVENT_VALUES = ['at', 'type', 'stepKey', 'detail'];
export const INTEGER = new Set(['position', 'attempts']);
export const KEPT = new Set(['id', 'position', 'stepKey']);

export const quoted = (columns: string[]) => columns.map((c) => `"${c}"`).join(', ');
export const updates = STEP_VALUES.filter((c) => !KEPT.has(c))
  .map((c) => `"${c}" = excluded."${c}"`)
  .join(', ');

export function sqliteTrigger(): string {
  const step = STEP_VALUES.map((_, i) => `json_extract(s.value, '$[${i}]')`);
  const event = EVENT_VALUES.map((_, i) => `json_extract(e.value, '$[${i}]')`);
  return `CREATE TRIGGER run_journal_write AFTER UPDATE OF "journal" ON runs WHEN NEW."journal" IS NOT NULL BEGIN
  INSERT INTO steps ("runId", ${quoted(STEP_VALUES)})
    SELECT NEW.id, ${step.join(', ')} FROM json_each(NEW."journal", '$[0]') AS s WHERE true
    ON CONFLICT ("runId", "stepKey") DO UPDATE SET ${updates};
  INSERT INTO run_events ("runId", ${quoted(EVENT_VALUES)})
    SELECT NEW.id, ${event.join(', ')} FROM json_each(NEW."journal", '$[1]') AS e ORDER BY e.key;
  UPDATE runs SET "journal" = NULL WHERE id = NEW.id;
END`;
}

export function postgresFunction(): string {
  const step = STEP_VALUES.map((c, i) => (INTEGER.has(c) ? `(s ->> ${i})::integer` : `s ->> ${i}`));
  const event = EVENT_VALUES.map((_, i) => `e ->> ${i}`);
  return `CREATE FUNCTION run_journal_write() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
  INSERT INTO steps ("runId", ${quoted(STEP_VALUES)})
    SELECT NEW.id, ${step.join(', ')} FROM json_array_elements((NEW."journal"::json) -> 0) AS s
    ON CONFLICT ("runId", "stepKey") DO UPDATE SET ${updates};
  INSERT INTO run_events ("runId", ${quoted(EVENT_VALUES)})
    SELECT NEW.id, ${event.join(', ')} FROM json_array_elements((NEW."journal"::json) -> 1) WITH ORDINALITY AS x(e, n)
    ORDER BY n;
  NEW."journal" := NULL;
  RETURN NEW;
END
$body$`;
}

export class RunJournal1765010000000 implements MigrationInterface {
  name = 'RunJournal1765010000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE runs ADD COLUMN "journal" text NULL');
    if (q.connection.options.type === 'postgres') {
      await q.query(postgresFunction());
      await q.query(
        `CREATE TRIGGER run_journal_write BEFORE UPDATE OF "journal" ON runs FOR EACH ROW
  WHEN (NEW."journal" IS NOT NULL) EXECUTE FUNCTION run_journal_write()`,
      );
      return;
    }
    await q.query(sqliteTrigger());
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER run_journal_write' + (q.connection.options.type === 'postgres' ? ' ON runs' : ''));
    if (q.connection.options.type === 'postgres') await q.query('DROP FUNCTION run_journal_write()');
    await q.query('ALTER TABLE runs DROP COLUMN "journal"');
  }
}
