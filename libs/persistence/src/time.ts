let lastMs = Number.NaN;
let lastIso = '';

/**
 * The one clock format stored in the database: ISO-8601 UTC with milliseconds. A run writes
 * dozens of times within the same millisecond: the text is formatted once per millisecond.
 */
export const nowIso = (): string => {
  const ms = Date.now();
  if (ms !== lastMs) {
    lastMs = ms;
    lastIso = new Date(ms).toISOString();
  }
  return lastIso;
};
