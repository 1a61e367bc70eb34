import type { CloudEndpoints, CloudName, CloudScopes } from './clouds.js';

export type AzureCredential =
  | { type: 'clientSecret'; clientSecret: string }
  | { type: 'clientCertificate'; certificatePem: string; privateKeyPem: string; thumbprintSha256: string }
  | { type: 'managedIdentity'; clientId: string | null };

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
}
