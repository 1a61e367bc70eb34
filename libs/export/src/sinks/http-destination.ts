import { Agent } from 'node:https';
import { rootCertificates } from 'node:tls';
import axios, { type AxiosInstance } from 'axios';
import { DeliveryError, describeNetworkError } from './delivery.js';
import type { DestinationPolicy } from './destination-policy.js';

const TIMEOUT_MS = 30_000;

/** An HTTPS client for one sink: its address checked by the policy on every connection, no redirects, no proxy. */
export function httpClient(policy: DestinationPolicy, caCertificatePem?: string): AxiosInstance {
  return axios.create({
    timeout: TIMEOUT_MS,
    maxRedirects: 0,
    proxy: false,
    validateStatus: () => true,
    httpsAgent: new Agent({
      keepAlive: true,
      maxSockets: 4,
      lookup: policy.lookup() as never,
      ca: caCertificatePem ? [...rootCertificates, caCertificatePem] : undefined,
    }),
  });
}

/** Checks the URL as typed (IP literals are never looked up, so the agent cannot check them). */
export function checkUrl(policy: DestinationPolicy, url: string, what: string): void {
  const refused = policy.refuseUrl(url);
  if (refused) throw new DeliveryError('retry', `${what} is not allowed: it ${refused}.`, { lasting: true });
}

/** A failed request's transport error as a DeliveryError. */
export function networkFailure(error: unknown, what: string): DeliveryError {
  return new DeliveryError('retry', describeNetworkError(error, what));
}

/** Seconds or an HTTP date in Retry-After, as milliseconds. */
export function retryAfterMs(value: unknown): number | undefined {
  if (typeof value !== 'string' || !value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
