import { Injectable } from '@nestjs/common';
import type { AzureCall, AzureReply, HttpMethod } from './azure-http.js';
import type { AzureTarget } from './azure-target.js';
import type { NotFoundMeaning } from './error-mapping.js';
import { GraphBatcher } from './graph-batcher.js';
import { TokenProvider } from './token-provider.js';

export interface GraphUser {
  id: string;
  userPrincipalName?: string;
  displayName?: string;
  accountEnabled?: boolean;
  signInSessionsValidFromDateTime?: string;
}

export interface GraphRequest {
  method: HttpMethod;
  /** Relative to the Graph version root, e.g. `/users/adele@contoso.com`. */
  path: string;
  body?: unknown;
  idempotent: boolean;
  notFound?: NotFoundMeaning;
  what?: string;
  headers?: Record<string, string>;
  maxAttempts?: number;
}

/** Microsoft Graph v1.0 (docs/AZURE.md#microsoft-graph). */
@Injectable()
export class GraphClient {
  /** Set on the `forFanOut` view only. */
  private readonly fanOut: boolean = false;
  private fanOutView: GraphClient | undefined;

  constructor(
    private readonly batcher: GraphBatcher,
    private readonly tokens: TokenProvider,
  ) {}

  /** This client for calls that are one of many (a fan-out's items): they may wait a moment to share a `$batch`. */
  get forFanOut(): GraphClient {
    // A view on this instance (same batcher and tokens), not a second provider.
    this.fanOutView ??= Object.create(this, { fanOut: { value: true } }) as GraphClient;
    return this.fanOutView;
  }

  /** The exact request a call would send, for dry runs and plans (no token). */
  describe(target: AzureTarget, request: GraphRequest): { method: HttpMethod; url: string; body?: unknown } {
    return {
      method: request.method,
      url: this.url(target, request.path),
      ...(request.body !== undefined ? { body: request.body } : {}),
    };
  }

  /** Sends alone, or in a `$batch` with the calls made at the same moment (see GraphBatcher). */
  async send<T>(target: AzureTarget, request: GraphRequest, signal?: AbortSignal): Promise<AzureReply<T>> {
    const call: AzureCall = {
      service: 'graph',
      method: request.method,
      url: this.url(target, request.path),
      body: request.body,
      idempotent: request.idempotent,
      notFound: request.notFound,
      what: request.what,
      headers: request.headers,
      maxAttempts: request.maxAttempts,
      signal,
    };
    return this.batcher.send<T>(target, {
      call,
      path: request.path,
      fanOut: this.fanOut,
      authorize: async (refresh) => (await this.tokens.getToken(target, 'graph', { forceRefresh: refresh })).token,
    });
  }

  async getUser(target: AzureTarget, user: string, select: string[], signal?: AbortSignal): Promise<GraphUser> {
    const reply = await this.send<GraphUser>(
      target,
      {
        method: 'GET',
        path: `${userPath(user)}?$select=${select.join(',')}`,
        idempotent: true,
        notFound: 'user_not_found',
        what: `user ${user}`,
      },
      signal,
    );
    return reply.data;
  }

  /** Follows `@odata.nextLink` from a first page URL (absolute) or path; returns one page. */
  async page<T>(
    target: AzureTarget,
    pathOrNextLink: string,
    options: { signal?: AbortSignal; maxAttempts?: number } = {},
  ): Promise<{ value: T[]; nextLink: string | null }> {
    const path = pathOrNextLink.startsWith('https://') ? this.relative(target, pathOrNextLink) : pathOrNextLink;
    const reply = await this.send<{ value?: T[]; '@odata.nextLink'?: string }>(
      target,
      {
        method: 'GET',
        path,
        idempotent: true,
        maxAttempts: options.maxAttempts,
        headers: { Prefer: 'include-unknown-enum-members' },
      },
      options.signal,
    );
    return { value: reply.data?.value ?? [], nextLink: reply.data?.['@odata.nextLink'] ?? null };
  }

  private url(target: AzureTarget, path: string): string {
    return `${target.endpoints.graph}/v1.0${path.startsWith('/') ? path : `/${path}`}`;
  }

  /** A nextLink must point back at this target's Graph host: never follow a link elsewhere with our token. */
  private relative(target: AzureTarget, link: string): string {
    const root = `${target.endpoints.graph}/v1.0`;
    if (!link.startsWith(`${root}/`)) throw new Error(`Refusing to follow a nextLink outside ${root}.`);
    return link.slice(root.length);
  }
}

/** `/users/{id or UPN}`, URL-encoded; a UPN starting with `$` needs the `('…')` form (docs/AZURE.md#graph-user-paths). */
export function userPath(user: string): string {
  if (user.startsWith('$')) return `/users('${encodeURIComponent(user.replace(/'/g, "''"))}')`;
  return `/users/${encodeURIComponent(user)}`;
}
