import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { Command, Option } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { ActionCatalogue } from '@riposte/actions';
import { AuditLog } from '@riposte/audit';
import { ApiKeysService, generateKey, ROLES, type Role } from '@riposte/auth';
import { ConfigError, loadConfig } from '@riposte/config';
import { KeyRotation, SignInService } from '@riposte/connection-targets';
import { CliModule } from './cli.module.js';
import { GENERATED_DOCUMENTS, regenerate } from './docs/generated-docs.js';
import { addPlaybookCommands } from './playbook-commands.js';

/** `npm run cli -- <command>`: administration without the HTTP API, against the same database. */
async function withContext<T>(work: (context: INestApplicationContext) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // Say which database this is: a service (or the demo) may run on another folder.
  const where = config.database.type === 'sqlite' ? config.database.path : 'the database in RIPOSTE_DATABASE_URL';
  const fresh = config.database.type === 'sqlite' && !existsSync(config.database.path);
  process.stderr.write(
    `Using ${where} (RIPOSTE_DATA_DIR=${config.dataDir})${fresh ? ': there is no database there yet, so a new one is created. If your service runs on another folder (the demo uses data/demo), set RIPOSTE_DATA_DIR to it.' : '.'}\n`,
  );
  const context = await NestFactory.createApplicationContext(CliModule.forRoot(config), { logger: ['error', 'warn'] });
  try {
    return await work(context);
  } finally {
    await context.close();
  }
}

const program = new Command('riposte').description('Riposte administration').showHelpAfterError();

const apiKeys = program.command('api-keys').description('Create, list and revoke API keys');
apiKeys
  .command('create')
  .description('Create a key and print it (once)')
  .requiredOption('--name <name>', 'who or what uses the key')
  .addOption(new Option('--role <role>', 'its role').choices([...ROLES]).makeOptionMandatory())
  .option('--expires <time>', 'when the key stops working (ISO 8601, e.g. 2027-06-30T00:00:00Z)')
  .action(async (options: { name: string; role: Role; expires?: string }) => {
    const created = await withContext((c) =>
      c
        .get(ApiKeysService)
        .create({ name: options.name, role: options.role, expiresAt: options.expires ?? null }, 'cli'),
    );
    process.stdout.write(`${created.key}\n`);
    process.stderr.write(
      `Created ${created.role} key '${created.name}' (id ${created.id}). It is shown only this once.\n`,
    );
  });
apiKeys
  .command('list')
  .description('List active keys (never the keys themselves)')
  .action(async () => {
    const keys = await withContext((c) => c.get(ApiKeysService).list());
    for (const k of keys)
      process.stdout.write(
        `${k.id}  ${k.role.padEnd(7)}  ${k.prefix.padEnd(12)}  ${k.name}  last used ${k.lastUsedAt ?? 'never'}${k.expiresAt ? `  expires ${k.expiresAt}` : ''}\n`,
      );
  });
apiKeys
  .command('revoke <id>')
  .description('Revoke a key: it stops working at once')
  .action(async (id: string) => {
    const revoked = await withContext((c) => c.get(ApiKeysService).revoke(id));
    process.stderr.write(`Revoked key '${revoked.name}'.\n`);
  });
apiKeys
  .command('generate')
  .description('Print a new random key without storing it (e.g. for RIPOSTE_ADMIN_KEY)')
  .action(() => {
    process.stdout.write(`${generateKey()}\n`);
  });

program
  .command('rotate-key')
  .description('Re-encrypt every stored secret under a new key; run it again to finish a rotation that stopped halfway')
  .action(async () => {
    const report = await withContext((c) =>
      c.get(KeyRotation).rotate((message) => process.stderr.write(`${message}\n`)),
    );
    process.stderr.write(`Done: ${report.reencrypted} secret(s) re-encrypted under key ${report.keyId}.\n`);
  });

const signIn = program
  .command('sign-in')
  .description('Sign a person in for a delegated connection target (auth type deviceCode)');
signIn
  .command('start <target>')
  .description('Start a device code sign-in: prints the code to enter and where')
  .action(async (target: string) => {
    const started = await withContext((c) => c.get(SignInService).startDeviceCode(target, 'cli'));
    process.stdout.write(
      `${started.message || `Open ${started.verificationUri} and enter the code ${started.userCode}.`}\n`,
    );
    process.stderr.write(
      `The code works until ${started.expiresAt}. Then run: npm run cli -- sign-in complete ${target}\n`,
    );
  });
signIn
  .command('complete <target>')
  .description('Wait for the person to enter the code (exit code 3 if still pending after --wait)')
  .option('--wait <seconds>', 'how long to wait', '120')
  .action(async (target: string, options: { wait: string }) => {
    const outcome = await withContext((c) => c.get(SignInService).completeDeviceCode(target, Number(options.wait)));
    if (outcome.status === 'pending') {
      process.stderr.write(
        `Still waiting for someone to enter ${outcome.userCode} at ${outcome.verificationUri} (until ${outcome.expiresAt}); run this again.\n`,
      );
      process.exitCode = 3;
      return;
    }
    process.stdout.write(
      `Signed in as ${outcome.connectionTarget.signIn?.account?.username} for '${target}' (scopes: ${outcome.connectionTarget.signIn?.scopes.join(' ')}).\n`,
    );
  });

program
  .command('migrate')
  .description(
    'Bring the database schema up to this version and exit (upgrade a cluster: this first, then the nodes one by one)',
  )
  .action(async () => {
    // Opening the database runs the pending migrations (one process at a time on PostgreSQL).
    await withContext(async () => undefined);
    process.stderr.write('The database schema is up to date.\n');
  });

program
  .command('audit-verify')
  .description("Check the audit trail's hash chain; name the first broken record")
  .action(async () => {
    const result = await withContext((c) => c.get(AuditLog).verify());
    if (result.ok) {
      process.stdout.write(
        `The audit chain is intact (${result.checked} records). Head hash: ${result.head} (note it elsewhere: a later check that does not reach it means records were cut off the end).\n`,
      );
    } else {
      process.stdout.write(
        `The audit chain is broken at record ${result.firstBroken?.seq} (id ${result.firstBroken?.id}): ${result.firstBroken?.reason}.\n`,
      );
      process.exitCode = 2;
    }
  });

program
  .command('docs')
  .description('Rewrite the parts of README.md and docs/API.md generated from the code (action and error tables)')
  .action(() => {
    const actions = new ActionCatalogue().list();
    for (const file of GENERATED_DOCUMENTS) writeFileSync(file, regenerate(readFileSync(file, 'utf8'), actions));
    process.stderr.write(`Rewrote the generated parts of ${GENERATED_DOCUMENTS.join(' and ')}.\n`);
  });

addPlaybookCommands(
  program
    .command('playbooks')
    .description('Tools for playbook authors (no database needed; `npm run playbooks -- …` starts faster)'),
  () => Promise.resolve(new ActionCatalogue().asLookup()),
);

if (existsSync('.env')) process.loadEnvFile('.env');
program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
