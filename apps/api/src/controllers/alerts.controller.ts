import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Put, Req } from '@nestjs/common';
import { ApiBody, ApiTags } from '@nestjs/swagger';
import Type, { type Static } from 'typebox';
import { AlertsService, ConnectorsService, FEEDS, type Feed } from '@riposte/alerts';
import { ValidationError } from '@riposte/errors';
import { SinksService } from '@riposte/export';
import type { RiposteRequest } from '../http/request-context.js';
import { AcceptsSignedWebhooks, Audited, Idempotent, RequireRole } from '../http/route-metadata.js';
import { SchemaBody, SchemaQuery } from '../http/schema-params.js';
import { ListLimit } from './list-query.js';

const AlertListQuery = Type.Object(
  {
    limit: ListLimit,
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
    since: Type.Optional(Type.String({ format: 'date-time' })),
    severity: Type.Optional(Type.String({ maxLength: 32 })),
  },
  { additionalProperties: false },
);

const ConnectorSettings = Type.Object(
  {
    enabled: Type.Boolean(),
    intervalSeconds: Type.Optional(Type.Integer({ minimum: 10, maximum: 86_400 })),
    lookbackSeconds: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 30 * 86_400, description: 'How far back the first poll looks.' }),
    ),
  },
  { additionalProperties: false },
);

@ApiTags('alerts')
@Controller('api/v1')
export class AlertsController {
  constructor(
    private readonly alerts: AlertsService,
    private readonly connectors: ConnectorsService,
    private readonly sinks: SinksService,
  ) {}

  /** One Graph security alert (alerts_v2), `{ "value": [...] }`, or the legacy v1 shape. */
  @Post('alerts')
  @HttpCode(202)
  @RequireRole('ingest')
  @AcceptsSignedWebhooks()
  @Idempotent()
  @Audited('alert.ingest')
  @ApiBody({
    description: 'A Microsoft Graph security alert (alerts_v2 shape), or { "value": [ ... ] }.',
    schema: { type: 'object' },
  })
  ingest(@Body() body: unknown, @Req() request: RiposteRequest) {
    return this.alerts.ingest(body, { source: 'webhook', principal: request.principal! });
  }

  @Get('alerts')
  @RequireRole('viewer')
  list(@SchemaQuery(AlertListQuery) query: Static<typeof AlertListQuery>) {
    return this.alerts.list(query);
  }

  @Get('alerts/:id')
  @RequireRole('viewer')
  get(@Param('id', new ParseUUIDPipe()) id: string) {
    return this.alerts.get(id);
  }

  @Get('connectors')
  @RequireRole('viewer')
  async listConnectors() {
    // Alert feeds in (items), SIEM sinks out (sinks): one screen for what flows through the service.
    return { items: await this.connectors.list(), nextCursor: null, sinks: await this.sinks.list() };
  }

  /** Turns polling of a feed (alerts or incidents) on or off for a connection target. */
  @Put('connectors/:connectionTarget/:feed')
  @RequireRole('admin')
  @Audited('connector.configure')
  configure(
    @Param('connectionTarget') target: string,
    @Param('feed') feed: string,
    @SchemaBody(ConnectorSettings) body: Static<typeof ConnectorSettings>,
  ) {
    return this.connectors.configure(target, checkFeed(feed), body);
  }

  @Post('connectors/:connectionTarget/:feed/poll')
  @HttpCode(200)
  @RequireRole('admin')
  @Audited('connector.poll')
  poll(@Param('connectionTarget') target: string, @Param('feed') feed: string) {
    return this.connectors.pollNow(target, checkFeed(feed));
  }
}

function checkFeed(feed: string): Feed {
  if (!FEEDS.includes(feed as Feed))
    throw new ValidationError(`Unknown feed '${feed}'.`, [
      { path: 'feed', message: `must be one of: ${FEEDS.join(', ')}` },
    ]);
  return feed as Feed;
}
