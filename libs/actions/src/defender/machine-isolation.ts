import Type, { type Static } from 'typebox';
import type { RequiredRole } from '../action-definition.js';
import { ActionComment, machineAction, MachineRef } from './machine-action.js';

export const MACHINE_ISOLATE: RequiredRole = { resource: 'defender', role: 'Machine.Isolate' };

const IsolateInput = Type.Object(
  {
    machine: MachineRef,
    comment: Type.Optional(ActionComment),
    isolationType: Type.Optional(Type.Enum(['Full', 'Selective'], { default: 'Full' })),
  },
  { additionalProperties: false },
);
const ReleaseInput = Type.Object(
  { machine: MachineRef, comment: Type.Optional(ActionComment) },
  { additionalProperties: false },
);

/** Cuts a machine off the network except for the Defender service; followed to its end. */
export const isolateMachine = machineAction<Static<typeof IsolateInput>>({
  id: 'defender.isolate_machine',
  title: 'Isolate a machine (Defender for Endpoint)',
  description:
    'Cuts the machine off the network except for the Defender service (POST /api/machines/{id}/isolate), then follows the machine action until it succeeds, fails or times out.',
  inputSchema: IsolateInput,
  requiredRoles: [MACHINE_ISOLATE],
  inverse: 'defender.release_machine',
  type: 'Isolate',
  segment: 'isolate',
  api: 'isolate',
  defaultComment: 'Isolated by Riposte',
  params: (input) => ({ IsolationType: input.isolationType ?? 'Full' }),
  inverseInput: (_input, output) => ({
    machine: output.machineId,
    comment: 'Released from isolation by Riposte (revert)',
  }),
});

/** Restores a machine's network access; followed to its end. */
export const releaseMachine = machineAction<Static<typeof ReleaseInput>>({
  id: 'defender.release_machine',
  title: 'Release a machine from isolation (Defender for Endpoint)',
  description:
    "Restores the machine's network access (POST /api/machines/{id}/unisolate), then follows the machine action to its end.",
  inputSchema: ReleaseInput,
  requiredRoles: [MACHINE_ISOLATE],
  inverse: 'defender.isolate_machine',
  type: 'Unisolate',
  segment: 'unisolate',
  api: 'unisolate',
  defaultComment: 'Released from isolation by Riposte',
  inverseInput: (_input, output) => ({ machine: output.machineId, comment: 'Isolated again by Riposte (revert)' }),
});
