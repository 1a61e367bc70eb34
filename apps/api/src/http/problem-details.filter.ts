import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { RiposteRequest } from './request-context.js';
import { toProblem } from './problem-details.js';
import { TooManyRequestsError, UnavailableError } from '@riposte/errors';

/** The one place errors become HTTP answers: problem+json, never a stack trace, never a secret. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<RiposteRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = toProblem(exception, String(request.id ?? ''));
    if (problem.status >= 500) this.logger.error({ err: exception, requestId: request.id }, 'request failed');
    if (problem.status === 401) void reply.header('WWW-Authenticate', 'Bearer realm="riposte"');
    if (exception instanceof TooManyRequestsError || exception instanceof UnavailableError)
      void reply.header('Retry-After', String(exception.retryAfterSeconds));
    void reply.status(problem.status).header('Content-Type', 'application/problem+json; charset=utf-8').send(problem);
  }
}
