import { ValidationError } from '@riposte/errors';

/** Opaque list cursors: `?cursor=` carries the sort key of the last item seen. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(parts: (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** The sort key a cursor carries, checked against its expected shape (`['string', 'string']`: a time and an id). */
export function decodeCursor<const S extends readonly ('string' | 'number')[]>(
  cursor: string | undefined,
  shape: S,
): { [K in keyof S]: S[K] extends 'number' ? number : string } | undefined {
  if (!cursor) return undefined;
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(parts) &&
      parts.length === shape.length &&
      parts.every((p, i) => typeof p === shape[i] && (typeof p !== 'number' || Number.isSafeInteger(p)))
    )
      return parts as never;
  } catch {
    // reported below
  }
  throw new ValidationError('The cursor is not one this service gave out.', [
    { path: 'cursor', message: 'is not a valid cursor' },
  ]);
}
