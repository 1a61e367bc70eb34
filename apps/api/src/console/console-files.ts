import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Paths the service itself answers: never the console's page, even when nothing matches. */
export const SERVICE_PATHS = /^\/(api|health|metrics|docs|openapi\.(json|yaml))(\/|$)/;

/**
 * Where `vite build` puts the console: `dist/console` beside the nearest package.json up
 * (the same folder whether the service runs from src/ in tests or from dist/).
 */
export function consoleRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return join(dir, 'dist', 'console');
  }
  return join(process.cwd(), 'dist', 'console');
}

/**
 * The console's page loads only what it bundles: scripts from this origin, no inline script,
 * nothing framed, no request to another host. Inline styles are allowed because the component
 * library and the editor set them at run time; workers come from this origin or blob URLs.
 * With Entra sign-in, the page also reads the sign-in authority's discovery document and
 * redeems codes there (connect-src): that origin only, never a wildcard.
 */
export function consoleCsp(authority?: string): string {
  const connect = authority ? `'self' ${new URL(authority).origin}` : "'self'";
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "worker-src 'self' blob:",
    `connect-src ${connect}`,
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "object-src 'none'",
  ].join('; ');
}
