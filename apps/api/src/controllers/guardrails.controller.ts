import { Controller, Delete, Get, HttpCode, Param, Patch, Post, Req } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import Type, { type Static } from 'typebox';
import {
  AutomationSwitch,
  GuardrailsFileSchema,
  PROTECTED_KINDS,
  type ProtectedKind,
  ProtectionService,
  SettingsStore,
} from '@riposte/guardrails';
import type { RiposteRequest } from '../http/request-context.js';
import { Audited, RequireRole } from '../http/route-metadata.js';
import { SchemaBody } from '../http/schema-params.js';

const ProtectedSchema = Type.Object(
  {
    kind: Type.Enum([...PROTECTED_KINDS]),
    value: Type.String({ minLength: 1, maxLength: 300 }),
    reason: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
const { protected: _lists, ...settingsProperties } = GuardrailsFileSchema.properties;
const SettingsSchema = Type.Object(settingsProperties, { additionalProperties: false, minProperties: 1 });
const PauseSchema = Type.Object(
  { reason: Type.Optional(Type.String({ maxLength: 500 })) },
  { additionalProperties: false },
);

@ApiTags('guardrails')
@Controller('api/v1')
export class GuardrailsController {
  constructor(
    private readonly protection: ProtectionService,
    private readonly settings: SettingsStore,
    private readonly automation: AutomationSwitch,
  ) {}

  @Get('guardrails')
  @RequireRole('viewer')
  async get() {
    const settings = await this.protection.settings();
    return {
      protected: await this.protection.list(),
      protectDirectoryRoles: settings.protectDirectoryRoles,
      protectOwnApp: settings.protectOwnApp,
      maxEntitiesPerRun: settings.maxEntitiesPerRun,
      budgets: Object.fromEntries(
        Object.entries(settings.budgets).map(([action, b]) => [
          action,
          { limit: b.limit, windowSeconds: b.windowMs / 1000 },
        ]),
      ),
      automation: await this.automation.state(),
    };
  }

  /** Changes guardrail options; what is not sent keeps its value (from the guardrails file or the defaults). */
  @Patch('guardrails')
  @RequireRole('admin')
  @Audited('guardrails.update')
  async update(@SchemaBody(SettingsSchema) body: Static<typeof SettingsSchema>, @Req() request: RiposteRequest) {
    const current = (await this.settings.get<Record<string, unknown>>('guardrails')) ?? {};
    await this.settings.set(
      'guardrails',
      { ...current, ...body, budgets: { ...(current.budgets as object | undefined), ...body.budgets } },
      request.principal?.name ?? null,
    );
    return this.get();
  }

  @Post('guardrails/protected')
  @RequireRole('admin')
  @Audited('guardrails.protect')
  protect(@SchemaBody(ProtectedSchema) body: Static<typeof ProtectedSchema>, @Req() request: RiposteRequest) {
    return this.protection.add(
      body.kind as ProtectedKind,
      body.value,
      body.reason ?? null,
      request.principal?.name ?? null,
    );
  }

  @Delete('guardrails/protected/:id')
  @HttpCode(204)
  @RequireRole('admin')
  @Audited('guardrails.unprotect')
  async unprotect(@Param('id') id: string): Promise<void> {
    await this.protection.remove(id);
  }

  @Get('automation')
  @RequireRole('viewer')
  state() {
    return this.automation.state();
  }

  /** The kill switch: alert-fired runs wait before their next destructive action until resumed. */
  @Post('automation/pause')
  @HttpCode(200)
  @RequireRole('analyst')
  pause(@SchemaBody(PauseSchema) body: Static<typeof PauseSchema>, @Req() request: RiposteRequest) {
    return this.automation.pause(request.principal!, body.reason ?? null);
  }

  @Post('automation/resume')
  @HttpCode(200)
  @RequireRole('admin')
  resume(@Req() request: RiposteRequest) {
    return this.automation.resume(request.principal!);
  }
}
