import type { ExportEvent } from '../event-schema.js';

/**
 * Why a batch was not delivered, and what to do about it:
 * - `retry`: the receiver is down, busy or refused us (auth); try the same events again later;
 * - `reject`: the receiver refused these events for good (bad data); a batch is then retried
 *   one event at a time, and a single refused event becomes a dead letter;
 * - `rewind`: a stream broke after events were written to it; send again from `rewindTo`.
 */
export class DeliveryError extends Error {
  constructor(
    readonly kind: 'retry' | 'reject' | 'rewind',
    message: string,
    readonly options: { retryAfterMs?: number; rewindTo?: number; lasting?: boolean } = {},
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** One kind of destination. A transport sends events in the order given; it is used by one delivery loop at a time. */
export interface Transport {
  /** Most events per call. */
  readonly batchSize: number;
  /** Resolves once the receiver has the events, as far as its protocol can tell; throws DeliveryError. */
  send(events: ExportEvent[]): Promise<void>;
  close(): void;
}

/** Network error codes in words. */
export function describeNetworkError(error: unknown, what: string): string {
  const e = error as { code?: string; cause?: { code?: string }; message?: string };
  const code = e?.cause?.code ?? e?.code;
  if (code === 'ERIPOSTE_ENDPOINT_REFUSED')
    return `${what}: ${e.message ?? 'the address is not allowed'} (see RIPOSTE_EXPORT_ALLOWED_NETWORKS).`;
  if (code === 'ECONNREFUSED')
    return `${what} refused the connection (is the receiver running and listening on that port?).`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `${what}: the host name does not resolve.`;
  if (code === 'ETIMEDOUT' || code === 'ECONNABORTED') return `${what} did not answer in time.`;
  if (code === 'ECONNRESET' || code === 'EPIPE') return `${what} closed the connection.`;
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code))
    return `${what}: its TLS certificate is not trusted (${code}); add its CA as caCertificatePem or through NODE_EXTRA_CA_CERTS.`;
  return `${what}: ${code ?? e?.message ?? 'network error'}.`;
}
