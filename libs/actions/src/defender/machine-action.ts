import Type, { type TSchema } from 'typebox';
import { AzureError, type DefenderApi, type MachineAction } from '@riposte/azure';
import type { ActionContext, ActionDefinition, Reconciliation, RequiredRole } from '../action-definition.js';

export const READ_MACHINES: RequiredRole = {
  resource: 'defender',
  role: 'Machine.Read.All',
  satisfiedBy: ['Machine.ReadWrite.All'],
};

export const MachineRef = Type.String({
  minLength: 1,
  maxLength: 255,
  description: "A Defender machine id (40 hex characters) or the computer's DNS name.",
});
export const ActionComment = Type.String({
  minLength: 1,
  maxLength: 900,
  description: "Shown in the Defender portal's action center.",
});

export interface MachineActionOutput {
  machineId: string;
  computerDnsName: string | null;
  machineActionId: string;
  type: string;
  status: 'Succeeded';
  /** True when an action of the same kind was already pending and we followed it instead. */
  joinedExistingAction: boolean;
}

export interface MachineActionSpec<I extends { machine: string; comment?: string }> {
  id: string;
  title: string;
  description: string;
  inputSchema: TSchema;
  requiredRoles: RequiredRole[];
  inverse: string | null;
  /** Defender's machine action type, as `GET /machineactions` reports it. */
  type: string;
  /** The last path segment: `/machines/{id}/<segment>`. */
  segment: string;
  api: DefenderApi;
  defaultComment: string;
  /** Body parameters besides `Comment` (Defender's names are case-sensitive). */
  params?(input: I): Record<string, unknown>;
  inverseInput?(input: I, output: MachineActionOutput): Record<string, unknown>;
}

/**
 * A Defender machine action other than isolation, the way isolation does it: the POST carries the
 * step's marker in its comment, the action id is recorded before it is followed to its end
 * (`DefenderClient.followMachineAction`, the one follow loop), a pending action of the same kind
 * is joined instead of failing, and after a crash the marker finds the action again.
 */
export function machineAction<I extends { machine: string; comment?: string }>(
  spec: MachineActionSpec<I>,
): ActionDefinition<I, MachineActionOutput> {
  const path = (machineId: string) => `/machines/${machineId}/${spec.segment}`;
  const body = (input: I, marker: string) => ({
    Comment: `${input.comment ?? spec.defaultComment} [${marker}]`,
    ...spec.params?.(input),
  });

  /** One look at the action (the client says when to look again): the ledger keeps its id, so the next look follows it, never resends. */
  async function follow(
    action: MachineAction,
    computerDnsName: string | null,
    joined: boolean,
    context: ActionContext,
  ): Promise<MachineActionOutput> {
    await context.recordReference(action.id);
    // Every caller hands over an action just read from Defender: that is already the first look.
    const final = await context.defender.followMachineAction(context.target, action, {
      since: context.intendedAt,
      signal: context.signal,
      fresh: true,
    });
    if (final.status !== 'Succeeded') {
      const code =
        final.status === 'TimeOut'
          ? 'machine_action_timed_out'
          : final.status === 'Cancelled'
            ? 'machine_action_cancelled'
            : 'machine_action_failed';
      throw new AzureError(code, `Defender machine action ${final.id} (${spec.type}) ended ${final.status}.`, {
        service: 'defender',
      });
    }
    return {
      machineId: final.machineId,
      computerDnsName,
      machineActionId: final.id,
      type: spec.type,
      status: 'Succeeded',
      joinedExistingAction: joined,
    };
  }

  return {
    id: spec.id,
    title: spec.title,
    description: spec.description,
    inputSchema: spec.inputSchema,
    requiredRoles: [...spec.requiredRoles, READ_MACHINES],
    inverse: spec.inverse,
    destructive: true,
    ledger: true,
    entity: (input) => `machine:${input.machine.toLowerCase()}`,

    async plan(input, { defender, target, signal, marker }) {
      const machine = await defender.resolveMachine(target, input.machine, signal);
      return [
        defender.describe(target, {
          method: 'POST',
          path: path(machine.id),
          body: body(input, marker),
          idempotent: false,
          api: spec.api,
        }),
      ];
    },

    async execute(input, context) {
      const { defender, target, signal, marker } = context;
      const machine = await defender.resolveMachine(target, input.machine, signal);
      const dns = machine.computerDnsName ?? null;
      try {
        const reply = await defender.send<MachineAction>(
          target,
          {
            method: 'POST',
            path: path(machine.id),
            body: body(input, marker),
            idempotent: false,
            api: spec.api,
            notFound: 'machine_not_found',
            what: `machine ${input.machine}`,
          },
          signal,
        );
        return await follow(reply.data, dns, false, context);
      } catch (error) {
        // "Action is already in progress": one of this kind is pending for the machine; follow it rather
        // than fail (docs/AZURE.md#defender-action-in-progress). It may have ended between Defender's
        // answer and our look: take the newest.
        if (!(error instanceof AzureError) || error.code !== 'action_already_pending') throw error;
        const newest = (await defender.findMachineActions(target, machine.id, spec.type, signal)).sort((a, b) =>
          String(b.creationDateTimeUtc).localeCompare(String(a.creationDateTimeUtc)),
        )[0];
        if (!newest) throw error;
        return follow(newest, dns, true, context);
      }
    },

    async reconcile(input, context): Promise<Reconciliation<MachineActionOutput>> {
      const { defender, target, signal, marker } = context;
      const machine = await defender.resolveMachine(target, input.machine, signal);
      const ours = (await defender.findMachineActions(target, machine.id, spec.type, signal)).find((a) =>
        a.requestorComment?.includes(marker),
      );
      return ours ? { state: 'in_progress', reference: ours.id } : { state: 'not_applied' };
    },

    async resume(_input, reference, context) {
      const action = await context.defender.getMachineAction(context.target, reference, context.signal);
      return follow(action, action.computerDnsName ?? null, false, context);
    },

    ...(spec.inverseInput ? { inverseInput: spec.inverseInput } : {}),
  };
}
