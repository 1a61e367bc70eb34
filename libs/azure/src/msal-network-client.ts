import type { INetworkModule, NetworkRequestOptions, NetworkResponse } from '@azure/msal-node';
import { Metrics } from '@riposte/observability';
import type { AzureTarget } from './azure-target.js';
import type { AzureHttp } from './azure-http.js';

/**
 * msal-node's transport, routed through our HTTP client: the same keep-alive agents, the same
 * endpoint policy for custom clouds, no redirects, and a count of every token request sent.
 * msal wants non-2xx answers returned, not thrown (docs/AZURE.md#msal-network-client).
 */
export class MsalNetworkClient implements INetworkModule {
  constructor(
    private readonly http: AzureHttp,
    private readonly metrics: Metrics,
    private readonly target: Pick<AzureTarget, 'cloud'>,
    private readonly resource: string,
  ) {}

  async sendGetRequestAsync<T>(
    url: string,
    options?: NetworkRequestOptions,
    timeout?: number,
  ): Promise<NetworkResponse<T>> {
    const reply = await this.http.raw(this.target, {
      method: 'GET',
      url,
      headers: options?.headers,
      timeoutMs: timeout,
    });
    return { status: reply.status, headers: reply.headers, body: reply.data as T };
  }

  async sendPostRequestAsync<T>(url: string, options?: NetworkRequestOptions): Promise<NetworkResponse<T>> {
    try {
      const reply = await this.http.raw(this.target, {
        method: 'POST',
        url,
        headers: options?.headers,
        body: options?.body,
      });
      this.metrics.tokenRequests.inc({
        resource: this.resource,
        result: reply.status < 400 ? 'ok' : String(reply.status),
      });
      return { status: reply.status, headers: reply.headers, body: reply.data as T };
    } catch (error) {
      this.metrics.tokenRequests.inc({ resource: this.resource, result: 'network_error' });
      // Rethrow without the request (which carries the client secret or assertion).
      const code =
        (error as { code?: string; cause?: { code?: string } })?.cause?.code ??
        (error as { code?: string })?.code ??
        'ENETWORK';
      throw Object.assign(new Error(`Token endpoint unreachable (${code})`), {
        code,
        errorCode: code === 'ERIPOSTE_ENDPOINT_REFUSED' ? code : 'endpoints_resolution_error',
      });
    }
  }
}
