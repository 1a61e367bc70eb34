export { EVENT_SCHEMA, EVENT_TYPES, type EventType, type ExportEvent } from './event-schema.js';
export { EventCollector } from './event-collector.js';
export { ExportFeed, type FeedPage } from './export-feed.service.js';
export { SinksService, type SinkView } from './sinks/sinks.service.js';
export {
  CreateSinkSchema,
  UpdateSinkSchema,
  SINK_TYPES,
  type CreateSink,
  type UpdateSink,
  type SinkType,
} from './sinks/sink.schemas.js';
export { rfc5424, cef, octetCounted, SD_ID } from './sinks/syslog-format.js';
export { ExportModule } from './export.module.js';
