import { Global, Module } from '@nestjs/common';
import { ArmClient } from './arm.client.js';
import { StorageClient } from './storage.client.js';
import { AzureHttp } from './azure-http.js';
import { DefenderClient } from './defender.client.js';
import { DelegatedAuth } from './delegated-auth.js';
import { DeviceCodeClient } from './device-code.client.js';
import { GraphBatcher } from './graph-batcher.js';
import { GraphClient } from './graph.client.js';
import { TokenProvider } from './token-provider.js';

@Global()
@Module({
  providers: [
    AzureHttp,
    DelegatedAuth,
    DeviceCodeClient,
    TokenProvider,
    GraphBatcher,
    GraphClient,
    DefenderClient,
    ArmClient,
    StorageClient,
  ],
  exports: [
    AzureHttp,
    DelegatedAuth,
    DeviceCodeClient,
    TokenProvider,
    GraphClient,
    DefenderClient,
    ArmClient,
    StorageClient,
  ],
})
export class AzureModule {}
