import { Global, Module } from '@nestjs/common';
import { EventCollector } from './event-collector.js';
import { ExportFeed } from './export-feed.service.js';
import { ExportMetrics } from './export-metrics.js';
import { SinksService } from './sinks/sinks.service.js';

@Global()
@Module({
  providers: [EventCollector, ExportFeed, ExportMetrics, SinksService],
  exports: [EventCollector, ExportFeed, SinksService],
})
export class ExportModule {}
