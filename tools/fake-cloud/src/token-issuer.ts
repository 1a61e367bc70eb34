import { encodeToken } from './tokens.js';
import type { ResourceName, TokenClaims } from './types.js';

/** The Microsoft resource identifiers the fake also answers to, besides its own `<origin>/<service>` bases. */
const WELL_KNOWN_RESOURCES: Record<string, ResourceName> = {
  'https://graph.microsoft.com': 'graph',
  '00000003-0000-0000-c000-000000000000': 'graph',
  'https://api.securitycenter.microsoft.com': 'defender',
  'https://securitycenter.onmicrosoft.com/windowsatpservice': 'defender',
  'fc780465-2017-40d4-a0c5-307022471b92': 'defender',
  'https://management.azure.com': 'management',
  'https://management.core.windows.net': 'management',
  'https://monitor.azure.com': 'monitor',
};

const LOCAL_PATHS: Record<string, ResourceName> = {
  '/graph': 'graph',
  '/defender': 'defender',
  '/management': 'management',
  '/monitor': 'monitor',
};

export interface Principal {
  tenantId: string;
  appId: string;
  objectId: string;
  roles?: string[];
  /** Delegated (user) tokens: the user and the granted scopes. */
  user?: { id: string; upn: string };
  scopes?: string[];
}

/** Maps resource identifiers to the fake's services and mints its unsigned access tokens. */
export class TokenIssuer {
  private readonly localOrigins: Set<string>;

  constructor(
    readonly origin: string,
    private readonly lifetimeSeconds: number,
  ) {
    const port = new URL(origin).port;
    this.localOrigins = new Set([`https://127.0.0.1:${port}`, `https://localhost:${port}`]);
  }

  get lifetime(): number {
    return this.lifetimeSeconds;
  }

  /** `https://127.0.0.1:PORT/graph` (or `https://graph.microsoft.com`) → `graph`; anything else → undefined. */
  resourceOf = (identifier: string): ResourceName | undefined => {
    const trimmed = identifier.trim().replace(/\/+$/, '');
    const known = WELL_KNOWN_RESOURCES[trimmed.toLowerCase()];
    if (known) return known;
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      return undefined;
    }
    if (!this.localOrigins.has(url.origin) || url.search) return undefined;
    return LOCAL_PATHS[url.pathname.replace(/\/+$/, '')];
  };

  issue(principal: Principal, audience: string): { token: string; claims: TokenClaims; expiresOn: number } {
    const now = Math.floor(Date.now() / 1000);
    const claims: TokenClaims = {
      aud: audience.trim().replace(/\/+$/, ''),
      iss: `https://sts.windows.net/${principal.tenantId}/`,
      tid: principal.tenantId,
      appid: principal.appId,
      azp: principal.appId,
      oid: principal.user?.id ?? principal.objectId,
      sub: principal.user?.id ?? principal.objectId,
      iat: now,
      nbf: now,
      exp: now + this.lifetimeSeconds,
    };
    if (principal.user) {
      claims.scp = (principal.scopes ?? []).join(' ');
      claims.upn = principal.user.upn;
      claims.idtyp = 'user';
    } else {
      claims.roles = principal.roles ?? [];
      claims.idtyp = 'app';
    }
    return { token: encodeToken(claims), claims, expiresOn: claims.exp };
  }
}
