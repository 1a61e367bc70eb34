/**
 * When to send an Azure call again, and after how long. Pure functions: the HTTP client applies
 * them, the tests check them without a clock.
 */

/** `Retry-After` as milliseconds: seconds (Graph sends fractions such as 2.128) or an HTTP date. */
export function parseRetryAfter(value: string | undefined | null, now: number = Date.now()): number | undefined {
  if (value === undefined || value === null || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return seconds >= 0 ? Math.round(seconds * 1000) : undefined;
  const at = Date.parse(value);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

/** Exponential backoff with full jitter: a random wait between 0 and base·2^(attempt-1), capped. */
export function backoffDelay(
  attempt: number,
  random: () => number = Math.random,
  baseMs = 500,
  capMs = 30_000,
): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1)));
}

export type Outcome = { kind: 'status'; status: number } | { kind: 'network'; code: string };

/**
 * May this outcome be retried? 429 always: Azure did not process the request. 503/504 and
 * other 5xx, and network failures, only for idempotent requests: a non-idempotent call (an
 * isolation) that failed ambiguously may have been applied, so it is reconciled, not resent.
 * A refused connection never reached Azure and is always safe.
 */
export function isRetryable(outcome: Outcome, idempotent: boolean): boolean {
  if (outcome.kind === 'status') {
    if (outcome.status === 429) return true;
    return (
      idempotent &&
      (outcome.status === 500 || outcome.status === 502 || outcome.status === 503 || outcome.status === 504)
    );
  }
  if (outcome.code === 'ECONNREFUSED' || outcome.code === 'EAI_AGAIN' || outcome.code === 'ENOTFOUND') return true;
  return (
    idempotent &&
    ['ECONNRESET', 'ETIMEDOUT', 'ECONNABORTED', 'EPIPE', 'ERR_SOCKET_CONNECTION_TIMEOUT', 'UND_ERR_SOCKET'].includes(
      outcome.code,
    )
  );
}

/** How long to wait before the next attempt: the server's word when it gave one, else backoff. */
export function retryDelay(attempt: number, retryAfterMs: number | undefined, random?: () => number): number {
  return retryAfterMs !== undefined ? retryAfterMs : backoffDelay(attempt, random);
}
