import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { ActionsModule } from '@riposte/actions';
import { AlertsModule } from '@riposte/alerts';
import { AuditModule } from '@riposte/audit';
import { AuthModule } from '@riposte/auth';
import { AzureModule } from '@riposte/azure';
import { AppConfig, ConfigModule } from '@riposte/config';
import { ConnectionTargetsModule } from '@riposte/connection-targets';
import { EngineModule } from '@riposte/engine';
import { ExportModule } from '@riposte/export';
import { GuardrailsModule } from '@riposte/guardrails';
import { LiveModule } from '@riposte/live';
import { NotificationsModule } from '@riposte/notifications';
import { ObservabilityModule } from '@riposte/observability';
import { PersistenceModule } from '@riposte/persistence';
import { AdminKeyBootstrap } from './admin-key.bootstrap.js';
import { ActionsController } from './controllers/actions.controller.js';
import { AlertsController } from './controllers/alerts.controller.js';
import { ApiKeysController } from './controllers/api-keys.controller.js';
import { ApprovalsController } from './controllers/approvals.controller.js';
import { AuthConfigController } from './controllers/auth-config.controller.js';
import { NotificationChannelsController } from './controllers/notification-channels.controller.js';
import { AuditController } from './controllers/audit.controller.js';
import { ExportController } from './controllers/export.controller.js';
import { ConsoleController } from './controllers/console.controller.js';
import { ConnectionTargetsController } from './controllers/connection-targets.controller.js';
import { GuardrailsController } from './controllers/guardrails.controller.js';
import { OperationsController } from './controllers/operations.controller.js';
import { PlaybooksController } from './controllers/playbooks.controller.js';
import { ResponsesController } from './controllers/responses.controller.js';
import { RunsController } from './controllers/runs.controller.js';
import { SignInController } from './controllers/sign-in.controller.js';
import { LiveController } from './controllers/live.controller.js';
import { ApiKeyGuard } from './http/api-key.guard.js';
import { AuditInterceptor } from './http/audit.interceptor.js';
import { IdempotencyInterceptor } from './http/idempotency.js';
import { ProblemDetailsFilter } from './http/problem-details.filter.js';

/** The HTTP service: thin controllers over the libraries, wired once. */
@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule.forRoot(config.database),
        ObservabilityModule,
        TerminusModule,
        AuthModule,
        AuditModule,
        AzureModule,
        ConnectionTargetsModule,
        GuardrailsModule,
        NotificationsModule,
        ActionsModule,
        EngineModule,
        AlertsModule,
        ExportModule,
        LiveModule,
      ],
      controllers: [
        OperationsController,
        ConnectionTargetsController,
        ActionsController,
        ResponsesController,
        PlaybooksController,
        RunsController,
        ApprovalsController,
        AlertsController,
        GuardrailsController,
        ApiKeysController,
        AuditController,
        NotificationChannelsController,
        ExportController,
        SignInController,
        AuthConfigController,
        LiveController,
        ConsoleController,
      ],
      providers: [
        { provide: APP_GUARD, useClass: ApiKeyGuard },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        { provide: APP_INTERCEPTOR, useClass: AuditInterceptor },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        AdminKeyBootstrap,
      ],
    };
  }
}
