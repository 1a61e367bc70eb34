import { Controller, Delete, Get, HttpCode, Param, Patch, Post, Req, Res } from '@nestjs/common';
import { ApiBody, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import Type, { type Static } from 'typebox';
import {
  CreateSinkSchema,
  ExportFeed,
  SinksService,
  UpdateSinkSchema,
  type CreateSink,
  type UpdateSink,
} from '@riposte/export';
import type { RiposteRequest } from '../http/request-context.js';
import { Audited, RequireRole } from '../http/route-metadata.js';
import { SchemaBody, SchemaQuery } from '../http/schema-params.js';

const FeedQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
    limit: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }),
  },
  { additionalProperties: false },
);
const DrainQuery = Type.Object(
  { wait: Type.Number({ minimum: 0, maximum: 60, default: 10 }) },
  { additionalProperties: false },
);

/** The SIEM export: the pull feed and the push sinks. */
@ApiTags('export')
@Controller('api/v1/export')
export class ExportController {
  constructor(
    private readonly feed: ExportFeed,
    private readonly sinks: SinksService,
  ) {}

  /** Events after `cursor` as newline-delimited JSON; the next cursor is in `X-Riposte-Next-Cursor` (and a `Link` header). */
  @Get('events')
  @RequireRole('export')
  @ApiProduces('application/x-ndjson')
  async events(
    @SchemaQuery(FeedQuery) query: Static<typeof FeedQuery>,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const page = await this.feed.read(query.cursor, query.limit);
    void reply.header('Content-Type', 'application/x-ndjson; charset=utf-8');
    void reply.header('X-Riposte-Next-Cursor', page.nextCursor);
    void reply.header('Link', `</api/v1/export/events?cursor=${page.nextCursor}>; rel="next"`);
    void reply.header('Cache-Control', 'no-store');
    return page.events.map((e) => `${JSON.stringify(e)}\n`).join('');
  }

  @Post('sinks')
  @RequireRole('admin')
  @Audited('export_sink.create')
  @ApiBody({
    description: 'A sink: name, type (syslog, splunkHec, azureMonitor), settings by type, token (splunkHec).',
    schema: { type: 'object' },
  })
  create(@SchemaBody(CreateSinkSchema) body: CreateSink, @Req() request: RiposteRequest) {
    return this.sinks.create(body, request.principal?.name ?? null);
  }

  @Get('sinks')
  @RequireRole('viewer')
  async list() {
    return { items: await this.sinks.list(), nextCursor: null };
  }

  @Get('sinks/:name')
  @RequireRole('viewer')
  get(@Param('name') name: string) {
    return this.sinks.get(name);
  }

  @Patch('sinks/:name')
  @RequireRole('admin')
  @Audited('export_sink.update')
  update(@Param('name') name: string, @SchemaBody(UpdateSinkSchema) body: UpdateSink) {
    return this.sinks.update(name, body);
  }

  @Delete('sinks/:name')
  @HttpCode(204)
  @RequireRole('admin')
  @Audited('export_sink.delete')
  async delete(@Param('name') name: string): Promise<void> {
    await this.sinks.delete(name);
  }

  /** Waits (up to `?wait=` seconds) until the sink has delivered every event collected so far; answers with its state either way. */
  @Get('sinks/:name/drained')
  @RequireRole('viewer')
  drain(@Param('name') name: string, @SchemaQuery(DrainQuery) query: Static<typeof DrainQuery>) {
    return this.sinks.drained(name, query.wait * 1000);
  }
}
