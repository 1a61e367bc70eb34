import Type, { type TSchema } from 'typebox';
import { effective, type StorageAccount } from '@riposte/azure';
import type { ActionContext, ActionDefinition } from '../action-definition.js';
import { AccountInput, accountEntity, READ_ACCOUNT, WRITE_ACCOUNT } from './storage-input.js';

type Value = boolean | string;

/** One account-level setting a lock-down changes, and how to read and write it. */
interface AccountSetting<V extends Value> {
  /** The lock-down and its inverse (the restore). */
  lockId: string;
  restoreId: string;
  lockTitle: string;
  restoreTitle: string;
  lockDescription: string;
  /** What the setting is called in outputs and restore inputs. */
  name: string;
  locked: V;
  valueSchema: TSchema;
  read(account: StorageAccount): V;
  /** The PATCH properties that set it (networkAcls goes whole: the rest of it is kept as read). */
  write(value: V, account: StorageAccount): Partial<StorageAccount['properties']>;
}

export interface SettingOutput {
  account: string;
  setting: string;
  /** The value before this action: the restore sets exactly this back. */
  previous: Value;
  value: Value;
  /** False when it already had the value (nothing was sent). */
  changed: boolean;
}

interface RestoreInput {
  account: string;
  value: Value;
}

/**
 * A lock-down (set the safe value) and its restore (set a given value back), both through the
 * effect ledger: the previous value is read and recorded with the intent *before* the PATCH, so
 * after a crash the output still says what to restore; a PATCH that may have landed is checked
 * against the account before anything is sent again.
 */
export function accountSettingActions<V extends Value>(
  setting: AccountSetting<V>,
): [ActionDefinition<{ account: string }, SettingOutput>, ActionDefinition<RestoreInput, SettingOutput>] {
  const set = (desired: (input: { account: string; value?: Value }) => V) => ({
    requiredRoles: [],
    requiredAzureOperations: [READ_ACCOUNT, WRITE_ACCOUNT],
    destructive: true,
    ledger: true,
    entity: (input: { account: string }) => accountEntity(input.account),
    async plan(input: { account: string; value?: Value }, { storage, target, signal }: ActionContext) {
      const id = storage.accountId(target, input.account);
      const account = await storage.getAccount(target, id, signal);
      return [
        storage.describe(target, storage.read(id)),
        storage.describe(target, storage.updateAccount(id, setting.write(desired(input), account))),
      ];
    },
    async execute(input: { account: string; value?: Value }, context: ActionContext): Promise<SettingOutput> {
      const { storage, target, signal } = context;
      const id = storage.accountId(target, input.account);
      const account = await storage.getAccount(target, id, signal);
      const previous = setting.read(account);
      const value = desired(input);
      if (previous === value) return { account: account.id, setting: setting.name, previous, value, changed: false };
      await context.recordReference(JSON.stringify({ previous }));
      await storage.send(target, storage.updateAccount(id, setting.write(value, account)), signal);
      return { account: account.id, setting: setting.name, previous, value, changed: true };
    },
    async reconcile(input: { account: string; value?: Value }, { storage, target, signal }: ActionContext) {
      // No reference: the intent was written but the previous value never was, so no PATCH left.
      const account = await storage.getAccount(target, storage.accountId(target, input.account), signal);
      const value = desired(input);
      return setting.read(account) === value
        ? {
            state: 'applied' as const,
            output: { account: account.id, setting: setting.name, previous: value, value, changed: false },
          }
        : { state: 'not_applied' as const };
    },
    async resume(
      input: { account: string; value?: Value },
      reference: string,
      { storage, target, signal }: ActionContext,
    ): Promise<SettingOutput> {
      const { previous } = JSON.parse(reference) as { previous: Value };
      const id = storage.accountId(target, input.account);
      const account = await storage.getAccount(target, id, signal);
      const value = desired(input);
      // The PATCH is absolute: sending it again when it did not land changes nothing else.
      if (setting.read(account) !== value)
        await storage.send(target, storage.updateAccount(id, setting.write(value, account)), signal);
      return { account: account.id, setting: setting.name, previous, value, changed: true };
    },
  });

  const lock: ActionDefinition<{ account: string }, SettingOutput> = {
    id: setting.lockId,
    title: setting.lockTitle,
    description: `${setting.lockDescription} Records the previous value; ${setting.restoreId} sets it back.`,
    inputSchema: AccountInput,
    inverse: setting.restoreId,
    ...set(() => setting.locked),
    inverseInput: (_input, output) => ({ account: output.account, value: output.previous }),
  };
  const restore: ActionDefinition<RestoreInput, SettingOutput> = {
    id: setting.restoreId,
    title: setting.restoreTitle,
    description: `Sets ${setting.name} back to a recorded value (the previous value in the output of ${setting.lockId}).`,
    inputSchema: Type.Object(
      { account: AccountInput.properties.account, value: setting.valueSchema },
      { additionalProperties: false },
    ),
    inverse: setting.lockId,
    ...set((input) => input.value as V),
    inverseInput: (input) => ({ account: input.account }),
  };
  return [lock, restore];
}

export const [blockPublicBlobAccess, restorePublicBlobAccess] = accountSettingActions<boolean>({
  lockId: 'storage.block_public_blob_access',
  restoreId: 'storage.restore_public_blob_access',
  lockTitle: 'Block public blob access',
  restoreTitle: 'Restore public blob access',
  lockDescription:
    'Sets allowBlobPublicAccess to false on the storage account: no container can be read anonymously, whatever its own access level.',
  name: 'allowBlobPublicAccess',
  locked: false,
  valueSchema: Type.Boolean(),
  read: effective.allowBlobPublicAccess,
  write: (value) => ({ allowBlobPublicAccess: value }),
});

export const [disableSharedKeyAccess, restoreSharedKeyAccess] = accountSettingActions<boolean>({
  lockId: 'storage.disable_shared_key_access',
  restoreId: 'storage.restore_shared_key_access',
  lockTitle: 'Disable shared key access',
  restoreTitle: 'Restore shared key access',
  lockDescription:
    'Sets allowSharedKeyAccess to false: account keys and SAS tokens signed with them stop working (Entra ID sign-in still works). Applications that use keys break.',
  name: 'allowSharedKeyAccess',
  locked: false,
  valueSchema: Type.Boolean(),
  read: effective.allowSharedKeyAccess,
  write: (value) => ({ allowSharedKeyAccess: value }),
});

export const [restrictNetwork, restoreNetwork] = accountSettingActions<string>({
  lockId: 'storage.restrict_network',
  restoreId: 'storage.restore_network',
  lockTitle: 'Restrict network access to selected networks',
  restoreTitle: 'Restore network access',
  lockDescription:
    "Sets the network rules' default action to Deny: only the virtual networks and IP ranges already listed (and trusted Azure services, as configured) reach the account.",
  name: 'networkDefaultAction',
  locked: 'Deny',
  valueSchema: Type.Enum(['Allow', 'Deny']),
  read: effective.networkDefaultAction,
  write: (value, account) => ({
    networkAcls: {
      ...(account.properties.networkAcls ?? { bypass: 'AzureServices' }),
      defaultAction: value as 'Allow' | 'Deny',
    },
  }),
});
