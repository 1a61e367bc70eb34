import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CONSOLE_DIST = join(ROOT, 'dist', 'console');

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** Builds the console (vite) unless dist/console is newer than every source file. */
export function ensureConsoleBuilt(): void {
  const index = join(CONSOLE_DIST, 'index.html');
  const sources = Math.max(
    newest(join(ROOT, 'apps', 'console', 'src')),
    statSync(join(ROOT, 'apps', 'console', 'index.html')).mtimeMs,
    statSync(join(ROOT, 'apps', 'console', 'vite.config.ts')).mtimeMs,
  );
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  execFileSync('npm', ['run', 'build:console', '--silent'], { cwd: ROOT, stdio: 'inherit' });
}
