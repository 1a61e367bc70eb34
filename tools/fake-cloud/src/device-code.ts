import { randomBytes, randomInt } from 'node:crypto';
import { aadsts } from './aadsts.js';
import { apiScopes, apiTokens } from './api-tokens.js';
import type { GraphUser } from './model.js';
import { json } from './router.js';
import type { TenantData } from './state.js';
import type { TokenIssuer } from './token-issuer.js';
import type { UserSignIn } from './user-sign-in.js';
import { encodeToken } from './tokens.js';
import type { FakeRequest, FakeResponse, ResourceName, TokenClaims } from './types.js';

const OIDC_SCOPES = new Set(['openid', 'profile', 'offline_access', 'email']);

interface DeviceCode {
  deviceCode: string;
  userCode: string;
  tenantId: string;
  clientId: string;
  scopes: string[];
  expiresAt: number;
  state: 'pending' | 'approved' | 'declined';
  userId?: string;
}

export interface Session {
  tenantId: string;
  clientId: string;
  userId: string;
  scopes: string[];
  /** From the authorize request, echoed in the first ID token only. */
  nonce?: string;
  /** Signed in through a Single-page application redirect URI: refresh tokens last 24 hours. */
  spa?: boolean;
}

/** Entra gives an SPA's refresh tokens a fixed 24-hour life. */
const SPA_REFRESH_SECONDS = 24 * 3600;

export interface DeviceCodeOptions {
  /** Seconds msal waits between polls (Entra sends 5). */
  intervalSeconds: number;
  expiresInSeconds: number;
}

/** Why a refresh token stopped working (what `revokeSignIns`, `withdrawConsent` and `expireRefreshTokens` simulate). */
type Invalidation = 'revoked' | 'consent_withdrawn' | 'expired';

/** The device code flow (and refresh tokens for the user tokens it yields). A test approves codes from code. */
export class DeviceCodeFlow {
  private readonly codes = new Map<string, DeviceCode>();
  private readonly byUserCode = new Map<string, DeviceCode>();
  private readonly sessions = new Map<string, Session>();
  /** Refresh tokens that no longer work, and why. */
  private readonly invalidated = new Map<string, Invalidation>();
  /** The next polls answered `slow_down` (RFC 8628 §3.5), however patient the client is. */
  private slowDowns = 0;

  constructor(
    private readonly issuer: TokenIssuer,
    private readonly options: DeviceCodeOptions,
    private readonly userSignIn: UserSignIn,
  ) {}

  clear(): void {
    this.codes.clear();
    this.byUserCode.clear();
    this.sessions.clear();
    this.invalidated.clear();
    this.slowDowns = 0;
  }

  /** The next `count` device code polls answer `slow_down`. */
  slowDown(count: number): void {
    this.slowDowns = count;
  }

  /** Refresh tokens of this user (every app) stop working, as after "Revoke sessions". */
  revokeUser(userId: string): number {
    return this.invalidate((s) => s.userId === userId.toLowerCase(), 'revoked');
  }

  /** Refresh tokens of this app stop working, as when consent is withdrawn. */
  withdrawConsent(clientId: string): number {
    return this.invalidate((s) => s.clientId === clientId.toLowerCase(), 'consent_withdrawn');
  }

  /** Every refresh token expires (as after 90 days of inactivity). */
  expireRefreshTokens(): number {
    return this.invalidate(() => true, 'expired');
  }

  private invalidate(match: (session: Session) => boolean, why: Invalidation): number {
    let count = 0;
    for (const [token, session] of this.sessions) {
      if (!match(session)) continue;
      this.sessions.delete(token);
      this.invalidated.set(token, why);
      count += 1;
    }
    return count;
  }

  /** `POST /{tenant}/oauth2/v2.0/devicecode`. */
  start(req: FakeRequest, tenant: TenantData, form: URLSearchParams, origin: string): FakeResponse {
    const clientId = form.get('client_id');
    if (!clientId) return aadsts.missingParameter('client_id', req);
    if (!tenant.apps.has(clientId.toLowerCase())) return aadsts.unknownApp(clientId, tenant.displayName, req);
    const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
    if (!scopes.length) return aadsts.missingParameter('scope', req);
    const letters = 'BCDFGHJKLMNPQRSTVWXZ23456789';
    const userCode = Array.from({ length: 9 }, () => letters[randomInt(letters.length)]).join('');
    const entry: DeviceCode = {
      deviceCode: randomBytes(32).toString('base64url'),
      userCode,
      tenantId: tenant.id,
      clientId: clientId.toLowerCase(),
      scopes,
      expiresAt: Date.now() + this.options.expiresInSeconds * 1000,
      state: 'pending',
    };
    this.codes.set(entry.deviceCode, entry);
    this.byUserCode.set(userCode, entry);
    const verificationUri = `${origin}/devicelogin`;
    return json(200, {
      user_code: userCode,
      device_code: entry.deviceCode,
      verification_uri: verificationUri,
      expires_in: this.options.expiresInSeconds,
      interval: this.options.intervalSeconds,
      message: `To sign in, use a web browser to open the page ${verificationUri} and enter the code ${userCode} to authenticate.`,
    });
  }

  /** The tenant a user code was issued in. */
  tenantOf(userCode: string): string | undefined {
    return this.byUserCode.get(userCode.toUpperCase())?.tenantId;
  }

  /** Signs the user in for a pending code; returns false when the code is unknown. */
  approve(userCode: string, user: GraphUser): boolean {
    const entry = this.byUserCode.get(userCode.toUpperCase());
    if (!entry) return false;
    entry.state = 'approved';
    entry.userId = user.id;
    return true;
  }

  decline(userCode: string): boolean {
    const entry = this.byUserCode.get(userCode.toUpperCase());
    if (!entry) return false;
    entry.state = 'declined';
    return true;
  }

  /** Pending user codes, newest last (for tests and the control API). */
  pendingUserCodes(): string[] {
    return [...this.byUserCode.values()].filter((e) => e.state === 'pending').map((e) => e.userCode);
  }

  /** `grant_type=device_code` (msal's spelling) or the URN. */
  redeem(req: FakeRequest, tenant: TenantData, form: URLSearchParams, origin: string): FakeResponse {
    const code = form.get('device_code');
    if (!code) return aadsts.missingParameter('device_code', req);
    const entry = this.codes.get(code);
    if (!entry || entry.tenantId !== tenant.id || entry.clientId !== (form.get('client_id') ?? '').toLowerCase()) {
      return aadsts.badVerificationCode(req);
    }
    if (Date.now() > entry.expiresAt) return aadsts.expiredToken(req);
    if (entry.state === 'declined') return aadsts.authorizationDeclined(req);
    // RFC 8628 §3.5: the client must add 5 s to its interval. Entra itself rarely says it, so only when a test asks.
    if (this.slowDowns > 0) {
      this.slowDowns -= 1;
      return aadsts.slowDown(req);
    }
    if (entry.state === 'pending') return aadsts.authorizationPending(req);
    this.codes.delete(code);
    this.byUserCode.delete(entry.userCode);
    return this.userTokens(
      req,
      tenant,
      { tenantId: tenant.id, clientId: entry.clientId, userId: entry.userId!, scopes: entry.scopes },
      origin,
    );
  }

  /** `grant_type=refresh_token`. */
  refresh(req: FakeRequest, tenant: TenantData, form: URLSearchParams, origin: string): FakeResponse {
    const token = form.get('refresh_token') ?? '';
    const why = this.invalidated.get(token);
    if (why === 'revoked') return aadsts.refreshTokenRevoked(req);
    if (why === 'consent_withdrawn') return aadsts.consentRequired(req);
    if (why === 'expired') return aadsts.refreshTokenExpired(req);
    const session = this.sessions.get(token);
    if (!session || session.tenantId !== tenant.id) return aadsts.invalidGrant(req);
    const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
    return this.userTokens(req, tenant, { ...session, scopes: scopes.length ? scopes : session.scopes }, origin);
  }

  /** The tokens a signed-in person gets (also for the authorization code flow). */
  userTokens(req: FakeRequest, tenant: TenantData, session: Session, origin: string): FakeResponse {
    const user = tenant.users.get(session.userId);
    const app = tenant.apps.get(session.clientId);
    if (!user || !app) return aadsts.invalidGrant(req);
    const forApi = apiScopes(tenant, session.scopes);
    if (forApi === 'mixed') return aadsts.invalidScope(session.scopes.join(' '), req);
    if (forApi) {
      const { accessToken, idToken } = apiTokens(this.userSignIn, {
        tenant,
        user,
        clientId: app.clientId,
        ...forApi,
        origin,
        lifetimeSeconds: this.issuer.lifetime,
        nonce: session.nonce,
      });
      return this.answer(session, { access_token: accessToken, id_token: idToken }, user.id, tenant.id);
    }
    const { resource, audience, scp } = this.resolveScopes(session.scopes, app.roles);
    if (!resource) return aadsts.invalidScope(session.scopes.join(' '), req);
    const issued = this.issuer.issue(
      {
        tenantId: tenant.id,
        appId: app.clientId,
        objectId: user.id,
        user: { id: user.id, upn: user.userPrincipalName },
        scopes: scp,
      },
      audience,
    );
    return this.answer(
      session,
      {
        access_token: issued.token,
        id_token: idToken(issued.claims, user, app.clientId, `${origin}/${tenant.id}/v2.0`),
      },
      user.id,
      tenant.id,
    );
  }

  /** The token response: a refresh token when `offline_access` was asked, the ID token when `openid` was. */
  private answer(
    session: Session,
    tokens: { access_token: string; id_token: string },
    userId: string,
    tenantId: string,
  ): FakeResponse {
    const body: Record<string, unknown> = {
      token_type: 'Bearer',
      scope: session.scopes.filter((s) => s !== 'offline_access').join(' '),
      expires_in: this.issuer.lifetime,
      ext_expires_in: this.issuer.lifetime,
      access_token: tokens.access_token,
      client_info: Buffer.from(JSON.stringify({ uid: userId, utid: tenantId })).toString('base64url'),
    };
    if (session.scopes.includes('offline_access')) {
      const refreshToken = randomBytes(48).toString('base64url');
      this.sessions.set(refreshToken, { ...session, nonce: undefined });
      body.refresh_token = refreshToken;
      if (session.spa) body.refresh_token_expires_in = SPA_REFRESH_SECONDS;
    }
    if (session.scopes.includes('openid')) body.id_token = tokens.id_token;
    return json(200, body, { 'cache-control': 'no-store, no-cache', pragma: 'no-cache' });
  }

  /** `https://host/graph/User.Read.All` → graph + `User.Read.All`; a bare `User.Read` means Graph; `.default` means all granted. */
  private resolveScopes(scopes: string[], granted: Partial<Record<ResourceName, string[]>>) {
    let resource: ResourceName | undefined;
    let audience = '';
    const scp: string[] = [];
    for (const scope of scopes.filter((s) => !OIDC_SCOPES.has(s))) {
      const slash = scope.lastIndexOf('/');
      const base = slash > 0 ? scope.slice(0, slash) : `${this.issuer.origin}/graph`;
      const name = slash > 0 ? scope.slice(slash + 1) : scope;
      const found = this.issuer.resourceOf(base);
      if (!found || (resource && found !== resource)) return { resource: undefined, audience, scp };
      resource = found;
      audience = base;
      scp.push(...(name === '.default' ? (granted[found] ?? []) : [name]));
    }
    if (!resource) {
      resource = 'graph';
      audience = `${this.issuer.origin}/graph`;
    }
    return { resource, audience, scp };
  }
}

function idToken(access: TokenClaims, user: GraphUser, clientId: string, issuer: string): string {
  return encodeToken({
    ...access,
    aud: clientId,
    iss: issuer,
    name: user.displayName,
    preferred_username: user.userPrincipalName,
    oid: user.id,
    sub: user.id,
  });
}
