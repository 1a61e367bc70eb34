import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { Logger } from 'nestjs-pino';
import { ConfigError, loadConfig } from '@riposte/config';
import { createApp } from './app.factory.js';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp(config);
  await app.listen(config.http.port, config.http.host);
  app.get(Logger).log(`Riposte is listening on ${await app.getUrl()}`);
}

main().catch((error: unknown) => {
  process.stderr.write(`Riposte failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
