import { isoSeconds } from './clock.js';
import { DEFAULT_USER_PROPERTIES, USER_PROPERTIES } from './entities.js';
import { fail, graphError } from './errors.js';
import { graphBadRequest, graphJson, graphNotFound, graphQuery } from './graph-common.js';
import type { GraphUser } from './model.js';
import { applyListQuery, buildLink } from './odata-query.js';
import { isPlainObject, parseJsonBody, type AuthedContext, type RouteDef } from './router.js';
import { ADMIN_CAPABLE_ROLES, PRIVILEGED_ROLE_TEMPLATES, type TenantData } from './state.js';
import { grantedPermissions } from './tokens.js';

const USER_READ = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const USER_WRITE_ANY = ['User.ReadWrite.All', 'Directory.ReadWrite.All'];
const USER_ENABLE = ['User.EnableDisableAccount.All', ...USER_WRITE_ANY];
const USER_REVOKE = ['User.RevokeSessions.All', ...USER_WRITE_ANY];
const USER_PASSWORD = ['User-PasswordProfile.ReadWrite.All', ...USER_WRITE_ANY];
const GROUP_READ = [
  'GroupMember.Read.All',
  'Group.Read.All',
  'Group.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];
const ROLE_READ = [
  'RoleManagement.Read.Directory',
  'RoleManagement.Read.All',
  'RoleManagement.ReadWrite.Directory',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];

const READ_ONLY_USER_PROPERTIES = new Set([
  'id',
  'createdDateTime',
  'signInSessionsValidFromDateTime',
  'lastPasswordChangeDateTime',
  'userType',
]);
const USER_TYPE = 'Microsoft.DirectoryServices.User';

/** Graph user, group and directory role routes (`/graph/v1.0/...`). */
export function graphUserRoutes(graphBase: string): RouteDef<AuthedContext>[] {
  const context = (fragment: string) => `${graphBase}/v1.0/$metadata#${fragment}`;

  const requireUser = (ctx: AuthedContext): GraphUser =>
    ctx.tenant.findUser(ctx.params.id!) ?? graphNotFound(ctx.req, ctx.params.id!);

  const getUser = (ctx: AuthedContext) => {
    const user = requireUser(ctx);
    const select = parseSelect(ctx);
    const fragment = select ? `users(${select.join(',')})/$entity` : 'users/$entity';
    return graphJson(ctx.req, 200, {
      '@odata.context': context(fragment),
      ...pick(user, select ?? DEFAULT_USER_PROPERTIES),
    });
  };

  const listUsers = (ctx: AuthedContext) => {
    const select = parseSelect(ctx);
    const users = [...ctx.tenant.users.values()];
    const page = directoryPage(ctx, users, [
      'id',
      'userPrincipalName',
      'displayName',
      'mail',
      'accountEnabled',
      'userType',
    ]);
    return graphJson(ctx.req, 200, {
      '@odata.context': context(select ? `users(${select.join(',')})` : 'users'),
      value: page.items.map((u) => pick(u, select ?? DEFAULT_USER_PROPERTIES)),
      ...page.link,
    });
  };

  const patchUser = (ctx: AuthedContext) => {
    const user = requireUser(ctx);
    const body = parseJsonBody(ctx.req);
    if (!isPlainObject(body)) graphBadRequest(ctx.req, 'Empty or invalid payload provided.', 'Request_BadRequest');
    const { passwordProfile, ...properties } = body;
    for (const [key, value] of Object.entries(properties)) validateUserProperty(ctx, key, value);
    const password = passwordProfile === undefined ? undefined : validatePasswordProfile(ctx, passwordProfile);
    const granted = grantedPermissions(ctx.token);
    const broad = granted.some((p) => USER_WRITE_ANY.includes(p));
    // User.EnableDisableAccount.All covers accountEnabled and nothing else; User-PasswordProfile.ReadWrite.All passwordProfile only.
    const narrow = (key: string) =>
      (key === 'accountEnabled' && granted.some((p) => USER_ENABLE.includes(p))) ||
      (key === 'passwordProfile' && granted.some((p) => USER_PASSWORD.includes(p)));
    if (!broad && Object.keys(body).some((k) => !narrow(k))) forbidden(ctx);
    // Disabling an admin or resetting their password is sensitive: an app needs an admin role of its own (Entra's rule).
    if (('accountEnabled' in body || password) && ctx.token.idtyp === 'app' && isPrivileged(ctx.tenant, user.id)) {
      const app = ctx.tenant.apps.get(ctx.token.appid.toLowerCase());
      if (!app?.directoryRoleTemplateIds.some((r) => ADMIN_CAPABLE_ROLES.has(r))) forbidden(ctx);
    }
    if (password) {
      ctx.tenant.passwords.set(user.id, { ...password, setAt: isoSeconds() });
      user.lastPasswordChangeDateTime = isoSeconds();
    }
    const previousUpn = user.userPrincipalName;
    Object.assign(user, properties);
    ctx.tenant.putUser(user, previousUpn);
    return graphJson(ctx.req, 204);
  };

  const revoke = (ctx: AuthedContext) => {
    const user = requireUser(ctx);
    user.signInSessionsValidFromDateTime = isoSeconds();
    return graphJson(ctx.req, 200, { '@odata.context': context('Edm.Boolean'), value: true });
  };

  const memberOf = (ctx: AuthedContext) => {
    const user = requireUser(ctx);
    const groups = [...ctx.tenant.groups.values()].filter((g) => g.members.includes(user.id));
    const roles = [...ctx.tenant.directoryRoles.values()].filter((r) => r.members.includes(user.id));
    const groupObjects = groups.map((g) => directoryObject(ctx.tenant, g.id)).filter((o) => o !== undefined);
    const objects = [...groupObjects, ...roles.map((r) => roleView(r, true))];
    const page = directoryPage(ctx, objects, []);
    return graphJson(ctx.req, 200, { '@odata.context': context('directoryObjects'), value: page.items, ...page.link });
  };

  const getGroup = (ctx: AuthedContext) => {
    const group = ctx.tenant.groups.get(ctx.params.id!.toLowerCase()) ?? graphNotFound(ctx.req, ctx.params.id!);
    const { members: _members, ...view } = group;
    return graphJson(ctx.req, 200, { '@odata.context': context('groups/$entity'), ...view });
  };

  const groupMembers = (transitive: boolean) => (ctx: AuthedContext) => {
    const group = ctx.tenant.groups.get(ctx.params.id!.toLowerCase()) ?? graphNotFound(ctx.req, ctx.params.id!);
    const ids = transitive ? transitiveMembers(ctx.tenant, group.id) : group.members;
    const objects = ids.map((id) => directoryObject(ctx.tenant, id)).filter((o) => o !== undefined);
    const page = directoryPage(ctx, objects, []);
    return graphJson(ctx.req, 200, { '@odata.context': context('directoryObjects'), value: page.items, ...page.link });
  };

  const listRoles = (ctx: AuthedContext) => {
    const roles = [...ctx.tenant.directoryRoles.values()].map((r) => roleView(r, false));
    const page = directoryPage(ctx, roles, ['id', 'displayName', 'roleTemplateId']);
    return graphJson(ctx.req, 200, { '@odata.context': context('directoryRoles'), value: page.items, ...page.link });
  };

  const findRole = (ctx: AuthedContext) => {
    const key = ctx.params.id!;
    const role = ctx.tenant.findDirectoryRole(key.replace(/^roleTemplateId=/i, ''));
    return role ?? graphNotFound(ctx.req, key);
  };

  const getRole = (ctx: AuthedContext) =>
    graphJson(ctx.req, 200, { '@odata.context': context('directoryRoles/$entity'), ...roleView(findRole(ctx), false) });

  const roleMembers = (ctx: AuthedContext) => {
    const role = findRole(ctx);
    const objects = role.members.map((id) => directoryObject(ctx.tenant, id)).filter((o) => o !== undefined);
    const page = directoryPage(ctx, objects, []);
    return graphJson(ctx.req, 200, { '@odata.context': context('directoryObjects'), value: page.items, ...page.link });
  };

  /** Graph pages directory lists with `$skiptoken`; the fake's token is the offset. */
  const directoryPage = <T extends object>(ctx: AuthedContext, items: T[], filterFields: string[]) => {
    const query = new URLSearchParams(ctx.req.query);
    const skiptoken = query.get('$skiptoken');
    query.delete('$skiptoken');
    query.delete('$select');
    query.delete('$count');
    if (skiptoken !== null) query.set('$skip', skiptoken);
    const page = graphQuery(ctx.req, () =>
      applyListQuery(items, query, {
        filterFields,
        orderFields: ['displayName'],
        entity: 'microsoft.graph.directoryObject',
        defaultTop: 100,
        maxTop: 999,
      }),
    );
    if (page.nextSkip === undefined) return { items: page.items, link: {} };
    const next = new URLSearchParams(ctx.req.query);
    next.set('$skiptoken', String(page.nextSkip));
    return {
      items: page.items,
      link: { '@odata.nextLink': buildLink(`${graphBase}${ctx.req.path.slice('/graph'.length)}`, next) },
    };
  };

  return [
    { method: 'GET', pattern: '/v1.0/users', permissions: USER_READ, handler: listUsers },
    { method: 'GET', pattern: '/v1.0/users/:id', permissions: USER_READ, handler: getUser },
    {
      method: 'PATCH',
      pattern: '/v1.0/users/:id',
      permissions: [...USER_ENABLE, ...USER_PASSWORD],
      handler: patchUser,
    },
    { method: 'POST', pattern: '/v1.0/users/:id/revokeSignInSessions', permissions: USER_REVOKE, handler: revoke },
    {
      method: 'GET',
      pattern: '/v1.0/users/:id/memberOf',
      permissions: [...USER_READ, ...GROUP_READ],
      handler: memberOf,
    },
    { method: 'GET', pattern: '/v1.0/groups/:id', permissions: GROUP_READ, handler: getGroup },
    { method: 'GET', pattern: '/v1.0/groups/:id/members', permissions: GROUP_READ, handler: groupMembers(false) },
    {
      method: 'GET',
      pattern: '/v1.0/groups/:id/transitiveMembers',
      permissions: GROUP_READ,
      handler: groupMembers(true),
    },
    { method: 'GET', pattern: '/v1.0/directoryRoles', permissions: ROLE_READ, handler: listRoles },
    { method: 'GET', pattern: '/v1.0/directoryRoles/:id', permissions: ROLE_READ, handler: getRole },
    { method: 'GET', pattern: '/v1.0/directoryRoles/:id/members', permissions: ROLE_READ, handler: roleMembers },
  ];
}

function forbidden(ctx: AuthedContext): never {
  fail(graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.', ctx.req));
}

function parseSelect(ctx: AuthedContext): string[] | undefined {
  const raw = ctx.req.query.get('$select');
  if (raw === null || !raw.trim()) return undefined;
  const names = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const name of names) {
    if (!(USER_PROPERTIES as readonly string[]).includes(name)) {
      graphBadRequest(
        ctx.req,
        `Could not find a property named '${name}' on type '${USER_TYPE}'.`,
        'Request_BadRequest',
      );
    }
  }
  return names;
}

function pick(user: GraphUser, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of names) out[name] = (user as unknown as Record<string, unknown>)[name] ?? null;
  return out;
}

function validateUserProperty(ctx: AuthedContext, key: string, value: unknown): void {
  if (READ_ONLY_USER_PROPERTIES.has(key))
    graphBadRequest(ctx.req, `Property '${key}' is read-only and cannot be set.`, 'Request_BadRequest');
  if (!(USER_PROPERTIES as readonly string[]).includes(key)) {
    graphBadRequest(
      ctx.req,
      `Property '${key}' does not exist as a declared property or extension property.`,
      'Request_BadRequest',
    );
  }
  const expected = key === 'accountEnabled' ? 'boolean' : key === 'businessPhones' ? 'array' : 'string';
  const ok =
    expected === 'array'
      ? Array.isArray(value)
      : typeof value === expected || (expected === 'string' && value === null);
  if (!ok) {
    graphBadRequest(ctx.req, `Invalid value specified for property '${key}' of resource 'User'.`, 'Request_BadRequest');
  }
}

/** Entra's default policy: 8 to 256 characters, three of upper, lower, digit, symbol. */
function validatePasswordProfile(
  ctx: AuthedContext,
  profile: unknown,
): { password: string; forceChangePasswordNextSignIn: boolean } {
  if (!isPlainObject(profile) || typeof profile.password !== 'string')
    graphBadRequest(
      ctx.req,
      "Invalid value specified for property 'passwordProfile' of resource 'User'.",
      'Request_BadRequest',
    );
  const password = profile.password;
  const classes = [/[A-Z]/, /[a-z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((r) => r.test(password)).length;
  if (password.length < 8 || password.length > 256 || classes < 3)
    graphBadRequest(
      ctx.req,
      'The specified password does not comply with password complexity requirements. Please provide a different password.',
      'Request_BadRequest',
    );
  return { password, forceChangePasswordNextSignIn: profile.forceChangePasswordNextSignIn === true };
}

function isPrivileged(tenant: TenantData, userId: string): boolean {
  return tenant.rolesOf(userId).some((t) => PRIVILEGED_ROLE_TEMPLATES.has(t));
}

function transitiveMembers(tenant: TenantData, groupId: string): string[] {
  const seen = new Set<string>([groupId]);
  const out: string[] = [];
  const queue = [...(tenant.groups.get(groupId)?.members ?? [])];
  while (queue.length) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(id);
    const nested = tenant.groups.get(id);
    if (nested) queue.push(...nested.members);
  }
  return out;
}

function directoryObject(tenant: TenantData, id: string): Record<string, unknown> | undefined {
  const user = tenant.users.get(id);
  if (user) {
    return {
      '@odata.type': '#microsoft.graph.user',
      id: user.id,
      displayName: user.displayName,
      userPrincipalName: user.userPrincipalName,
      mail: user.mail,
      accountEnabled: user.accountEnabled,
    };
  }
  const group = tenant.groups.get(id);
  if (group) {
    return {
      '@odata.type': '#microsoft.graph.group',
      id: group.id,
      displayName: group.displayName,
      description: group.description,
      securityEnabled: group.securityEnabled,
      mailEnabled: group.mailEnabled,
    };
  }
  return undefined;
}

function roleView(
  role: { id: string; displayName: string; description: string; roleTemplateId: string },
  typed: boolean,
) {
  return {
    ...(typed ? { '@odata.type': '#microsoft.graph.directoryRole' } : {}),
    id: role.id,
    deletedDateTime: null,
    description: role.description,
    displayName: role.displayName,
    roleTemplateId: role.roleTemplateId,
  };
}
