import { randomUUID } from 'node:crypto';
import { ResponseError } from './errors.js';
import { isPlainObject, json, parseJsonBody, type AuthedContext, type RouteDef, type ServiceErrors } from './router.js';
import type { TenantData } from './state.js';
import type { FakeResponse } from './types.js';

/** Built-in Azure roles the fake knows (ids as in Azure), with the permissions that matter here. */
export const BUILT_IN_ROLES = {
  Owner: { id: '8e3af657-a8ff-443c-a75c-2fe8c4bcb635', actions: ['*'], notActions: [] },
  Contributor: {
    id: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
    actions: ['*'],
    notActions: [
      'Microsoft.Authorization/*/Delete',
      'Microsoft.Authorization/*/Write',
      'Microsoft.Authorization/elevateAccess/Action',
    ],
  },
  Reader: { id: 'acdd72a7-3385-48ef-bd42-f606fba81ae7', actions: ['*/read'], notActions: [] },
  'Storage Account Contributor': {
    id: '17d1049b-9a84-46fb-8f53-869881c3d3ab',
    actions: [
      'Microsoft.Authorization/*/read',
      'Microsoft.Resources/subscriptions/resourceGroups/read',
      'Microsoft.Storage/storageAccounts/*',
      'Microsoft.Insights/alertRules/*',
      'Microsoft.Support/*',
    ],
    notActions: [],
  },
} as const;
export type BuiltInRole = keyof typeof BUILT_IN_ROLES;

export interface StorageAccountInput {
  tenantId?: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location?: string;
  tags?: Record<string, string>;
  /** Omitted means "not set" (the property is absent, as on old accounts). */
  allowBlobPublicAccess?: boolean;
  allowSharedKeyAccess?: boolean;
  publicNetworkAccess?: 'Enabled' | 'Disabled';
  networkDefaultAction?: 'Allow' | 'Deny';
  ipRules?: string[];
  /** Container name → public access level. */
  containers?: Record<string, 'None' | 'Blob' | 'Container'>;
}

export interface StorageAccount {
  id: string;
  name: string;
  location: string;
  tags: Record<string, string>;
  properties: {
    allowBlobPublicAccess?: boolean;
    allowSharedKeyAccess?: boolean;
    publicNetworkAccess?: 'Enabled' | 'Disabled';
    networkAcls: {
      bypass: string;
      defaultAction: 'Allow' | 'Deny';
      ipRules: { value: string; action: 'Allow' }[];
      virtualNetworkRules: unknown[];
    };
    minimumTlsVersion: string;
    provisioningState: string;
  };
  containers: Map<string, { name: string; publicAccess: 'None' | 'Blob' | 'Container'; lastModifiedTime: string }>;
}

interface RoleAssignment {
  id: string;
  principalId: string;
  scope: string;
  roleDefinitionId: string;
}

/** Azure Resource Manager, per tenant: resource groups, RBAC role assignments and storage accounts. */
export class ArmState {
  readonly resourceGroups = new Map<
    string,
    { id: string; name: string; location: string; tags: Record<string, string> }
  >();
  readonly storageAccounts = new Map<string, StorageAccount>();
  readonly roleAssignments: RoleAssignment[] = [];

  addResourceGroup(
    subscriptionId: string,
    name: string,
    location = 'westeurope',
    tags: Record<string, string> = {},
  ): void {
    const id = `/subscriptions/${subscriptionId}/resourceGroups/${name}`;
    this.resourceGroups.set(id.toLowerCase(), { id, name, location, tags });
  }

  /** A role for a principal (app service principal or user object id) at a scope (subscription, resource group or resource id). */
  assignRole(principalId: string, role: BuiltInRole, scope: string): void {
    const subscription = /^\/subscriptions\/[^/]+/i.exec(scope)?.[0] ?? '';
    this.roleAssignments.push({
      id: `${scope}/providers/Microsoft.Authorization/roleAssignments/${randomUUID()}`,
      principalId: principalId.toLowerCase(),
      scope,
      roleDefinitionId: `${subscription}/providers/Microsoft.Authorization/roleDefinitions/${BUILT_IN_ROLES[role].id}`,
    });
  }

  addStorageAccount(input: StorageAccountInput): StorageAccount {
    if (
      !this.resourceGroups.has(
        `/subscriptions/${input.subscriptionId}/resourcegroups/${input.resourceGroup}`.toLowerCase(),
      )
    )
      this.addResourceGroup(input.subscriptionId, input.resourceGroup);
    const account: StorageAccount = {
      id: `/subscriptions/${input.subscriptionId}/resourceGroups/${input.resourceGroup}/providers/Microsoft.Storage/storageAccounts/${input.name}`,
      name: input.name,
      location: input.location ?? 'westeurope',
      tags: { ...input.tags },
      properties: {
        ...(input.allowBlobPublicAccess !== undefined ? { allowBlobPublicAccess: input.allowBlobPublicAccess } : {}),
        ...(input.allowSharedKeyAccess !== undefined ? { allowSharedKeyAccess: input.allowSharedKeyAccess } : {}),
        ...(input.publicNetworkAccess !== undefined ? { publicNetworkAccess: input.publicNetworkAccess } : {}),
        networkAcls: {
          bypass: 'AzureServices',
          defaultAction: input.networkDefaultAction ?? 'Allow',
          ipRules: (input.ipRules ?? []).map((value) => ({ value, action: 'Allow' as const })),
          virtualNetworkRules: [],
        },
        minimumTlsVersion: 'TLS1_2',
        provisioningState: 'Succeeded',
      },
      containers: new Map(
        Object.entries(input.containers ?? {}).map(([name, publicAccess]) => [
          name.toLowerCase(),
          { name, publicAccess, lastModifiedTime: new Date().toISOString() },
        ]),
      ),
    };
    this.storageAccounts.set(account.id.toLowerCase(), account);
    return account;
  }

  /** Does the principal (or a group it is in) hold a role at or above `scope` that allows `operation`? */
  allows(principalIds: string[], operation: string, scope: string): boolean {
    return this.rolesAt(principalIds, scope).some(
      (role) => role.actions.some((a) => matches(a, operation)) && !role.notActions.some((a) => matches(a, operation)),
    );
  }

  /** Assignments that apply at `scope` (made there or on a parent scope). */
  assignmentsAt(principalIds: string[], scope: string): RoleAssignment[] {
    const ids = principalIds.map((p) => p.toLowerCase());
    const target = scope.toLowerCase();
    return this.roleAssignments.filter(
      (a) =>
        ids.includes(a.principalId) &&
        (target === a.scope.toLowerCase() || target.startsWith(`${a.scope.toLowerCase()}/`)),
    );
  }

  private rolesAt(principalIds: string[], scope: string) {
    return this.assignmentsAt(principalIds, scope)
      .map((a) => Object.values(BUILT_IN_ROLES).find((r) => a.roleDefinitionId.endsWith(r.id)))
      .filter((r) => r !== undefined);
  }
}

// Azure's action wildcards (a star matches anything, e.g. in Microsoft.Storage/storageAccounts/ followed by a star), case-insensitive.
function matches(pattern: string, operation: string): boolean {
  const regex = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'))
      .join('.*')}$`,
    'i',
  );
  return regex.test(operation);
}

export const armErrors: ServiceErrors & Required<Pick<ServiceErrors, 'unauthorized' | 'forbidden'>> = {
  notFound: (req) => armError(404, 'NotFound', `No route at ${req.path}.`),
  methodNotAllowed: (req) => armError(405, 'MethodNotAllowed', `${req.method} is not allowed here.`),
  internal: () => armError(500, 'InternalServerError', 'Encountered internal server error.'),
  unauthorized: (_req, problem) =>
    problem === 'expired'
      ? armError(
          401,
          'ExpiredAuthenticationToken',
          'The access token expiry UTC time is earlier than current UTC time.',
        )
      : armError(
          401,
          problem === 'missing' ? 'AuthenticationFailed' : 'InvalidAuthenticationToken',
          'The access token is invalid.',
        ),
  forbidden: () =>
    armError(403, 'AuthorizationFailed', 'The client does not have authorization to perform this action.'),
};

function armError(status: number, code: string, message: string): FakeResponse {
  return json(status, { error: { code, message } }, { 'x-ms-request-id': randomUUID() });
}

/** The ARM routes, under `/management`. Every call needs an api-version and an RBAC role that allows its operation. */
export function armRoutes(): RouteDef<AuthedContext>[] {
  const rg = '/subscriptions/:sub/resourceGroups/:rg';
  const account = `${rg}/providers/Microsoft.Storage/storageAccounts/:account`;
  const containers = `${account}/blobServices/default/containers`;

  const authorize = (ctx: AuthedContext, operation: string, scope: string) => {
    if (!ctx.req.query.get('api-version'))
      throw new ResponseError(
        armError(
          400,
          'MissingApiVersionParameter',
          'The api-version query parameter (?api-version=) is required for all requests.',
        ),
      );
    const principal = ctx.token.oid;
    if (!ctx.tenant.arm.allows([principal, ...groupsOf(ctx.tenant, principal)], operation, scope)) {
      throw new ResponseError(
        armError(
          403,
          'AuthorizationFailed',
          `The client '${ctx.token.upn ?? principal}' with object id '${principal}' does not have authorization to perform action '${operation}' over scope '${scope}' or the scope is invalid. If access was recently granted, please refresh your credentials.`,
        ),
      );
    }
  };
  const group = (ctx: AuthedContext) => {
    const id = `/subscriptions/${ctx.params.sub}/resourceGroups/${ctx.params.rg}`;
    const found = ctx.tenant.arm.resourceGroups.get(id.toLowerCase());
    if (!found)
      throw new ResponseError(
        armError(404, 'ResourceGroupNotFound', `Resource group '${ctx.params.rg}' could not be found.`),
      );
    return found;
  };
  const storage = (ctx: AuthedContext) => {
    group(ctx);
    const id = `/subscriptions/${ctx.params.sub}/resourceGroups/${ctx.params.rg}/providers/Microsoft.Storage/storageAccounts/${ctx.params.account}`;
    const found = ctx.tenant.arm.storageAccounts.get(id.toLowerCase());
    if (!found)
      throw new ResponseError(
        armError(
          404,
          'ResourceNotFound',
          `The Resource 'Microsoft.Storage/storageAccounts/${ctx.params.account}' under resource group '${ctx.params.rg}' was not found.`,
        ),
      );
    return found;
  };
  const container = (ctx: AuthedContext) => {
    const acc = storage(ctx);
    const found = acc.containers.get(String(ctx.params.container).toLowerCase());
    if (!found) throw new ResponseError(armError(404, 'ContainerNotFound', 'The specified container does not exist.'));
    return { acc, found };
  };
  const accountView = (a: StorageAccount) => ({
    id: a.id,
    name: a.name,
    type: 'Microsoft.Storage/storageAccounts',
    kind: 'StorageV2',
    location: a.location,
    tags: a.tags,
    sku: { name: 'Standard_LRS', tier: 'Standard' },
    properties: structuredClone(a.properties),
  });
  const containerView = (a: StorageAccount, c: { name: string; publicAccess: string; lastModifiedTime: string }) => ({
    id: `${a.id}/blobServices/default/containers/${c.name}`,
    name: c.name,
    type: 'Microsoft.Storage/storageAccounts/blobServices/containers',
    properties: {
      publicAccess: c.publicAccess,
      lastModifiedTime: c.lastModifiedTime,
      leaseState: 'Available',
      hasImmutabilityPolicy: false,
      hasLegalHold: false,
    },
  });

  return [
    {
      method: 'GET',
      pattern: rg,
      handler: (ctx) => {
        const found = group(ctx);
        authorize(ctx, 'Microsoft.Resources/subscriptions/resourceGroups/read', found.id);
        return json(200, {
          id: found.id,
          name: found.name,
          type: 'Microsoft.Resources/resourceGroups',
          location: found.location,
          tags: found.tags,
          properties: { provisioningState: 'Succeeded' },
        });
      },
    },
    {
      method: 'GET',
      pattern: `${rg}/providers/Microsoft.Authorization/roleAssignments`,
      handler: (ctx) => {
        const found = group(ctx);
        authorize(ctx, 'Microsoft.Authorization/roleAssignments/read', found.id);
        const filter = ctx.req.query.get('$filter') ?? '';
        const assignedTo = /assignedTo\('([^']+)'\)/i.exec(filter)?.[1];
        const principals = assignedTo
          ? [assignedTo, ...groupsOf(ctx.tenant, assignedTo)]
          : ctx.tenant.arm.roleAssignments.map((a) => a.principalId);
        const value = ctx.tenant.arm.assignmentsAt(principals, found.id).map((a) => ({
          id: a.id,
          type: 'Microsoft.Authorization/roleAssignments',
          name: a.id.split('/').at(-1),
          properties: { roleDefinitionId: a.roleDefinitionId, principalId: a.principalId, scope: a.scope },
        }));
        return json(200, { value });
      },
    },
    {
      method: 'GET',
      pattern: '/subscriptions/:sub/providers/Microsoft.Authorization/roleDefinitions/:id',
      handler: (ctx) => {
        if (!ctx.req.query.get('api-version'))
          return armError(
            400,
            'MissingApiVersionParameter',
            'The api-version query parameter (?api-version=) is required for all requests.',
          );
        const entry = Object.entries(BUILT_IN_ROLES).find(([, r]) => r.id === ctx.params.id?.toLowerCase());
        if (!entry) return armError(404, 'RoleDefinitionDoesNotExist', 'The specified role definition does not exist.');
        const [roleName, role] = entry;
        return json(200, {
          id: `/subscriptions/${ctx.params.sub}/providers/Microsoft.Authorization/roleDefinitions/${role.id}`,
          name: role.id,
          type: 'Microsoft.Authorization/roleDefinitions',
          properties: {
            roleName,
            type: 'BuiltInRole',
            permissions: [{ actions: role.actions, notActions: role.notActions, dataActions: [], notDataActions: [] }],
          },
        });
      },
    },
    {
      method: 'GET',
      pattern: account,
      handler: (ctx) => {
        const acc = storage(ctx);
        authorize(ctx, 'Microsoft.Storage/storageAccounts/read', acc.id);
        return json(200, accountView(acc));
      },
    },
    {
      method: 'PATCH',
      pattern: account,
      handler: (ctx) => {
        const acc = storage(ctx);
        authorize(ctx, 'Microsoft.Storage/storageAccounts/write', acc.id);
        const body = parseJsonBody(ctx.req);
        const props = isPlainObject(body) && isPlainObject(body.properties) ? body.properties : undefined;
        if (!props)
          return armError(
            400,
            'InvalidRequestContent',
            'The request content was invalid and could not be deserialized.',
          );
        for (const key of ['allowBlobPublicAccess', 'allowSharedKeyAccess'] as const) {
          if (key in props) {
            if (typeof props[key] !== 'boolean')
              return armError(400, 'InvalidRequestPropertyValue', `The value of property '${key}' is invalid.`);
            acc.properties[key] = props[key];
          }
        }
        if ('publicNetworkAccess' in props) {
          if (props.publicNetworkAccess !== 'Enabled' && props.publicNetworkAccess !== 'Disabled')
            return armError(
              400,
              'InvalidRequestPropertyValue',
              "The value of property 'publicNetworkAccess' is invalid.",
            );
          acc.properties.publicNetworkAccess = props.publicNetworkAccess;
        }
        if (isPlainObject(props.networkAcls)) {
          const acls = props.networkAcls;
          if (acls.defaultAction !== 'Allow' && acls.defaultAction !== 'Deny')
            return armError(
              400,
              'InvalidRequestPropertyValue',
              "The value of property 'networkAcls.defaultAction' is invalid.",
            );
          // networkAcls is replaced as a whole (as ARM does): what is not sent is reset.
          acc.properties.networkAcls = {
            bypass: typeof acls.bypass === 'string' ? acls.bypass : 'AzureServices',
            defaultAction: acls.defaultAction,
            ipRules: Array.isArray(acls.ipRules) ? (acls.ipRules as { value: string; action: 'Allow' }[]) : [],
            virtualNetworkRules: Array.isArray(acls.virtualNetworkRules) ? acls.virtualNetworkRules : [],
          };
        }
        return json(200, accountView(acc));
      },
    },
    {
      method: 'GET',
      pattern: containers,
      handler: (ctx) => {
        const acc = storage(ctx);
        authorize(ctx, 'Microsoft.Storage/storageAccounts/blobServices/containers/read', acc.id);
        return json(200, { value: [...acc.containers.values()].map((c) => containerView(acc, c)) });
      },
    },
    {
      method: 'GET',
      pattern: `${containers}/:container`,
      handler: (ctx) => {
        const { acc, found } = container(ctx);
        authorize(ctx, 'Microsoft.Storage/storageAccounts/blobServices/containers/read', acc.id);
        return json(200, containerView(acc, found));
      },
    },
    {
      method: 'PATCH',
      pattern: `${containers}/:container`,
      handler: (ctx) => {
        const { acc, found } = container(ctx);
        authorize(ctx, 'Microsoft.Storage/storageAccounts/blobServices/containers/write', acc.id);
        const body = parseJsonBody(ctx.req);
        const level = isPlainObject(body) && isPlainObject(body.properties) ? body.properties.publicAccess : undefined;
        if (level !== 'None' && level !== 'Blob' && level !== 'Container')
          return armError(
            400,
            'InvalidRequestPropertyValue',
            "The value of property 'publicAccess' must be None, Blob or Container.",
          );
        if (level !== 'None' && acc.properties.allowBlobPublicAccess === false)
          return armError(409, 'PublicAccessNotPermitted', 'Public access is not permitted on this storage account.');
        found.publicAccess = level;
        found.lastModifiedTime = new Date().toISOString();
        return json(200, containerView(acc, found));
      },
    },
  ];
}

function groupsOf(tenant: TenantData, principalId: string): string[] {
  return [...tenant.groups.values()].filter((g) => g.members.includes(principalId.toLowerCase())).map((g) => g.id);
}
