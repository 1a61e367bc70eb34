import { existsSync, statSync } from 'node:fs';
import { join, normalize } from 'node:path';
import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RiposteError } from '@riposte/errors';
import { AppConfig } from '@riposte/config';
import { SERVICE_PATHS, consoleCsp, consoleRoot } from '../console/console-files.js';
import { Public } from '../http/route-metadata.js';

const ROOT = consoleRoot();

/**
 * The web console, same origin as the API. Built files are served as they are (hashed assets
 * cached for good); any other path is the single-page app's, except the service's own paths,
 * which stay a 404 problem so that a typo in an API call never comes back as a page.
 */
@ApiExcludeController()
@Controller()
export class ConsoleController {
  private readonly csp: string;

  constructor(config: AppConfig) {
    this.csp = consoleCsp(config.oidc?.console?.authority);
  }

  @Get('*')
  @Public()
  serve(@Req() request: FastifyRequest, @Res() reply: FastifyReply) {
    const path = decodeURIComponent(new URL(request.url, 'http://x').pathname);
    if (SERVICE_PATHS.test(path))
      throw new RiposteError('not_found', `There is no route ${request.method} ${path}.`, 'not_found');
    if (!existsSync(join(ROOT, 'index.html')))
      throw new RiposteError(
        'not_found',
        'The web console is not built on this machine: run `npm run build`.',
        'console_not_built',
      );
    const file = normalize(path)
      .replace(/^(\.\.[/\\])+/, '')
      .replace(/^\/+/, '');
    void reply.header('X-Content-Type-Options', 'nosniff').header('Referrer-Policy', 'no-referrer');
    if (file && file !== 'index.html' && isFile(join(ROOT, file))) {
      const immutable = file.startsWith('assets/');
      return reply
        .header('Cache-Control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
        .sendFile(file, ROOT, { cacheControl: false });
    }
    if (file.startsWith('assets/'))
      throw new RiposteError('not_found', `There is no console file ${path}.`, 'not_found');
    return reply
      .header('Cache-Control', 'no-cache')
      .header('Content-Security-Policy', this.csp)
      .header('X-Frame-Options', 'DENY')
      .type('text/html; charset=utf-8')
      .sendFile('index.html', ROOT, { cacheControl: false });
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
