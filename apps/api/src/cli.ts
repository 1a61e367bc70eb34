import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { NestFactory } from '@nestjs/core';
import type { INestApplicationContext } from '@nestjs/common';
import { Command, Option } from 'commander';
import { AuditLog } from '@riposte/audit';
import { ApiKeysService, generateKey, ROLES, type Role } from '@riposte/auth';
import { ConfigError, loadConfig } from '@riposte/config';
import { KeyRotation } from '@riposte/connection-targets';
import { CliModule } from './cli.module.js';
import { addPlaybookCommands } from './playbook-commands.js';

/** `npm run cli -- <command>`: administration without the HTTP API, against the same database. */
async function withContext<T>(work: (context: INestApplicationContext) => Promise<T>): Promise<T> {
  const config = loadConfig();
  // Say which database this is: a service (or the demo) may run on another folder.
  const where = config.database.type === 'sqlite' ? config.database.path : 'the database in RIPOSTE_DATABASE_URL';
  const fresh = config.database.type === 'sqlite' && !existsSync(config.database.path);
  process.stderr.write(`Using ${where} (RIPOSTE_DATA_DIR=${config.dataDir})${fresh ? ': there is no database there yet, so a new one is created. If your service runs on another folder (the demo uses data/demo), set RIPOSTE_DATA_DIR to it.' : '.'}\n`);
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
    const created = await withContext((c) => c.get(ApiKeysService).create({ name: options.name, role: options.role, expiresAt: options.expires ?? null }, 'cli'));
    process.stdout.write(`${created.key}\n`);
    process.stderr.write(`Created ${created.role} key '${created.name}' (id ${created.id}). It is shown only this once.\n`);
  });
apiKeys
  .command('list')
  .description('List active keys (never the keys themselves)')
  .action(async () => {
    const keys = await withContext((c) => c.get(ApiKeysService).list());
    for (const k of keys) process.stdout.write(`${k.id}  ${k.role.padEnd(7)}  ${k.prefix.padEnd(12)}  ${k.name}  last used ${k.lastUsedAt ?? 'never'}${k.expiresAt ? `  expires ${k.expiresAt}` : ''}\n`);
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
    const report = await withContext((c) => c.get(KeyRotation).rotate((message) => process.stderr.write(`${message}\n`)));
    process.stderr.write(`Done: ${report.reencrypted} secret(s) re-encrypted under key ${report.keyId}.\n`);
  });

program
  .command('audit-verify')
  .description('Check the audit trail\'s hash chain; name the first broken record')
  .action(async () => {
    const result = await withContext((c) => c.get(AuditLog).verify());
    if (result.ok) {
      process.stdout.write(`The audit chain is intact (${result.checked} records). Head hash: ${result.head} (note it elsewhere: a later check that does not reach it means records were cut off the end).\n`);
    } else {
      process.stdout.write(`The audit chain is broken at record ${result.firstBroken?.seq} (id ${result.firstBroken?.id}): ${result.firstBroken?.reason}.\n`);
      process.exitCode = 2;
    }
  });

addPlaybookCommands(program.command('playbooks').description('Tools for playbook authors (no database needed; `npm run playbooks -- …` starts faster)'));

if (existsSync('.env')) process.loadEnvFile('.env');
program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError || error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
