import { Global, Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule, getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '@riposte/config';
import { Database } from './database.js';
import { dataSourceOptions, tuneConnection } from './data-source-options.js';

@Global()
@Module({})
export class PersistenceModule {
  static forRoot(database: AppConfig['database']): DynamicModule {
    return {
      module: PersistenceModule,
      imports: [TypeOrmModule.forRoot(dataSourceOptions(database))],
      providers: [
        {
          provide: Database,
          inject: [getDataSourceToken()],
          useFactory: async (dataSource: DataSource) => {
            await tuneConnection(dataSource);
            return new Database(dataSource);
          },
        },
      ],
      exports: [Database],
    };
  }
}
