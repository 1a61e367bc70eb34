import { effective } from '@riposte/azure';
import type { ActionDefinition } from '../action-definition.js';
import { AccountInput, accountEntity, READ_ACCOUNT, READ_CONTAINERS } from './storage-input.js';

export interface StorageExposure {
  account: string;
  /** Anonymous read access to blobs can be turned on for containers. */
  allowBlobPublicAccess: boolean;
  /** Account keys and SAS signed with them work. */
  allowSharedKeyAccess: boolean;
  publicNetworkAccess: string;
  /** Allow: every network reaches the account; Deny: only the listed networks and IP ranges. */
  networkDefaultAction: string;
  /** Containers anonymous users can read (publicAccess Blob or Container). */
  publicContainers: { name: string; publicAccess: string }[];
  tags: Record<string, string>;
  /** Any of the above open. */
  exposed: boolean;
}

/** Reads how exposed a storage account is: the four settings a lock-down changes. */
export const getExposure: ActionDefinition<AccountInput, StorageExposure> = {
  id: 'storage.get_exposure',
  title: 'Get storage account exposure',
  description:
    'Reads public blob access, shared key access, the network default action and which containers anonymous users can read (Azure Resource Manager).',
  inputSchema: AccountInput,
  requiredRoles: [],
  requiredAzureOperations: [READ_ACCOUNT, READ_CONTAINERS],
  inverse: null,
  destructive: false,
  ledger: false,
  entity: (input) => accountEntity(input.account),
  async plan(input, { storage, target }) {
    const id = storage.accountId(target, input.account);
    return [
      storage.describe(target, storage.read(id)),
      storage.describe(target, { ...storage.read(id), path: `${id}/blobServices/default/containers` }),
    ];
  },
  async execute(input, { storage, target, signal }) {
    const id = storage.accountId(target, input.account);
    const account = await storage.getAccount(target, id, signal);
    const containers = await storage.listContainers(target, id, signal);
    const publicContainers = containers
      .filter((c) => c.properties.publicAccess && c.properties.publicAccess !== 'None')
      .map((c) => ({ name: c.name, publicAccess: c.properties.publicAccess as string }));
    const exposure = {
      account: account.id,
      allowBlobPublicAccess: effective.allowBlobPublicAccess(account),
      allowSharedKeyAccess: effective.allowSharedKeyAccess(account),
      publicNetworkAccess: effective.publicNetworkAccess(account),
      networkDefaultAction: effective.networkDefaultAction(account),
      publicContainers,
      tags: account.tags ?? {},
    };
    const open =
      exposure.allowBlobPublicAccess ||
      exposure.allowSharedKeyAccess ||
      (exposure.publicNetworkAccess === 'Enabled' && exposure.networkDefaultAction === 'Allow') ||
      publicContainers.length > 0;
    return { ...exposure, exposed: open };
  },
};
