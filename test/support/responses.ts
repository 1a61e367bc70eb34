import { expect } from 'vitest';
import { type TestService, waitForRun } from './service.js';

/**
 * Starts a simple response (POST /responses must answer 202) on the connection target `contoso`
 * (the demo tenant, see demoTarget) and waits for its run to end; returns the run.
 */
export async function respond(
  service: TestService,
  action: string,
  input: Record<string, unknown>,
  extra: Record<string, unknown> = {},
  timeoutMs?: number,
): Promise<any> {
  const started = await service.request('POST', '/api/v1/responses', {
    body: { action, connectionTarget: 'contoso', input, reason: 'e2e', ...extra },
  });
  expect(started.status, started.text).toBe(202);
  return waitForRun(service, started.body.runId, timeoutMs);
}

/** Reverts a run (POST /runs/{id}/revert must answer 202) and waits for the revert run to end. */
export async function revert(service: TestService, runId: string): Promise<any> {
  const started = await service.request('POST', `/api/v1/runs/${runId}/revert`);
  expect(started.status, started.text).toBe(202);
  return waitForRun(service, started.body.runId);
}
