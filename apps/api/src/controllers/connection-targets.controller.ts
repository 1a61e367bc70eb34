import { Controller, Delete, Get, HttpCode, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ConnectionTester } from '@riposte/actions';
import { ConnectionTargetsService, CreateConnectionTargetSchema, UpdateConnectionTargetSchema, type CreateConnectionTarget, type UpdateConnectionTarget } from '@riposte/connection-targets';
import { SchemaBody } from '../http/schema-params.js';
import { Audited, RequireRole } from '../http/route-metadata.js';
import type { RiposteRequest } from '../http/request-context.js';

@ApiTags('connection targets')
@Controller('api/v1/connection-targets')
export class ConnectionTargetsController {
  constructor(
    private readonly targets: ConnectionTargetsService,
    private readonly tester: ConnectionTester,
  ) {}

  @Post()
  @RequireRole('admin')
  @Audited('connection_target.create')
  create(@SchemaBody(CreateConnectionTargetSchema) body: CreateConnectionTarget) {
    return this.targets.create(body);
  }

  @Get()
  @RequireRole('viewer')
  async list() {
    return { items: await this.targets.list(), nextCursor: null };
  }

  @Get(':name')
  @RequireRole('viewer')
  get(@Param('name') name: string) {
    return this.targets.get(name);
  }

  @Patch(':name')
  @RequireRole('admin')
  @Audited('connection_target.update')
  update(@Param('name') name: string, @SchemaBody(UpdateConnectionTargetSchema) body: UpdateConnectionTarget, @Req() request: RiposteRequest) {
    return this.targets.update(name, body, request.principal!);
  }

  @Delete(':name')
  @HttpCode(204)
  @RequireRole('admin')
  @Audited('connection_target.delete')
  async delete(@Param('name') name: string): Promise<void> {
    await this.targets.delete(name);
  }

  @Post(':name/test')
  @HttpCode(200)
  @RequireRole('admin')
  @Audited('connection_target.test')
  test(@Param('name') name: string) {
    return this.tester.test(name);
  }
}
