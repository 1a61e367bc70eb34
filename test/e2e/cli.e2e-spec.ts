import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_FILE_NAME, keyIdOf } from '@riposte/connection-targets';
import { DEMO } from '@riposte/fake-cloud';
import { databaseEnv, execSql } from '../support/database.js';
import { type FakeCloud, startFakeCloud } from '../support/fake-cloud.js';
import { demoTarget, startService, type TestService } from '../support/service.js';

const CLI = fileURLToPath(new URL('../../dist/apps/api/src/cli.js', import.meta.url));
const run = promisify(execFile);
const cli = async (dataDir: string, ...args: string[]) =>
  run(process.execPath, [CLI, ...args], {
    env: { ...process.env, RIPOSTE_DATA_DIR: dataDir, RIPOSTE_ADMIN_KEY: '', ...(await databaseEnv(dataDir)) },
  });

let fake: FakeCloud;
let service: TestService;

beforeAll(async () => {
  fake = await startFakeCloud();
  fake.seedDemo();
  service = await startService();
  await service.request('POST', '/api/v1/connection-targets', { body: demoTarget(fake) });
});
afterAll(async () => {
  await service?.close();
  await fake?.close();
});

const keyFile = () =>
  JSON.parse(readFileSync(join(service.dataDir, KEY_FILE_NAME), 'utf8')) as {
    current: string;
    keys: Record<string, string>;
  };
const getUser = async () =>
  (
    await service.request('POST', '/api/v1/responses?wait=10', {
      body: { action: 'azure_ad.get_user', connectionTarget: 'contoso', input: { user: DEMO.users.alex.upn } },
    })
  ).body.status;

describe('the riposte CLI', () => {
  it('creates an API key that works at once, lists it without the key, and revokes it', async () => {
    const created = await cli(service.dataDir, 'api-keys', 'create', '--name', 'siem', '--role', 'ingest');
    const key = created.stdout.trim();
    expect(key).toMatch(/^rip_/);
    expect(created.stderr).toMatch(/shown only this once/);
    expect((await service.request('GET', '/api/v1/runs', { key })).status).toBe(403);
    const list = await cli(service.dataDir, 'api-keys', 'list');
    expect(list.stdout).toMatch(/ingest .* siem/);
    expect(list.stdout).not.toContain(key);
    const id = /^(\S+)\s+ingest/m.exec(list.stdout)?.[1] as string;
    await cli(service.dataDir, 'api-keys', 'revoke', id);
    expect((await service.request('GET', '/api/v1/runs', { key })).status).toBe(401);
  });

  it('rotates the encryption key; the service keeps working; a rotation that stopped halfway is finished by running it again', async () => {
    const before = keyFile().current;
    const rotated = await cli(service.dataDir, 'rotate-key');
    expect(rotated.stderr).toMatch(/Generated key (k[0-9a-f]{11})/);
    const after = keyFile();
    expect(after.current).not.toBe(before);
    expect(Object.keys(after.keys)).toEqual([after.current]);
    expect(rotated.stderr).toMatch(new RegExp(`Removed key\\(s\\) no secret uses any more: ${before}`));
    expect(await getUser()).toBe('succeeded');

    // As if a rotation was cut off right after writing the new key: the secret is still under the old one.
    const halfway = randomBytes(32);
    writeFileSync(
      join(service.dataDir, KEY_FILE_NAME),
      JSON.stringify({
        current: keyIdOf(halfway),
        keys: { ...after.keys, [keyIdOf(halfway)]: halfway.toString('base64') },
      }),
    );
    const resumed = await cli(service.dataDir, 'rotate-key');
    expect(resumed.stderr).toMatch(new RegExp(`1 secret\\(s\\) are not yet under key ${keyIdOf(halfway)}`));
    expect(resumed.stderr).toMatch(/Done: 1 secret\(s\) re-encrypted/);
    expect(keyFile()).toEqual({ current: keyIdOf(halfway), keys: { [keyIdOf(halfway)]: halfway.toString('base64') } });
    expect(await getUser()).toBe('succeeded');
  });

  it('verifies the audit chain', async () => {
    const verified = await cli(service.dataDir, 'audit-verify');
    expect(verified.stdout).toMatch(/The audit chain is intact \(\d+ records\)/);
  });

  it('names the first broken audit record after someone edits one, or deletes one, in the database', async () => {
    const exec = (sql: string) => execSql(service.dataDir, sql);
    const tampered = async (): Promise<{ code: number; stdout: string }> => {
      try {
        await cli(service.dataDir, 'audit-verify');
        return { code: 0, stdout: '' };
      } catch (error) {
        return error as { code: number; stdout: string };
      }
    };
    await exec(`UPDATE audit_records SET actor = 'mallory' WHERE seq = 3`);
    expect(await tampered()).toMatchObject({
      code: 2,
      stdout: expect.stringMatching(
        /broken at record 3 \(id [0-9a-f-]{36}\): its content does not match its hash \(the record was edited\)/,
      ),
    });
    await exec(`DELETE FROM audit_records WHERE seq = 3`);
    expect(await tampered()).toMatchObject({
      code: 2,
      stdout: expect.stringMatching(/broken at record 4 .*a record was removed or reordered/),
    });
  });
});
