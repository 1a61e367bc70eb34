import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import Type from 'typebox';
import { AuditLog, type AuditQuery } from '@riposte/audit';
import { RequireRole } from '../http/route-metadata.js';
import { SchemaQuery } from '../http/schema-params.js';
import { ListLimit } from './list-query.js';

const AuditListQuery = Type.Object(
  {
    limit: ListLimit,
    cursor: Type.Optional(Type.String({ maxLength: 500 })),
    action: Type.Optional(Type.String({ maxLength: 200 })),
    actor: Type.Optional(Type.String({ maxLength: 200 })),
    runId: Type.Optional(Type.String({ format: 'uuid' })),
    connectionTarget: Type.Optional(Type.String({ maxLength: 63 })),
  },
  { additionalProperties: false },
);

@ApiTags('audit')
@Controller('api/v1/audit')
export class AuditController {
  constructor(private readonly audit: AuditLog) {}

  @Get()
  @RequireRole('admin')
  list(@SchemaQuery(AuditListQuery) query: AuditQuery) {
    return this.audit.list(query);
  }

  /** Walks the whole hash chain (as `npm run cli -- audit-verify` does): intact, or where it breaks. */
  @Get('verify')
  @RequireRole('admin')
  verify() {
    return this.audit.verify();
  }
}
