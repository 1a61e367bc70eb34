import {
  ConfidentialClientApplication,
  LogLevel,
  PublicClientApplication,
  type AccountInfo,
  type AuthenticationResult,
  type Configuration,
  type ICachePlugin,
} from '@azure/msal-node';
import { Injectable, Logger } from '@nestjs/common';
import { Metrics, redactor } from '@riposte/observability';
import { AzureError } from './azure-error.js';
import { AzureHttp } from './azure-http.js';
import { type AzureTarget, type DelegatedCredential, type DelegatedSession, isDelegated } from './azure-target.js';
import type { ResourceName } from './clouds.js';
import { identityError } from './error-mapping.js';
import { MsalNetworkClient } from './msal-network-client.js';

/** Who signed in, as msal read it from the id token. */
export interface SignedIn {
  username: string;
  name: string | null;
  homeAccountId: string;
  scopes: string[];
}

type DelegatedApp = ConfidentialClientApplication | PublicClientApplication;

/** A cache with nothing in it: msal's `deserialize` of an empty string keeps what it had. */
const EMPTY_CACHE = JSON.stringify({ Account: {}, IdToken: {}, AccessToken: {}, RefreshToken: {}, AppMetadata: {} });

/**
 * Entra ID answers that mean the refresh token is no good any more, in words a person can act on.
 * A person must sign in again; no retry helps.
 */
const SIGN_IN_AGAIN: Record<number, string> = {
  50173: 'the sign-in was revoked (sessions revoked or password changed)',
  700082: 'the refresh token expired after 90 days without use',
  700084: 'the refresh token expired (single-page app lifetime)',
  65001: 'consent for the app was withdrawn or never granted',
  50076: 'multi-factor authentication is now required',
  50079: 'multi-factor authentication registration is required',
  50078: 'the multi-factor authentication claim expired',
  53003: 'a Conditional Access policy blocks this sign-in',
  50057: 'the account is disabled',
  50126: 'the credentials are no longer valid',
  70008: 'the authorization code or refresh token expired',
  50132: 'the session is no longer valid (password changed or expired)',
  50133: 'the session is no longer valid (password changed or expired)',
};
const SIGN_IN_AGAIN_CODES = new Set([
  'invalid_grant',
  'interaction_required',
  'consent_required',
  'login_required',
  'no_tokens_found',
  'no_account_in_silent_request',
  'bad_token',
  'native_account_unavailable',
]);

/**
 * Tokens on behalf of a person (authorization code or device code sign-in) through msal-node.
 * Each delegated target has its own msal application whose token cache, refresh tokens
 * included, lives in the target's session store (encrypted there) through msal's cache plugin:
 * it survives restarts and is shared by every process, and is never written anywhere else.
 */
@Injectable()
export class DelegatedAuth {
  private readonly logger = new Logger(DelegatedAuth.name);
  private readonly apps = new Map<string, DelegatedApp>();

  constructor(
    private readonly http: AzureHttp,
    private readonly metrics: Metrics,
  ) {}

  /** The resource a person signs in for first: ARM when the target has its settings (seed 003), else Graph. */
  signInScopes(target: AzureTarget): string[] {
    const scope = (target.subscriptionId && target.scopes.management) || target.scopes.graph;
    if (!scope)
      throw new AzureError(
        'resource_not_available',
        `Connection target '${target.name}' has no resource to sign in for.`,
        { service: 'identity' },
      );
    return [scope];
  }

  /** The authorize URL a person opens (authorization code flow with PKCE, S256). */
  async authorizationUrl(
    target: AzureTarget,
    request: { redirectUri: string; state: string; codeChallenge: string },
  ): Promise<string> {
    const app = this.appFor(target);
    if (!(app instanceof ConfidentialClientApplication))
      throw new AzureError(
        'bad_request',
        `Connection target '${target.name}' signs in with a device code, not a browser redirect.`,
        { service: 'identity' },
      );
    try {
      return await app.getAuthCodeUrl({
        scopes: this.signInScopes(target),
        redirectUri: request.redirectUri,
        state: request.state,
        codeChallenge: request.codeChallenge,
        codeChallengeMethod: 'S256',
        prompt: 'select_account',
        responseMode: 'query',
      });
    } catch (error) {
      throw identityError(error, target.endpoints.authority);
    }
  }

  /** Exchanges the code from the redirect; the tokens land in the target's cache. */
  async redeemCode(
    target: AzureTarget,
    request: { code: string; redirectUri: string; codeVerifier: string },
  ): Promise<SignedIn> {
    const app = this.appFor(target);
    try {
      await this.clear(target);
      return signedIn(
        await app.acquireTokenByCode({
          code: request.code,
          redirectUri: request.redirectUri,
          codeVerifier: request.codeVerifier,
          scopes: this.signInScopes(target),
        }),
      );
    } catch (error) {
      throw identityError(error, target.endpoints.authority);
    }
  }

  /**
   * Puts the refresh token a device code sign-in returned into msal's cache (msal redeems it once
   * and keeps what comes back). The device code flow itself is ours (see DeviceCodeClient).
   */
  async redeemRefreshToken(target: AzureTarget, refreshToken: string): Promise<SignedIn> {
    const app = this.appFor(target);
    try {
      await this.clear(target);
      // forceCache: keep what comes back although no account was cached before (msal's migration path).
      const result = await app.acquireTokenByRefreshToken({
        refreshToken,
        scopes: this.signInScopes(target),
        forceCache: true,
      });
      if (!result)
        throw new AzureError('token_request_failed', 'Entra ID returned no token for the refresh token.', {
          service: 'identity',
        });
      return signedIn(result);
    } catch (error) {
      throw identityError(error, target.endpoints.authority);
    }
  }

  /** An access token for the signed-in person, refreshed with the cached refresh token when needed. */
  async acquire(
    target: AzureTarget,
    resource: ResourceName,
    scope: string,
    forceRefresh: boolean,
  ): Promise<{ token: string; expiresOn: Date | null; fromCache: boolean }> {
    const credential = target.credential as DelegatedCredential;
    const app = this.appFor(target);
    const account = await this.account(app);
    if (!account) {
      const reason = (await credential.session.signInRequiredReason()) ?? 'nobody has signed in yet';
      throw signInRequired(target, reason);
    }
    try {
      const result = await app.acquireTokenSilent({ account, scopes: [scope], forceRefresh });
      if (!result?.accessToken)
        throw new AzureError('token_request_failed', 'Entra ID returned no access token.', { service: 'identity' });
      return { token: result.accessToken, expiresOn: result.expiresOn ?? null, fromCache: result.fromCache };
    } catch (error) {
      const reason = signInAgainReason(error);
      if (!reason) throw identityError(error, target.endpoints.authority);
      this.logger.warn(
        { connectionTarget: target.name, resource, reason },
        'a delegated sign-in stopped working; a person must sign in again',
      );
      await credential.session.signInRequired(reason);
      this.forget(target.id);
      throw signInRequired(target, reason);
    }
  }

  async signedInAccount(target: AzureTarget): Promise<AccountInfo | null> {
    return this.account(this.appFor(target));
  }

  /** Drops the msal applications of a target (their in-memory copy of the cache goes with them). */
  forget(targetId: string): void {
    for (const key of [...this.apps.keys()]) if (key.startsWith(`${targetId}#`)) this.apps.delete(key);
  }

  private async account(app: DelegatedApp): Promise<AccountInfo | null> {
    const accounts = await app.getTokenCache().getAllAccounts();
    return accounts[0] ?? null;
  }

  /** One person per target: a new sign-in replaces the cache instead of adding a second account. */
  private async clear(target: AzureTarget): Promise<void> {
    const credential = target.credential as DelegatedCredential;
    await credential.session.saveCache(EMPTY_CACHE);
    this.forget(target.id);
  }

  private appFor(target: AzureTarget): DelegatedApp {
    const credential = target.credential;
    if (!isDelegated(credential)) throw new Error(`Connection target '${target.name}' does not sign in as a person.`);
    const key = `${target.id}#${target.credentialVersion}`;
    let app = this.apps.get(key);
    if (app) return app;
    this.forget(target.id);
    const authority = `${target.endpoints.authority}/${target.tenantId}`;
    const config: Configuration = {
      auth: {
        clientId: target.clientId ?? '',
        authority,
        knownAuthorities: target.cloud === 'custom' ? [new URL(authority).host] : undefined,
        ...(credential.type === 'authorizationCode' ? { clientSecret: credential.clientSecret } : {}),
      },
      cache: { cachePlugin: cachePlugin(credential.session) },
      system: {
        networkClient: new MsalNetworkClient(this.http, this.metrics, target, 'delegated'),
        loggerOptions: {
          piiLoggingEnabled: false,
          logLevel: LogLevel.Warning,
          loggerCallback: (_level, message) => this.logger.warn(redactor.scrub(message)),
        },
      },
    };
    app =
      credential.type === 'authorizationCode'
        ? new ConfidentialClientApplication(config)
        : new PublicClientApplication(config);
    this.apps.set(key, app);
    return app;
  }
}

/** msal reads the cache from the session store before each use and writes it back when it changed. */
function cachePlugin(session: DelegatedSession): ICachePlugin {
  return {
    async beforeCacheAccess(context) {
      context.tokenCache.deserialize((await session.loadCache()) ?? EMPTY_CACHE);
    },
    async afterCacheAccess(context) {
      if (context.cacheHasChanged) await session.saveCache(context.tokenCache.serialize());
    },
  };
}

function signedIn(result: AuthenticationResult | null): SignedIn {
  const account = result?.account;
  if (!result || !account)
    throw new AzureError(
      'token_request_failed',
      'Entra ID returned no account for the sign-in (no id token): check that the openid and profile scopes are allowed.',
      { service: 'identity' },
    );
  return {
    username: account.username,
    name: account.name ?? null,
    homeAccountId: account.homeAccountId,
    scopes: result.scopes,
  };
}

/** Why the refresh failed in a way only a new sign-in fixes; null for anything else (network, throttling). */
export function signInAgainReason(error: unknown): string | null {
  const e = (error ?? {}) as { errorCode?: string; subError?: string; errorMessage?: string; message?: string };
  const text = String(e.errorMessage ?? e.message ?? '');
  const aadsts = Number(/AADSTS(\d+)/.exec(text)?.[1]) || undefined;
  if (aadsts && SIGN_IN_AGAIN[aadsts]) return `${SIGN_IN_AGAIN[aadsts]} (AADSTS${aadsts})`;
  if (SIGN_IN_AGAIN_CODES.has(String(e.errorCode)) || SIGN_IN_AGAIN_CODES.has(String(e.subError)))
    return `Entra ID refused the refresh token (${e.errorCode}${aadsts ? `, AADSTS${aadsts}` : ''})`;
  return null;
}

function signInRequired(target: AzureTarget, reason: string): AzureError {
  const how =
    target.credential.type === 'deviceCode'
      ? `POST /api/v1/connection-targets/${target.name}/device-code (or npm run cli -- sign-in start ${target.name})`
      : `POST /api/v1/connection-targets/${target.name}/authorize`;
  return new AzureError(
    'sign_in_required',
    `Connection target '${target.name}' needs a person to sign in again: ${reason}. Sign in with ${how}; runs that need it fail until then.`,
    { service: 'identity' },
  );
}
