import { randomUUID } from 'node:crypto';
import type { AppRegistration, GraphUser } from './model.js';
import type { TenantData } from './state.js';
import type { UserSignIn } from './user-sign-in.js';

const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

/** Which app registration a request's scopes are for, when they name one that exposes an API. */
export type ApiScopes = { api: AppRegistration; scp: string[] } | 'mixed' | undefined;

/**
 * `api://riposte/access_as_user` or `{clientId}/access_as_user` name an app of the tenant that
 * exposes an API (its Application ID URI or its client id). One resource per request, as at Entra.
 */
export function apiScopes(tenant: TenantData, scopes: string[]): ApiScopes {
  let api: AppRegistration | undefined;
  const scp: string[] = [];
  let others = 0;
  for (const scope of scopes.filter((s) => !OIDC_SCOPES.has(s))) {
    const slash = scope.lastIndexOf('/');
    const base = slash > 0 ? scope.slice(0, slash).toLowerCase() : '';
    const found = [...tenant.apps.values()].find(
      (a) => a.identifierUris.some((u) => u.toLowerCase() === base) || a.clientId === base,
    );
    if (!found || (api && found !== api)) {
      others += 1;
      continue;
    }
    api = found;
    if (scope.slice(slash + 1) !== '.default') scp.push(scope.slice(slash + 1));
  }
  if (!api) return undefined;
  return others ? 'mixed' : { api, scp };
}

export interface ApiTokenInput {
  tenant: TenantData;
  user: GraphUser;
  /** The client that signed the person in (the console's SPA registration). */
  clientId: string;
  api: AppRegistration;
  scp: string[];
  /** `https://{host}` the client used: issuer of both tokens. */
  origin: string;
  lifetimeSeconds: number;
  nonce?: string;
}

/**
 * A v2.0 access token for the API (audience its client id, the user's app roles in `roles`) and
 * an ID token for the client, both RS256-signed with the key the tenant's JWKS publishes.
 */
export function apiTokens(signer: UserSignIn, input: ApiTokenInput): { accessToken: string; idToken: string } {
  const { tenant, user } = input;
  const now = Math.floor(Date.now() / 1000);
  const iss = `${input.origin}/${tenant.id}/v2.0`;
  const roles = input.api.userRoles[user.id];
  const person = {
    iss,
    iat: now,
    nbf: now,
    exp: now + input.lifetimeSeconds,
    name: user.displayName,
    oid: user.id,
    preferred_username: user.userPrincipalName,
    sub: user.id,
    tid: tenant.id,
    ver: '2.0',
  };
  const accessToken = signer.sign({
    ...person,
    aud: input.api.clientId,
    azp: input.clientId,
    // 0: a public client (an SPA proves nothing but PKCE).
    azpacr: '0',
    scp: input.scp.join(' '),
    // Entra leaves the claim out when no role is assigned.
    ...(roles?.length ? { roles } : {}),
    uti: randomUUID().replaceAll('-', ''),
  });
  const idToken = signer.sign({
    ...person,
    aud: input.clientId,
    ...(input.nonce ? { nonce: input.nonce } : {}),
  });
  return { accessToken, idToken };
}
