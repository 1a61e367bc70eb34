export { ROLES, type Role, type Principal, SYSTEM_PRINCIPAL, roleAllows } from './roles.js';
export { ApiKeysService, generateKey, type ApiKeyView, type CreatedApiKey } from './api-keys.service.js';
export { AuthModule } from './auth.module.js';
export { OidcVerifier } from './oidc-verifier.js';
