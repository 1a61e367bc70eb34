import { Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import Type, { type Static } from 'typebox';
import { ValidationError } from '@riposte/errors';
import { PlaybookRunsService, RUN_STATUSES, RunsService, type RunQuery } from '@riposte/engine';
import type { RiposteRequest } from '../http/request-context.js';
import { Audited, Idempotent, RequireRole } from '../http/route-metadata.js';
import { SchemaBody, SchemaQuery } from '../http/schema-params.js';
import { ListLimit } from './list-query.js';

const RunListQuery = Type.Object(
  {
    limit: ListLimit,
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
    status: Type.Optional(Type.Enum([...RUN_STATUSES])),
    playbook: Type.Optional(Type.String({ maxLength: 200 })),
    alert: Type.Optional(Type.String({ format: 'uuid' })),
    connectionTarget: Type.Optional(Type.String({ maxLength: 63 })),
    from: Type.Optional(Type.String({ format: 'date-time', description: 'Runs created at or after this time.' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'Runs created before this time.' })),
  },
  { additionalProperties: false },
);

const RevertSchema = Type.Object(
  {
    steps: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 200 }), {
        minItems: 1,
        maxItems: 100,
        uniqueItems: true,
        description: 'Undo only these steps (as `step` in /api/v1/changes); all of them when left out.',
      }),
    ),
  },
  { additionalProperties: false },
);

const DecisionSchema = Type.Object(
  { decision: Type.Enum(['approve', 'reject']), comment: Type.Optional(Type.String({ maxLength: 2000 })) },
  { additionalProperties: false },
);

@ApiTags('runs')
@Controller('api/v1/runs')
export class RunsController {
  constructor(
    private readonly runs: RunsService,
    private readonly playbookRuns: PlaybookRunsService,
  ) {}

  @Get()
  @RequireRole('viewer')
  list(@SchemaQuery(RunListQuery) query: RunQuery) {
    if (query.from && query.to && new Date(query.from) >= new Date(query.to))
      throw new ValidationError(
        `No run can be created in [${query.from}, ${query.to}): 'from' must come before 'to'.`,
        [{ path: '/to', message: `must be later than 'from' (${query.from})` }],
      );
    return this.runs.list(query);
  }

  @Get(':id')
  @RequireRole('viewer')
  get(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.runs.detail(id);
  }

  @Post(':id/approvals/:stepId')
  @HttpCode(200)
  @RequireRole('analyst')
  @Audited('run.decide')
  decide(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Param('stepId') stepId: string,
    @SchemaBody(DecisionSchema) body: Static<typeof DecisionSchema>,
    @Req() request: RiposteRequest,
  ) {
    return this.playbookRuns.decide(id, stepId, body, request.principal!);
  }

  @Post(':id/cancel')
  @HttpCode(202)
  @RequireRole('analyst')
  @Audited('run.cancel')
  cancel(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.runs.cancel(id);
  }

  @Post(':id/revert')
  @HttpCode(202)
  @RequireRole('analyst')
  @Idempotent()
  @Audited('run.revert')
  revert(
    @Param('id', new ParseUUIDPipe()) id: string,
    @SchemaBody(RevertSchema, { optional: true }) body: Static<typeof RevertSchema>,
    @Req() request: RiposteRequest,
  ) {
    return this.runs.revert(id, request.principal!, body.steps);
  }
}
