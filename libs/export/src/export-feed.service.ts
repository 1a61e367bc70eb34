import { Injectable } from '@nestjs/common';
import { MoreThan } from 'typeorm';
import { Database, ExportEventEntity, decodeCursor, encodeCursor } from '@riposte/persistence';
import { EventCollector } from './event-collector.js';
import { toExportEvent, type ExportEvent } from './event-schema.js';

export interface FeedPage {
  events: ExportEvent[];
  /** Where the next call starts: after the last event returned (the same cursor when there was none). */
  nextCursor: string;
}

/** The pull side of the export stream: events after a cursor, oldest first. */
@Injectable()
export class ExportFeed {
  constructor(
    private readonly db: Database,
    private readonly collector: EventCollector,
  ) {}

  async read(cursor: string | undefined, limit: number): Promise<FeedPage> {
    const after = decodeCursor(cursor, ['number'] as const)?.[0] ?? 0;
    // Whatever committed before this call is in the answer.
    await this.collector.collect();
    const rows = await this.db.reader.find(ExportEventEntity, {
      where: { seq: MoreThan(after) },
      order: { seq: 'ASC' },
      take: limit,
    });
    const events = rows.map(toExportEvent);
    return { events, nextCursor: encodeCursor([events.at(-1)?.seq ?? after]) };
  }
}
