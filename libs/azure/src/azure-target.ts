import type { CloudEndpoints, CloudName, CloudScopes } from './clouds.js';

/**
 * Where a delegated target's msal token cache (refresh tokens included) is kept. The cache is
 * plaintext only while it passes through here; the store encrypts it.
 */
export interface DelegatedSession {
  loadCache(): Promise<string | null>;
  saveCache(serialized: string): Promise<void>;
  /** A person must sign in again; `reason` says why, in words. The cache is dropped. */
  signInRequired(reason: string): Promise<void>;
  /** Why a sign-in is needed, when it is. */
  signInRequiredReason(): Promise<string | null>;
}

/**
 * Queue mode: where an app's msal token cache (access tokens only, for one connection target,
 * credential version and resource) is shared by the processes of a cluster, so that they ask
 * Entra ID for one token rather than one each. The store encrypts it.
 */
export interface SharedTokenCacheStore {
  load(): Promise<string | null>;
  save(serialized: string): Promise<void>;
}

export type AzureCredential =
  | { type: 'clientSecret'; clientSecret: string }
  | { type: 'clientCertificate'; certificatePem: string; privateKeyPem: string; thumbprintSha256: string }
  | { type: 'managedIdentity'; clientId: string | null }
  /** A person signs in through a browser; the app proves itself with its secret (a web app). */
  | { type: 'authorizationCode'; clientSecret: string; session: DelegatedSession }
  /** A person signs in with a code on another device; the app is a public client (no secret). */
  | { type: 'deviceCode'; session: DelegatedSession };

export type DelegatedCredential = Extract<AzureCredential, { type: 'authorizationCode' | 'deviceCode' }>;

export function isDelegated(credential: AzureCredential): credential is DelegatedCredential {
  return credential.type === 'authorizationCode' || credential.type === 'deviceCode';
}

/** Everything the Azure clients need to call Azure for one connection target, credential decrypted. */
export interface AzureTarget {
  id: string;
  name: string;
  tenantId: string;
  clientId: string | null;
  cloud: CloudName;
  endpoints: CloudEndpoints;
  scopes: CloudScopes;
  /** Changes whenever the credential does: cached tokens of an older version are dropped. */
  credentialVersion: number;
  credential: AzureCredential;
  /** Queue mode, app credentials (secret, certificate): the msal token cache of a resource, shared by the cluster. */
  sharedTokenCache?: (resource: string) => SharedTokenCacheStore;
  /** Azure Resource Manager settings: where the storage accounts and other resources live. */
  subscriptionId?: string | null;
  resourceGroup?: string | null;
}
