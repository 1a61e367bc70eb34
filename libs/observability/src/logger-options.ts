import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Params } from 'nestjs-pino';
import { redactor } from './redactor.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A caller's X-Request-Id is kept if it is sane, so a request can be followed across systems. */
export function requestIdFor(req: IncomingMessage): string {
  const given = req.headers['x-request-id'];
  return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
}

/** Structured JSON logs through pino, every line redacted, every request line with its id. */
export function loggerOptions(level: string): Params {
  return {
    pinoHttp: {
      level,
      genReqId: (req: IncomingMessage, res: ServerResponse) => {
        const id = (req as IncomingMessage & { id?: string }).id ?? requestIdFor(req);
        res.setHeader('x-request-id', id);
        return id;
      },
      // pino's own path redaction for the usual suspects, then the shared redactor for everything else.
      redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'req.headers["x-api-key"]', 'req.headers["x-riposte-signature"]'], censor: '[REDACTED]' },
      formatters: { log: (object: Record<string, unknown>) => redactor.redact(object) },
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? redactor.scrub(a) : a)) as Parameters<typeof method>);
        },
      },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactor.scrub(withoutSignInSecrets(req.url)) }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
        err: (err: Error) => ({ type: err.name, message: redactor.scrub(err.message), stack: err.stack ? redactor.scrub(err.stack) : undefined }),
      },
      customLogLevel: (_req: IncomingMessage, res: ServerResponse, err?: Error) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
      autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' || req.url === '/metrics' },
    },
  };
}

/** The sign-in redirect carries a one-time code and state in its query: never logged (they arrive before anything could register them). */
function withoutSignInSecrets(url: string): string {
  return url.replace(/([?&](?:code|state|session_state)=)[^&#]*/g, '$1[REDACTED]');
}
