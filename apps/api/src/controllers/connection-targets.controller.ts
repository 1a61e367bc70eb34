import { Controller, Delete, Get, HttpCode, Param, Patch, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import Type from 'typebox';
import { ConnectionTester } from '@riposte/actions';
import {
  ConnectionTargetsService,
  CreateConnectionTargetSchema,
  SignInService,
  UpdateConnectionTargetSchema,
  type CreateConnectionTarget,
  type UpdateConnectionTarget,
} from '@riposte/connection-targets';
import type { RiposteRequest } from '../http/request-context.js';
import { SchemaBody, SchemaQuery } from '../http/schema-params.js';
import { Audited, RequireRole } from '../http/route-metadata.js';

const WaitQuery = Type.Object(
  {
    waitSeconds: Type.Optional(
      Type.Number({
        minimum: 0,
        maximum: 120,
        default: 30,
        description: 'How long to wait for the person before answering 202 (still pending).',
      }),
    ),
  },
  { additionalProperties: false },
);

@ApiTags('connection targets')
@Controller('api/v1/connection-targets')
export class ConnectionTargetsController {
  constructor(
    private readonly targets: ConnectionTargetsService,
    private readonly tester: ConnectionTester,
    private readonly signIn: SignInService,
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
  update(
    @Param('name') name: string,
    @SchemaBody(UpdateConnectionTargetSchema) body: UpdateConnectionTarget,
    @Req() request: RiposteRequest,
  ) {
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

  /** Delegated targets (authorizationCode): the sign-in URL to open in a browser, with PKCE and a one-time state bound to this target and admin. */
  @Post(':name/authorize')
  @HttpCode(200)
  @RequireRole('admin')
  @Audited('connection_target.authorize')
  authorize(@Param('name') name: string, @Req() request: RiposteRequest) {
    return this.signIn.authorize(name, request.principal!.name);
  }

  /** Delegated targets (deviceCode): starts a device code sign-in; the answer says which code to enter where. */
  @Post(':name/device-code')
  @HttpCode(201)
  @RequireRole('admin')
  @Audited('connection_target.device_code_start')
  startDeviceCode(@Param('name') name: string, @Req() request: RiposteRequest) {
    return this.signIn.startDeviceCode(name, request.principal!.name);
  }

  /** Waits for the person to enter the code: 200 once signed in, 202 while still pending. */
  @Post(':name/device-code/complete')
  @HttpCode(200)
  @RequireRole('admin')
  @Audited('connection_target.device_code_complete')
  async completeDeviceCode(
    @Param('name') name: string,
    @SchemaQuery(WaitQuery) query: { waitSeconds?: number },
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const outcome = await this.signIn.completeDeviceCode(name, query.waitSeconds ?? 30);
    if (outcome.status === 'pending') void reply.status(202);
    return outcome;
  }

  /** Forgets the signed-in person and their tokens. */
  @Delete(':name/sign-in')
  @RequireRole('admin')
  @Audited('connection_target.sign_out')
  signOut(@Param('name') name: string) {
    return this.signIn.signOut(name);
  }
}
