import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { AppConfig } from '@riposte/config';
import { Metrics } from '@riposte/observability';
import { AzureError } from './azure-error.js';
import { type AzureCall, AzureHttp, type AzureReply, type Authorize } from './azure-http.js';
import type { AzureTarget } from './azure-target.js';
import { apiError } from './error-mapping.js';
import { GraphSlots } from './graph-slots.js';
import { isRetryable, parseRetryAfter, retryDelay } from './retry-policy.js';

/** Graph's limit of requests in one `$batch` (docs/AZURE.md#graph-batching). */
export const MAX_BATCH = 20;

/** One Graph call waiting for a slot: `path` is relative to the version root, as `$batch` wants it. */
export interface QueuedGraphCall {
  call: AzureCall;
  path: string;
  authorize: Authorize;
  /** One of many alike (a fan-out): it may wait up to the linger for others to fill a batch. Other calls never wait. */
  fanOut: boolean;
}

interface Waiting<T = unknown> extends QueuedGraphCall {
  /** When it joined the queue: a lingering call waits at most `graphBatchLingerMs` from then. */
  queuedAt: number;
  attempt: number;
  resolve: (reply: AzureReply<T>) => void;
  reject: (error: unknown) => void;
  settled: boolean;
}

interface TargetQueue {
  target: AzureTarget;
  waiting: Waiting[];
  scheduled: boolean;
  /** Requests of this target on the wire. */
  inFlight: number;
  /** Wakes the queue when its oldest lingering call has waited long enough. */
  lingering?: NodeJS.Timeout;
}

interface InnerResponse {
  id: string;
  status: number;
  headers?: Record<string, string>;
  body?: unknown;
}

/**
 * Every Graph call goes through here. Calls for the same connection target that wait at the
 * time leave together as one `$batch` of up to 20; a call that goes alone goes as itself, so a
 * single response is sent exactly as Microsoft documents it. Calls of a fan-out (`fanOut`) wait
 * up to `graphBatchLingerMs` for others to fill the batch; any other call leaves on the next
 * turn of the event loop, taking whatever waits along: an alert's response is never held back
 * to save requests.
 * At most `graphConcurrencyPerTenant` requests per tenant are in flight: the rest wait, and
 * fill the next batches.
 *
 * Inside a batch each answer is read on its own (the outer 200 says nothing about them):
 * throttled or failed requests that may be retried go again in a later batch after the longest
 * Retry-After, the others settle with the same typed error a lone call would get.
 */
@Injectable()
export class GraphBatcher implements OnApplicationShutdown {
  private readonly queues = new Map<string, TargetQueue>();
  private readonly inFlight = new Map<string, number>();
  /** Queue mode: the per-tenant limit counted for the whole cluster too. */
  private readonly slots: GraphSlots | undefined;
  private readonly redis: Redis | undefined;

  constructor(
    private readonly http: AzureHttp,
    private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {
    if (config.queue) {
      this.redis = new Redis(config.queue.url, { enableOfflineQueue: false, maxRetriesPerRequest: 1 });
      this.redis.on('error', () => undefined);
      this.slots = new GraphSlots(this.redis, config.queue.prefix, config.azureHttp.graphConcurrencyPerTenant);
    }
  }

  onApplicationShutdown(): void {
    this.redis?.disconnect();
  }

  send<T>(target: AzureTarget, queued: QueuedGraphCall): Promise<AzureReply<T>> {
    const { signal } = queued.call;
    if (signal?.aborted) return Promise.reject(cancelled());
    return new Promise<AzureReply<T>>((resolve, reject) => {
      const item: Waiting<T> = {
        ...queued,
        queuedAt: 0,
        attempt: 0,
        settled: false,
        resolve: () => undefined,
        reject: () => undefined,
      };
      const onAbort = () => settle(item as Waiting, cancelled());
      item.resolve = (reply) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(reply);
      };
      item.reject = (error) => {
        signal?.removeEventListener('abort', onAbort);
        reject(error);
      };
      // A cancelled call stops waiting at once; if it was already sent, Azure may still apply it (the caller reconciles).
      signal?.addEventListener('abort', onAbort, { once: true });
      this.enqueue(target, [item as Waiting]);
    });
  }

  private enqueue(target: AzureTarget, items: Waiting[]): void {
    const key = `${target.id}#${target.credentialVersion}`;
    let queue = this.queues.get(key);
    if (!queue) {
      queue = { target, waiting: [], scheduled: false, inFlight: 0 };
      this.queues.set(key, queue);
    }
    queue.target = target;
    const now = Date.now();
    for (const item of items) item.queuedAt = now;
    queue.waiting.push(...items);
    this.schedule(queue);
  }

  /** Pumps on the next turn of the event loop, so the calls made in this one can share a batch. */
  private schedule(queue: TargetQueue): void {
    if (queue.scheduled) return;
    queue.scheduled = true;
    setImmediate(() => {
      queue.scheduled = false;
      this.pump(queue);
    });
  }

  private pump(queue: TargetQueue): void {
    const tenant = tenantKey(queue.target);
    const limit = this.config.azureHttp.graphConcurrencyPerTenant;
    clearTimeout(queue.lingering);
    queue.lingering = undefined;
    for (;;) {
      queue.waiting = queue.waiting.filter((w) => !w.settled);
      if (queue.waiting.length === 0 || (this.inFlight.get(tenant) ?? 0) >= limit) break;
      // A partial batch of fan-out calls waits for company, until its oldest call has waited the linger.
      const waitMore = this.config.azureHttp.graphBatchLingerMs - (Date.now() - queue.waiting[0]!.queuedAt);
      if (queue.waiting.length < MAX_BATCH && waitMore > 0 && queue.waiting.every((w) => w.fanOut)) {
        queue.lingering = setTimeout(() => this.pump(queue), waitMore);
        return;
      }
      const items = queue.waiting.splice(0, MAX_BATCH);
      this.inFlight.set(tenant, (this.inFlight.get(tenant) ?? 0) + 1);
      queue.inFlight += 1;
      void this.dispatch(queue.target, items).finally(() => {
        this.inFlight.set(tenant, (this.inFlight.get(tenant) ?? 1) - 1);
        queue.inFlight -= 1;
        // A slot came free: this target's waiting calls, and this tenant's other targets', may go.
        for (const other of this.queues.values())
          if (tenantKey(other.target) === tenant && other.waiting.length) this.schedule(other);
      });
    }
    if (queue.waiting.length === 0 && queue.inFlight === 0)
      this.queues.delete(`${queue.target.id}#${queue.target.credentialVersion}`);
  }

  private async dispatch(target: AzureTarget, items: Waiting[]): Promise<void> {
    if (!this.slots) return this.dispatchNow(target, items);
    const release = await this.slots.take(tenantKey(target));
    try {
      await this.dispatchNow(target, items);
    } finally {
      release();
    }
  }

  private async dispatchNow(target: AzureTarget, items: Waiting[]): Promise<void> {
    if (items.length === 1) {
      const [item] = items as [Waiting];
      item.attempt += 1;
      try {
        settle(item, null, await this.http.call(target, item.call, item.authorize));
      } catch (error) {
        settle(item, error);
      }
      return;
    }
    let responses: InnerResponse[];
    try {
      responses = await this.sendBatch(target, items);
    } catch (error) {
      for (const item of items) settle(item, error);
      return;
    }
    const again: Waiting[] = [];
    let longestWaitMs = 0;
    for (const [index, item] of items.entries()) {
      item.attempt += 1;
      const inner = responses.find((r) => r.id === String(index));
      if (!inner) {
        settle(
          item,
          new AzureError('service_unavailable', 'Microsoft Graph left a request of a batch unanswered.', {
            service: 'graph',
          }),
        );
        continue;
      }
      this.metrics.azureRequests.inc({ service: 'graph', method: item.call.method, status: String(inner.status) });
      if (inner.status >= 200 && inner.status < 300) {
        settle(item, null, {
          status: inner.status,
          headers: lowerCase(inner.headers),
          data: (inner.body === '' ? undefined : inner.body) as never,
        });
        continue;
      }
      const retryAfterMs = parseRetryAfter(header(inner.headers, 'retry-after'));
      const maxAttempts = item.call.maxAttempts ?? this.config.azureHttp.maxAttempts;
      if (item.attempt < maxAttempts && isRetryable({ kind: 'status', status: inner.status }, item.call.idempotent)) {
        again.push(item);
        longestWaitMs = Math.max(longestWaitMs, retryDelay(item.attempt, retryAfterMs));
        continue;
      }
      settle(
        item,
        apiError('graph', inner.status, inner.body, {
          notFound: item.call.notFound,
          retryAfterMs,
          what: item.call.what,
        }),
      );
    }
    if (again.length === 0) return;
    if (longestWaitMs > this.config.azureHttp.maxRetryWaitMs) {
      for (const item of again)
        settle(
          item,
          new AzureError(
            'throttled',
            `Microsoft Graph is throttling this app; it asked to wait ${Math.ceil(longestWaitMs / 1000)} s.`,
            { service: 'graph', status: 429, retryAfterMs: longestWaitMs },
          ),
        );
      return;
    }
    // Retried together after the longest wait, in new batches (docs/AZURE.md#graph-batch-throttling).
    void sleep(longestWaitMs).then(() =>
      this.enqueue(
        target,
        again.filter((w) => !w.settled),
      ),
    );
  }

  private async sendBatch(target: AzureTarget, items: Waiting[]): Promise<InnerResponse[]> {
    const requests = items.map((item, index) => ({
      id: String(index),
      method: item.call.method,
      url: item.path,
      ...(item.call.body !== undefined
        ? { body: item.call.body, headers: { 'Content-Type': 'application/json', ...item.call.headers } }
        : item.call.headers
          ? { headers: item.call.headers }
          : {}),
    }));
    const reply = await this.http.call<{ responses?: InnerResponse[] }>(
      target,
      {
        service: 'graph',
        method: 'POST',
        url: `${target.endpoints.graph}/v1.0/$batch`,
        body: { requests },
        // Resent after an ambiguous failure only if every request in it may be sent twice.
        idempotent: items.every((item) => item.call.idempotent),
        what: `a batch of ${items.length} requests`,
        // A poller that handles throttling itself asked for one attempt: the batch honours the strictest.
        maxAttempts: Math.min(...items.map((item) => item.call.maxAttempts ?? this.config.azureHttp.maxAttempts)),
      },
      items[0]!.authorize,
    );
    return Array.isArray(reply.data?.responses) ? reply.data.responses : [];
  }
}

function settle(item: Waiting, error: unknown, reply?: AzureReply<unknown>): void {
  if (item.settled) return;
  item.settled = true;
  if (error) item.reject(error);
  else item.resolve(reply as AzureReply<unknown>);
}

function cancelled(): AzureError {
  return new AzureError('cancelled', 'The call was cancelled.', { service: 'graph' });
}

function tenantKey(target: AzureTarget): string {
  return `${target.endpoints.graph}#${target.tenantId}`;
}

function header(headers: Record<string, string> | undefined, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
}

function lowerCase(headers: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers ?? {})) out[key.toLowerCase()] = String(value);
  return out;
}
