import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { refuseAddress, type EndpointPolicy } from '@riposte/azure';

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * Where sinks may send. The same rule as custom Azure endpoints (public addresses; loopback only
 * when RIPOSTE_ALLOW_CUSTOM_ENDPOINTS is on; never link-local or metadata), with one addition:
 * SIEM collectors usually sit on a private network, so the networks an admin lists in
 * RIPOSTE_EXPORT_ALLOWED_NETWORKS may be reached too. Checked again on every connection, against
 * the address DNS returned.
 */
export class DestinationPolicy {
  private readonly allowed = new BlockList();
  private readonly base: EndpointPolicy;

  constructor(allowLoopback: boolean, allowedNetworks: string[]) {
    this.base = { allowLoopback };
    for (const cidr of allowedNetworks) {
      const [net, bits] = cidr.split('/');
      const family = isIP(net ?? '');
      if (family) this.allowed.addSubnet(net as string, Number(bits), family === 4 ? 'ipv4' : 'ipv6');
    }
  }

  /** Why this address may not be reached, or null. */
  refuseAddress(address: string): string | null {
    const family = isIP(address);
    if (family && !address.startsWith('169.254.') && this.allowed.check(address, family === 4 ? 'ipv4' : 'ipv6'))
      return null;
    return refuseAddress(address, this.base);
  }

  /** Checks a host name as typed; the address it resolves to is checked at connection time. */
  refuseHost(host: string): string | null {
    const bare = host.replace(/^\[|\]$/g, '').replace(/\.+$/, '');
    if (isIP(bare)) return this.refuseAddress(bare);
    if (/^(metadata|metadata\.google\.internal|metadata\.azure\.com|instance-data(\.ec2\.internal)?)$/i.test(bare))
      return 'points at a cloud metadata service';
    if (bare === 'localhost' || bare.endsWith('.localhost'))
      return this.base.allowLoopback ? null : 'points at loopback';
    if (!/^[a-z0-9.-]+$/i.test(bare) || !bare.includes('.'))
      return 'must be a fully qualified host name or an IP address';
    return null;
  }

  /** Checks an https URL as typed. */
  refuseUrl(raw: string): string | null {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      return 'must be an absolute URL';
    }
    if (url.protocol !== 'https:') return 'must use https://';
    if (url.username || url.password) return 'must not carry a user name or password';
    if (url.search || url.hash) return 'must not have a query string or fragment';
    return this.refuseHost(url.hostname);
  }

  /** A `lookup` for sockets and HTTP agents that refuses what the policy forbids, whatever the name said. */
  lookup() {
    return (hostname: string, options: object, callback: LookupCallback): void => {
      dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
        if (error) return callback(error, []);
        const list = addresses as LookupAddress[];
        for (const { address } of list) {
          const refused = this.refuseAddress(address);
          if (refused)
            return callback(
              Object.assign(new Error(`Refused to connect to ${hostname}: ${refused}`), {
                code: 'ERIPOSTE_ENDPOINT_REFUSED',
              }),
              [],
            );
        }
        if ((options as { all?: boolean }).all) return callback(null, list);
        const first = list[0];
        return first
          ? callback(null, first.address, first.family)
          : callback(Object.assign(new Error(`No address for ${hostname}`), { code: 'ENOTFOUND' }), []);
      });
    };
  }
}
