import { afterEach, describe, expect, it } from 'vitest';
import { ActionCatalogue } from '@riposte/actions';
import { RiposteError, UnavailableError } from '@riposte/errors';
import { actionManifest, PlaybookPool } from './playbook-pool.js';

const actions = () => actionManifest(new ActionCatalogue().asLookup());
const steps = (n: number) =>
  Array.from({ length: n }, (_, i) => `  - id: s${i}\n    action: core.noop\n    with: { note: "\${{ inputs.x }}" }\n`);
const small = `id: small\nname: Small\ninputs:\n  x: { type: string }\nsteps:\n${steps(3).join('')}`;
const big = `id: big\nname: Big\ninputs:\n  x: { type: string }\nsteps:\n${steps(500).join('')}`;

let pool: PlaybookPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

/** The real worker thread (the built file, as under Vitest the sources are TypeScript). */
describe('PlaybookPool', () => {
  it('checks in the worker: the definition when it loads, every problem with line and column when not', async () => {
    pool = new PlaybookPool({ actions });
    const good = await pool.run({ kind: 'check', text: big, file: 'big.yaml' });
    expect(good.ok && good.playbook.definition.id).toBe('big');
    expect(good.ok && good.playbook.steps).toHaveLength(500);
    expect(good.ok && good.playbook.steps[0]).toEqual({ id: 's0', kind: 'action', action: 'core.noop' });

    const bad = await pool.run({
      kind: 'check',
      text: 'id: bad\nname: Bad\nsteps:\n  - id: a\n    action: core.nope\n',
      file: 'bad.yaml',
    });
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.errors[0]).toMatchObject({
      file: 'bad.yaml',
      line: 5,
      column: 13,
      pointer: '/steps/0/action',
    });
  });

  it('refuses uploads beyond its queue with 503 and Retry-After, and still does the others', async () => {
    pool = new PlaybookPool({ actions, maxQueue: 1 });
    const first = pool.run({ kind: 'check', text: small, file: 'a.yaml' });
    const second = pool.run({ kind: 'check', text: small, file: 'b.yaml' });
    const third = pool.run({ kind: 'check', text: small, file: 'c.yaml' });
    const refused = await third.catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(UnavailableError);
    expect(refused).toMatchObject({ kind: 'unavailable', code: 'playbook_checker_unavailable', retryAfterSeconds: 1 });
    for (const done of await Promise.all([first, second])) expect(done.ok).toBe(true);
    await pool.close();

    // Bounded by the text waiting too: the first job is taken at once, the second waits, the third would not fit.
    pool = new PlaybookPool({ actions, maxQueuedText: small.length });
    const taken = pool.run({ kind: 'check', text: small, file: 'a.yaml' });
    const waits = pool.run({ kind: 'check', text: small, file: 'b.yaml' });
    await expect(pool.run({ kind: 'check', text: small, file: 'c.yaml' })).rejects.toMatchObject({
      code: 'playbook_checker_unavailable',
    });
    expect((await waits).ok).toBe(true);
    expect((await taken).ok).toBe(true);
  });

  it('stops a job over its time bound with 503 and Retry-After, and the next job gets a fresh worker', async () => {
    pool = new PlaybookPool({ actions, timeoutMs: 1 });
    const slow = pool.run({ kind: 'check', text: big, file: 'big.yaml' }).catch((error: unknown) => error);
    const next = pool.run({ kind: 'check', text: big, file: 'next.yaml' }).catch((error: unknown) => error);
    expect(await slow).toBeInstanceOf(UnavailableError);
    expect(await slow).toMatchObject({ code: 'playbook_checker_unavailable', retryAfterSeconds: 1 });
    expect(((await slow) as Error).message).toMatch(/took longer than 0.001 s/);
    // The next job ran in a new worker (and met the same bound there).
    expect(await next).toMatchObject({ code: 'playbook_checker_unavailable' });
  });

  it('refuses a job over its memory bound with 422', async () => {
    pool = new PlaybookPool({ actions, maxMemoryMb: 8 });
    const outcome = await pool.run({ kind: 'check', text: big, file: 'big.yaml' }).catch((error: unknown) => error);
    // 8 MB of heap is too little for the worker's modules and this playbook.
    expect(outcome).toBeInstanceOf(RiposteError);
    expect(outcome).toMatchObject({ kind: 'unprocessable', code: 'playbook_too_complex' });
    expect((outcome as Error).message).toMatch(/more than 8 MB/);
  });

  it('rehearses in the worker, and answers plain data', async () => {
    pool = new PlaybookPool({ actions });
    const result = await pool.run({
      kind: 'rehearse',
      playbook: 'id: r\nname: R\nsteps:\n  - id: a\n    action: core.noop\n',
      rehearsal: 'playbook: r\ncases:\n  - name: one\n    expect: { status: succeeded, path: [a] }\n',
    });
    expect(result).toMatchObject({ stage: 'done', playbook: 'r', cases: [{ name: 'one', passed: true }] });
  });

  it('after close, refuses what waits and what comes, and leaves no worker behind', async () => {
    pool = new PlaybookPool({ actions });
    await pool.run({ kind: 'check', text: big, file: 'warm.yaml' });
    const refused = (error: unknown) => error;
    const waiting = pool.run({ kind: 'check', text: big, file: 'a.yaml' }).catch(refused);
    const queued = pool.run({ kind: 'check', text: big, file: 'b.yaml' }).catch(refused);
    await pool.close();
    expect(await waiting).toMatchObject({ code: 'playbook_checker_unavailable' });
    expect(await queued).toMatchObject({ code: 'playbook_checker_unavailable' });
    await expect(pool.run({ kind: 'check', text: big, file: 'c.yaml' })).rejects.toMatchObject({
      code: 'playbook_checker_unavailable',
    });
    expect(process.getActiveResourcesInfo()).not.toContain('Worker');
  });
});
