import { type DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from '@riposte/audit';
import { AuthModule } from '@riposte/auth';
import { AzureModule } from '@riposte/azure';
import { AppConfig, ConfigModule } from '@riposte/config';
import { ConnectionTargetsModule } from '@riposte/connection-targets';
import { ObservabilityModule } from '@riposte/observability';
import { PersistenceModule } from '@riposte/persistence';

/** What the command line needs: the database and the services it administers, no HTTP, no run recovery. */
@Module({})
export class CliModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: CliModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule.forRoot(config.database),
        ObservabilityModule,
        AuthModule,
        AuditModule,
        AzureModule,
        ConnectionTargetsModule,
      ],
    };
  }
}
