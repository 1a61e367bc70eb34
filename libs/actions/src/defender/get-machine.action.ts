import Type, { type Static } from 'typebox';
import type { Machine } from '@riposte/azure';
import type { ActionDefinition } from '../action-definition.js';
import { READ_MACHINES } from './machine-action.js';

const GetMachineInput = Type.Object(
  {
    machine: Type.String({
      minLength: 1,
      maxLength: 255,
      description: "A Defender machine id or the computer's DNS name.",
    }),
  },
  { additionalProperties: false },
);
type GetMachineInput = Static<typeof GetMachineInput>;

export const getMachine: ActionDefinition<GetMachineInput, Machine> = {
  id: 'defender.get_machine',
  title: 'Read a machine (Defender for Endpoint)',
  description: 'Finds a machine by id or DNS name and returns it (health, risk, tags, last seen).',
  inputSchema: GetMachineInput,
  requiredRoles: [READ_MACHINES],
  inverse: null,
  destructive: false,
  ledger: false,
  entity: (input) => `machine:${input.machine.toLowerCase()}`,
  async plan(input, { defender, target }) {
    return [
      defender.describe(target, {
        method: 'GET',
        path: `/machines?$filter=${encodeURIComponent(`computerDnsName eq '${input.machine.toLowerCase()}'`)}`,
        idempotent: true,
        api: 'machines',
      }),
    ];
  },
  async execute(input, { defender, target, signal }) {
    const { '@odata.context': _context, ...machine } = (await defender.resolveMachine(
      target,
      input.machine,
      signal,
    )) as Machine & { '@odata.context'?: string };
    return machine as Machine;
  },
};
