import { createHmac, timingSafeEqual } from 'node:crypto';

/*
 * Signed webhooks, for senders that cannot hold an API key (a SIEM rule, a Logic App):
 *   X-Riposte-Timestamp: <unix seconds>
 *   X-Riposte-Signature: sha256=<hex of HMAC-SHA256(secret, "<timestamp>.<raw body>")>
 * The timestamp must be within five minutes of ours, and a signature is accepted once.
 */
export const REPLAY_WINDOW_MS = 5 * 60 * 1000;

export function signWebhook(secret: string, timestamp: number, body: string | Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

export class WebhookVerifier {
  private readonly seen = new Map<string, number>();

  constructor(private readonly secret: string) {}

  /** Null when valid; otherwise why not, in words. */
  verify(
    timestampHeader: string | undefined,
    signatureHeader: string | undefined,
    body: Buffer,
    now = Date.now(),
  ): string | null {
    if (!timestampHeader || !signatureHeader)
      return 'a signed webhook needs X-Riposte-Timestamp and X-Riposte-Signature';
    const timestamp = Number(timestampHeader);
    if (!Number.isInteger(timestamp)) return 'X-Riposte-Timestamp must be Unix time in seconds';
    if (Math.abs(now - timestamp * 1000) > REPLAY_WINDOW_MS)
      return 'the signature timestamp is more than 5 minutes away from now (stale or replayed)';
    const expected = Buffer.from(signWebhook(this.secret, timestamp, body));
    const given = Buffer.from(signatureHeader);
    if (given.length !== expected.length || !timingSafeEqual(given, expected))
      return 'the signature does not match the body';
    this.forgetOld(now);
    if (this.seen.has(signatureHeader)) return 'this signed request was already received (replay)';
    this.seen.set(signatureHeader, now);
    return null;
  }

  private forgetOld(now: number): void {
    for (const [signature, at] of this.seen) if (now - at > REPLAY_WINDOW_MS) this.seen.delete(signature);
  }
}
