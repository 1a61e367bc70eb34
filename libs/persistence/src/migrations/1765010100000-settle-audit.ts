import type { MigrationInterface, QueryRunner } from 'typeorm';

/*
 * `effects.audit`: the settle of an effect carries its audit record (the row's values as a JSON
 * array, in the order of AUDIT_VALUES); a trigger appends it to `audit_records` within the same
 * statement and clears the column. A settle its claim fence refuses matches no row: no record.
 * The record's content and hash chain are computed by the audit log as before.
 */
export const AUDIT_VALUES = [
  'id',
  'at',
  'actor',
  'actorRole',
  'action',
  'result',
  'targetEntity',
  'connectionTarget',
  'runId',
  'requestId',
  'detail',
  'prevHash',
  'hash',
];
const columns = AUDIT_VALUES.map((c) => `"${c}"`).join(', ');

export class SettleAudit1765010100000 implements MigrationInterface {
  name = 'SettleAudit1765010100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE effects ADD COLUMN "audit" text NULL');
    if (q.connection.options.type === 'postgres') {
      const values = AUDIT_VALUES.map((_, i) => `a ->> ${i}`).join(', ');
      await q.query(`CREATE FUNCTION effect_settle_audit() RETURNS trigger LANGUAGE plpgsql AS $body$
DECLARE a json := NEW."audit"::json;
BEGIN
  INSERT INTO audit_records (${columns}) VALUES (${values});
  NEW."audit" := NULL;
  RETURN NEW;
END
$body$`);
      await q.query(
        `CREATE TRIGGER effect_settle_audit BEFORE UPDATE OF "audit" ON effects FOR EACH ROW
  WHEN (NEW."audit" IS NOT NULL) EXECUTE FUNCTION effect_settle_audit()`,
      );
      return;
    }
    const values = AUDIT_VALUES.map((_, i) => `json_extract(NEW."audit", '$[${i}]')`).join(', ');
    await q.query(`CREATE TRIGGER effect_settle_audit AFTER UPDATE OF "audit" ON effects WHEN NEW."audit" IS NOT NULL BEGIN
  INSERT INTO audit_records (${columns}) VALUES (${values});
  UPDATE effects SET "audit" = NULL WHERE id = NEW.id;
END`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TRIGGER effect_settle_audit' + (q.connection.options.type === 'postgres' ? ' ON effects' : ''));
    if (q.connection.options.type === 'postgres') await q.query('DROP FUNCTION effect_settle_audit()');
    await q.query('ALTER TABLE effects DROP COLUMN "audit"');
  }
}
