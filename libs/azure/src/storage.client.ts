import { Injectable } from '@nestjs/common';
import { AzureError } from './azure-error.js';
import { ArmClient, type ArmRequest } from './arm.client.js';
import type { AzureReply } from './azure-http.js';
import type { AzureTarget } from './azure-target.js';

/** The Microsoft.Storage API version every call uses (properties used here exist since 2019; this one is GA). */
export const STORAGE_API_VERSION = '2023-05-01';

export type PublicAccessLevel = 'None' | 'Blob' | 'Container';
export type NetworkDefaultAction = 'Allow' | 'Deny';

export interface NetworkAcls {
  bypass?: string;
  defaultAction: NetworkDefaultAction;
  ipRules?: unknown[];
  virtualNetworkRules?: unknown[];
  resourceAccessRules?: unknown[];
}

export interface StorageAccount {
  id: string;
  name: string;
  location?: string;
  tags?: Record<string, string>;
  properties: {
    /** Absent on accounts that never set it (see `effective`). */
    allowBlobPublicAccess?: boolean;
    allowSharedKeyAccess?: boolean | null;
    publicNetworkAccess?: 'Enabled' | 'Disabled' | 'SecuredByPerimeter';
    networkAcls?: NetworkAcls;
  };
}

export interface BlobContainer {
  id: string;
  name: string;
  properties: { publicAccess?: PublicAccessLevel };
}

const ACCOUNT_ID =
  /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[-\w._()]+\/providers\/Microsoft\.Storage\/storageAccounts\/[a-z0-9]{3,24}$/i;
const ACCOUNT_NAME = /^[a-z0-9]{3,24}$/;

/**
 * Azure Storage accounts and blob containers through Azure Resource Manager (the control plane:
 * no storage keys, no data access). An account is named by its full resource id, or by its name
 * in the connection target's subscription and resource group.
 */
@Injectable()
export class StorageClient {
  constructor(private readonly arm: ArmClient) {}

  accountId(target: AzureTarget, account: string): string {
    if (account.startsWith('/')) {
      if (!ACCOUNT_ID.test(account))
        throw new AzureError(
          'bad_request',
          `'${account}' is not a storage account resource id (/subscriptions/{id}/resourceGroups/{name}/providers/Microsoft.Storage/storageAccounts/{name}).`,
          { service: 'management' },
        );
      return account;
    }
    if (!ACCOUNT_NAME.test(account))
      throw new AzureError(
        'bad_request',
        `'${account}' is not a storage account name (3 to 24 lower-case letters and digits) or resource id.`,
        { service: 'management' },
      );
    return `${this.arm.resourceGroupScope(target)}/providers/Microsoft.Storage/storageAccounts/${account}`;
  }

  async getAccount(target: AzureTarget, id: string, signal?: AbortSignal): Promise<StorageAccount> {
    return (await this.arm.send<StorageAccount>(target, this.read(id), signal)).data;
  }

  /** PATCH with only the properties given (networkAcls is replaced as a whole by ARM: send all of it). */
  updateAccount(id: string, properties: Partial<StorageAccount['properties']>): ArmRequest {
    return {
      method: 'PATCH',
      path: id,
      apiVersion: STORAGE_API_VERSION,
      body: { properties },
      idempotent: true,
      notFound: 'storage_account_not_found',
      what: `storage account ${nameOf(id)}`,
    };
  }

  read(id: string): ArmRequest {
    return {
      method: 'GET',
      path: id,
      apiVersion: STORAGE_API_VERSION,
      idempotent: true,
      notFound: 'storage_account_not_found',
      what: `storage account ${nameOf(id)}`,
    };
  }

  async listContainers(target: AzureTarget, id: string, signal?: AbortSignal): Promise<BlobContainer[]> {
    const reply = await this.arm.send<{ value?: BlobContainer[] }>(
      target,
      {
        method: 'GET',
        path: `${id}/blobServices/default/containers`,
        apiVersion: STORAGE_API_VERSION,
        idempotent: true,
        notFound: 'storage_account_not_found',
        what: `containers of ${nameOf(id)}`,
      },
      signal,
    );
    return reply.data?.value ?? [];
  }

  async getContainer(target: AzureTarget, id: string, container: string, signal?: AbortSignal): Promise<BlobContainer> {
    return (await this.arm.send<BlobContainer>(target, this.readContainer(id, container), signal)).data;
  }

  readContainer(id: string, container: string): ArmRequest {
    return {
      method: 'GET',
      path: containerPath(id, container),
      apiVersion: STORAGE_API_VERSION,
      idempotent: true,
      notFound: 'container_not_found',
      what: `container ${container} of ${nameOf(id)}`,
    };
  }

  updateContainer(id: string, container: string, publicAccess: PublicAccessLevel): ArmRequest {
    return {
      method: 'PATCH',
      path: containerPath(id, container),
      apiVersion: STORAGE_API_VERSION,
      body: { properties: { publicAccess } },
      idempotent: true,
      notFound: 'container_not_found',
      what: `container ${container} of ${nameOf(id)}`,
    };
  }

  describe(target: AzureTarget, request: ArmRequest) {
    return this.arm.describe(target, request);
  }

  send<T>(target: AzureTarget, request: ArmRequest, signal?: AbortSignal): Promise<AzureReply<T>> {
    return this.arm.send<T>(target, request, signal);
  }
}

/**
 * What a property means when the account does not set it: shared key access is allowed (null
 * means true); anonymous blob access is not allowed on accounts that never set it (the service
 * default since API version 2023-01-01); network access is open to all networks.
 */
export const effective = {
  allowBlobPublicAccess: (a: StorageAccount) => a.properties.allowBlobPublicAccess ?? false,
  allowSharedKeyAccess: (a: StorageAccount) => a.properties.allowSharedKeyAccess ?? true,
  networkDefaultAction: (a: StorageAccount): NetworkDefaultAction => a.properties.networkAcls?.defaultAction ?? 'Allow',
  publicNetworkAccess: (a: StorageAccount) => a.properties.publicNetworkAccess ?? 'Enabled',
};

function containerPath(id: string, container: string): string {
  return `${id}/blobServices/default/containers/${encodeURIComponent(container)}`;
}

function nameOf(id: string): string {
  return id.split('/').at(-1) ?? id;
}
