import { describe, expect, it } from 'vitest';
import { refuseAddress, refuseEndpointUrl } from './endpoint-policy.js';

const open = { allowLoopback: true };
const closed = { allowLoopback: false };

describe('refuseEndpointUrl', () => {
  it('accepts public https endpoints', () => {
    expect(refuseEndpointUrl('https://api-eu.securitycenter.microsoft.com', closed)).toBeNull();
    expect(refuseEndpointUrl('https://graph.example.org/graph', closed)).toBeNull();
  });

  it('refuses plain http, credentials in the URL, queries and fragments', () => {
    expect(refuseEndpointUrl('http://graph.microsoft.com', open)).toMatch(/https/);
    expect(refuseEndpointUrl('https://user:pw@graph.microsoft.com', open)).toMatch(/user name/);
    expect(refuseEndpointUrl('https://graph.microsoft.com/?x=1', open)).toMatch(/query/);
    expect(refuseEndpointUrl('not a url', open)).toMatch(/absolute URL/);
  });

  it('refuses metadata services, link-local and private addresses', () => {
    for (const url of [
      'https://169.254.169.254',
      'https://metadata.google.internal',
      'https://10.0.0.5',
      'https://172.16.3.4',
      'https://192.168.1.1',
      'https://[fe80::1]',
      'https://[fd00:ec2::254]',
      'https://0.0.0.0',
      'https://100.64.0.1',
    ]) {
      expect(refuseEndpointUrl(url, open), url).not.toBeNull();
    }
  });

  it('allows loopback only when the policy does (the local fake cloud)', () => {
    expect(refuseEndpointUrl('https://127.0.0.1:8443', open)).toBeNull();
    expect(refuseEndpointUrl('https://localhost:8443', open)).toBeNull();
    expect(refuseEndpointUrl('https://127.0.0.1:8443', closed)).not.toBeNull();
    expect(refuseEndpointUrl('https://[::1]:8443', closed)).not.toBeNull();
  });
});

describe('refuseAddress', () => {
  it('sees through IPv4-mapped IPv6', () => {
    expect(refuseAddress('::ffff:169.254.169.254', open)).toMatch(/link-local|private/);
    expect(refuseAddress('::ffff:8.8.8.8', open)).toBeNull();
  });
});
