import { Module } from '@nestjs/common';
import { ChangeHistory } from './change-history.js';
import { LiveFeed } from './live-feed.js';

/** What a person watching the service needs: the live feed of changes and the history of effects. */
@Module({ providers: [LiveFeed, ChangeHistory], exports: [LiveFeed, ChangeHistory] })
export class LiveModule {}
