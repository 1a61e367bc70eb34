import { Injectable } from '@nestjs/common';
import Type, { type Static } from 'typebox';
import { ActionCatalogue } from '@riposte/actions';
import type { Principal } from '@riposte/auth';
import { ConnectionTargetsService } from '@riposte/connection-targets';
import { ValidationError } from '@riposte/errors';
import { Slug } from '@riposte/schema';
import type { NewRun, RunStatus } from './run-model.js';
import { RunScheduler } from './run-scheduler.js';
import { RunStore } from './run-store.js';

export const StartResponseSchema = Type.Object(
  {
    action: Type.String({ minLength: 1, maxLength: 200, description: 'An action id from GET /api/v1/actions.' }),
    connectionTarget: Slug(),
    input: Type.Record(Type.String(), Type.Unknown(), {
      description: "The action's input, as its inputSchema describes.",
    }),
    reason: Type.Optional(
      Type.String({ maxLength: 1000, description: 'Why: kept with the run and in the audit trail.' }),
    ),
    dryRun: Type.Optional(Type.Boolean({ default: false, description: 'Plan the exact request without sending it.' })),
  },
  { additionalProperties: false },
);
export type StartResponse = Static<typeof StartResponseSchema>;

/** Simple responses: one action fired by an analyst, run as a run with one step. */
@Injectable()
export class ResponsesService {
  constructor(
    private readonly catalogue: ActionCatalogue,
    private readonly targets: ConnectionTargetsService,
    private readonly store: RunStore,
    private readonly scheduler: RunScheduler,
  ) {}

  async start(request: StartResponse, principal: Principal): Promise<{ runId: string; status: RunStatus }> {
    this.catalogue.get(request.action);
    const checked = this.catalogue.validateInput(request.action, request.input);
    if (!checked.ok)
      throw new ValidationError(
        `The input does not fit action ${request.action}.`,
        checked.errors.map((e) => ({ ...e, path: `/input${e.path}` })),
      );
    await this.targets.get(request.connectionTarget);
    const run: NewRun = {
      kind: 'response',
      triggerType: 'api',
      triggerBy: principal.name,
      triggerRole: principal.role,
      connectionTarget: request.connectionTarget,
      dryRun: request.dryRun ?? false,
      reason: request.reason ?? null,
      input: { action: request.action, ...checked.input },
    };
    const steps = [{ stepKey: 'response', action: request.action, input: checked.input }];
    // Driven in this process: created claimed for its driver, which then neither claims nor reads it.
    const claimed = this.scheduler.drivesHere() ? await this.store.createClaimed(run, steps) : undefined;
    const runId = claimed?.run.id ?? (await this.store.create(run, steps)).id;
    this.scheduler.schedule(runId, 'response', claimed);
    return { runId, status: 'queued' };
  }
}
