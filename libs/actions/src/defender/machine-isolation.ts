import Type, { type Static } from 'typebox';
import { AzureError, type MachineAction } from '@riposte/azure';
import type { ActionContext, ActionDefinition, Reconciliation, RequiredRole } from '../action-definition.js';

export const MACHINE_ISOLATE: RequiredRole = { resource: 'defender', role: 'Machine.Isolate' };
export const READ_MACHINES: RequiredRole = { resource: 'defender', role: 'Machine.Read.All', satisfiedBy: ['Machine.ReadWrite.All'] };

const Machine = Type.String({ minLength: 1, maxLength: 255, description: 'A Defender machine id (40 hex characters) or the computer\'s DNS name.' });
const Comment = Type.String({ minLength: 1, maxLength: 900, description: 'Shown in the Defender portal\'s action center.' });

export const IsolateInput = Type.Object(
  { machine: Machine, comment: Type.Optional(Comment), isolationType: Type.Optional(Type.Enum(['Full', 'Selective'], { default: 'Full' })) },
  { additionalProperties: false },
);
export const ReleaseInput = Type.Object({ machine: Machine, comment: Type.Optional(Comment) }, { additionalProperties: false });
type IsolationInput = Static<typeof IsolateInput>;

export interface IsolationOutput {
  machineId: string;
  computerDnsName: string | null;
  machineActionId: string;
  status: 'Succeeded';
  /** True when another isolation of the same kind was already pending and we followed it instead. */
  joinedExistingAction: boolean;
}

type Kind = 'Isolate' | 'Unisolate';

/** Isolate and release share everything but the verb: a POST that starts a machine action, then following it. */
export function machineIsolationAction(kind: Kind): ActionDefinition<IsolationInput, IsolationOutput> {
  const isolate = kind === 'Isolate';
  const path = (machineId: string) => `/machines/${machineId}/${isolate ? 'isolate' : 'unisolate'}`;
  const body = (input: IsolationInput, marker: string) => ({
    Comment: `${input.comment ?? (isolate ? 'Isolated by Riposte' : 'Released from isolation by Riposte')} [${marker}]`,
    ...(isolate ? { IsolationType: input.isolationType ?? 'Full' } : {}),
  });

  /** One look at the action (the client says when to look again): the ledger keeps its id, so the next look follows it, never resends. */
  async function follow(action: MachineAction, computerDnsName: string | null, joined: boolean, context: ActionContext, fresh = false): Promise<IsolationOutput> {
    await context.recordReference(action.id);
    const final = await context.defender.followMachineAction(context.target, action, { since: context.intendedAt, signal: context.signal, fresh });
    if (final.status !== 'Succeeded') {
      const code = final.status === 'TimeOut' ? 'machine_action_timed_out' : final.status === 'Cancelled' ? 'machine_action_cancelled' : 'machine_action_failed';
      throw new AzureError(code, `Defender machine action ${final.id} (${kind}) ended ${final.status}.`, { service: 'defender' });
    }
    return { machineId: final.machineId, computerDnsName, machineActionId: final.id, status: 'Succeeded', joinedExistingAction: joined };
  }

  return {
    id: isolate ? 'defender.isolate_machine' : 'defender.release_machine',
    title: isolate ? 'Isolate a machine (Defender for Endpoint)' : 'Release a machine from isolation (Defender for Endpoint)',
    description: isolate
      ? 'Cuts the machine off the network except for the Defender service (POST /api/machines/{id}/isolate), then follows the machine action until it succeeds, fails or times out.'
      : 'Restores the machine\'s network access (POST /api/machines/{id}/unisolate), then follows the machine action to its end.',
    inputSchema: isolate ? IsolateInput : ReleaseInput,
    requiredRoles: [MACHINE_ISOLATE, READ_MACHINES],
    inverse: isolate ? 'defender.release_machine' : 'defender.isolate_machine',
    destructive: true,
    entity: (input) => `machine:${input.machine.toLowerCase()}`,

    async plan(input, { defender, target, signal, marker }) {
      const machine = await defender.resolveMachine(target, input.machine, signal);
      return [defender.describe(target, { method: 'POST', path: path(machine.id), body: body(input, marker), idempotent: false, api: isolate ? 'isolate' : 'unisolate' })];
    },

    async execute(input, context) {
      const { defender, target, signal, marker } = context;
      const machine = await defender.resolveMachine(target, input.machine, signal);
      const dns = machine.computerDnsName ?? null;
      try {
        const reply = await defender.send<MachineAction>(target, { method: 'POST', path: path(machine.id), body: body(input, marker), idempotent: false, api: isolate ? 'isolate' : 'unisolate', notFound: 'machine_not_found', what: `machine ${input.machine}` }, signal);
        return await follow(reply.data, dns, false, context, true);
      } catch (error) {
        // "Action is already in progress": one is pending for this machine; follow it rather than fail
        // (docs/AZURE.md#defender-action-in-progress). It may have ended between Defender's answer and
        // our look: take the newest.
        if (!(error instanceof AzureError) || error.code !== 'action_already_pending') throw error;
        const newest = (await defender.findMachineActions(target, machine.id, kind, signal)).sort((a, b) => String(b.creationDateTimeUtc).localeCompare(String(a.creationDateTimeUtc)))[0];
        if (!newest) throw error;
        return follow(newest, dns, true, context, true);
      }
    },

    async reconcile(input, context): Promise<Reconciliation<IsolationOutput>> {
      const { defender, target, signal, marker } = context;
      const machine = await defender.resolveMachine(target, input.machine, signal);
      const ours = (await defender.findMachineActions(target, machine.id, kind, signal)).find((a) => a.requestorComment?.includes(marker));
      return ours ? { state: 'in_progress', reference: ours.id } : { state: 'not_applied' };
    },

    async resume(_input, reference, context) {
      const action = await context.defender.getMachineAction(context.target, reference, context.signal);
      return follow(action, action.computerDnsName ?? null, false, context, true);
    },

    inverseInput: (_input, output) => ({ machine: output.machineId, comment: isolate ? 'Released from isolation by Riposte (revert)' : 'Isolated again by Riposte (revert)' }),
  };
}
