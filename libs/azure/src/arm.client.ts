import { Injectable } from '@nestjs/common';
import { AzureError } from './azure-error.js';
import { AzureHttp, type AzureReply, type HttpMethod } from './azure-http.js';
import type { AzureTarget } from './azure-target.js';
import type { NotFoundMeaning } from './error-mapping.js';
import { TokenProvider } from './token-provider.js';

export interface ArmRequest {
  method: HttpMethod;
  /** A resource path from `/subscriptions/…`, without the api-version. */
  path: string;
  apiVersion: string;
  body?: unknown;
  idempotent: boolean;
  notFound?: NotFoundMeaning;
  what?: string;
}

/** An Azure role that applies at a scope, with what it allows. */
export interface AzureRoleGrant {
  roleName: string;
  /** Where the assignment was made (the scope itself or a parent: subscription, resource group). */
  scope: string;
  actions: string[];
  notActions: string[];
}

const API = { resourceGroups: '2021-04-01', authorization: '2022-04-01' };

/** Azure Resource Manager: one client for every ARM call, with the target's subscription and resource group as defaults. */
@Injectable()
export class ArmClient {
  constructor(
    private readonly http: AzureHttp,
    private readonly tokens: TokenProvider,
  ) {}

  /** `/subscriptions/{id}/resourceGroups/{name}` of the target, or why it has none. */
  resourceGroupScope(target: AzureTarget): string {
    if (!target.subscriptionId || !target.resourceGroup) {
      throw new AzureError(
        'arm_not_configured',
        `Connection target '${target.name}' has no subscriptionId and resourceGroup: set both (PATCH /api/v1/connection-targets/${target.name}) to act on Azure resources, or name the full resource id.`,
        { service: 'management' },
      );
    }
    return `/subscriptions/${target.subscriptionId}/resourceGroups/${target.resourceGroup}`;
  }

  describe(target: AzureTarget, request: ArmRequest): { method: HttpMethod; url: string; body?: unknown } {
    return {
      method: request.method,
      url: this.url(target, request),
      ...(request.body !== undefined ? { body: request.body } : {}),
    };
  }

  async send<T>(target: AzureTarget, request: ArmRequest, signal?: AbortSignal): Promise<AzureReply<T>> {
    return this.http.call<T>(
      target,
      {
        service: 'management',
        method: request.method,
        url: this.url(target, request),
        body: request.body,
        idempotent: request.idempotent,
        notFound: request.notFound,
        what: request.what,
        signal,
      },
      async (refresh) => (await this.tokens.getToken(target, 'management', { forceRefresh: refresh })).token,
    );
  }

  async resourceGroup(
    target: AzureTarget,
    signal?: AbortSignal,
  ): Promise<{ id: string; name: string; location: string }> {
    const scope = this.resourceGroupScope(target);
    return (
      await this.send<{ id: string; name: string; location: string }>(
        target,
        {
          method: 'GET',
          path: scope,
          apiVersion: API.resourceGroups,
          idempotent: true,
          notFound: 'resource_group_not_found',
          what: `resource group ${target.resourceGroup}`,
        },
        signal,
      )
    ).data;
  }

  /** The roles a principal holds at a scope (directly, through a group, or inherited from a parent scope). */
  async rolesAt(
    target: AzureTarget,
    scope: string,
    principalId: string,
    signal?: AbortSignal,
  ): Promise<AzureRoleGrant[]> {
    const filter = encodeURIComponent(`assignedTo('${principalId.replace(/'/g, "''")}')`);
    const reply = await this.send<{ value?: { properties: { roleDefinitionId: string; scope: string } }[] }>(
      target,
      {
        method: 'GET',
        path: `${scope}/providers/Microsoft.Authorization/roleAssignments?$filter=${filter}`,
        apiVersion: API.authorization,
        idempotent: true,
        what: `role assignments at ${scope}`,
      },
      signal,
    );
    const grants: AzureRoleGrant[] = [];
    for (const assignment of reply.data?.value ?? []) {
      const definition = await this.send<{
        properties: { roleName: string; permissions?: { actions?: string[]; notActions?: string[] }[] };
      }>(
        target,
        {
          method: 'GET',
          path: assignment.properties.roleDefinitionId,
          apiVersion: API.authorization,
          idempotent: true,
          what: 'a role definition',
        },
        signal,
      );
      const permissions = definition.data.properties.permissions ?? [];
      grants.push({
        roleName: definition.data.properties.roleName,
        scope: assignment.properties.scope,
        actions: permissions.flatMap((p) => p.actions ?? []),
        notActions: permissions.flatMap((p) => p.notActions ?? []),
      });
    }
    return grants;
  }

  private url(target: AzureTarget, request: ArmRequest): string {
    const base = target.endpoints.management;
    if (!base)
      throw new AzureError(
        'resource_not_available',
        `Azure Resource Manager has no endpoint in the ${target.cloud} cloud of connection target '${target.name}'.`,
        { service: 'management' },
      );
    const separator = request.path.includes('?') ? '&' : '?';
    return `${base}${request.path}${separator}api-version=${request.apiVersion}`;
  }
}

/** Does any of the roles allow the operation (Azure's wildcards, notActions subtracted)? */
export function rolesAllow(grants: AzureRoleGrant[], operation: string): boolean {
  return grants.some(
    (g) => g.actions.some((a) => wildcard(a, operation)) && !g.notActions.some((a) => wildcard(a, operation)),
  );
}

function wildcard(pattern: string, operation: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return regex.test(operation);
}
