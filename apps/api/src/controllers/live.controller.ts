import { Controller, Get, Req, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import Type from 'typebox';
import { ChangeHistory, type ChangeQuery, LiveFeed, type LiveEvent } from '@riposte/live';
import type { RiposteRequest } from '../http/request-context.js';
import { RequireRole } from '../http/route-metadata.js';
import { SchemaQuery } from '../http/schema-params.js';
import { ListLimit } from './list-query.js';

const ChangeListQuery = Type.Object(
  {
    limit: ListLimit,
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
    entity: Type.Optional(Type.String({ maxLength: 500 })),
    action: Type.Optional(Type.String({ maxLength: 200 })),
    run: Type.Optional(Type.String({ format: 'uuid' })),
  },
  { additionalProperties: false },
);

/** A comment line now and then keeps proxies from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;

/** What the console (or any client) needs to follow the service: who am I, what changed, what was changed in Azure. */
@ApiTags('live')
@Controller('api/v1')
export class LiveController {
  constructor(
    private readonly feed: LiveFeed,
    private readonly changes: ChangeHistory,
  ) {}

  /** The caller as the service sees it: the console decides what to show from the role (the server still checks every call). */
  @Get('me')
  @RequireRole('viewer')
  me(@Req() request: RiposteRequest) {
    const { id, name, role, kind } = request.principal!;
    return { id, name, role, kind };
  }

  /** Destructive changes made in Azure (the effect ledger), newest first: the action center. */
  @Get('changes')
  @RequireRole('viewer')
  listChanges(@SchemaQuery(ChangeListQuery) query: ChangeQuery) {
    return this.changes.list(query);
  }

  @Get('events')
  @RequireRole('viewer')
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description:
      'Server-sent events: `ready` once, then `run`, `step`, `approval` and `connector` events as they happen (each `data` is one JSON object: ids and states, never inputs or secrets). Send the key in the Authorization header (a fetch-based reader; EventSource cannot). After a reconnect, read the lists again: missed events are not replayed.',
    content: { 'text/event-stream': { schema: { type: 'string' } } },
  })
  stream(@Req() request: RiposteRequest, @Res() reply: FastifyReply): void {
    const principal = request.principal!;
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    const write = (text: string) => {
      if (!raw.writableEnded) raw.write(text);
    };
    write(`retry: 3000\nevent: ready\ndata: ${JSON.stringify({ role: principal.role, name: principal.name })}\n\n`);
    const heartbeat = setInterval(() => write(': heartbeat\n\n'), HEARTBEAT_MS);
    let unsubscribe = () => {};
    const end = () => {
      clearInterval(heartbeat);
      unsubscribe();
      if (!raw.writableEnded) raw.end();
    };
    unsubscribe = this.feed.subscribe({
      role: principal.role,
      send: (event: LiveEvent) => write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`),
      close: end,
    });
    request.raw.on('close', end);
  }
}
