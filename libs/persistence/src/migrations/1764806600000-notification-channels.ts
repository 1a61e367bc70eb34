import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/** Notification channels (see NotificationChannelEntity). */
export class NotificationChannels1764806600000 implements MigrationInterface {
  name = 'NotificationChannels1764806600000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'notification_channels',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'name', type: 'varchar', length: '63' },
          { name: 'kind', type: 'varchar', length: '16' },
          { name: 'settings', type: 'text', isNullable: true },
          { name: 'secretCiphertext', type: 'text', isNullable: true },
          { name: 'createdAt', type: 'varchar', length: '32' },
          { name: 'updatedAt', type: 'varchar', length: '32' },
        ],
        uniques: [{ name: 'uq_notification_channels_name', columnNames: ['name'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('notification_channels');
  }
}
