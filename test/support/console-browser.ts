import { createHash, X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AxeBuilder } from '@axe-core/playwright';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { ensureConsoleBuilt } from './console-build.js';

const SHOTS = fileURLToPath(new URL('../../test-results/console/', import.meta.url));
const CHROMIUM = process.env.RIPOSTE_CHROMIUM ?? '/usr/bin/chromium';
/** How long a screen may take to show what a step waits for, on a busy machine. */
export const WAIT = 20_000;

export interface ConsoleBrowser {
  page: Page;
  /** Signs in with an API key on a fresh tab state (the key lives in sessionStorage). */
  signIn(key: string): Promise<void>;
  /** Goes to a screen through the navigation (no reload), as a person would, and waits for its heading. */
  open(screen: string): Promise<void>;
  /** No serious or critical accessibility violation on what is shown; a screenshot for the reviewer. */
  check(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Another HTTPS origin the page may reach (the fake cloud's sign-in pages), and the certificate it serves. */
export interface TrustedOrigin {
  origin: string;
  certificatePem: string;
}

/**
 * Debian's chromium through playwright-core on the built console of the service at `url` (built
 * first if its sources changed). Nothing may leave for another host: the console bundles everything,
 * except for a `trusted` origin (Entra sign-in), whose certificate chromium accepts by its key's
 * hash (--ignore-certificate-errors-spki-list): certificate checks stay on for everything else.
 */
export async function launchConsoleBrowser(url: string, trusted?: TrustedOrigin): Promise<ConsoleBrowser> {
  ensureConsoleBuilt();
  mkdirSync(SHOTS, { recursive: true });
  const profile = mkdtempSync(join(tmpdir(), 'riposte-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        ...(trusted ? [`--ignore-certificate-errors-spki-list=${spkiHash(trusted.certificatePem)}`] : []),
      ],
      viewport: { width: 1400, height: 900 },
    });
  } catch (error) {
    rmSync(profile, { recursive: true, force: true });
    throw error;
  }
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: url });
  const page = context.pages()[0] ?? (await context.newPage());
  const allowed = (u: URL) => u.origin.startsWith('http://127.0.0.1') || u.origin === trusted?.origin;
  await context.route(
    (u) => !allowed(u),
    (route) => {
      throw new Error(`the console asked another host for ${route.request().url()}`);
    },
  );
  return {
    page,
    async signIn(key) {
      await page.goto(url);
      await page.evaluate(() => sessionStorage.clear());
      await page.reload();
      await page.getByLabel('API key').fill(key);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { name: 'Overview' }).waitFor();
    },
    async open(screen) {
      await page.getByRole('navigation', { name: 'Screens' }).getByRole('link', { name: screen, exact: true }).click();
      await page.getByRole('heading', { name: screen }).waitFor();
    },
    async check(name) {
      // Not 'networkidle': the live stream keeps a request open, so the network is never idle.
      // The console marks its main region aria-busy while data is on its way.
      await page.locator('main[aria-busy="true"]').waitFor({ state: 'detached', timeout: WAIT });
      await page.getByLabel('Loading').first().waitFor({ state: 'detached', timeout: WAIT });
      const results = await new AxeBuilder({ page }).analyze();
      const bad = results.violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical')
        .map(
          (v) =>
            `${v.id}: ${v.help} (${v.nodes
              .map((n) => n.target.join(' '))
              .slice(0, 3)
              .join(', ')})`,
        );
      await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
      expect(bad, `accessibility on ${name}`).toEqual([]);
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Base64 SHA-256 of a certificate's public key (SubjectPublicKeyInfo), as chromium's SPKI list takes it. */
function spkiHash(certificatePem: string): string {
  const spki = new X509Certificate(certificatePem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

/** Polls until `probe` gives something truthy (at most WAIT). */
export async function until<T>(what: string, probe: () => Promise<T> | T): Promise<T> {
  const deadline = Date.now() + WAIT;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
