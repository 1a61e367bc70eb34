import axios, { type AxiosInstance } from 'axios';
import type { FakeCloud } from './fake-cloud.js';
import type { ResourceName } from './types.js';

/**
 * An axios client for one of the fake's APIs, holding a token minted for `clientId` (default: the first app of
 * the default tenant) with the app's granted roles or the given ones. Never throws on an HTTP status.
 */
export function apiClient(
  fake: FakeCloud,
  resource: Extract<ResourceName, 'graph' | 'defender'>,
  opts: { clientId?: string; tenantId?: string; roles?: string[] } = {},
): AxiosInstance {
  const tenant = fake.state.requireTenant(opts.tenantId);
  const clientId = opts.clientId ?? tenant.apps.keys().next().value ?? '00000000-0000-0000-0000-000000000000';
  const token = fake.issueToken({ resource, clientId, tenantId: tenant.id, roles: opts.roles });
  return axios.create({
    baseURL: fake.endpoints[resource],
    headers: { authorization: `Bearer ${token}` },
    validateStatus: () => true,
  });
}
