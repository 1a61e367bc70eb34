import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import Type, { type Static } from 'typebox';
import { ApiKeysService, ROLES } from '@riposte/auth';
import { IsoDateTime } from '@riposte/schema';
import type { RiposteRequest } from '../http/request-context.js';
import { Audited, RequireRole } from '../http/route-metadata.js';
import { SchemaBody } from '../http/schema-params.js';

const CreateApiKeySchema = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9][A-Za-z0-9 ._-]*$' }),
    role: Type.Enum([...ROLES]),
    expiresAt: Type.Optional(IsoDateTime({ description: 'After this the key stops working (401).' })),
  },
  { additionalProperties: false },
);

@ApiTags('api keys')
@Controller('api/v1/api-keys')
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  /** The key is in this answer only: it is stored hashed. */
  @Post()
  @RequireRole('admin')
  @Audited('api_key.create')
  create(@SchemaBody(CreateApiKeySchema) body: Static<typeof CreateApiKeySchema>, @Req() request: RiposteRequest) {
    return this.keys.create(body, request.principal?.name ?? null);
  }

  @Get()
  @RequireRole('admin')
  async list() {
    return { items: await this.keys.list(), nextCursor: null };
  }

  @Delete(':id')
  @HttpCode(204)
  @RequireRole('admin')
  @Audited('api_key.revoke')
  async revoke(@Param('id', new ParseUUIDPipe()) id: string): Promise<void> {
    await this.keys.revoke(id);
  }
}
