import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Database, PlaybookVersionEntity } from '@riposte/persistence';
import { startService, type TestService, waitForRun } from '../support/service.js';

/*
 * A stored version read back after a restart comes from the definition kept when it passed its
 * checks, not from parsing and checking its YAML again on the event loop. What may have changed
 * since (the action catalogue) is checked again, and a version stored before the definition was
 * kept is still read from its YAML.
 */
const playbook = (id: string) =>
  `id: ${id}\nname: Kept\ninputs:\n  user: { type: string }\nsteps:\n  - id: first\n    action: core.noop\n  - id: for_alice\n    if: "\${{ inputs.user = 'alice@contoso.com' }}"\n    action: core.noop\n  - id: for_bob\n    if: "\${{ inputs.user = 'bob@contoso.com' }}"\n    action: core.noop\n`;

describe('stored playbook versions after a restart', () => {
  let service: TestService;
  let dataDir: string;

  const restart = async () => {
    await service.close({ keepData: true });
    service = await startService({}, dataDir);
  };
  const versions = () => service.app.get(Database).reader.getRepository(PlaybookVersionEntity);

  beforeAll(async () => {
    service = await startService();
    dataDir = service.dataDir;
    for (const id of ['kept', 'older', 'stale']) {
      const put = await service.request('PUT', `/api/v1/playbooks/${id}`, {
        raw: playbook(id),
        headers: { 'Content-Type': 'application/yaml' },
      });
      expect(put.status).toBe(201);
    }
  }, 60_000);
  afterAll(async () => service?.close());

  it('keeps the checked definition beside the YAML, and reads the version back whole after a restart', async () => {
    const row = await versions().findOneByOrFail({ playbookId: 'kept', version: 1 });
    expect(JSON.parse(row.definition ?? 'null')).toMatchObject({ id: 'kept', steps: [{ id: 'first' }, {}, {}] });

    await restart();
    const read = await service.request('GET', '/api/v1/playbooks/kept');
    expect(read.status).toBe(200);
    expect(read.body.steps).toEqual([
      { id: 'first', kind: 'action', action: 'core.noop' },
      { id: 'for_alice', kind: 'action', action: 'core.noop' },
      { id: 'for_bob', kind: 'action', action: 'core.noop' },
    ]);
    const graph = await service.request('GET', '/api/v1/playbooks/kept/graph');
    expect(graph.text).toContain('for_bob');
    // Its expressions compile as the run reaches them: each `if` is evaluated, not skipped or failed.
    const started = await service.request('POST', '/api/v1/playbooks/kept/runs', {
      body: { inputs: { user: 'alice@contoso.com' } },
    });
    expect(started.status, started.text).toBe(202);
    const run = await waitForRun(service, started.body.runId);
    expect(run.status).toBe('succeeded');
    expect(Object.fromEntries(run.steps.map((s: { id: string; status: string }) => [s.id, s.status]))).toEqual({
      first: 'succeeded',
      for_alice: 'succeeded',
      for_bob: 'skipped',
    });
  });

  it('reads a version stored before the definition was kept from its YAML, as before', async () => {
    await versions().update({ playbookId: 'older', version: 1 }, { definition: null });
    await restart();
    const read = await service.request('GET', '/api/v1/playbooks/older');
    expect(read.status).toBe(200);
    expect(read.body.steps).toHaveLength(3);
  });

  it('refuses a kept definition whose action this service no longer has, naming the step', async () => {
    const row = await versions().findOneByOrFail({ playbookId: 'stale', version: 1 });
    const gone = (row.definition ?? '').replace('core.noop', 'core.retired_action');
    await versions().update({ playbookId: 'stale', version: 1 }, { definition: gone });
    await restart();
    const read = await service.request('GET', '/api/v1/playbooks/stale');
    expect(read.status).toBe(422);
    expect(read.body).toMatchObject({ code: 'playbook_unloadable' });
    expect(read.body.detail).toMatch(/'first'.*core\.retired_action/);
  });
});
