import { ValidationError } from '@riposte/errors';

/** Opaque list cursors: `?cursor=` carries the sort key of the last item seen. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(parts: (string | number)[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

export function decodeCursor(cursor: string | undefined): (string | number)[] | undefined {
  if (!cursor) return undefined;
  try {
    const parts: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(parts) && parts.every((p) => typeof p === 'string' || typeof p === 'number')) return parts;
  } catch {
    // reported below
  }
  throw new ValidationError('The cursor is not one this service gave out.', [{ path: 'cursor', message: 'is not a valid cursor' }]);
}
