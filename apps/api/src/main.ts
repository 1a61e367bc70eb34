import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from '@riposte/config';
import { AdminKeyBootstrap } from './admin-key.bootstrap.js';
import { createApp } from './app.factory.js';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config;
  try {
    // `--role api|worker|all` is RIPOSTE_ROLE given on the command line (it wins over the environment).
    const { values } = parseArgs({ options: { role: { type: 'string' } }, strict: true });
    config = loadConfig(values.role === undefined ? process.env : { ...process.env, RIPOSTE_ROLE: values.role });
  } catch (error) {
    if (error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(error as Error).message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp(config);
  try {
    await app.listen(config.http.port, config.http.host);
  } catch (error) {
    await app.close().catch(() => undefined);
    throw error;
  }
  const url = await app.getUrl();
  // Only a start that got this far shows a generated admin key: one that failed would lose it.
  const firstAdminKey = await app.get(AdminKeyBootstrap).createFirstAdmin();
  if (firstAdminKey)
    process.stdout.write(
      `\n  Riposte admin API key (shown once): ${firstAdminKey}\n  Use it as: Authorization: Bearer <key>\n\n`,
    );
  const mode = config.queue ? `; queue mode, role ${config.role}` : '';
  new Logger('Riposte').log(`Riposte is listening on ${url} (data folder ${config.dataDir}${mode})`);
}

main().catch((error: unknown) => {
  process.stderr.write(`Riposte failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
