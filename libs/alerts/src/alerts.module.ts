import { Global, Module } from '@nestjs/common';
import { AlertsService } from './alerts.service.js';
import { ConnectorsService } from './connectors.service.js';

@Global()
@Module({ providers: [AlertsService, ConnectorsService], exports: [AlertsService, ConnectorsService] })
export class AlertsModule {}
