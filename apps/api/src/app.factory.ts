import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IncomingMessage } from 'node:http';
import fastifyStatic from '@fastify/static';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { AppConfig } from '@riposte/config';
import { createLogging, requestIdFor } from '@riposte/observability';
import { Database } from '@riposte/persistence';
import { RiposteError } from '@riposte/errors';
import { checkRedis } from '@riposte/redis';
import { AppModule } from './app.module.js';
import { consoleRoot } from './console/console-files.js';
import { installBodyLimits, installBodyParsers, MAX_ALERT_BODY_BYTES } from './http/body-limits.js';
import { installIdempotencyHook } from './http/idempotency.js';
import { installTextChecks } from './http/text-checks.js';
import { describeResponses } from './http/openapi-responses.js';

/** The package version, from the nearest package.json up (the same from src/ and from dist/). */
function packageVersion(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); dir !== dirname(dir); dir = dirname(dir)) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return '0.0.0';
}
const VERSION = packageVersion();

/** Builds the whole service, ready to listen. Tests boot it exactly as production does. */
export async function createApp(config: AppConfig): Promise<NestFastifyApplication> {
  // Before anything is built: a Redis that may evict keys must stop the boot, not lose work later.
  if (config.redis) await checkRedis(config.redis.url);
  const adapter = new FastifyAdapter({
    bodyLimit: MAX_ALERT_BODY_BYTES,
    // The request id is chosen once, here, and shared with the logger through the raw request.
    genReqId: (req: IncomingMessage) => {
      const id = requestIdFor(req);
      (req as IncomingMessage & { id?: string }).id = id;
      return id;
    },
    return503OnClosing: true,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
    bodyParser: false,
  });
  const logging = createLogging(config.logLevel);
  app.useLogger(logging.nest);
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    logging.request(request.raw, reply.raw);
    done();
  });
  // A worker drives runs; the API, alert intake, console and event stream are the api processes'.
  if (config.role === 'worker')
    fastify.addHook('onRequest', async (request) => {
      const path = request.url.split('?')[0];
      if (path !== '/health' && path !== '/metrics')
        throw new RiposteError(
          'not_found',
          'This is a worker process of a Riposte cluster (role worker): it drives runs and serves /health and /metrics only. Send API requests to an api process.',
          'worker_process',
        );
    });
  fastify.removeAllContentTypeParsers();
  installBodyParsers(fastify);
  installBodyLimits(fastify);
  installTextChecks(fastify);
  installIdempotencyHook(fastify, app.get(Database));
  // The console's files are sent by its controller (reply.sendFile), not routed one by one.
  await app.register(fastifyStatic as never, { root: consoleRoot(), serve: false });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Riposte')
      .setDescription(
        'Security response engine for Microsoft Azure. Every route but /health needs `Authorization: Bearer <API key>`.',
      )
      .setVersion(VERSION)
      .setOpenAPIVersion('3.1.0')
      .addBearerAuth()
      .build(),
  );
  describeResponses(document as never);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', yamlDocumentUrl: 'openapi.yaml' });
  await app.init();
  return app;
}
