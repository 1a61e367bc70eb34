import { lookup } from 'node:dns/promises';
import { type CloudName, refuseAddress, refuseEndpointUrl } from '@riposte/azure';
import { type FieldError, ValidationError } from '@riposte/errors';
import type { ConnectionTargetEntity } from '@riposte/persistence';
import type { CreateConnectionTarget } from './connection-target.schemas.js';

/*
 * Where a connection target sends its credentials and tokens: which endpoints it may name, and
 * what a change moves (a change of destination needs the secret again; see the service's update).
 */

/** A cloud and its endpoints as given: custom endpoints only when allowed, and never to a refused address. */
export async function checkCloud(
  cloud: CloudName,
  endpoints: CreateConnectionTarget['endpoints'],
  allowCustomEndpoints: boolean,
): Promise<void> {
  if (cloud !== 'custom') {
    if (endpoints)
      throw new ValidationError('Endpoints can only be given with cloud "custom".', [
        { path: '/endpoints', message: 'is only allowed when cloud is "custom"' },
      ]);
    return;
  }
  if (!allowCustomEndpoints) {
    throw new ValidationError(
      'Custom endpoints are disabled on this service. An administrator can enable them with RIPOSTE_ALLOW_CUSTOM_ENDPOINTS=true.',
      [{ path: '/cloud', message: 'custom endpoints are not allowed on this service' }],
      'custom_endpoints_disabled',
    );
  }
  if (!endpoints)
    throw new ValidationError('A custom cloud needs its endpoints.', [
      { path: '/endpoints', message: 'is required when cloud is "custom"' },
    ]);
  const policy = { allowLoopback: true };
  const problems: FieldError[] = [];
  for (const [key, url] of Object.entries(endpoints)) {
    if (!url) continue;
    const refused = refuseEndpointUrl(url, policy) ?? (await refuseResolvedHost(url));
    if (refused) problems.push({ path: `/endpoints/${key}`, message: refused });
  }
  if (problems.length) throw new ValidationError('A custom endpoint is not allowed.', problems, 'endpoint_refused');
}

/** Names are checked against what they resolve to now; the HTTP agent checks again on every connection. */
async function refuseResolvedHost(url: string): Promise<string | null> {
  const host = new URL(url).hostname;
  try {
    for (const { address } of await lookup(host, { all: true })) {
      const refused = refuseAddress(address, { allowLoopback: true });
      if (refused) return `resolves to ${refused}`;
    }
  } catch {
    // Unresolvable now is not proof of anything; the connection-time check still applies.
  }
  return null;
}

/** The settings that decide where the credential goes (to sign in) and where its tokens go. */
export function destinationChanges(current: ConnectionTargetEntity, next: ConnectionTargetEntity): string[] {
  const changed: string[] = [];
  if (current.tenantId !== next.tenantId) changed.push('tenantId');
  if ((current.clientId ?? null) !== (next.clientId ?? null)) changed.push('clientId');
  if (current.cloud !== next.cloud) changed.push('cloud');
  const before = current.endpoints ?? {};
  const after = next.endpoints ?? {};
  for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])].sort())
    if (before[key] !== after[key]) changed.push(`endpoints.${key}`);
  return changed;
}

export function settingChanges(current: ConnectionTargetEntity, next: ConnectionTargetEntity): string[] {
  return JSON.stringify(current.scopes ?? null) !== JSON.stringify(next.scopes ?? null) ? ['scopes'] : [];
}

/** What changed, from and to: only settings, never a secret. */
export function changesOf(
  current: ConnectionTargetEntity,
  next: ConnectionTargetEntity,
  fields: string[],
): Record<string, { from: unknown; to: unknown }> {
  const read = (row: ConnectionTargetEntity, field: string): unknown =>
    field.startsWith('endpoints.')
      ? (row.endpoints?.[field.slice('endpoints.'.length)] ?? null)
      : ((row as unknown as Record<string, unknown>)[field] ?? null);
  return Object.fromEntries(fields.map((field) => [field, { from: read(current, field), to: read(next, field) }]));
}
