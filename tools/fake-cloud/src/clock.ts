let lastMs = 0;
let tick = 0;

/**
 * Now as Graph writes it: ISO 8601 with seven fractional digits (`2021-04-27T12:19:27.7211305Z`).
 * Strictly increasing within the process, so a client that pages with `lastUpdateDateTime gt <last seen>`
 * never loses an update made in the same millisecond.
 */
export function preciseNow(): string {
  const ms = Date.now();
  if (ms > lastMs) {
    lastMs = ms;
    tick = 0;
  } else {
    tick = Math.min(tick + 1, 9999);
  }
  const iso = new Date(lastMs).toISOString(); // ...SS.mmmZ
  return `${iso.slice(0, 23)}${String(tick).padStart(4, '0')}Z`;
}

/** ISO 8601 to the second, with `Z` (how Entra writes `signInSessionsValidFromDateTime`). */
export function isoSeconds(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `2021-04-20T17:22:30`: the `innerError.date` format of Graph errors. */
export function graphErrorDate(date = new Date()): string {
  return date.toISOString().slice(0, 19);
}

/** `2023-06-02 21:00:26Z`: the timestamp format of Entra token errors. */
export function aadTimestamp(date = new Date()): string {
  return `${date.toISOString().slice(0, 10)} ${date.toISOString().slice(11, 19)}Z`;
}

export const minutesAgo = (minutes: number): string => new Date(Date.now() - minutes * 60_000).toISOString();

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
