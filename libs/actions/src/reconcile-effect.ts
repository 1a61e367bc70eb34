import type { Logger } from '@nestjs/common';
import { CheckLater } from '@riposte/azure';
import type { EffectEntity } from '@riposte/persistence';
import type { ActionContext, ActionDefinition } from './action-definition.js';

/** What `reconcileThenRun` returns when Azure never got the call and it was not to be sent again. */
export const NOT_APPLIED = Symbol('not applied');

/**
 * An unsettled effect from before (a crash, a lost answer): follow it if Azure has it, send it
 * only if Azure never got it. Until the original call can no longer land (`landingBoundMs` after
 * its intent), "no trace of it" proves nothing: CheckLater, and nothing is sent.
 */
export async function reconcileThenRun(
  definition: ActionDefinition,
  input: Record<string, unknown>,
  context: ActionContext,
  effect: EffectEntity,
  landingBoundMs: number,
  logger: Logger,
  options: { resend: boolean } = { resend: true },
): Promise<unknown> {
  if (effect.reference && definition.resume) return definition.resume(input as never, effect.reference, context);
  if (!definition.reconcile) throw new Error(`Ledgered action ${definition.id} has no reconcile.`);
  const found = await definition.reconcile(input as never, context);
  logger.log(
    { runId: context.marker, action: definition.id, state: found.state },
    'reconciled an unsettled effect with Azure',
  );
  if (found.state === 'applied') return found.output;
  if (found.state === 'in_progress') {
    await context.recordReference(found.reference);
    return (definition.resume as NonNullable<ActionDefinition['resume']>)(input as never, found.reference, context);
  }
  // Not found yet, but the original call may still land: look again once it no longer can.
  const landsBy = Date.parse(effect.intendedAt) + landingBoundMs;
  if (Date.now() < landsBy)
    throw new CheckLater(
      landsBy,
      `Azure shows no trace of the call yet, but it could still take effect until ${new Date(landsBy).toISOString()}; checked again then, before anything is sent again.`,
    );
  return options.resend ? definition.execute(input as never, context) : NOT_APPLIED;
}
