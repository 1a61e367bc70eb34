import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import type { Level, Logger as Pino } from 'pino';
import { pinoHttp, type HttpLogger, type Options } from 'pino-http';
import { redactor } from './redactor.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's X-Request-Id is kept if it is sane, so a request can be followed across systems. */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Structured JSON logs through pino, every line redacted, every request line with its id. */
function loggerOptions(level: string): Options {
  return {
    level,
    genReqId: (req: IncomingMessage, res: ServerResponse) => {
      const id = (req as IncomingMessage & { id?: string }).id ?? requestIdFor(req);
      res.setHeader('x-request-id', id);
      return id;
    },
    // pino's own path redaction for the usual suspects, then the shared redactor for everything else.
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-api-key"]',
        'req.headers["x-riposte-signature"]',
      ],
      censor: '[REDACTED]',
    },
    formatters: { log: (object: Record<string, unknown>) => redactor.redact(object) },
    hooks: {
      logMethod(args, method) {
        method.apply(
          this,
          args.map((a) => (typeof a === 'string' ? redactor.scrub(a) : a)) as Parameters<typeof method>,
        );
      },
    },
    serializers: {
      req: (req: { id: string; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: redactor.scrub(withoutSignInSecrets(req.url)),
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      err: (err: Error) => ({
        type: err.name,
        message: redactor.scrub(err.message),
        stack: err.stack ? redactor.scrub(err.stack) : undefined,
      }),
    },
    customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) =>
      err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' || req.url === '/metrics' },
  };
}

/**
 * The service's logging: `request(req, res)` logs each HTTP exchange (pino-http), `nest` is the
 * logger Nest and every `new Logger(Context)` write through, to the same redacted pino stream.
 */
export function createLogging(level: string): { request: HttpLogger; nest: LoggerService } {
  const request = pinoHttp(loggerOptions(level));
  return { request, nest: new NestPinoLogger(request.logger) };
}

/**
 * Nest's logger calls, in pino's form. Nest passes `(message, ...params, context)`; our code
 * logs pino-style, an object first and the message after it (`logger.warn({ runId }, 'why')`).
 */
class NestPinoLogger implements LoggerService {
  constructor(private readonly pino: Pino) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    const rest = [...params];
    // Nest appends the logger's context last.
    const context = rest.length > 0 && typeof rest.at(-1) === 'string' ? (rest.pop() as string) : undefined;
    if (message instanceof Error) {
      this.pino[level]({ context, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level](
        { context, ...(message as Record<string, unknown>) },
        typeof rest[0] === 'string' ? rest[0] : undefined,
      );
    } else {
      // Nest's own `error(message, stack, context)`.
      const stack = level === 'error' && typeof rest[0] === 'string' ? rest[0] : undefined;
      this.pino[level]({ context, ...(stack ? { stack } : {}) }, String(message));
    }
  }
}

/** The sign-in redirect carries a one-time code and state in its query: never logged (they arrive before anything could register them). */
function withoutSignInSecrets(url: string): string {
  return url.replace(/([?&](?:code|state|session_state)=)[^&#]*/g, '$1[REDACTED]');
}
