import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type TestService } from '../support/service.js';

const dir = mkdtempSync(join(tmpdir(), 'riposte-playbooks-'));
let service: TestService;
const playbook = (name: string) =>
  `id: watched\nname: ${name}\ninputs:\n  user: { type: string }\nsteps:\n  - id: read\n    action: azure_ad.get_user\n    with:\n      user: \${{ inputs.user }}\n`;

async function eventually<T>(check: () => Promise<T | undefined>): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const value = await check();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('condition never met');
}

beforeAll(async () => {
  writeFileSync(join(dir, 'watched.yaml'), playbook('Watched v1'));
  service = await startService({ RIPOSTE_PLAYBOOKS_DIR: dir });
});
afterAll(async () => {
  await service?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the playbooks folder', () => {
  it('is loaded at start and reloaded when a file changes; a broken file keeps the last good version', async () => {
    expect((await service.request('GET', '/api/v1/playbooks/watched')).body).toMatchObject({
      name: 'Watched v1',
      version: 1,
      source: 'file',
      file: 'watched.yaml',
    });

    writeFileSync(join(dir, 'watched.yaml'), playbook('Watched v2'));
    await eventually(async () =>
      (await service.request('GET', '/api/v1/playbooks/watched')).body.version === 2 ? true : undefined,
    );

    writeFileSync(join(dir, 'watched.yaml'), `${playbook('Watched v3')}  - id: read\n    action: nope.nope\n`);
    const status = await eventually(async () => {
      const { body } = await service.request('GET', '/api/v1/playbooks');
      const file = body.files.find((f: { file: string }) => f.file === 'watched.yaml');
      return file && !file.ok ? file : undefined;
    });
    expect(status).toMatchObject({
      ok: false,
      playbookId: 'watched',
      version: 2,
      errors: [
        { line: 10, message: expect.stringMatching(/already used/) },
        { line: 11, message: expect.stringMatching(/Unknown action/) },
      ],
    });
    expect((await service.request('GET', '/api/v1/playbooks/watched')).body).toMatchObject({
      name: 'Watched v2',
      version: 2,
    });

    writeFileSync(join(dir, 'other.yml'), playbook('Other').replace('id: watched', 'id: other'));
    await eventually(async () =>
      (await service.request('GET', '/api/v1/playbooks/other')).status === 200 ? true : undefined,
    );
  });
});
