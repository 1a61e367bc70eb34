import { randomUUID } from 'node:crypto';
import { Agent } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import { AppConfig } from '@riposte/config';
import { Metrics } from '@riposte/observability';
import { AzureError, type AzureService } from './azure-error.js';
import type { AzureTarget } from './azure-target.js';
import { type EndpointPolicy, guardedLookup, refuseEndpointUrl } from './endpoint-policy.js';
import { apiError, type NotFoundMeaning } from './error-mapping.js';
import { isRetryable, parseRetryAfter, retryDelay, type Outcome } from './retry-policy.js';

/** Retry waits up to this long are slept in the call; a longer Retry-After is left to the caller (see ActionRunner). */
export const IN_CALL_WAIT_MS = 5_000;
export type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';

export interface AzureCall {
  service: Exclude<AzureService, 'identity'>;
  method: HttpMethod;
  url: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** May the call be sent twice with the same effect? Non-idempotent calls are not retried after an ambiguous failure. */
  idempotent: boolean;
  notFound?: NotFoundMeaning;
  /** What the call is about, for error messages ("user adele@contoso.com"). */
  what?: string;
  signal?: AbortSignal;
  /** Overrides the configured attempts (a poller handles throttling itself: 1). */
  maxAttempts?: number;
}

export interface AzureReply<T> {
  status: number;
  headers: Record<string, string>;
  data: T;
}

/** Gets a bearer token; `refresh` asks for a new one (after a 401). */
export type Authorize = (refresh: boolean) => Promise<string>;

/**
 * The one HTTP client for Azure APIs: keep-alive connections, a timeout per attempt, abort
 * signals, bounded retries (honouring Retry-After on 429 and 503, full-jitter backoff
 * otherwise) and typed errors. Axios errors never leave this class: they carry the request
 * headers, bearer token included.
 */
@Injectable()
export class AzureHttp {
  private readonly logger = new Logger(AzureHttp.name);
  private readonly microsoftClient: AxiosInstance;
  /** For custom endpoints: the same, but every connection's address is checked against the endpoint policy. */
  private readonly customClient: AxiosInstance;
  private readonly policy: EndpointPolicy;
  /** Custom URLs' origins already checked (a lookup is not made for IP literals, so the agent cannot check those). */
  private readonly checkedOrigins = new Map<string, string | null>();
  private readonly sendChecks: (() => string | null)[] = [];

  constructor(
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {
    this.policy = { allowLoopback: config.allowCustomEndpoints };
    const base = {
      timeout: config.azureHttp.timeoutMs,
      maxRedirects: 0,
      validateStatus: () => true,
      proxy: false as const,
    };
    this.microsoftClient = axios.create({ ...base, httpsAgent: new Agent({ keepAlive: true, maxSockets: 256 }) });
    this.customClient = axios.create({
      ...base,
      httpsAgent: new Agent({ keepAlive: true, maxSockets: 256, lookup: guardedLookup(this.policy) as never }),
    });
  }

  /**
   * A check made just before every request leaves, synchronously: a reason not to send it, or
   * null. Queue mode refuses to send once this process may have lost its claims on the runs it
   * drives (its event loop stalled past them), so that a run taken over by another worker never
   * sees the same call from both.
   */
  addSendCheck(check: () => string | null): void {
    this.sendChecks.push(check);
  }

  async call<T>(target: AzureTarget, call: AzureCall, authorize: Authorize): Promise<AzureReply<T>> {
    const { maxRetryWaitMs } = this.config.azureHttp;
    const maxAttempts = call.maxAttempts ?? this.config.azureHttp.maxAttempts;
    let attempt = 0;
    let waitedMs = 0;
    let refreshed = false;
    this.checkCustomEndpoint(target, call.url, call.service);
    for (;;) {
      attempt += 1;
      const token = await authorize(refreshed);
      const started = performance.now();
      let response: AxiosResponse | undefined;
      let outcome: Outcome;
      for (const check of this.sendChecks) {
        const refusal = check();
        if (refusal) throw new AzureError('cancelled', refusal, { service: call.service });
      }
      try {
        const answer: AxiosResponse = await this.clientFor(target).request({
          method: call.method,
          url: call.url,
          data: call.body,
          signal: call.signal,
          headers: {
            Authorization: `Bearer ${token}`,
            Accept: 'application/json',
            'client-request-id': randomUUID(),
            ...(call.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
            ...call.headers,
          },
        });
        response = answer;
        outcome = { kind: 'status', status: answer.status };
      } catch (error) {
        if (call.signal?.aborted)
          throw new AzureError('cancelled', 'The call was cancelled.', { service: call.service });
        outcome = { kind: 'network', code: networkCode(error) };
      }
      this.metrics.azureRequests.inc({
        service: call.service,
        method: call.method,
        status: outcome.kind === 'status' ? String(outcome.status) : outcome.code,
      });
      this.metrics.azureLatency.observe({ service: call.service }, (performance.now() - started) / 1000);

      if (response && response.status < 300)
        return {
          status: response.status,
          headers: lowerCaseHeaders(response),
          data: (response.data === '' ? undefined : response.data) as T,
        };
      // Redirects are not followed (the token would go along), and are never a success.
      if (response && response.status < 400)
        throw new AzureError(
          'unexpected_redirect',
          `${serviceName(call.service)} answered ${response.status} (a redirect), which it never does for this call; nothing was followed.`,
          { service: call.service, status: response.status },
        );
      // A 401 usually means the cached token was revoked or expired early: fetch a new one, once.
      if (response?.status === 401 && !refreshed) {
        refreshed = true;
        attempt -= 1;
        continue;
      }
      const retryAfterMs = response
        ? parseRetryAfter(response.headers['retry-after'] as string | undefined)
        : undefined;
      if (attempt < maxAttempts && isRetryable(outcome, call.idempotent)) {
        const delay = retryDelay(attempt, retryAfterMs);
        // A long wait is not slept here: the caller parks (a run leaves its slot) and tries again when it is due.
        if (waitedMs + delay <= maxRetryWaitMs && delay <= IN_CALL_WAIT_MS) {
          this.logger.debug(
            { service: call.service, method: call.method, outcome, attempt, delayMs: delay },
            'retrying Azure call',
          );
          await sleep(delay, undefined, { signal: call.signal }).catch(() => {
            throw new AzureError('cancelled', 'The call was cancelled.', { service: call.service });
          });
          waitedMs += delay;
          continue;
        }
      }
      if (response)
        throw apiError(call.service, response.status, response.data, {
          notFound: call.notFound,
          retryAfterMs,
          what: call.what,
        });
      throw transportError(call.service, (outcome as { code: string }).code);
    }
  }

  /** One plain request without retries or auth: what msal's network client needs. */
  async raw(
    target: Pick<AzureTarget, 'cloud'>,
    request: {
      method: 'GET' | 'POST';
      url: string;
      headers?: Record<string, string>;
      body?: string;
      timeoutMs?: number;
    },
  ): Promise<{ status: number; headers: Record<string, string>; data: unknown }> {
    this.checkCustomEndpoint(target, request.url, 'identity');
    const response = await this.clientFor(target).request({
      method: request.method,
      url: request.url,
      headers: request.headers,
      data: request.body,
      timeout: request.timeoutMs ?? this.config.azureHttp.timeoutMs,
      transformResponse: (text: string) => parseJsonLoosely(text),
    });
    return { status: response.status, headers: lowerCaseHeaders(response), data: response.data };
  }

  /** Custom endpoints, checked on every call against the policy in force now (not the one they were stored under). */
  private checkCustomEndpoint(target: Pick<AzureTarget, 'cloud'>, url: string, service: AzureService): void {
    if (target.cloud !== 'custom') return;
    if (!this.config.allowCustomEndpoints)
      throw new AzureError(
        'endpoint_refused',
        'Custom endpoints are turned off on this service (RIPOSTE_ALLOW_CUSTOM_ENDPOINTS); this connection target cannot be used.',
        { service },
      );
    const origin = /^[a-z]+:\/\/[^/?#]*/i.exec(url)?.[0] ?? url;
    let refused = this.checkedOrigins.get(origin);
    if (refused === undefined) {
      refused = refuseEndpointUrl(origin, this.policy);
      if (this.checkedOrigins.size > 1000) this.checkedOrigins.clear();
      this.checkedOrigins.set(origin, refused);
    }
    if (refused)
      throw new AzureError(
        'endpoint_refused',
        `The ${serviceName(service)} endpoint ${refused}; this service does not call it.`,
        { service },
      );
  }

  private clientFor(target: Pick<AzureTarget, 'cloud'>): AxiosInstance {
    return target.cloud === 'custom' ? this.customClient : this.microsoftClient;
  }
}

function networkCode(error: unknown): string {
  const e = error as { code?: string; cause?: { code?: string } };
  return e?.cause?.code ?? e?.code ?? 'ENETWORK';
}

function serviceName(service: AzureService): string {
  return service === 'graph'
    ? 'Microsoft Graph'
    : service === 'defender'
      ? 'Defender for Endpoint'
      : service === 'identity'
        ? 'Entra ID'
        : service === 'management'
          ? 'Azure Resource Manager'
          : 'Azure';
}

export function transportError(service: AzureService, code: string): AzureError {
  const name = serviceName(service);
  if (code === 'ERIPOSTE_ENDPOINT_REFUSED')
    return new AzureError(
      'endpoint_refused',
      `The ${name} endpoint resolves to an address this service does not call.`,
      { service },
    );
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT')
    return new AzureError('timeout', `${name} did not answer in time.`, { service, azureCode: code });
  return new AzureError('network_error', `Could not reach ${name} (${code}).`, { service, azureCode: code });
}

function lowerCaseHeaders(response: AxiosResponse): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(response.headers ?? {}))
    if (value !== undefined && value !== null) out[key.toLowerCase()] = String(value);
  return out;
}

function parseJsonLoosely(text: string): unknown {
  if (typeof text !== 'string' || text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    return {};
  }
}
