import { describe, expect, it } from 'vitest';
import { backoffDelay, isRetryable, parseRetryAfter, retryDelay } from './retry-policy.js';

describe('parseRetryAfter', () => {
  it('reads whole and fractional seconds, as Graph sends them', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('2.128')).toBe(2128);
    expect(parseRetryAfter('0')).toBe(0);
  });

  it('reads an HTTP date as the time left until it', () => {
    const now = Date.parse('2026-11-22T10:00:00Z');
    expect(parseRetryAfter('Sun, 22 Nov 2026 10:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Sun, 22 Nov 2026 09:00:00 GMT', now)).toBe(0);
  });

  it('ignores what it cannot read', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('-5')).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  it('grows exponentially and is jittered over the whole range (full jitter)', () => {
    expect(backoffDelay(1, () => 0.999)).toBe(499);
    expect(backoffDelay(3, () => 0.999)).toBe(1998);
    expect(backoffDelay(3, () => 0)).toBe(0);
    expect(backoffDelay(30, () => 0.999)).toBe(29_970);
  });
});

describe('isRetryable', () => {
  it('retries 429 even for calls that are not idempotent: Azure did not process them', () => {
    expect(isRetryable({ kind: 'status', status: 429 }, false)).toBe(true);
  });

  it('retries 5xx and resets only for idempotent calls', () => {
    for (const status of [500, 502, 503, 504]) {
      expect(isRetryable({ kind: 'status', status }, true)).toBe(true);
      expect(isRetryable({ kind: 'status', status }, false)).toBe(false);
    }
    expect(isRetryable({ kind: 'network', code: 'ECONNRESET' }, true)).toBe(true);
    expect(isRetryable({ kind: 'network', code: 'ECONNRESET' }, false)).toBe(false);
  });

  it('always retries a refused connection: nothing reached Azure', () => {
    expect(isRetryable({ kind: 'network', code: 'ECONNREFUSED' }, false)).toBe(true);
  });

  it('never retries client errors', () => {
    for (const status of [400, 401, 403, 404, 409]) expect(isRetryable({ kind: 'status', status }, true)).toBe(false);
  });
});

describe('retryDelay', () => {
  it("prefers the server's Retry-After over backoff", () => {
    expect(retryDelay(1, 2000, () => 0.5)).toBe(2000);
    expect(retryDelay(2, undefined, () => 0.5)).toBe(500);
  });
});
