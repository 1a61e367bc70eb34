import Type, { type Static } from 'typebox';
import { AzureError, userPath } from '@riposte/azure';
import type { ActionContext, ActionDefinition } from '../action-definition.js';
import { objectId, READ_USERS, User, WRITE_MEMBERS } from './user-input.js';

export const GroupMemberInput = Type.Object(
  { user: User, group: objectId("The group's object id (e.g. a Conditional Access block group).") },
  { additionalProperties: false },
);
export type GroupMemberInput = Static<typeof GroupMemberInput>;

export interface GroupMemberOutput {
  user: string;
  userId: string;
  group: string;
  member: boolean;
  /** False when the user already was (add) or already was not (remove) a member: nothing changed. */
  changed: boolean;
}

/**
 * Adds a user to a group (`POST /groups/{id}/members/$ref`) or removes them
 * (`DELETE /groups/{id}/members/{userId}/$ref`); each is the other's inverse. The entity is the
 * user, so protected users (and members of protected groups) are refused.
 */
export function groupMemberAction(add: boolean): ActionDefinition<GroupMemberInput, GroupMemberOutput> {
  const request = (graphRoot: string, input: GroupMemberInput, userId: string) =>
    add
      ? {
          method: 'POST' as const,
          path: `/groups/${input.group}/members/$ref`,
          body: { '@odata.id': `${graphRoot}/v1.0/directoryObjects/${userId}` },
          idempotent: false,
          notFound: 'group_not_found' as const,
          what: `group ${input.group}`,
        }
      : {
          method: 'DELETE' as const,
          path: `/groups/${input.group}/members/${userId}/$ref`,
          idempotent: true,
          notFound: 'not_found' as const,
          what: `member ${userId} of group ${input.group}`,
        };
  const userId = async (input: GroupMemberInput, { graph, target, signal }: ActionContext) =>
    (await graph.getUser(target, input.user, ['id'], signal)).id;

  return {
    id: add ? 'azure_ad.add_group_member' : 'azure_ad.remove_group_member',
    title: add ? 'Add a user to an Entra ID group' : 'Remove a user from an Entra ID group',
    description: add
      ? 'Adds the user to the group (POST /groups/{id}/members/$ref), e.g. a group a Conditional Access policy blocks. Already a member: succeeds without a change.'
      : 'Removes the user from the group (DELETE /groups/{id}/members/{user}/$ref). Not a member: succeeds without a change.',
    inputSchema: GroupMemberInput,
    requiredRoles: [WRITE_MEMBERS, READ_USERS],
    inverse: add ? 'azure_ad.remove_group_member' : 'azure_ad.add_group_member',
    destructive: true,
    ledger: true,
    entity: (input) => `user:${input.user.toLowerCase()}`,
    async plan(input, context) {
      return [
        context.graph.describe(
          context.target,
          request(context.target.endpoints.graph, input, await userId(input, context)),
        ),
      ];
    },
    async execute(input, context) {
      const id = await userId(input, context);
      const done = (changed: boolean) => ({
        user: input.user,
        userId: id,
        group: input.group.toLowerCase(),
        member: add,
        changed,
      });
      try {
        await context.graph.send(context.target, request(context.target.endpoints.graph, input, id), context.signal);
        return done(true);
      } catch (error) {
        // Graph refuses a second add with 400 and a removal of a non-member with 404: the state wanted is there.
        if (
          error instanceof AzureError &&
          (error.code === 'bad_request' || error.code === 'not_found') &&
          (await isMember(input, id, context)) === add
        )
          return done(false);
        throw error;
      }
    },
    async reconcile(input, context) {
      const id = await userId(input, context);
      return (await isMember(input, id, context)) === add
        ? {
            state: 'applied',
            output: { user: input.user, userId: id, group: input.group.toLowerCase(), member: add, changed: true },
          }
        : { state: 'not_applied' };
    },
    inverseInput: (input, output) => ({ user: output.userId, group: input.group }),
  };
}

/** Direct membership, from the user's side (`memberOf`, every page): readable with User.Read.All. */
async function isMember(
  input: GroupMemberInput,
  userId: string,
  { graph, target, signal }: ActionContext,
): Promise<boolean> {
  const group = input.group.toLowerCase();
  let next: string | null = `${userPath(userId)}/memberOf?$select=id`;
  for (let pages = 0; next && pages < 100; pages++) {
    const page: { value: { id?: string }[]; nextLink: string | null } = await graph.page<{ id?: string }>(
      target,
      next,
      { signal },
    );
    if (page.value.some((o) => o.id?.toLowerCase() === group)) return true;
    next = page.nextLink;
  }
  return false;
}
