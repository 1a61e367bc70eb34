import { describe, expect, it } from 'vitest';
import { DEMO } from '@riposte/fake-cloud';
import { useCrashHarness } from '../support/crash-harness.js';
import { call, type ServiceProcess } from '../support/service-process.js';
import { demoTarget } from '../support/service.js';

/*
 * As crash-recovery.e2e-spec.ts, for the response catalogue: the service is killed after Azure
 * acted on the call but before the answer came back; after the restart the run finishes and
 * Azure has received the call exactly once.
 */
const crash = useCrashHarness();

/** Starts the response, kills the service once Azure has the call, restarts, and returns the finished run. */
async function crashDuring(
  action: string,
  input: Record<string, unknown>,
  call_: { service: 'graph' | 'defender'; method: string; path: string },
): Promise<{ run: any; afterSeq: number; second: ServiceProcess }> {
  crash.fresh();
  const first = await crash.start();
  expect((await call(first.url, 'POST', '/api/v1/connection-targets', demoTarget(crash.fake))).status).toBe(201);
  // Azure applies the call at once, then sits on the answer long enough for us to kill the service.
  crash.fake.faults.inject({ ...call_, effect: 'before', delayMs: 60_000 });
  const afterSeq = crash.fake.lastRequestSeq;
  const started = await call(first.url, 'POST', '/api/v1/responses', { action, connectionTarget: 'contoso', input });
  expect(started.status).toBe(202);
  await crash.fake.waitForRequest({ ...call_, afterSeq }, 10_000);
  await first.kill('SIGKILL');
  crash.fake.faults.clear();
  const second = await crash.start();
  return { run: await crash.waitForStatus(second.url, started.body.runId), afterSeq, second };
}

// Two service processes per test: slow on a busy machine, so a wider bound than the default.
const SLOW = 120_000;

describe('a catalogue action in flight when the service is killed', () => {
  it(
    'stop and quarantine: the machine action Azure started is followed, not sent again',
    async () => {
      const machine = DEMO.machines.adeleDesktop;
      const call_ = { service: 'defender' as const, method: 'POST', path: '/StopAndQuarantineFile' };
      const { run, afterSeq } = await crashDuring(
        'defender.stop_and_quarantine_file',
        { machine: machine.dnsName, sha1: DEMO.files.invoiceDropper.sha1 },
        call_,
      );
      expect(run.status).toBe('succeeded');
      expect(run.steps[0]).toMatchObject({
        status: 'succeeded',
        attempts: 2,
        output: { machineId: machine.id, type: 'StopAndQuarantineFile', status: 'Succeeded' },
      });
      expect(crash.fake.requests({ ...call_, afterSeq })).toHaveLength(1);
      expect(crash.fake.listMachineActions({ machineId: machine.id, type: 'StopAndQuarantineFile' })).toHaveLength(1);
      expect(crash.fake.getMachine(machine.id)?.quarantinedFiles).toEqual([DEMO.files.invoiceDropper.sha1]);
    },
    SLOW,
  );

  it(
    'create indicator: the marked indicator is found, not submitted again',
    async () => {
      const call_ = { service: 'defender' as const, method: 'POST', path: '/api/indicators' };
      const { run, afterSeq } = await crashDuring(
        'defender.create_indicator',
        { type: 'Url', value: 'https://contoso-login.example/owa/auth' },
        call_,
      );
      expect(run.status).toBe('succeeded');
      expect(run.steps[0]).toMatchObject({
        status: 'succeeded',
        attempts: 2,
        output: { type: 'Url', action: 'Block', indicatorId: expect.any(String) },
      });
      expect(crash.fake.requests({ ...call_, afterSeq })).toHaveLength(1);
      expect(crash.fake.listIndicators('https://contoso-login.example/owa/auth')).toHaveLength(1);
    },
    SLOW,
  );

  it(
    'add group member: the membership is read back, the POST not sent again',
    async () => {
      const call_ = { service: 'graph' as const, method: 'POST', path: '/members/$ref' };
      const { run, afterSeq } = await crashDuring(
        'azure_ad.add_group_member',
        { user: DEMO.users.adele.upn, group: DEMO.groups.caBlock },
        call_,
      );
      expect(run.status).toBe('succeeded');
      expect(run.steps[0]).toMatchObject({
        status: 'succeeded',
        attempts: 2,
        output: { userId: DEMO.users.adele.id, member: true },
      });
      expect(crash.fake.requests({ ...call_, afterSeq })).toHaveLength(1);
      expect(crash.fake.getGroup(DEMO.groups.caBlock)?.members).toEqual([DEMO.users.adele.id]);
    },
    SLOW,
  );

  it(
    'reset password: reconciled from lastPasswordChangeDateTime, and the password is in no log line',
    async () => {
      const call_ = { service: 'graph' as const, method: 'PATCH', path: '/users/' };
      const { run, afterSeq, second } = await crashDuring(
        'azure_ad.reset_password',
        { user: DEMO.users.megan.upn },
        call_,
      );
      expect(run.steps[0]).toMatchObject({ status: 'succeeded', attempts: 2, output: { passwordReset: true } });
      expect(crash.fake.requests({ ...call_, afterSeq })).toHaveLength(1);
      const password = crash.fake.getPassword(DEMO.users.megan.upn)!.password;
      expect(second.output()).not.toContain(password);
      expect(JSON.stringify(run)).not.toContain(password);
    },
    SLOW,
  );
});
