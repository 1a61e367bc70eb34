import { describe, expect, it } from 'vitest';
import { DestinationPolicy } from './destination-policy.js';
import { backoff } from './sink-runner.js';

describe('where sinks may send', () => {
  const strict = new DestinationPolicy(false, []);
  const withSiemNet = new DestinationPolicy(false, ['10.20.0.0/16']);

  it('refuses private, loopback and metadata addresses unless allowed', () => {
    expect(strict.refuseAddress('10.20.1.5')).toMatch(/private/);
    expect(strict.refuseAddress('127.0.0.1')).toMatch(/loopback/);
    expect(strict.refuseAddress('8.8.8.8')).toBeNull();
    expect(withSiemNet.refuseAddress('10.20.1.5')).toBeNull();
    expect(withSiemNet.refuseAddress('10.21.1.5')).toMatch(/private/);
    expect(new DestinationPolicy(true, []).refuseAddress('127.0.0.1')).toBeNull();
  });

  it('never reaches link-local metadata, even inside an allowed network', () => {
    expect(new DestinationPolicy(true, ['169.254.0.0/16']).refuseAddress('169.254.169.254')).toMatch(
      /link-local|metadata/,
    );
    expect(strict.refuseHost('metadata.google.internal')).toMatch(/metadata/);
  });

  it('wants https URLs without credentials, and fully qualified names', () => {
    expect(strict.refuseUrl('http://splunk.contoso.com:8088')).toBe('must use https://');
    expect(strict.refuseUrl('https://user:pw@splunk.contoso.com')).toMatch(/user name/);
    expect(strict.refuseUrl('https://splunk:8088')).toMatch(/fully qualified/);
    expect(strict.refuseUrl('https://splunk.contoso.com:8088')).toBeNull();
  });
});

describe('backoff', () => {
  it('grows exponentially up to the bound, and honours a longer Retry-After', () => {
    expect(backoff(1, 300_000)).toBeLessThanOrEqual(1200);
    expect(backoff(5, 300_000)).toBeGreaterThanOrEqual(16_000 * 0.8);
    expect(backoff(30, 300_000)).toBeLessThanOrEqual(300_000);
    expect(backoff(1, 300_000, 60_000)).toBe(60_000);
  });
});
