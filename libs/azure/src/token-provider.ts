import {
  ConfidentialClientApplication,
  type ICachePlugin,
  LogLevel,
  ManagedIdentityApplication,
  type Configuration,
} from '@azure/msal-node';
import { Injectable, Logger } from '@nestjs/common';
import { Metrics, redactor } from '@riposte/observability';
import { AzureError } from './azure-error.js';
import { type AzureTarget, isDelegated, type SharedTokenCacheStore } from './azure-target.js';
import { AzureHttp } from './azure-http.js';
import { DelegatedAuth } from './delegated-auth.js';
import type { ResourceName } from './clouds.js';
import { identityError } from './error-mapping.js';
import { MsalNetworkClient } from './msal-network-client.js';

export interface AccessToken {
  token: string;
  expiresOn: Date | null;
  fromCache: boolean;
}

type App = ConfidentialClientApplication | ManagedIdentityApplication;

/** A token is handed out until this long before it expires; then msal is asked (and refreshes it). */
const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * Access tokens from msal-node. One msal application per connection target, credential
 * version and resource, kept for the life of the process (msal caches tokens per instance);
 * concurrent requests for the same token share one request to Entra ID. The current token is
 * also kept here, so the hot path does not go through msal's cache lookup on every call, and
 * registered with the redactor until it expires.
 */
@Injectable()
export class TokenProvider {
  private readonly logger = new Logger(TokenProvider.name);
  private readonly apps = new Map<string, App>();
  private readonly inFlight = new Map<string, Promise<AccessToken>>();
  private readonly current = new Map<string, AccessToken>();

  constructor(
    private readonly http: AzureHttp,
    private readonly metrics: Metrics,
    private readonly delegated: DelegatedAuth,
  ) {}

  getToken(
    target: AzureTarget,
    resource: ResourceName,
    options: { forceRefresh?: boolean } = {},
  ): Promise<AccessToken> {
    const scope = target.scopes[resource];
    if (!scope)
      return Promise.reject(
        new AzureError(
          'resource_not_available',
          `The ${target.cloud} cloud has no ${resource} endpoint for connection target '${target.name}'.`,
          { service: 'identity' },
        ),
      );
    const tokenKey = `${target.id}#${target.credentialVersion}#${resource}`;
    const held = this.current.get(tokenKey);
    if (held && !options.forceRefresh && (held.expiresOn?.getTime() ?? 0) - Date.now() > REFRESH_MARGIN_MS)
      return Promise.resolve({ ...held, fromCache: true });
    const key = `${tokenKey}#${options.forceRefresh ? 'fresh' : ''}`;
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const request = this.acquire(target, resource, scope, options.forceRefresh ?? false)
      .then((token) => this.keep(tokenKey, token))
      .finally(() => this.inFlight.delete(key));
    this.inFlight.set(key, request);
    return request;
  }

  /** Drops the cached applications (and their tokens) of a target, e.g. after its secret changed. */
  forget(targetId: string): void {
    for (const key of [...this.apps.keys()]) if (key.startsWith(`${targetId}#`)) this.apps.delete(key);
    for (const key of [...this.current.keys()]) if (key.startsWith(`${targetId}#`)) this.current.delete(key);
    this.delegated.forget(targetId);
  }

  /** The token is scrubbed from every log line and record while it is valid (and a minute more). */
  private keep(key: string, token: AccessToken): AccessToken {
    const before = this.current.get(key);
    this.current.set(key, token);
    redactor.register(token.token);
    if (before && before.token !== token.token) {
      const until = Math.max(0, (before.expiresOn?.getTime() ?? Date.now()) - Date.now()) + 60_000;
      setTimeout(() => redactor.forget(before.token), Math.min(until, 2 ** 31 - 1)).unref();
    }
    return token;
  }

  private async acquire(
    target: AzureTarget,
    resource: ResourceName,
    scope: string,
    forceRefresh: boolean,
  ): Promise<AccessToken> {
    // A person's tokens: msal refreshes them from the cached refresh token (or says a sign-in is needed).
    if (isDelegated(target.credential)) return this.delegated.acquire(target, resource, scope, forceRefresh);
    const app = this.appFor(target, resource);
    try {
      const result =
        app instanceof ManagedIdentityApplication
          ? await app.acquireToken({ resource: scope.replace(/\/\.default$/, ''), forceRefresh })
          : await app.acquireTokenByClientCredential({ scopes: [scope], skipCache: forceRefresh });
      if (!result?.accessToken)
        throw new AzureError('token_request_failed', 'Entra ID returned no access token.', { service: 'identity' });
      return { token: result.accessToken, expiresOn: result.expiresOn ?? null, fromCache: result.fromCache };
    } catch (error) {
      const mapped = identityError(error, target.endpoints.authority);
      throw mapped.code === 'authority_unreachable' ? await this.diagnoseAuthority(target, mapped) : mapped;
    }
  }

  /**
   * msal reports any failed discovery as "endpoints_resolution_error". The discovery document
   * itself says why (an unknown tenant answers AADSTS90002), so ask it once.
   */
  private async diagnoseAuthority(target: AzureTarget, fallback: AzureError): Promise<AzureError> {
    if (target.credential.type === 'managedIdentity') return fallback;
    try {
      const reply = await this.http.raw(target, {
        method: 'GET',
        url: `${target.endpoints.authority}/${target.tenantId}/v2.0/.well-known/openid-configuration`,
      });
      const body = reply.data as { error?: string; error_codes?: number[]; error_description?: string };
      return reply.status >= 400 && body?.error
        ? identityError(
            {
              errorCode: body.error,
              errorNo: body.error_codes?.[0],
              status: reply.status,
              errorMessage: body.error_description,
            },
            target.endpoints.authority,
          )
        : fallback;
    } catch {
      return fallback;
    }
  }

  private appFor(target: AzureTarget, resource: ResourceName): App {
    // One app per resource too: msal throttles per app instance after a 429/5xx
    // (docs/AZURE.md#msal-throttling), and a throttled Defender token must not block Graph calls.
    const key = `${target.id}#${target.credentialVersion}#${resource}`;
    let app = this.apps.get(key);
    if (app) return app;
    this.forgetOlderVersions(target);
    const system: NonNullable<Configuration['system']> = {
      networkClient: new MsalNetworkClient(this.http, this.metrics, target, resource),
      loggerOptions: {
        piiLoggingEnabled: false,
        logLevel: LogLevel.Warning,
        loggerCallback: (_level, message) => this.logger.warn(redactor.scrub(message)),
      },
    };
    const credential = target.credential;
    if (isDelegated(credential)) throw new Error('Delegated targets get their tokens from DelegatedAuth.');
    if (credential.type === 'managedIdentity') {
      app = new ManagedIdentityApplication({
        managedIdentityIdParams: credential.clientId ? { userAssignedClientId: credential.clientId } : undefined,
        system,
      });
    } else {
      const authority = `${target.endpoints.authority}/${target.tenantId}`;
      app = new ConfidentialClientApplication({
        auth: {
          clientId: target.clientId ?? '',
          authority,
          // A non-Microsoft authority (a sovereign proxy, the local fake) must be listed, or msal
          // tries instance discovery against login.microsoftonline.com (docs/AZURE.md#instance-discovery).
          knownAuthorities: target.cloud === 'custom' ? [new URL(authority).host] : undefined,
          ...(credential.type === 'clientSecret'
            ? { clientSecret: credential.clientSecret }
            : {
                clientCertificate: {
                  thumbprintSha256: credential.thumbprintSha256,
                  privateKey: credential.privateKeyPem,
                  x5c: credential.certificatePem,
                },
              }),
        },
        system,
        ...(target.sharedTokenCache
          ? { cache: { cachePlugin: sharedCachePlugin(target.sharedTokenCache(resource)) } }
          : {}),
      });
    }
    this.apps.set(key, app);
    return app;
  }

  private forgetOlderVersions(target: AzureTarget): void {
    for (const key of [...this.apps.keys()]) {
      const [id, version] = key.split('#');
      if (id === target.id && Number(version) !== target.credentialVersion) this.apps.delete(key);
    }
  }
}

/**
 * msal reads the cluster's cache before each use and writes it back when it changed. A cache that
 * cannot be read (Redis away, a key that changed) is skipped: msal keeps its own in this process.
 */
function sharedCachePlugin(store: SharedTokenCacheStore): ICachePlugin {
  return {
    async beforeCacheAccess(context) {
      const serialized = await store.load().catch(() => null);
      if (serialized) context.tokenCache.deserialize(serialized);
    },
    async afterCacheAccess(context) {
      if (context.cacheHasChanged) await store.save(context.tokenCache.serialize()).catch(() => undefined);
    },
  };
}
