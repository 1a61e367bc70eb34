import { Global, Module } from '@nestjs/common';
import { AlertsService } from './alerts.service.js';
import { ConnectorsService } from './connectors.service.js';
import { WebhookReplays } from './webhook-replays.js';

@Global()
@Module({
  providers: [AlertsService, ConnectorsService, WebhookReplays],
  exports: [AlertsService, ConnectorsService, WebhookReplays],
})
export class AlertsModule {}
