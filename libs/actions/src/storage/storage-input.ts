import Type, { type Static } from 'typebox';

const Account = Type.String({
  minLength: 3,
  maxLength: 300,
  description:
    "The storage account's name (in the connection target's subscription and resource group) or its full resource id (/subscriptions/…/providers/Microsoft.Storage/storageAccounts/…), as alerts give it.",
});

export const AccountInput = Type.Object({ account: Account }, { additionalProperties: false });
export type AccountInput = Static<typeof AccountInput>;

export const ContainerInput = Type.Object(
  {
    account: Account,
    container: Type.String({
      minLength: 3,
      maxLength: 63,
      pattern: '^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$',
      description: 'The blob container name.',
    }),
  },
  { additionalProperties: false },
);
export type ContainerInput = Static<typeof ContainerInput>;

/** ARM operations (Azure RBAC) the storage actions perform. */
export const READ_ACCOUNT = 'Microsoft.Storage/storageAccounts/read';
export const WRITE_ACCOUNT = 'Microsoft.Storage/storageAccounts/write';
export const READ_CONTAINERS = 'Microsoft.Storage/storageAccounts/blobServices/containers/read';
export const WRITE_CONTAINERS = 'Microsoft.Storage/storageAccounts/blobServices/containers/write';

/** The entity storage actions act on, for audit, the ledger and guardrails: `azure:<resource id>`. */
export function accountEntity(account: string): string {
  return `azure:${account.toLowerCase()}`;
}
