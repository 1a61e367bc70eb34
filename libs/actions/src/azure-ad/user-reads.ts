import Type, { type Static } from 'typebox';
import { AzureError, userPath } from '@riposte/azure';
import type { ActionContext, ActionDefinition } from '../action-definition.js';
import { READ_RISK, READ_SIGN_INS, READ_USERS, User, UserInput } from './user-input.js';

const userEntity = (input: { user: string }) => `user:${input.user.toLowerCase()}`;
const userId = async (user: string, { graph, target, signal }: ActionContext) =>
  (await graph.getUser(target, user, ['id'], signal)).id;
const strip = <T extends Record<string, unknown>>(o: T) =>
  Object.fromEntries(Object.entries(o).filter(([k]) => !k.startsWith('@odata.context'))) as T;

const SignInsInput = Type.Object(
  {
    user: User,
    top: Type.Optional(
      Type.Integer({ minimum: 1, maximum: 200, default: 20, description: 'How many sign-ins, newest first.' }),
    ),
    sinceHours: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 720,
        description: 'Only sign-ins in the last N hours (Entra keeps 7 to 30 days).',
      }),
    ),
  },
  { additionalProperties: false },
);
type SignInsInput = Static<typeof SignInsInput>;

function signInsPath(id: string, input: SignInsInput, now = Date.now()): string {
  const clauses = [
    `userId eq '${id}'`,
    ...(input.sinceHours
      ? [`createdDateTime ge ${new Date(now - input.sinceHours * 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z')}`]
      : []),
  ];
  return `/auditLogs/signIns?$filter=${encodeURIComponent(clauses.join(' and '))}&$top=${input.top ?? 20}&$orderby=${encodeURIComponent('createdDateTime desc')}`;
}

export const listSignIns: ActionDefinition<
  SignInsInput,
  { user: string; userId: string; signIns: Record<string, unknown>[] }
> = {
  id: 'azure_ad.list_sign_ins',
  title: "Read a user's recent sign-ins",
  description:
    "The user's newest sign-ins (GET /auditLogs/signIns filtered on the user): time, app, IP address, location, risk, status. Needs an Entra ID P1 or P2 licence in the tenant.",
  inputSchema: SignInsInput,
  requiredRoles: [READ_SIGN_INS, READ_USERS],
  inverse: null,
  destructive: false,
  ledger: false,
  entity: userEntity,
  async plan(input, context) {
    return [
      context.graph.describe(context.target, {
        method: 'GET',
        path: signInsPath(await userId(input.user, context), input),
        idempotent: true,
      }),
    ];
  },
  async execute(input, context) {
    const id = await userId(input.user, context);
    const page = await context.graph.page<Record<string, unknown>>(context.target, signInsPath(id, input), {
      signal: context.signal,
    });
    return { user: input.user, userId: id, signIns: page.value.slice(0, input.top ?? 20) };
  },
};

export const getUserRisk: ActionDefinition<
  UserInput,
  {
    user: string;
    userId: string;
    riskLevel: string;
    riskState: string;
    riskDetail: string | null;
    riskLastUpdatedDateTime: string | null;
  }
> = {
  id: 'azure_ad.get_user_risk',
  title: "Read a user's Identity Protection risk",
  description:
    "The user's risk level, state and detail (GET /identityProtection/riskyUsers/{id}). A user Identity Protection never flagged reads as riskLevel none. Needs Entra ID P2.",
  inputSchema: UserInput,
  requiredRoles: [READ_RISK, READ_USERS],
  inverse: null,
  destructive: false,
  ledger: false,
  entity: userEntity,
  async plan(input, context) {
    return [
      context.graph.describe(context.target, {
        method: 'GET',
        path: `/identityProtection/riskyUsers/${await userId(input.user, context)}`,
        idempotent: true,
      }),
    ];
  },
  async execute(input, context) {
    const id = await userId(input.user, context);
    try {
      const risky = (
        await context.graph.send<Record<string, string>>(
          context.target,
          { method: 'GET', path: `/identityProtection/riskyUsers/${id}`, idempotent: true, notFound: 'not_found' },
          context.signal,
        )
      ).data;
      return {
        user: input.user,
        userId: id,
        riskLevel: risky.riskLevel ?? 'none',
        riskState: risky.riskState ?? 'none',
        riskDetail: risky.riskDetail ?? null,
        riskLastUpdatedDateTime: risky.riskLastUpdatedDateTime ?? null,
      };
    } catch (error) {
      if (error instanceof AzureError && error.code === 'not_found')
        return {
          user: input.user,
          userId: id,
          riskLevel: 'none',
          riskState: 'none',
          riskDetail: null,
          riskLastUpdatedDateTime: null,
        };
      throw error;
    }
  },
};

interface DirectoryObject {
  '@odata.type'?: string;
  id: string;
  displayName?: string;
  roleTemplateId?: string;
  securityEnabled?: boolean;
}

export const listMemberships: ActionDefinition<
  UserInput,
  { user: string; groups: DirectoryObject[]; directoryRoles: DirectoryObject[] }
> = {
  id: 'azure_ad.list_memberships',
  title: "Read a user's groups and directory roles",
  description:
    'The groups and directory roles the user is a direct member of (GET /users/{user}/memberOf, every page).',
  inputSchema: UserInput,
  requiredRoles: [READ_USERS],
  inverse: null,
  destructive: false,
  ledger: false,
  entity: userEntity,
  async plan(input, { graph, target }) {
    return [graph.describe(target, { method: 'GET', path: `${userPath(input.user)}/memberOf`, idempotent: true })];
  },
  async execute(input, { graph, target, signal }) {
    const all: DirectoryObject[] = [];
    let next: string | null = `${userPath(input.user)}/memberOf`;
    for (let pages = 0; next && pages < 50; pages++) {
      const page: { value: DirectoryObject[]; nextLink: string | null } = await graph.page<DirectoryObject>(
        target,
        next,
        { signal },
      );
      all.push(...page.value);
      next = page.nextLink;
    }
    const view = (o: DirectoryObject) => ({
      id: o.id,
      displayName: o.displayName,
      ...(o.roleTemplateId ? { roleTemplateId: o.roleTemplateId } : {}),
      ...(o.securityEnabled !== undefined ? { securityEnabled: o.securityEnabled } : {}),
    });
    return {
      user: input.user,
      groups: all.filter((o) => o['@odata.type'] === '#microsoft.graph.group').map(view),
      directoryRoles: all.filter((o) => o['@odata.type'] === '#microsoft.graph.directoryRole').map(view),
    };
  },
};

export const getManager: ActionDefinition<UserInput, { user: string; manager: Record<string, unknown> | null }> = {
  id: 'azure_ad.get_manager',
  title: "Read a user's manager",
  description: "The user's manager (GET /users/{user}/manager), e.g. to tell them; null when none is set.",
  inputSchema: UserInput,
  requiredRoles: [READ_USERS],
  inverse: null,
  destructive: false,
  ledger: false,
  entity: userEntity,
  async plan(input, { graph, target }) {
    return [graph.describe(target, { method: 'GET', path: `${userPath(input.user)}/manager`, idempotent: true })];
  },
  async execute(input, { graph, target, signal }) {
    // A 404 means "no manager" when the user exists, and "no such user" otherwise.
    await graph.getUser(target, input.user, ['id'], signal);
    try {
      const manager = (
        await graph.send<Record<string, unknown>>(
          target,
          { method: 'GET', path: `${userPath(input.user)}/manager`, idempotent: true, notFound: 'not_found' },
          signal,
        )
      ).data;
      return { user: input.user, manager: strip(manager) };
    } catch (error) {
      if (error instanceof AzureError && error.code === 'not_found') return { user: input.user, manager: null };
      throw error;
    }
  },
};
