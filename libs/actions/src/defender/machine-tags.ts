import Type, { type Static } from 'typebox';
import type { Machine } from '@riposte/azure';
import type { ActionDefinition, RequiredRole } from '../action-definition.js';
import { MachineRef } from './machine-action.js';

const WRITE_MACHINES: RequiredRole = { resource: 'defender', role: 'Machine.ReadWrite.All' };

const TagInput = Type.Object(
  {
    machine: MachineRef,
    tag: Type.String({ minLength: 1, maxLength: 200, description: 'The machine tag (case-insensitive in Defender).' }),
  },
  { additionalProperties: false },
);
type TagInput = Static<typeof TagInput>;

export interface TagOutput {
  machineId: string;
  tag: string;
  machineTags: string[];
}

const hasTag = (machine: Machine, tag: string) =>
  (machine.machineTags ?? []).some((t) => t.toLowerCase() === tag.toLowerCase());

/**
 * `POST /api/machines/{id}/tags` with `Action: Add | Remove` (200, the machine): synchronous, and
 * the same state however often it is sent; each is the other's inverse. Tags drive device groups
 * and the guardrails' protected tags, so both go through the ledger.
 */
export function machineTagAction(add: boolean): ActionDefinition<TagInput, TagOutput> {
  const request = (machineId: string, tag: string) => ({
    method: 'POST' as const,
    path: `/machines/${machineId}/tags`,
    body: { Value: tag, Action: add ? 'Add' : 'Remove' },
    idempotent: true,
    api: 'tags' as const,
    notFound: 'machine_not_found' as const,
    what: `machine ${machineId}`,
  });
  const output = (machine: Machine, tag: string): TagOutput => ({
    machineId: machine.id,
    tag,
    machineTags: machine.machineTags ?? [],
  });
  return {
    id: add ? 'defender.add_machine_tag' : 'defender.remove_machine_tag',
    title: add ? 'Add a machine tag (Defender for Endpoint)' : 'Remove a machine tag (Defender for Endpoint)',
    description: add
      ? 'Tags the machine (POST /api/machines/{id}/tags, Action Add), e.g. to move it into a device group with stricter policies.'
      : 'Removes a tag from the machine (POST /api/machines/{id}/tags, Action Remove).',
    inputSchema: TagInput,
    requiredRoles: [WRITE_MACHINES],
    inverse: add ? 'defender.remove_machine_tag' : 'defender.add_machine_tag',
    destructive: true,
    ledger: true,
    entity: (input) => `machine:${input.machine.toLowerCase()}`,
    async plan(input, { defender, target, signal }) {
      const machine = await defender.resolveMachine(target, input.machine, signal);
      return [defender.describe(target, request(machine.id, input.tag))];
    },
    async execute(input, { defender, target, signal }) {
      const machine = await defender.resolveMachine(target, input.machine, signal);
      const reply = await defender.send<Machine>(target, request(machine.id, input.tag), signal);
      return output(reply.data ?? machine, input.tag);
    },
    async reconcile(input, { defender, target, signal }) {
      const machine = await defender.resolveMachine(target, input.machine, signal);
      return hasTag(machine, input.tag) === add
        ? { state: 'applied', output: output(machine, input.tag) }
        : { state: 'not_applied' };
    },
    inverseInput: (input, out) => ({ machine: out.machineId, tag: input.tag }),
  };
}
