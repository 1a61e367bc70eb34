import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';

/*
 * Custom endpoints make the service send requests, with credentials, to a URL an admin typed.
 * Left open, that turns the service into a forwarder to internal addresses (cloud metadata at
 * 169.254.169.254, admin consoles on private networks). So a custom endpoint must be https, on
 * a public address, or on loopback (the local fake cloud) — and the check is repeated on every
 * connection, against the address DNS actually returned, so a name cannot be re-pointed later.
 */
const FORBIDDEN = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  FORBIDDEN.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['64:ff9b::', 96],
] as const)
  FORBIDDEN.addSubnet(net, bits, 'ipv6');

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

const METADATA_HOSTS = /^(metadata|metadata\.google\.internal|metadata\.azure\.com|instance-data(\.ec2\.internal)?)$/i;

export interface EndpointPolicy {
  allowLoopback: boolean;
}

/** Why this address may not be called, or null when it may. */
export function refuseAddress(address: string, policy: EndpointPolicy): string | null {
  const family = isIP(address);
  if (family === 0) return `'${address}' is not an IP address`;
  let ip = address;
  let type: 'ipv4' | 'ipv6' = family === 4 ? 'ipv4' : 'ipv6';
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped?.[1]) [ip, type] = [mapped[1], 'ipv4'];
  if (LOOPBACK.check(ip, type)) return policy.allowLoopback ? null : `${address} is a loopback address`;
  if (FORBIDDEN.check(ip, type)) return `${address} is a private, link-local, metadata or reserved address`;
  return null;
}

/** Checks the form of a custom endpoint URL; returns the problem in words, or null. */
export function refuseEndpointUrl(raw: string, policy: EndpointPolicy): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:') return 'must use https://';
  if (url.username || url.password) return 'must not carry a user name or password';
  if (url.search || url.hash) return 'must not have a query string or fragment';
  // `metadata.google.internal.` (trailing dot) is the same name as without it.
  const host = url.hostname.replace(/^\[|\]$/g, '').replace(/\.+$/, '');
  if (METADATA_HOSTS.test(host)) return 'points at a cloud metadata service';
  if (isIP(host)) {
    const refused = refuseAddress(host, policy);
    return refused ? `points at ${refused}` : null;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return policy.allowLoopback ? null : 'points at loopback';
  if (!host.includes('.')) return 'must use a fully qualified host name';
  return null;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** An `https.Agent` `lookup` that refuses addresses the policy forbids, whatever the name said. */
export function guardedLookup(policy: EndpointPolicy) {
  return (hostname: string, options: object, callback: LookupCallback): void => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, []);
      const list = addresses as LookupAddress[];
      for (const { address } of list) {
        const refused = refuseAddress(address, policy);
        if (refused) {
          const e = Object.assign(new Error(`Refused to connect to ${hostname}: ${refused}`), {
            code: 'ERIPOSTE_ENDPOINT_REFUSED',
          });
          return callback(e, []);
        }
      }
      const wantsAll = (options as { all?: boolean }).all;
      if (wantsAll) return callback(null, list);
      const first = list[0];
      return first
        ? callback(null, first.address, first.family)
        : callback(Object.assign(new Error(`No address for ${hostname}`), { code: 'ENOTFOUND' }), []);
    });
  };
}
