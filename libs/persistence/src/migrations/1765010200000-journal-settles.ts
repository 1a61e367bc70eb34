import type { MigrationInterface, QueryRunner } from 'typeorm';
import * as before from './1765010000000-run-journal.js';
import { AUDIT_VALUES } from './1765010100000-settle-audit.js';

/*
 * The journal's write also carries the settles of the effects whose calls returned since its last
 * write, and their audit records: `runs.journal` becomes `[[step row, …], [event, …],
 * [settle, …], [audit record, …]]` (the last two may be absent). A settle is
 * `[effect id, status, detail, settledAt]`; an audit record is its values in
 * SettleAudit1765010100000's order, appended in the order given (the hash chain's order). The
 * trigger of RunJournal1765010000000 is replaced by one doing the same and then these: one
 * statement for the run's transition, its rows, its settles and their records. A write the fence
 * refuses matches no row, so nothing of it is written.
 */
// The row layouts of the migrations this one builds on (released, so they do not change).
const { STEP_VALUES, EVENT_VALUES, INTEGER, quoted, updates } = before;
const SETTLE_VALUES = ['status', 'detail', 'settledAt'];

function sqliteTrigger(): string {
  const at = (alias: string, columns: string[]) => columns.map((_, i) => `json_extract(${alias}.value, '$[${i}]')`);
  const settled = (i: number) =>
    `(SELECT json_extract(x.value, '$[${i}]') FROM json_each(NEW."journal", '$[2]') AS x WHERE json_extract(x.value, '$[0]') = effects.id)`;
  return `CREATE TRIGGER run_journal_write AFTER UPDATE OF "journal" ON runs WHEN NEW."journal" IS NOT NULL BEGIN
  INSERT INTO steps ("runId", ${quoted(STEP_VALUES)})
    SELECT NEW.id, ${at('s', STEP_VALUES).join(', ')} FROM json_each(NEW."journal", '$[0]') AS s WHERE true
    ON CONFLICT ("runId", "stepKey") DO UPDATE SET ${updates};
  INSERT INTO run_events ("runId", ${quoted(EVENT_VALUES)})
    SELECT NEW.id, ${at('e', EVENT_VALUES).join(', ')} FROM json_each(NEW."journal", '$[1]') AS e ORDER BY e.key;
  UPDATE effects SET ${SETTLE_VALUES.map((c, i) => `"${c}" = ${settled(i + 1)}`).join(', ')}
    WHERE "runId" = NEW.id AND id IN (SELECT json_extract(x.value, '$[0]') FROM json_each(NEW."journal", '$[2]') AS x);
  INSERT INTO audit_records (${quoted(AUDIT_VALUES)})
    SELECT ${at('a', AUDIT_VALUES).join(', ')} FROM json_each(NEW."journal", '$[3]') AS a ORDER BY a.key;
  UPDATE runs SET "journal" = NULL WHERE id = NEW.id;
END`;
}

function postgresFunction(): string {
  const step = STEP_VALUES.map((c, i) => (INTEGER.has(c) ? `(s ->> ${i})::integer` : `s ->> ${i}`));
  const event = EVENT_VALUES.map((_, i) => `e ->> ${i}`);
  const settle = SETTLE_VALUES.map((c, i) => `"${c}" = x ->> ${i + 1}`);
  const audit = AUDIT_VALUES.map((_, i) => `a ->> ${i}`);
  return `CREATE OR REPLACE FUNCTION run_journal_write() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE j json := NEW."journal"::json;
BEGIN
  INSERT INTO steps ("runId", ${quoted(STEP_VALUES)})
    SELECT NEW.id, ${step.join(', ')} FROM json_array_elements(j -> 0) AS s
    ON CONFLICT ("runId", "stepKey") DO UPDATE SET ${updates};
  INSERT INTO run_events ("runId", ${quoted(EVENT_VALUES)})
    SELECT NEW.id, ${event.join(', ')} FROM json_array_elements(j -> 1) WITH ORDINALITY AS y(e, n) ORDER BY n;
  IF json_array_length(j) > 2 THEN
    UPDATE effects SET ${settle.join(', ')} FROM json_array_elements(j -> 2) AS x
      WHERE effects."runId" = NEW.id AND effects.id = x ->> 0;
    INSERT INTO audit_records (${quoted(AUDIT_VALUES)})
      SELECT ${audit.join(', ')} FROM json_array_elements(j -> 3) WITH ORDINALITY AS z(a, n) ORDER BY n;
  END IF;
  NEW."journal" := NULL;
  RETURN NEW;
END
$body$`;
}

export class JournalSettles1765010200000 implements MigrationInterface {
  name = 'JournalSettles1765010200000';

  async up(q: QueryRunner): Promise<void> {
    if (q.connection.options.type === 'postgres') {
      await q.query(postgresFunction());
      return;
    }
    await q.query('DROP TRIGGER run_journal_write');
    await q.query(sqliteTrigger());
  }

  /** Back to the trigger before (a journal write it then gets must not carry settles). */
  async down(q: QueryRunner): Promise<void> {
    if (q.connection.options.type === 'postgres') {
      await q.query(before.postgresFunction().replace('CREATE FUNCTION', 'CREATE OR REPLACE FUNCTION'));
      return;
    }
    await q.query('DROP TRIGGER run_journal_write');
    await q.query(before.sqliteTrigger());
  }
}
