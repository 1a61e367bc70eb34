import { isoSeconds } from './clock.js';
import { fail, graphError } from './errors.js';
import { graphBadRequest, graphJson, graphNotFound, graphQuery } from './graph-common.js';
import type { Group, ServicePrincipal } from './model.js';
import { applyListQuery, nextLink } from './odata-query.js';
import { isPlainObject, parseJsonBody, type AuthedContext, type RouteDef } from './router.js';

const USER_READ = ['User.Read.All', 'User.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'];
const RISK_READ = ['IdentityRiskyUser.Read.All', 'IdentityRiskyUser.ReadWrite.All'];
const RISK_WRITE = ['IdentityRiskyUser.ReadWrite.All'];
const SIGN_INS_READ = ['AuditLog.Read.All'];
const MEMBERS_WRITE = ['GroupMember.ReadWrite.All', 'Group.ReadWrite.All', 'Directory.ReadWrite.All'];
const APPS_READ = [
  'Application.Read.All',
  'Application.ReadWrite.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
];
const APPS_WRITE = ['Application.ReadWrite.All', 'Directory.ReadWrite.All'];
const MAIL_SEND = ['Mail.Send'];

/**
 * Graph identity routes beyond users' own properties: Identity Protection's risky users, sign-in
 * logs, a user's manager, group membership changes (`members/$ref`) and service principals.
 */
export function graphIdentityRoutes(graphBase: string): RouteDef<AuthedContext>[] {
  const context = (fragment: string) => `${graphBase}/v1.0/$metadata#${fragment}`;

  const requireUser = (ctx: AuthedContext, key = ctx.params.id!) =>
    ctx.tenant.findUser(key) ?? graphNotFound(ctx.req, key);
  const requireGroup = (ctx: AuthedContext): Group =>
    ctx.tenant.groups.get(ctx.params.id!.toLowerCase()) ?? graphNotFound(ctx.req, ctx.params.id!);
  const requireSp = (ctx: AuthedContext): ServicePrincipal =>
    ctx.tenant.findServicePrincipal(ctx.params.id!) ?? graphNotFound(ctx.req, ctx.params.id!);

  const riskyUser = (ctx: AuthedContext) => {
    const risky = ctx.tenant.riskyUsers.get(ctx.params.id!.toLowerCase()) ?? graphNotFound(ctx.req, ctx.params.id!);
    return graphJson(ctx.req, 200, { '@odata.context': context('identityProtection/riskyUsers/$entity'), ...risky });
  };

  const listRiskyUsers = (ctx: AuthedContext) => {
    const page = graphQuery(ctx.req, () =>
      applyListQuery([...ctx.tenant.riskyUsers.values()], ctx.req.query, {
        filterFields: ['id', 'riskLevel', 'riskState', 'userPrincipalName', 'riskLastUpdatedDateTime'],
        orderFields: ['riskLastUpdatedDateTime'],
        entity: 'microsoft.graph.riskyUser',
        defaultTop: 20,
        maxTop: 500,
      }),
    );
    return graphJson(ctx.req, 200, {
      '@odata.context': context('identityProtection/riskyUsers'),
      value: page.items,
      ...(page.nextSkip !== undefined
        ? {
            '@odata.nextLink': nextLink(
              `${graphBase}${ctx.req.path.slice('/graph'.length)}`,
              ctx.req.query,
              page.nextSkip,
            ),
          }
        : {}),
    });
  };

  /** confirmCompromised and dismiss take `{ userIds: [...] }` (object ids) and answer 204. */
  const changeRisk = (to: 'confirmedCompromised' | 'dismissed') => (ctx: AuthedContext) => {
    const body = parseJsonBody(ctx.req);
    const ids = isPlainObject(body) && Array.isArray(body.userIds) ? body.userIds : undefined;
    if (!ids || ids.length === 0 || ids.length > 60 || !ids.every((i) => typeof i === 'string'))
      graphBadRequest(ctx.req, 'userIds must be a list of 1 to 60 user object ids.', 'badRequest');
    for (const id of ids as string[]) {
      const user = ctx.tenant.users.get(id.toLowerCase()) ?? graphNotFound(ctx.req, id);
      const risky = ctx.tenant.riskyUsers.get(user.id) ?? {
        id: user.id,
        isDeleted: false,
        isProcessing: false,
        riskLastUpdatedDateTime: isoSeconds(),
        riskLevel: 'none' as const,
        riskState: 'none' as const,
        riskDetail: 'none',
        userDisplayName: user.displayName,
        userPrincipalName: user.userPrincipalName,
      };
      Object.assign(
        risky,
        to === 'confirmedCompromised'
          ? { riskLevel: 'high', riskState: 'confirmedCompromised', riskDetail: 'adminConfirmedUserCompromised' }
          : { riskLevel: 'none', riskState: 'dismissed', riskDetail: 'adminDismissedAllRiskForUser' },
      );
      risky.riskLastUpdatedDateTime = isoSeconds();
      ctx.tenant.riskyUsers.set(user.id, risky);
    }
    return graphJson(ctx.req, 204);
  };

  const signIns = (ctx: AuthedContext) => {
    const all = [...ctx.tenant.signIns].sort((a, b) => b.createdDateTime.localeCompare(a.createdDateTime));
    const page = graphQuery(ctx.req, () =>
      applyListQuery(all, ctx.req.query, {
        filterFields: ['userId', 'userPrincipalName', 'createdDateTime', 'appId', 'ipAddress', 'riskLevelDuringSignIn'],
        orderFields: ['createdDateTime'],
        entity: 'microsoft.graph.signIn',
        defaultTop: 1000,
        maxTop: 1000,
      }),
    );
    return graphJson(ctx.req, 200, {
      '@odata.context': context('auditLogs/signIns'),
      value: page.items,
      ...(page.nextSkip !== undefined
        ? {
            '@odata.nextLink': nextLink(
              `${graphBase}${ctx.req.path.slice('/graph'.length)}`,
              ctx.req.query,
              page.nextSkip,
            ),
          }
        : {}),
    });
  };

  const manager = (ctx: AuthedContext) => {
    const user = requireUser(ctx);
    const managerId = ctx.tenant.managers.get(user.id);
    const boss = managerId ? ctx.tenant.users.get(managerId) : undefined;
    if (!boss) graphNotFound(ctx.req, 'manager');
    return graphJson(ctx.req, 200, {
      '@odata.context': context('directoryObjects/$entity'),
      '@odata.type': '#microsoft.graph.user',
      id: boss.id,
      displayName: boss.displayName,
      userPrincipalName: boss.userPrincipalName,
      mail: boss.mail,
      jobTitle: boss.jobTitle,
    });
  };

  /** `{ "@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}" }` → 204; already a member → 400. */
  const addMember = (ctx: AuthedContext) => {
    const group = requireGroup(ctx);
    const body = parseJsonBody(ctx.req);
    const ref = isPlainObject(body) && typeof body['@odata.id'] === 'string' ? body['@odata.id'] : undefined;
    const id = ref ? /\/directoryObjects\/([^/?#]+)$/i.exec(ref)?.[1] : undefined;
    if (!id)
      graphBadRequest(
        ctx.req,
        "Invalid URL format specified in @odata.id: expected '…/directoryObjects/{id}'.",
        'Request_BadRequest',
      );
    const member = ctx.tenant.users.get(id.toLowerCase()) ?? ctx.tenant.groups.get(id.toLowerCase());
    if (!member) graphNotFound(ctx.req, id);
    if (group.members.includes(member.id))
      graphBadRequest(
        ctx.req,
        "One or more added object references already exist for the following modified properties: 'members'.",
        'Request_BadRequest',
      );
    group.members.push(member.id);
    return graphJson(ctx.req, 204);
  };

  const removeMember = (ctx: AuthedContext) => {
    const group = requireGroup(ctx);
    const memberId = ctx.params.memberId!.toLowerCase();
    if (!group.members.includes(memberId)) graphNotFound(ctx.req, memberId);
    group.members = group.members.filter((m) => m !== memberId);
    return graphJson(ctx.req, 204);
  };

  const getSp = (ctx: AuthedContext) =>
    graphJson(ctx.req, 200, { '@odata.context': context('servicePrincipals/$entity'), ...requireSp(ctx) });

  const patchSp = (ctx: AuthedContext) => {
    const sp = requireSp(ctx);
    const body = parseJsonBody(ctx.req);
    if (!isPlainObject(body)) graphBadRequest(ctx.req, 'Empty or invalid payload provided.', 'Request_BadRequest');
    for (const [key, value] of Object.entries(body)) {
      if (key === 'accountEnabled' && typeof value === 'boolean') continue;
      if (key === 'tags' && Array.isArray(value)) continue;
      fail(
        graphError(
          400,
          'Request_BadRequest',
          `Invalid value specified for property '${key}' of resource 'ServicePrincipal'.`,
          ctx.req,
        ),
      );
    }
    Object.assign(sp, body);
    return graphJson(ctx.req, 204);
  };

  /** `{ message: { subject, body: { content }, toRecipients: [{ emailAddress: { address } }] } }` → 202. */
  const sendMail = (ctx: AuthedContext) => {
    const sender = requireUser(ctx);
    const body = parseJsonBody(ctx.req);
    const message = isPlainObject(body) && isPlainObject(body.message) ? body.message : undefined;
    const to = Array.isArray(message?.toRecipients)
      ? message.toRecipients
          .map((r) => (isPlainObject(r) && isPlainObject(r.emailAddress) ? String(r.emailAddress.address ?? '') : ''))
          .filter(Boolean)
      : [];
    if (!message || to.length === 0)
      graphBadRequest(ctx.req, 'The message must have at least one recipient.', 'ErrorInvalidRecipients');
    const content = isPlainObject(message.body) ? String(message.body.content ?? '') : '';
    ctx.tenant.sentMail.push({
      from: sender.userPrincipalName,
      subject: String(message.subject ?? ''),
      body: content,
      to,
      at: isoSeconds(),
    });
    return graphJson(ctx.req, 202);
  };

  return [
    { method: 'POST', pattern: '/v1.0/users/:id/sendMail', permissions: MAIL_SEND, handler: sendMail },
    { method: 'GET', pattern: '/v1.0/identityProtection/riskyUsers', permissions: RISK_READ, handler: listRiskyUsers },
    { method: 'GET', pattern: '/v1.0/identityProtection/riskyUsers/:id', permissions: RISK_READ, handler: riskyUser },
    {
      method: 'POST',
      pattern: '/v1.0/identityProtection/riskyUsers/confirmCompromised',
      permissions: RISK_WRITE,
      handler: changeRisk('confirmedCompromised'),
    },
    {
      method: 'POST',
      pattern: '/v1.0/identityProtection/riskyUsers/dismiss',
      permissions: RISK_WRITE,
      handler: changeRisk('dismissed'),
    },
    { method: 'GET', pattern: '/v1.0/auditLogs/signIns', permissions: SIGN_INS_READ, handler: signIns },
    { method: 'GET', pattern: '/v1.0/users/:id/manager', permissions: USER_READ, handler: manager },
    { method: 'POST', pattern: '/v1.0/groups/:id/members/$ref', permissions: MEMBERS_WRITE, handler: addMember },
    {
      method: 'DELETE',
      pattern: '/v1.0/groups/:id/members/:memberId/$ref',
      permissions: MEMBERS_WRITE,
      handler: removeMember,
    },
    { method: 'GET', pattern: '/v1.0/servicePrincipals/:id', permissions: APPS_READ, handler: getSp },
    { method: 'PATCH', pattern: '/v1.0/servicePrincipals/:id', permissions: APPS_WRITE, handler: patchSp },
  ];
}
