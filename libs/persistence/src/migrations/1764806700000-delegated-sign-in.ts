import { type MigrationInterface, type QueryRunner, Table, TableColumn, type TableColumnOptions } from 'typeorm';

const text = (name: string, length: number, nullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});
const time = (name: string, nullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: '32',
  isNullable: nullable,
});

/** Delegated connection targets (a person signs in) and Azure Resource Manager settings on every target. */
export class DelegatedSignIn1764806700000 implements MigrationInterface {
  name = 'DelegatedSignIn1764806700000';

  async up(q: QueryRunner): Promise<void> {
    await q.addColumns('connection_targets', [
      new TableColumn(text('subscriptionId', 36, true)),
      new TableColumn(text('resourceGroup', 90, true)),
    ]);
    await q.createTable(
      new Table({
        name: 'delegated_sessions',
        columns: [
          { ...text('connectionTargetId', 36), isPrimary: true },
          { name: 'tokenCacheCiphertext', type: 'text', isNullable: true },
          text('username', 200, true),
          text('displayName', 200, true),
          { name: 'scopes', type: 'text', isNullable: true },
          time('signedInAt', true),
          text('signedInBy', 200, true),
          text('signInRequiredReason', 1000, true),
          time('signInRequiredAt', true),
          time('updatedAt'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'sign_in_requests',
        columns: [
          { ...text('id', 36), isPrimary: true },
          text('connectionTargetId', 36),
          text('flow', 32),
          text('stateHash', 64, true),
          { name: 'secretCiphertext', type: 'text' },
          text('requestedBy', 200),
          { name: 'detail', type: 'text', isNullable: true },
          time('expiresAt'),
          time('createdAt'),
        ],
        uniques: [{ name: 'uq_sign_in_requests_state', columnNames: ['stateHash'] }],
        indices: [{ name: 'idx_sign_in_requests_target', columnNames: ['connectionTargetId'] }],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('sign_in_requests');
    await q.dropTable('delegated_sessions');
    await q.dropColumn('connection_targets', 'resourceGroup');
    await q.dropColumn('connection_targets', 'subscriptionId');
  }
}
