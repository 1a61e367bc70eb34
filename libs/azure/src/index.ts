export {
  CLOUDS,
  RESOURCES,
  type CloudName,
  type ResourceName,
  type CloudEndpoints,
  type CloudScopes,
  type CustomCloud,
  resolveCloud,
} from './clouds.js';
export {
  type AzureTarget,
  type AzureCredential,
  type SharedTokenCacheStore,
  type DelegatedCredential,
  type DelegatedSession,
  isDelegated,
} from './azure-target.js';
export { AzureError, type AzureErrorCode, type AzureService } from './azure-error.js';
export { refuseEndpointUrl, refuseAddress, guardedLookup, type EndpointPolicy } from './endpoint-policy.js';
export { parseRetryAfter, backoffDelay, isRetryable } from './retry-policy.js';
export { AzureHttp, IN_CALL_WAIT_MS, type AzureCall, type AzureReply, type HttpMethod } from './azure-http.js';
export { TokenProvider, type AccessToken } from './token-provider.js';
export { grantedRoles, grantedScopes, readClaims } from './jwt-claims.js';
export {
  StorageClient,
  STORAGE_API_VERSION,
  effective,
  type StorageAccount,
  type BlobContainer,
  type PublicAccessLevel,
  type NetworkDefaultAction,
  type NetworkAcls,
} from './storage.client.js';
export { ArmClient, type ArmRequest, type AzureRoleGrant, rolesAllow } from './arm.client.js';
export { GraphClient, type GraphUser, type GraphRequest, userPath } from './graph.client.js';
export { GraphBatcher, MAX_BATCH } from './graph-batcher.js';
export {
  DefenderClient,
  CheckLater,
  type Machine,
  type MachineAction,
  type MachineActionStatus,
  type DefenderRequest,
  type DefenderApi,
  TERMINAL_ACTION_STATUSES,
} from './defender.client.js';
export { DelegatedAuth, type SignedIn, signInAgainReason } from './delegated-auth.js';
export { DeviceCodeClient, type DeviceCodeGrant, type DeviceCodePoll } from './device-code.client.js';
export { AzureModule } from './azure.module.js';
