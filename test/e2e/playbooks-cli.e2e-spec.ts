import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The author's CLI as a person runs it: the built file (`npm run playbooks -- …` runs this one).
const CLI = fileURLToPath(new URL('../../dist/apps/api/src/playbooks-cli.js', import.meta.url));
const MANIFEST = CLI.replace(/playbooks-cli\.js$/, 'action-manifest.json');
const PLAYBOOK = readFileSync(new URL('../../playbooks/disable-azure-ad-user.yaml', import.meta.url), 'utf8');
const dir = mkdtempSync(join(tmpdir(), 'riposte-playbooks-cli-'));
const children = new Set<ChildProcess>();

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('npm run playbooks -- validate', () => {
  it('says ok for a good file and gives file:line:column and a did-you-mean for a mistake, exit code 1', async () => {
    const good = file('good.yaml', PLAYBOOK);
    const bad = file('bad.yaml', PLAYBOOK.replace('action: azure_ad.disable_user', 'action: azure_ad.disable_usr'));
    const result = await run('validate', good, bad);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`${good}: ok (disable-azure-ad-user, 1 steps)`);
    expect(result.stdout).toContain(
      `${bad}:11:13: Unknown action 'azure_ad.disable_usr'. Did you mean 'azure_ad.disable_user'?`,
    );
    expect(result.stderr).toContain('1 file(s) with errors.');
  });

  it('checks the inputs against the actions schemas it keeps beside the build, and makes them again when they are spoiled', async () => {
    const wrongInput = file(
      'wrong-input.yaml',
      PLAYBOOK.replace('user: ${{ inputs.user }}\n    retry', 'usr: x\n    retry'),
    );
    const first = await run('validate', wrongInput);
    expect(first.code).toBe(1);
    expect(first.stdout).toMatch(/Action azure_ad\.disable_user needs input 'user'/);
    expect(statSync(MANIFEST).size).toBeGreaterThan(1000);

    writeFileSync(MANIFEST, '{ half a fi');
    const again = await run('validate', wrongInput);
    expect(again.stdout).toBe(first.stdout);
    expect(() => JSON.parse(readFileSync(MANIFEST, 'utf8')) as unknown).not.toThrow();
  });

  it('--watch checks again when a file in the folder changes', async () => {
    const folder = mkdtempSync(join(dir, 'watched-'));
    writeFileSync(join(folder, 'p.yaml'), PLAYBOOK);
    const child = spawn(process.execPath, [CLI, 'validate', folder, '--watch']);
    children.add(child);
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    // It says so on stderr once its watchers are in place: a change before that would go unseen.
    const watching = new Promise<void>((resolve) =>
      child.stderr.on('data', (chunk: Buffer) => chunk.toString().includes('Watching') && resolve()),
    );
    const waitFor = (text: string, from: number) =>
      new Promise<void>((resolve, reject) => {
        const deadline = setTimeout(() => reject(new Error(`no "${text}" in: ${out}`)), 15_000);
        const check = () => {
          if (out.indexOf(text, from) >= 0) {
            clearTimeout(deadline);
            child.stdout.off('data', check);
            resolve();
          }
        };
        child.stdout.on('data', check);
        check();
      });
    await waitFor('ok (disable-azure-ad-user', 0);
    await watching;
    const mark = out.length;
    writeFileSync(join(folder, 'p.yaml'), PLAYBOOK.replace('steps:', 'stepz:'));
    await waitFor('checking again', mark);
    await waitFor('p.yaml:', mark);
    expect(out.slice(mark)).toMatch(/stepz/);
    child.kill('SIGTERM');
  });
});
