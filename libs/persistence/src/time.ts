/** The one clock format stored in the database: ISO-8601 UTC with milliseconds. */
export const nowIso = (): string => new Date().toISOString();
