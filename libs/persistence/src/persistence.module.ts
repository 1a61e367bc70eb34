import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import type { AppConfig } from '@riposte/config';
import { ClusterDuties } from './cluster-duties.js';
import { Database } from './database.js';
import { dataSourceOptions, migrate, readerOptions, secureSqliteFiles, tuneConnection } from './data-source-options.js';

@Global()
@Module({})
export class PersistenceModule implements OnApplicationShutdown {
  constructor(@Inject(Database) private readonly db: Database) {}

  static forRoot(database: AppConfig['database']): DynamicModule {
    secureSqliteFiles(database);
    return {
      module: PersistenceModule,
      imports: [TypeOrmModule.forRoot(dataSourceOptions(database))],
      providers: [
        {
          provide: Database,
          inject: [getDataSourceToken()],
          useFactory: async (dataSource: DataSource) => {
            await migrate(dataSource);
            await tuneConnection(dataSource);
            const reading = readerOptions(database);
            // Opened after the writer has run the migrations.
            const reader = reading ? await new DataSource(reading).initialize() : dataSource;
            return new Database(dataSource, reader);
          },
        },
        ClusterDuties,
      ],
      exports: [Database, ClusterDuties],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.db.close();
  }
}
