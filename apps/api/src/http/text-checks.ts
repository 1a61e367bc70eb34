import type { FastifyInstance } from 'fastify';
import { ValidationError } from '@riposte/errors';

/**
 * No NUL character (U+0000) in the text a request brings: PostgreSQL cannot store one in a text
 * column (SQLite can), so one would fail the write deep inside. Refused up front instead, naming
 * where it is, on either store, so both answer the same.
 */
export function installTextChecks(fastify: FastifyInstance): void {
  fastify.addHook('preHandler', async (request) => {
    // Paths as the other validation errors give them: query parameters by name, the body as a JSON pointer.
    const at =
      nulAt(request.query, (key) => key) ??
      nulAt(request.params, (key) => key) ??
      nulAt(request.body, (key) => `/${key}`, 'body');
    if (at !== undefined)
      throw new ValidationError('Text may not contain the NUL character (U+0000).', [
        { path: at, message: 'contains a NUL character' },
      ]);
  });
}

/** The path of the first string (or key) holding a NUL, if any; `whole` names a string that is the whole value. */
function nulAt(value: unknown, step: (key: string) => string, whole = '', path = '', depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path || whole : undefined;
  // The JSON parser and the body limit bound the depth already; this only keeps the walk finite.
  if (value === null || typeof value !== 'object' || depth > 64) return undefined;
  for (const [key, item] of Object.entries(value)) {
    const here = `${path}${step(key)}`;
    if (key.includes('\u0000')) return here;
    const found = nulAt(item, step, whole, here, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}
