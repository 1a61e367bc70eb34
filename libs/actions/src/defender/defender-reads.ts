import Type, { type Static } from 'typebox';
import type { ActionDefinition, RequiredRole } from '../action-definition.js';
import { READ_MACHINES } from './machine-action.js';
import { MachineRef } from './machine-action.js';

const READ_ALERTS: RequiredRole = {
  resource: 'defender',
  role: 'Alert.Read.All',
  satisfiedBy: ['Alert.ReadWrite.All'],
};
const READ_LOGON_USERS: RequiredRole = {
  resource: 'defender',
  role: 'User.Read.All',
  satisfiedBy: ['User.ReadWrite.All'],
};
const READ_FILES: RequiredRole = { resource: 'defender', role: 'File.Read.All' };

const MachineInput = Type.Object({ machine: MachineRef }, { additionalProperties: false });
type MachineInput = Static<typeof MachineInput>;

/** A list under a machine: the machine is resolved (id or DNS name) first, then `/machines/{id}/<what>` read. */
function machineList(
  id: string,
  title: string,
  description: string,
  what: 'alerts' | 'logonusers',
  role: RequiredRole,
  key: string,
): ActionDefinition<MachineInput, Record<string, unknown>> {
  return {
    id,
    title,
    description,
    inputSchema: MachineInput,
    requiredRoles: [role, READ_MACHINES],
    inverse: null,
    destructive: false,
    ledger: false,
    entity: (input) => `machine:${input.machine.toLowerCase()}`,
    async plan(input, { defender, target, signal }) {
      const machine = await defender.resolveMachine(target, input.machine, signal);
      return [
        defender.describe(target, {
          method: 'GET',
          path: `/machines/${machine.id}/${what}`,
          idempotent: true,
          api: what,
        }),
      ];
    },
    async execute(input, { defender, target, signal }) {
      const machine = await defender.resolveMachine(target, input.machine, signal);
      const reply = await defender.send<{ value?: unknown[] }>(
        target,
        {
          method: 'GET',
          path: `/machines/${machine.id}/${what}`,
          idempotent: true,
          api: what,
          notFound: 'machine_not_found',
          what: `machine ${input.machine}`,
        },
        signal,
      );
      return {
        machineId: machine.id,
        computerDnsName: machine.computerDnsName ?? null,
        [key]: reply.data?.value ?? [],
      };
    },
  };
}

export const listMachineAlerts = machineList(
  'defender.list_machine_alerts',
  "Read a machine's alerts (Defender for Endpoint)",
  'The Defender alerts related to the machine (GET /api/machines/{id}/alerts).',
  'alerts',
  READ_ALERTS,
  'alerts',
);
export const listLoggedOnUsers = machineList(
  'defender.list_logged_on_users',
  'Read who logged on to a machine (Defender for Endpoint)',
  'The accounts seen logged on to the machine in the last 30 days (GET /api/machines/{id}/logonusers).',
  'logonusers',
  READ_LOGON_USERS,
  'users',
);

const FileInput = Type.Object(
  {
    hash: Type.String({ pattern: '^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$', description: "The file's SHA-1 or SHA-256." }),
  },
  { additionalProperties: false },
);
type FileInput = Static<typeof FileInput>;

export const getFile: ActionDefinition<FileInput, Record<string, unknown>> = {
  id: 'defender.get_file',
  title: "Read a file's profile (Defender for Endpoint)",
  description:
    'What Defender knows of a file by hash (GET /api/files/{hash}): prevalence, signer, determination. Unknown file: fails with file_not_found.',
  inputSchema: FileInput,
  requiredRoles: [READ_FILES],
  inverse: null,
  destructive: false,
  ledger: false,
  entity: (input) => `file:${input.hash.toLowerCase()}`,
  async plan(input, { defender, target }) {
    return [
      defender.describe(target, {
        method: 'GET',
        path: `/files/${input.hash.toLowerCase()}`,
        idempotent: true,
        api: 'files',
      }),
    ];
  },
  async execute(input, { defender, target, signal }) {
    const reply = await defender.send<Record<string, unknown>>(
      target,
      {
        method: 'GET',
        path: `/files/${input.hash.toLowerCase()}`,
        idempotent: true,
        api: 'files',
        notFound: 'file_not_found',
        what: `file ${input.hash}`,
      },
      signal,
    );
    const { '@odata.context': _context, ...file } = reply.data;
    return file;
  },
};
