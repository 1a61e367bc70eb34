import Type from 'typebox';
import type { PublicAccessLevel } from '@riposte/azure';
import type { ActionContext, ActionDefinition } from '../action-definition.js';
import { accountEntity, ContainerInput, READ_CONTAINERS, WRITE_CONTAINERS } from './storage-input.js';

export interface ContainerAccessOutput {
  account: string;
  container: string;
  previous: PublicAccessLevel;
  publicAccess: PublicAccessLevel;
  changed: boolean;
}

type Input = ContainerInput & { publicAccess?: PublicAccessLevel };

/** Make a container private, and set its access level back: the same ledger discipline as the account settings. */
function containerAccessAction(kind: 'private' | 'restore'): ActionDefinition<Input, ContainerAccessOutput> {
  const desired = (input: Input): PublicAccessLevel =>
    kind === 'private' ? 'None' : (input.publicAccess as PublicAccessLevel);
  const read = async (input: Input, { storage, target, signal }: ActionContext) => {
    const id = storage.accountId(target, input.account);
    const container = await storage.getContainer(target, id, input.container, signal);
    return { id, level: container.properties.publicAccess ?? 'None' };
  };
  return {
    id: kind === 'private' ? 'storage.make_container_private' : 'storage.restore_container_access',
    title: kind === 'private' ? 'Make a blob container private' : 'Restore blob container access',
    description:
      kind === 'private'
        ? "Sets the container's public access level to None: anonymous reads stop. Records the previous level; storage.restore_container_access sets it back."
        : "Sets a container's public access level back to a recorded value (the previous level in the output of storage.make_container_private).",
    inputSchema:
      kind === 'private'
        ? ContainerInput
        : Type.Object(
            { ...ContainerInput.properties, publicAccess: Type.Enum(['None', 'Blob', 'Container']) },
            { additionalProperties: false },
          ),
    requiredRoles: [],
    requiredAzureOperations: [READ_CONTAINERS, WRITE_CONTAINERS],
    inverse: kind === 'private' ? 'storage.restore_container_access' : 'storage.make_container_private',
    destructive: true,
    ledger: true,
    entity: (input) => `${accountEntity(input.account)}/blobservices/default/containers/${input.container}`,
    async plan(input, { storage, target }) {
      const id = storage.accountId(target, input.account);
      return [
        storage.describe(target, storage.readContainer(id, input.container)),
        storage.describe(target, storage.updateContainer(id, input.container, desired(input))),
      ];
    },
    async execute(input, context) {
      const { id, level } = await read(input, context);
      const value = desired(input);
      if (level === value)
        return { account: id, container: input.container, previous: level, publicAccess: value, changed: false };
      await context.recordReference(JSON.stringify({ previous: level }));
      await context.storage.send(
        context.target,
        context.storage.updateContainer(id, input.container, value),
        context.signal,
      );
      return { account: id, container: input.container, previous: level, publicAccess: value, changed: true };
    },
    async reconcile(input, context) {
      const { id, level } = await read(input, context);
      return level === desired(input)
        ? {
            state: 'applied',
            output: { account: id, container: input.container, previous: level, publicAccess: level, changed: false },
          }
        : { state: 'not_applied' };
    },
    async resume(input, reference, context) {
      const { previous } = JSON.parse(reference) as { previous: PublicAccessLevel };
      const { id, level } = await read(input, context);
      const value = desired(input);
      if (level !== value)
        await context.storage.send(
          context.target,
          context.storage.updateContainer(id, input.container, value),
          context.signal,
        );
      return { account: id, container: input.container, previous, publicAccess: value, changed: true };
    },
    inverseInput: (input, output) =>
      kind === 'private'
        ? { account: output.account, container: input.container, publicAccess: output.previous }
        : { account: output.account, container: input.container },
  };
}

export const makeContainerPrivate = containerAccessAction('private');
export const restoreContainerAccess = containerAccessAction('restore');
