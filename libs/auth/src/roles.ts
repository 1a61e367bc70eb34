/**
 * Roles of API keys. The first four are a ladder, each including the ones before it;
 * `ingest` stands apart: it may only post alerts (which analysts may do too); so does `export`:
 * it may only read the export stream (which admins may do too, as it carries the audit trail).
 */
export const ROLES = ['viewer', 'analyst', 'author', 'admin', 'ingest', 'export'] as const;
export type Role = (typeof ROLES)[number];

const LADDER: Role[] = ['viewer', 'analyst', 'author', 'admin'];

/** Does a principal with `held` satisfy a route that requires `required`? */
export function roleAllows(held: Role, required: Role): boolean {
  if (required === 'ingest') return held === 'ingest' || LADDER.indexOf(held) >= LADDER.indexOf('analyst');
  if (required === 'export') return held === 'export' || held === 'admin';
  if (held === 'ingest' || held === 'export') return false;
  return LADDER.indexOf(held) >= LADDER.indexOf(required);
}

export interface Principal {
  /** API key id, or a stable id for other kinds of caller. */
  id: string;
  name: string;
  role: Role;
  kind: 'api_key' | 'user' | 'system';
}

export const SYSTEM_PRINCIPAL: Principal = { id: 'system', name: 'riposte', role: 'admin', kind: 'system' };
