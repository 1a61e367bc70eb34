import type { AxiosInstance } from 'axios';
import type { ExportEvent } from '../event-schema.js';
import { DeliveryError, type Transport } from './delivery.js';
import type { DestinationPolicy } from './destination-policy.js';
import { checkUrl, httpClient, networkFailure, retryAfterMs } from './http-destination.js';

export interface AzureMonitorSettings {
  connectionTarget: string;
  /** The data collection endpoint (or the DCR's own logs ingestion endpoint). */
  endpoint: string;
  dcrImmutableId: string;
  streamName: string;
  scope?: string;
}

/** The Logs Ingestion API takes at most 1 MB per call. */
const MAX_BYTES = 950_000;
const API_VERSION = '2023-01-01';

/** A bearer token for the monitor scope; `refresh` after a 401. */
export type MonitorToken = (refresh: boolean) => Promise<string>;

/**
 * Azure Monitor Logs Ingestion API (for Microsoft Sentinel): `POST {endpoint}/dataCollectionRules/{dcr}/streams/{stream}`,
 * a JSON array of records in the stream's columns, a bearer token for https://monitor.azure.com/.default
 * from the connection target's app (which needs Monitoring Metrics Publisher on the DCR). 204 means accepted.
 */
export class AzureMonitorTransport implements Transport {
  readonly batchSize = 200;
  private readonly http: AxiosInstance;
  private readonly url: string;
  private readonly what: string;

  constructor(
    private readonly settings: AzureMonitorSettings,
    private readonly token: MonitorToken,
    private readonly policy: DestinationPolicy,
  ) {
    this.http = httpClient(policy);
    this.url = `${settings.endpoint.replace(/\/+$/, '')}/dataCollectionRules/${encodeURIComponent(settings.dcrImmutableId)}/streams/${encodeURIComponent(settings.streamName)}?api-version=${API_VERSION}`;
    this.what = `Azure Monitor at ${new URL(settings.endpoint).host}`;
  }

  async send(events: ExportEvent[]): Promise<void> {
    checkUrl(this.policy, this.settings.endpoint, this.what);
    const body = JSON.stringify(events.map(record));
    if (events.length > 1 && Buffer.byteLength(body) > MAX_BYTES)
      throw new DeliveryError('reject', 'The batch is larger than the 1 MB a call may carry; sending it in parts.');
    for (let refreshed = false; ; refreshed = true) {
      let token: string;
      try {
        token = await this.token(refreshed);
      } catch (error) {
        throw new DeliveryError(
          'retry',
          `No token for Azure Monitor from connection target '${this.settings.connectionTarget}': ${(error as Error).message}`,
          { lasting: true },
        );
      }
      let reply;
      try {
        reply = await this.http.post(this.url, Buffer.from(body), {
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        });
      } catch (error) {
        throw networkFailure(error, this.what);
      }
      const status = reply.status;
      if (status >= 200 && status < 300) return;
      if (status === 401 && !refreshed) continue;
      const error = (reply.data as { error?: { code?: string; message?: string } } | undefined)?.error;
      const said = error?.code ? ` (${error.code}${error.message ? `: ${error.message}` : ''})` : '';
      if (status === 401) throw new DeliveryError('retry', `${this.what} refused the token${said}.`, { lasting: true });
      if (status === 403)
        throw new DeliveryError(
          'retry',
          `${this.what} refused the app${said}: grant it the Monitoring Metrics Publisher role on data collection rule ${this.settings.dcrImmutableId}.`,
          { lasting: true },
        );
      if (status === 404)
        throw new DeliveryError(
          'retry',
          `${this.what} knows no data collection rule ${this.settings.dcrImmutableId} with stream ${this.settings.streamName}${said}.`,
          { lasting: true },
        );
      if (status === 400 || status === 413)
        throw new DeliveryError('reject', `${this.what} refused the records${said}.`);
      if (status === 429 || status === 503)
        throw new DeliveryError('retry', `${this.what} is busy (${status})${said}.`, {
          retryAfterMs: retryAfterMs(reply.headers['retry-after']),
        });
      throw new DeliveryError('retry', `${this.what} answered ${status}${said}.`);
    }
  }

  close(): void {
    (this.http.defaults.httpsAgent as { destroy?: () => void } | undefined)?.destroy?.();
  }
}

/** A record in the columns of the stream the README's DCR declares. */
export function record(event: ExportEvent): Record<string, unknown> {
  return {
    TimeGenerated: event.time,
    EventId: event.id,
    Seq: event.seq,
    EventType: event.type,
    SchemaVersion: event.schema,
    Data: event.data,
  };
}
