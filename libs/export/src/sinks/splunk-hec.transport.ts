import { hostname as osHostname } from 'node:os';
import type { AxiosInstance } from 'axios';
import type { ExportEvent } from '../event-schema.js';
import { DeliveryError, type Transport } from './delivery.js';
import type { DestinationPolicy } from './destination-policy.js';
import { checkUrl, httpClient, networkFailure, retryAfterMs } from './http-destination.js';

export interface SplunkHecSettings {
  url: string;
  index?: string;
  sourcetype: string;
  source: string;
  hostname?: string;
  caCertificatePem?: string;
}

/** Most bytes per request; Splunk's default `max_content_length` is 800 MB, but proxies in front of it are often 1 MB. */
const MAX_BYTES = 900_000;

/**
 * Splunk HTTP Event Collector: `POST /services/collector/event` with `Authorization: Splunk <token>`,
 * the events as concatenated JSON objects. 200 means indexed (or queued for indexing) by Splunk.
 */
export class SplunkHecTransport implements Transport {
  readonly batchSize = 100;
  private readonly http: AxiosInstance;
  private readonly endpoint: string;
  private readonly what: string;

  constructor(
    private readonly settings: SplunkHecSettings,
    private readonly token: string,
    private readonly policy: DestinationPolicy,
  ) {
    this.http = httpClient(policy, settings.caCertificatePem);
    this.endpoint = `${settings.url.replace(/\/+$/, '')}/services/collector/event`;
    this.what = `Splunk HEC at ${new URL(settings.url).host}`;
  }

  async send(events: ExportEvent[]): Promise<void> {
    checkUrl(this.policy, this.settings.url, this.what);
    const host = this.settings.hostname ?? osHostname();
    const body = events
      .map((event) =>
        JSON.stringify({
          time: Date.parse(event.time) / 1000,
          host,
          source: this.settings.source,
          sourcetype: this.settings.sourcetype,
          ...(this.settings.index ? { index: this.settings.index } : {}),
          event,
        }),
      )
      .join('\n');
    if (events.length > 1 && Buffer.byteLength(body) > MAX_BYTES)
      throw new DeliveryError('reject', 'The batch is larger than one request may be; sending it in parts.');
    let status: number;
    let data: { text?: string; code?: number } | undefined;
    let headers: Record<string, unknown>;
    try {
      const reply = await this.http.post(this.endpoint, Buffer.from(body), {
        headers: { Authorization: `Splunk ${this.token}`, 'Content-Type': 'application/json' },
      });
      status = reply.status;
      data = typeof reply.data === 'object' ? (reply.data as { text?: string; code?: number }) : undefined;
      headers = reply.headers as Record<string, unknown>;
    } catch (error) {
      throw networkFailure(error, this.what);
    }
    if (status >= 200 && status < 300) return;
    const said = data?.text ? ` (code ${data.code}: ${data.text})` : '';
    if (status === 401 || status === 403)
      throw new DeliveryError(
        'retry',
        `${this.what} refused the HEC token${said}: check the token and that it is enabled.`,
        { lasting: true },
      );
    if (status === 400 && (data?.code === 7 || data?.code === 10))
      throw new DeliveryError(
        'retry',
        `${this.what} refused the index or channel settings${said}: the token may not write to index '${this.settings.index ?? '(default)'}'.`,
        { lasting: true },
      );
    if (status === 400 || status === 413) throw new DeliveryError('reject', `${this.what} refused the events${said}.`);
    if (status === 429 || status === 503)
      throw new DeliveryError('retry', `${this.what} is busy (${status})${said}.`, {
        retryAfterMs: retryAfterMs(headers['retry-after']),
      });
    throw new DeliveryError('retry', `${this.what} answered ${status}${said}.`);
  }

  close(): void {
    (this.http.defaults.httpsAgent as { destroy?: () => void } | undefined)?.destroy?.();
  }
}
