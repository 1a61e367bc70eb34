import { describe, expect, it } from 'vitest';
import { signWebhook, WebhookVerifier } from './webhook-signature.js';

const secret = 'a-webhook-secret-of-at-least-32-characters';
const body = Buffer.from('{"id":"a1"}');

describe(WebhookVerifier.name, () => {
  it('accepts a fresh signature once, and refuses its replay', () => {
    const sut = new WebhookVerifier(secret);
    const now = Date.parse('2026-11-22T10:00:00Z');
    const ts = now / 1000;
    const signature = signWebhook(secret, ts, body);
    expect(sut.verify(String(ts), signature, body, now)).toBeNull();
    expect(sut.verify(String(ts), signature, body, now + 1000)).toMatch(/replay/);
  });

  it('refuses stale timestamps, wrong secrets and altered bodies', () => {
    const sut = new WebhookVerifier(secret);
    const now = Date.parse('2026-11-22T10:00:00Z');
    const old = now / 1000 - 301;
    expect(sut.verify(String(old), signWebhook(secret, old, body), body, now)).toMatch(/5 minutes/);
    expect(
      sut.verify(String(now / 1000), signWebhook('another-secret-that-is-long-enough-xx', now / 1000, body), body, now),
    ).toMatch(/does not match/);
    expect(
      sut.verify(String(now / 1000), signWebhook(secret, now / 1000, body), Buffer.from('{"id":"a2"}'), now),
    ).toMatch(/does not match/);
    expect(sut.verify(undefined, undefined, body, now)).toMatch(/needs/);
  });
});
