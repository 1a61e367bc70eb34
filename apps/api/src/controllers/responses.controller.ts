import { Controller, HttpCode, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import Type from 'typebox';
import { ResponsesService, RunsService, StartResponseSchema, type StartResponse } from '@riposte/engine';
import type { RiposteRequest } from '../http/request-context.js';
import { Audited, Idempotent, RequireRole } from '../http/route-metadata.js';
import { SchemaBody, SchemaQuery } from '../http/schema-params.js';
import { isUnfinishedRun } from '@riposte/vocabulary';

const WaitQuery = Type.Object(
  {
    wait: Type.Optional(
      Type.Number({ minimum: 0, maximum: 60, description: 'Seconds to hold the answer until the run ends.' }),
    ),
  },
  { additionalProperties: false },
);

@ApiTags('responses')
@Controller('api/v1/responses')
export class ResponsesController {
  constructor(
    private readonly responses: ResponsesService,
    private readonly runs: RunsService,
  ) {}

  /** Fires one action: 202 with the run id, or with `?wait=` the finished run (200) if it ends in time (202 at once if a guardrail holds it). */
  @Post()
  @HttpCode(202)
  @RequireRole('analyst')
  @Idempotent()
  @Audited('response.start')
  async start(
    @SchemaBody(StartResponseSchema) body: StartResponse,
    @SchemaQuery(WaitQuery) query: { wait?: number },
    @Req() request: RiposteRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const started = await this.responses.start(body, request.principal!);
    if (!query.wait) return started;
    // A run held by a guardrail waits for an analyst: no point holding the answer.
    const run = await this.runs.waitFor(started.runId, query.wait * 1000, { orWaiting: true });
    if (isUnfinishedRun(run.status)) return { runId: run.id, status: run.status };
    void reply.status(200);
    return { ...run, runId: run.id };
  }
}
