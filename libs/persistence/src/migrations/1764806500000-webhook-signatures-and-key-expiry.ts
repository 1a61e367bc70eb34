import { type MigrationInterface, type QueryRunner, Table, TableColumn } from 'typeorm';

/** Accepted webhook signatures survive a restart; API keys may carry an expiry. */
export class WebhookSignaturesAndKeyExpiry1764806500000 implements MigrationInterface {
  name = 'WebhookSignaturesAndKeyExpiry1764806500000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'webhook_signatures',
        columns: [
          { name: 'signatureHash', type: 'varchar', length: '64', isPrimary: true },
          { name: 'receivedAt', type: 'varchar', length: '32' },
        ],
        indices: [{ name: 'idx_webhook_signatures_received', columnNames: ['receivedAt'] }],
      }),
    );
    await q.addColumn(
      'api_keys',
      new TableColumn({ name: 'expiresAt', type: 'varchar', length: '32', isNullable: true }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropColumn('api_keys', 'expiresAt');
    await q.dropTable('webhook_signatures');
  }
}
