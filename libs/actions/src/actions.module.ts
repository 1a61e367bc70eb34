import { Global, Module } from '@nestjs/common';
import { ActionCatalogue } from './action-catalogue.js';
import { ActionRunner } from './action-runner.js';
import { ConnectionTester } from './connection-tester.js';
import { EffectLedger } from './effect-ledger.js';

@Global()
@Module({
  providers: [ActionCatalogue, ActionRunner, ConnectionTester, EffectLedger],
  exports: [ActionCatalogue, ActionRunner, ConnectionTester, EffectLedger],
})
export class ActionsModule {}
