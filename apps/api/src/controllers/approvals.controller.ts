import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import Type, { type Static } from 'typebox';
import { PlaybookRunsService } from '@riposte/engine';
import { RequireRole } from '../http/route-metadata.js';
import { SchemaQuery } from '../http/schema-params.js';
import { ListLimit } from './list-query.js';

const HistoryQuery = Type.Object(
  { limit: ListLimit, cursor: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

/** What waits for a person is `GET /api/v1/runs?status=waiting`; here is what people decided. */
@ApiTags('runs')
@Controller('api/v1/approvals')
export class ApprovalsController {
  constructor(private readonly playbookRuns: PlaybookRunsService) {}

  @Get('history')
  @RequireRole('viewer')
  history(@SchemaQuery(HistoryQuery) query: Static<typeof HistoryQuery>) {
    return this.playbookRuns.decisions(query);
  }
}
