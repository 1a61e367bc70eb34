import { Agent } from 'node:https';
import { isIP } from 'node:net';
import axios, { type AxiosInstance } from 'axios';
import { type EndpointPolicy, guardedLookup, refuseAddress } from '@riposte/azure';

export const OUTBOUND_TIMEOUT_MS = 10_000;
export const OUTBOUND_MAX_BYTES = 64 * 1024;

/**
 * Why an outbound notification URL may not be called, or null. A webhook URL is typed by an
 * admin and then called by the service: https only, no credentials in it, never a private,
 * link-local or metadata address (loopback only where custom endpoints are allowed, as for
 * connection targets). Unlike Azure endpoints, a query string is allowed: Teams workflow URLs
 * carry their signature in it.
 */
export function refuseOutboundUrl(raw: string, policy: EndpointPolicy): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:') return 'must use https://';
  if (url.username || url.password) return 'must not carry a user name or password';
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.+$/, '');
  if (/^(metadata|metadata\.google\.internal|metadata\.azure\.com|instance-data(\.ec2\.internal)?)$/i.test(host))
    return 'points at a cloud metadata service';
  if (isIP(host)) {
    const refused = refuseAddress(host, policy);
    return refused ? `points at ${refused}` : null;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return policy.allowLoopback ? null : 'points at loopback';
  if (!host.includes('.')) return 'must use a fully qualified host name';
  return null;
}

/** One client for every outbound notification: no proxy, no redirects, bounded time and size, every connection's address checked. */
export function outboundClient(policy: EndpointPolicy): AxiosInstance {
  return axios.create({
    timeout: OUTBOUND_TIMEOUT_MS,
    maxRedirects: 0,
    maxContentLength: OUTBOUND_MAX_BYTES,
    maxBodyLength: OUTBOUND_MAX_BYTES,
    proxy: false,
    validateStatus: () => true,
    // The answer is read as text and never parsed or stored: only its status matters.
    responseType: 'text',
    transformResponse: (text: unknown) => text,
    httpsAgent: new Agent({ keepAlive: true, maxSockets: 32, lookup: guardedLookup(policy) as never }),
  });
}
