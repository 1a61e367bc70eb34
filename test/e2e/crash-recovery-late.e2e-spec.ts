import { describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { useCrashHarness } from '../support/crash-harness.js';
import { call } from '../support/service-process.js';
import { demoTarget } from '../support/service.js';

/*
 * As crash-recovery.e2e-spec.ts, for the window in which Azure received the call before the kill
 * but applies it only after the restart's first look (its own file: it waits out the call's bound).
 */
const crash = useCrashHarness();

describe('a destructive call Azure received before the kill but applies only after the restart looked', () => {
  it('is not sent again: the restart finds nothing yet, waits until the call can no longer land, looks again and follows it', async () => {
    crash.fresh();
    // A call may land until its timeout (25 s) plus the longest in-call retry wait (1 s) after its intent.
    const env = { RIPOSTE_HTTP_TIMEOUT_MS: '25000', RIPOSTE_HTTP_MAX_RETRY_WAIT_SECONDS: '1' };
    const first = await crash.start(env);
    expect((await call(first.url, 'POST', '/api/v1/connection-targets', demoTarget(crash.fake))).status).toBe(201);
    // Defender receives the isolation, holds it, and applies it 20 s later, whoever is still there.
    crash.fake.faults.inject({
      service: 'defender',
      method: 'POST',
      path: '/isolate',
      effect: 'late',
      delayMs: 20_000,
    });
    const afterSeq = crash.fake.lastRequestSeq;
    const started = await call(first.url, 'POST', '/api/v1/responses', {
      action: 'defender.isolate_machine',
      connectionTarget: 'contoso',
      input: { machine: DEMO.machines.meganLaptop.id },
    });
    await crash.fake.waitForRequest({ service: 'defender', method: 'POST', path: '/isolate', afterSeq }, 10_000);
    await first.kill('SIGKILL');

    const second = await crash.start(env);
    // The restart's first look finds no trace: the window in which a resend would isolate twice.
    await crash.waitForStatus(second.url, started.body.runId, 'waiting');
    expect(crash.fake.listMachineActions({ machineId: DEMO.machines.meganLaptop.id, type: 'Isolate' })).toHaveLength(0);
    const run = await crash.waitForStatus(second.url, started.body.runId, undefined, 60_000);
    expect(run.status).toBe('succeeded');
    expect(crash.fake.requests({ service: 'defender', method: 'POST', path: '/isolate', afterSeq })).toHaveLength(1);
    expect(crash.fake.listMachineActions({ machineId: DEMO.machines.meganLaptop.id, type: 'Isolate' })).toHaveLength(1);
  }, 120_000);
});
